"""Setting, moving and withdrawing the premiere; posting updates; what /release reads."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import InputError
from bot.store.records import ProcessRecord
from tests.usecases.conftest import NOW, World

DAY = 86400


async def test_setting_the_date_plans_the_announcement_and_reminders(world: World) -> None:
    changed = await world.usecases.release.set_premiere(
        date="2027-02-01", time="17:00", timezone="UTC", note="  Party  ", user_id=5
    )
    assert changed.starts_at == 1801501200
    assert [p.kind for p in changed.planned] == [
        "date_set", "reminder_7d", "reminder_1d", "reminder_1h", "premiere",
    ]  # fmt: skip
    assert world.wakes == ["dispatcher", "premiere"]  # woken after the commit, by themselves
    premiere = await world.store.premiere.current()
    assert (premiere.starts_at, premiere.timezone, premiere.note) == (1801501200, "UTC", "Party")
    assert [a.action for a in await world.store.audit.latest(1)] == ["release.set"]


async def test_moving_the_date_retires_the_old_plan(world: World) -> None:
    release = world.usecases.release
    await release.set_premiere(date="2027-02-01", time=None, timezone="UTC", note=None, user_id=5)
    await world.store.outbox.expand_due(NOW)  # the first announcement is being sent
    moved = await release.set_premiere(
        date="2027-01-17", time="10:00", timezone="Asia/Seoul", note=None, user_id=5
    )
    assert [p.kind for p in moved.planned] == ["date_set", "reminder_1d", "reminder_1h",
                                               "premiere"]  # fmt: skip
    upcoming = await world.store.outbox.upcoming(limit=10)
    assert [p.kind for p in upcoming] == [*(p.kind for p in moved.planned), "premiere_thread"]
    assert await world.store.outbox.due(NOW, 100) == []  # old announcement's posts cancelled


@pytest.mark.parametrize(
    ("date", "time", "zone", "key"),
    [
        ("2027-02-30", None, None, "release.no_such_date"),
        ("next friday", None, None, "release.bad_date_format"),
        ("2027-01-01", "25:00", None, "release.no_such_time"),
        ("2027-01-01", None, "Mars/Phobos", "release.bad_timezone"),
        ("2020-01-01", None, None, "release.in_past"),
    ],
)
async def test_bad_dates_are_refused_and_change_nothing(
    world: World, date: str, time: str | None, zone: str | None, key: str
) -> None:
    with pytest.raises(InputError) as refused:
        await world.usecases.release.set_premiere(
            date=date, time=time, timezone=zone, note=None, user_id=5
        )
    assert refused.value.key == key
    assert (await world.store.premiere.current()).revision == 0
    assert await world.store.outbox.upcoming() == [] and world.wakes == []


async def test_clearing_announces_the_withdrawal_once(world: World) -> None:
    release = world.usecases.release
    assert await release.clear_premiere(user_id=5) is None  # nothing to clear
    await release.set_premiere(date="2027-02-01", time=None, timezone=None, note=None, user_id=5)
    cleared = await release.clear_premiere(user_id=5)
    assert cleared is not None and cleared.starts_at is None
    assert [p.kind for p in await world.store.outbox.upcoming()] == ["date_cleared"]
    assert (await world.store.premiere.current()).starts_at is None


async def test_an_update_joins_the_timeline_and_is_announced(world: World) -> None:
    release = world.usecases.release
    with pytest.raises(InputError):
        await release.post_update(text="\u200b  ", source=None, user_id=5)
    await release.post_update(text="Filming wrapped", source="Netflix", user_id=5)
    assert [p.kind for p in await world.store.outbox.upcoming()] == ["update"]
    info = await release.info()
    assert info.timeline[-1].text.en == "Filming wrapped" and info.timeline[-1].source == "Netflix"
    assert info.starts_at is None


async def test_a_year_or_month_is_kept_as_said_with_no_reminders(world: World) -> None:
    release = world.usecases.release
    changed = await release.set_premiere(date="2027-09", time=None, timezone=None, note=None,
                                         user_id=5)  # fmt: skip
    assert (changed.starts_at, changed.expected, changed.cleared) == (None, "2027-09", False)
    assert [p.kind for p in changed.planned] == ["date_set"]
    premiere = await world.store.premiere.current()
    assert (premiere.starts_at, premiere.expected) == (None, "2027-09")
    await world.store.outbox.expand_due(NOW)
    assert await world.store.outbox.upcoming(limit=10) == []  # nothing timed until the day
    info = await release.info()
    assert info.starts_at is None and info.expected == "2027-09"
    cleared = await release.clear_premiere(user_id=5)
    assert cleared is not None and cleared.cleared  # a partial date can be withdrawn too


@pytest.mark.parametrize("date", ["2020", "2027-13", "2027-00"])
async def test_a_partial_date_in_the_past_or_off_the_calendar_is_refused(
    world: World, date: str
) -> None:
    with pytest.raises(InputError):
        await world.usecases.release.set_premiere(date=date, time=None, timezone=None,
                                                  note=None, user_id=5)  # fmt: skip


async def test_dates_set_at_once_leave_one_plan(world: World) -> None:
    """PostgreSQL's transactions may overlap: two moderators setting the date at the same
    moment must leave the plan of one of them, never both (double reminders)."""
    release = world.usecases.release
    await asyncio.gather(*(
        release.set_premiere(date=f"2027-02-{day:02}", time="12:00", timezone="UTC", note=None,
                             user_id=5)
        for day in range(1, 9)
    ))  # fmt: skip
    upcoming = [p.kind for p in await world.store.outbox.upcoming(limit=100)]
    assert upcoming.count("premiere") == 1 and upcoming.count("reminder_7d") == 1
    assert (await world.store.premiere.current()).revision == 8
    cleared = await asyncio.gather(*(release.clear_premiere(user_id=5) for _ in range(4)))
    assert sum(c is not None for c in cleared) == 1  # withdrawn once, announced once
    assert [p.kind for p in await world.store.outbox.upcoming(limit=100)] == ["date_cleared"]


async def test_the_reply_counts_the_events_of_every_live_process(world: World) -> None:
    """With several processes, each knows only its own servers: the others tell theirs."""
    for pid, beat, servers, refused in ((2, NOW, 3, ("Far server",)), (3, NOW - 3600, 9, ())):
        other = ProcessRecord(f"p:{pid}", "h", pid, "1 of 2", False, NOW, beat, servers, refused)
        await world.store.processes.beat(other)
    changed = await world.usecases.release.set_premiere(
        date="2027-02-01", time=None, timezone="UTC", note=None, user_id=5
    )
    assert changed.events_updating == 1 + 3  # not the long-silent process's 9
    assert changed.events_refused == ["Far server"]
