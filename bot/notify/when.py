"""Reading a premiere date, time and time zone as a moderator types them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TYPE_CHECKING

from bot.errors import InputError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

DEFAULT_TIME = "17:00"
DEFAULT_TIMEZONE = "Asia/Seoul"
CLEAR_WORDS = frozenset({"clear", "none", "unset", "tba", "삭제", "취소", "없음"})
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class PremiereInputError(InputError):
    """A date, time or time zone that cannot be read."""


def parse_date(text: str) -> date:
    match = _DATE.match(text.strip())
    if not match:
        raise PremiereInputError("release.bad_date_format", value=text)
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise PremiereInputError("release.no_such_date", value=text) from None


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise PremiereInputError("release.bad_time_format", value=text)
    hour, minute = (int(part) for part in match.groups())
    if hour > 23 or minute > 59:
        raise PremiereInputError("release.no_such_time", value=text)
    return time(hour, minute)


@cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones of the `tzdata` package, never the host's own files: a host may also
    hold `localtime` (its own clock), which would make the premiere depend on the machine."""
    from importlib import resources  # at first use, as zoneinfo below: ~2.5 ms of start-up

    listed = resources.files("tzdata").joinpath("zones").read_text("utf-8").split()
    return tuple(sorted({*listed, "UTC"} - {"Factory"}))


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in zone_names()}


def parse_zone(text: str) -> ZoneInfo:
    name = text.strip()
    canonical = _zones_by_folded_name().get(name.casefold())
    if canonical is None:
        raise PremiereInputError("release.bad_timezone", value=name)
    return _zone(canonical)


@cache
def _zone(name: str) -> ZoneInfo:
    """The zone's rules from the `tzdata` package, so every host reads the same."""
    from importlib import resources
    from zoneinfo import ZoneInfo  # at the first date set: its import is ~2 ms of start-up

    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def parse_premiere(day: str, at: str | None, zone: str | None, now: datetime) -> datetime:
    """The premiere as an aware UTC datetime; it must lie in the future."""
    tz = parse_zone(zone or DEFAULT_TIMEZONE)
    local = datetime.combine(parse_date(day), parse_time(at or DEFAULT_TIME), tzinfo=tz)
    try:
        starts = local.astimezone(UTC)  # 9999-12-31 in UTC-12 lies past datetime's range
    except OverflowError:
        raise PremiereInputError("release.no_such_date", value=day) from None
    if starts <= now:
        raise PremiereInputError("release.in_past", value=f"{day} {at or DEFAULT_TIME}")
    return starts


def zone_suggestions(typed: str, limit: int = 25) -> list[str]:
    """Time zones for autocomplete: prefix matches first, then ones containing the text."""
    needle = typed.strip().casefold().replace(" ", "_")
    if not needle:
        popular = ["Asia/Seoul", "UTC", "America/New_York", "America/Los_Angeles",
                   "Europe/London", "Europe/Paris", "Asia/Tokyo", "Asia/Kolkata"]  # fmt: skip
        return popular[:limit]
    starts = [z for z in zone_names() if z.casefold().startswith(needle)]
    contains = [z for z in zone_names() if needle in z.casefold() and z not in starts]
    return (starts + contains)[:limit]
