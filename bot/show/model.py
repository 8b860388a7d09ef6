"""The show's facts as immutable values, loaded from data/show.toml by `loader`."""

from __future__ import annotations

import datetime
import re
from typing import Literal, NamedTuple

Status = Literal["returning", "new"]

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class Text(NamedTuple):
    """One piece of user-facing text in both languages."""

    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


class Credit(NamedTuple):
    """A crew member. `hangul` is None when the sources don't give it (never guessed)."""

    name: str
    hangul: str | None = None
    aliases: tuple[str, ...] = ()
    credits: Text | None = None


class CastMember(NamedTuple):
    actor: Text
    character: Text
    status: Status
    part: Text
    spoiler: Text | None = None  # shown only inside spoiler tags
    aliases: tuple[str, ...] = ()  # other spellings the sources use

    @property
    def returning(self) -> bool:
        return self.status == "returning"


class Series(NamedTuple):
    title: Text
    short: str
    genre: Text
    network: str
    source_kind: Text
    source_author: Text


class SeasonOne(NamedTuple):
    year: int
    viewing_hours: int
    viewing_days: int
    top10_countries: int  # "Top 10 in more than N countries"
    global_top10: Text


class SeasonTwo(NamedTuple):
    status: Text
    announced: datetime.date
    announcement: Text
    expected_year: int | None  # None: not even a year is known
    directors: tuple[Credit, ...]
    writer: Credit
    production: str
    co_producers: tuple[str, ...]


class Premise(NamedTuple):
    """Paragraphs in both languages; `spoilers` are shown only on request."""

    spoiler_free: Text
    spoilers: Text

    def paragraphs(self, lang: str, *, spoilers: bool) -> list[str]:
        text = (self.spoilers if spoilers else self.spoiler_free).get(lang)
        # Blank lines separate paragraphs; single line breaks are just hand-wrapping in the file.
        return [" ".join(p.split()) for p in _BLANK_LINE.split(text) if p.strip()]


class TimelineEntry(NamedTuple):
    date: datetime.date
    text: Text
    source: str


class ShowData(NamedTuple):
    series: Series
    season1: SeasonOne
    season2: SeasonTwo
    premise: Premise
    cast: tuple[CastMember, ...]
    timeline: tuple[TimelineEntry, ...]

    @property
    def returning(self) -> tuple[CastMember, ...]:
        return tuple(m for m in self.cast if m.returning)

    @property
    def new(self) -> tuple[CastMember, ...]:
        return tuple(m for m in self.cast if not m.returning)
