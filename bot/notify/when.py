"""Reading a premiere date, time and time zone as a moderator types them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_TIME = "17:00"
DEFAULT_TIMEZONE = "Asia/Seoul"
CLEAR_WORDS = frozenset({"clear", "none", "unset", "tba", "삭제", "취소", "없음"})
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class PremiereInputError(ValueError):
    """Bad input; `key` names the message to show, `values` fill it."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


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
    return tuple(sorted(available_timezones() | {"UTC"}))


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in zone_names()}


def parse_zone(text: str) -> ZoneInfo:
    name = text.strip()
    canonical = _zones_by_folded_name().get(name.casefold())
    if canonical is None:
        raise PremiereInputError("release.bad_timezone", value=name)
    try:
        return ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError):
        raise PremiereInputError("release.bad_timezone", value=name) from None


def parse_premiere(day: str, at: str | None, zone: str | None, now: datetime) -> datetime:
    """The premiere as an aware UTC datetime; it must lie in the future."""
    tz = parse_zone(zone or DEFAULT_TIMEZONE)
    local = datetime.combine(parse_date(day), parse_time(at or DEFAULT_TIME), tzinfo=tz)
    starts = local.astimezone(UTC)
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
