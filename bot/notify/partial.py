"""A premiere known only to the year or the month ("2026", "2026-09"): kept and shown exactly
as said, never as a made-up day."""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from bot.errors import InputError
from bot.i18n import Lang, t

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


class Partial(NamedTuple):
    year: int
    month: int | None = None

    def stored(self) -> str:
        """As kept in the database: '2026' or '2026-09'."""
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def from_stored(cls, text: str) -> Partial:
        year, _, month = text.partition("-")
        return cls(int(year), int(month) if month else None)


def parse_partial(text: str, now: datetime) -> Partial | None:
    """A year or a month (not in the past), or None when `text` is neither."""
    text = text.strip()
    if match := _YEAR.match(text):
        partial = Partial(int(match[1]))
    elif match := _MONTH.match(text):
        if not 1 <= int(match[2]) <= 12:
            raise InputError("release.no_such_date", value=text)
        partial = Partial(int(match[1]), int(match[2]))
    else:
        return None
    if (partial.year, partial.month or 12) < (now.year, now.month if partial.month else 1):
        raise InputError("release.in_past", value=text)
    return partial


def expected_words(lang: Lang, stored: str) -> str:
    """'September 2026' / '2026년 9월', or the year alone."""
    partial = Partial.from_stored(stored)
    if partial.month is None:
        return t(lang, "partial.year", year=partial.year)
    month = MONTHS_EN[partial.month - 1] if lang == "en" else str(partial.month)
    return t(lang, "partial.month", year=partial.year, month=month)
