"""The countdown channel's name: what it says at each distance, and when it next changes."""

from __future__ import annotations

from itertools import pairwise

import pytest

from bot.notify.countdown import (
    DAY,
    HOUR,
    MAX_NAME,
    RENAME_GAP,
    countdown_name,
    name_is_right,
    next_change,
    wanted_name,
)
from bot.store.records import CountdownState, Premiere

START = 1_900_000_000


@pytest.mark.parametrize(
    ("left", "en", "ko"),
    [
        (11 * DAY + 1, "⏳ S2 in 12 days", "⏳ 시즌2까지 12일"),
        (12 * DAY, "⏳ S2 in 12 days", "⏳ 시즌2까지 12일"),
        (2 * DAY + 1, "⏳ S2 in 3 days", "⏳ 시즌2까지 3일"),
        (2 * DAY, "⏳ S2 in 48 hours", "⏳ 시즌2까지 48시간"),
        (30 * HOUR - 60, "⏳ S2 in 30 hours", "⏳ 시즌2까지 30시간"),
        (HOUR + 1, "⏳ S2 in 2 hours", "⏳ 시즌2까지 2시간"),
        (HOUR, "⏳ S2 in under an hour", "⏳ 시즌2 곧 공개"),
        (1, "⏳ S2 in under an hour", "⏳ 시즌2 곧 공개"),
        (0, "🎬 S2 is out now", "🎬 시즌2 공개!"),
        (-400 * DAY, "🎬 S2 is out now", "🎬 시즌2 공개!"),
    ],
)
def test_the_name_at_each_distance(left: int, en: str, ko: str) -> None:
    assert countdown_name("en", START, START - left) == en
    assert countdown_name("ko", START, START - left) == ko


def test_a_date_years_away_still_fits_a_channel_name() -> None:
    name = countdown_name("en", START, START - 9999 * DAY)
    assert name == "⏳ S2 in 9999 days" and len(name) <= MAX_NAME


def test_granularity_coarsens_with_distance() -> None:
    """Walking from 30 days out to the premiere, the name changes exactly when
    next_change says, once a day far out and once an hour in the last two days."""
    now, names, changes = START - 30 * DAY, [], []
    while (change := next_change(START, now)) is not None:
        assert countdown_name("en", START, change - 1) == countdown_name("en", START, now)
        assert countdown_name("en", START, change) != countdown_name("en", START, now)
        changes.append(change)
        now = change
        names.append(countdown_name("en", START, now))
    gaps = [b - a for a, b in pairwise(changes)]
    assert min(gaps) == HOUR > RENAME_GAP  # never more often than once an hour
    # 29 days … 2 days left (a day apart), then 48 hours … 1 hour, then the premiere
    assert gaps.count(DAY) == 27 and gaps.count(HOUR) == 48 and len(gaps) == 75
    assert names[0] == "⏳ S2 in 29 days" and names[26:28] == [
        "⏳ S2 in 3 days",
        "⏳ S2 in 48 hours",
    ]
    assert names[-3:] == ["⏳ S2 in 2 hours", "⏳ S2 in under an hour", "🎬 S2 is out now"]
    assert len(names) == len(set(names))  # each text shown once, never flickering back
    assert next_change(START, START) is None


def test_a_name_as_discord_stored_it_is_right() -> None:
    asked = "⏳ S2 in 12 days"
    stored = CountdownState(asked=asked, shown="⏳-s2-in-12-days", renamed_at=1)
    assert name_is_right(asked, "⏳-s2-in-12-days", stored)  # a text channel's normalized name
    assert name_is_right(asked, asked, CountdownState())  # a voice channel keeps it as is
    assert not name_is_right(asked, "general", stored)  # renamed by hand since: rename back
    assert not name_is_right("⏳ S2 in 11 days", "⏳-s2-in-12-days", stored)


def test_a_year_or_month_is_shown_as_said_never_as_a_day() -> None:
    month = Premiere(None, None, None, 3, expected="2026-09")
    year = Premiere(None, None, None, 2, expected="2027")
    assert wanted_name("en", month, START) == "⏳ S2: Sept 2026"
    assert wanted_name("ko", month, START) == "⏳ 시즌2: 2026년 9월"
    assert wanted_name("en", year, START) == "⏳ S2: 2027"
    assert wanted_name("en", Premiere(None, None, None, 4), START) is None  # nothing known
    assert (
        wanted_name("en", Premiere(START + 3 * 86400, "UTC", None, 5), START) == "⏳ S2 in 3 days"
    )
