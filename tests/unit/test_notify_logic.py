"""Pure parts of the notification system: the plan, the input parsing, retries."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
import pytest

from bot.notify.plan import DAY, HOUR, PREMIERE_GRACE, reminder_plan
from bot.notify.when import PremiereInputError, parse_premiere, zone_suggestions
from bot.outbox.dispatcher import backoff

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_plan_has_every_stage_when_far_ahead() -> None:
    start = int(NOW.timestamp()) + 30 * DAY
    plan = reminder_plan(start, int(NOW.timestamp()))
    assert [kind for kind, _, _ in plan] == [
        "reminder_7d",
        "reminder_1d",
        "reminder_1h",
        "premiere",
    ]
    dues = [due for _, due, _ in plan]
    assert dues == [start - 7 * DAY, start - DAY, start - HOUR, start]
    # Each stage stays relevant until the next is due; the premiere for a few hours.
    assert [expires for _, _, expires in plan] == [*dues[1:], start + PREMIERE_GRACE]


def test_stages_already_past_are_not_planned() -> None:
    now = int(NOW.timestamp())
    assert [k for k, _, _ in reminder_plan(now + 2 * DAY, now)] == [
        "reminder_1d",
        "reminder_1h",
        "premiere",
    ]
    assert [k for k, _, _ in reminder_plan(now + 120, now)] == ["premiere"]
    assert reminder_plan(now - 1, now) == []


def test_premiere_defaults_to_17_seoul() -> None:
    starts = parse_premiere("2027-03-05", None, None, NOW)
    assert starts == datetime(2027, 3, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "at", "zone", "key"),
    [
        ("2026-02-30", None, None, "release.no_such_date"),
        ("05/03/2027", None, None, "release.bad_date_format"),
        ("2027-03-05", "25:00", None, "release.no_such_time"),
        ("2027-03-05", "17h", None, "release.bad_time_format"),
        ("2027-03-05", None, "Mars/Phobos", "release.bad_timezone"),
        ("2026-11-21", "11:59", "UTC", "release.in_past"),
    ],
)
def test_bad_input_names_the_problem(day: str, at: str | None, zone: str | None, key: str) -> None:
    with pytest.raises(PremiereInputError) as info:
        parse_premiere(day, at, zone, NOW)
    assert info.value.key == key


def test_time_zones_are_case_insensitive_and_utc_works() -> None:
    assert parse_premiere("2027-01-01", "00:00", "utc", NOW) == datetime(2027, 1, 1, tzinfo=UTC)
    assert parse_premiere("2027-01-01", "09:00", "asia/seoul", NOW).hour == 0


def test_zone_suggestions() -> None:
    assert zone_suggestions("")[0] == "Asia/Seoul"
    assert zone_suggestions("seo")[0] == "Asia/Seoul"
    assert all("new_york" in z.casefold() for z in zone_suggestions("new york"))
    assert len(zone_suggestions("a")) == 25


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [2, 4, 8]
    assert backoff(30) == 300


def test_discord_http_errors_are_classified() -> None:
    from bot.outbox.sender import classify

    class Response:
        def __init__(self, status: int) -> None:
            self.status = status
            self.reason = "x"

    def error(status: int, code: int) -> discord.HTTPException:
        return discord.HTTPException(Response(status), {"code": code, "message": "m"})  # type: ignore[arg-type]

    closed = classify(error(403, 50007))
    assert closed.dm_closed and closed.permanent
    assert not classify(error(503, 0)).permanent
    assert not classify(error(429, 0)).permanent
    assert classify(error(400, 50035)).permanent
    assert classify(error(404, 10003)).permanent
    # a 429 longer than max_ratelimit_timeout: discord.py raises instead of sleeping
    assert not classify(discord.RateLimited(600.0)).permanent
