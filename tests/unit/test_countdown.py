"""The countdown channel's name: what it says at each distance, when it next changes, and when
the channel may be renamed within Discord's limit of two renames in any ten minutes."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from bot.notify.countdown import (
    DAY,
    HOUR,
    MAX_NAME,
    RENAME_WINDOW,
    countdown_name,
    name_is_right,
    next_change,
    rename_allowed_at,
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
    # never more often than once an hour: each change of the clock's has a window to itself
    assert min(gaps) == HOUR > RENAME_WINDOW
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


TEN_MINUTES = 600
T = START - 30 * DAY  # the bot's first rename of the channel


def test_the_window_is_discords_ten_minutes_and_a_little_more() -> None:
    assert TEN_MINUTES < RENAME_WINDOW <= TEN_MINUTES + 15


def test_a_new_date_may_take_the_second_rename_at_once() -> None:
    never = CountdownState()
    assert rename_allowed_at(never, new_date=True) <= T
    assert rename_allowed_at(never, new_date=False) <= T
    once = CountdownState(renamed_at=T)
    assert rename_allowed_at(once, new_date=True) <= T + 1  # e.g. just after the set-up
    twice = CountdownState(renamed_at=T + 30, renamed_before=T)
    assert rename_allowed_at(twice, new_date=True) == T + RENAME_WINDOW  # the first left


def test_the_clocks_change_keeps_the_second_rename_for_a_date() -> None:
    once = CountdownState(renamed_at=T)
    assert rename_allowed_at(once, new_date=False) == T + RENAME_WINDOW
    twice = CountdownState(renamed_at=T + 30, renamed_before=T)
    assert rename_allowed_at(twice, new_date=False) == T + 30 + RENAME_WINDOW
    long_ago = CountdownState(renamed_at=T - HOUR, renamed_before=T - 2 * HOUR)
    assert rename_allowed_at(long_ago, new_date=False) <= T


def test_a_wait_discord_asked_for_comes_first() -> None:
    held = CountdownState(renamed_at=T - HOUR, retry_at=T + 500)
    assert rename_allowed_at(held, new_date=True) == T + 500
    assert rename_allowed_at(held, new_date=False) == T + 500
    short = CountdownState(renamed_at=T + 30, renamed_before=T, retry_at=T + 40)
    assert rename_allowed_at(short, new_date=True) == T + RENAME_WINDOW


def renames_by_the_rule(asks: dict[int, bool], until: int) -> list[tuple[int, bool]]:
    """Second by second, the channel renamed as soon as the rule allows a name that is due:
    (when, whether for a new date). `asks`: when a new name is due, and whether a date's
    (a pending change of the clock's taken over by a date is a date's)."""
    state, pending, done = CountdownState(), None, []
    for now in range(T, until):
        if now in asks:
            pending = asks[now] or bool(pending)
        if pending is not None and now >= rename_allowed_at(state, new_date=pending):
            state = CountdownState(renamed_at=now, renamed_before=state.renamed_at)
            done.append((now, pending))
            pending = None
    return done


@pytest.mark.parametrize("seed", range(40))
def test_never_three_in_ten_minutes_and_a_date_shown_whenever_discord_allows(seed: int) -> None:
    rng = random.Random(seed)
    asks = {T + rng.randrange(3 * HOUR): rng.random() < 0.5 for _ in range(rng.randrange(3, 40))}
    done = renames_by_the_rule(asks, T + 4 * HOUR)
    times = [at for at, _ in done]
    # Discord's limit, with the margin: no three renames within the window
    assert all(c - a >= RENAME_WINDOW for a, _, c in zip(times, times[1:], times[2:], strict=False))
    for (before, _), (at, for_date) in pairwise(done):
        if not for_date:  # the clock's change took a window's first rename: one is left
            assert at - before >= RENAME_WINDOW
    for asked_at, for_date in asks.items():
        recent = [t for t in times if asked_at - (TEN_MINUTES - 50) < t <= asked_at]
        if for_date and len(recent) < 2:  # Discord would allow a rename within the minute
            assert any(asked_at <= t <= asked_at + 60 for t in times), (asked_at, done)
