"""The outbox on a real database (SQLite and PostgreSQL): expansion, de-duplication,
retirement, bookkeeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.records import NewNotification
from bot.store.rooms import Room
from tests.pgfixtures import BACKENDS, store_on

NOW = 1_800_000_000
DAY = 86400


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_on(request, tmp_path) as s:
        await _populate(s)
        yield s


async def _populate(s: Store) -> None:
    for guild_id in (1, 2):
        await s.guilds.update(guild_id, channel_id=guild_id * 10, role_id=guild_id * 100, now=NOW)
    # User 7 subscribed by DM in both servers; user 8 by role only; user 9 both.
    for guild_id, user_id, via in ((1, 7, "dm"), (2, 7, "both"), (1, 8, "role"), (2, 9, "both")):
        await s.subscriptions.put(guild_id, user_id, via=via, user_name=f"u{user_id}",
                                  locale="en-US", now=NOW)  # fmt: skip


def note(kind: str = "update", due: int = NOW, series: str | None = None) -> NewNotification:
    return NewNotification(kind, {"text": kind}, due, due + DAY, series=series)


async def test_one_post_per_server_and_one_dm_per_person(store: Store) -> None:
    await store.outbox.add(note(), NOW)
    assert await store.outbox.expand_due(NOW) == 1
    due = await store.outbox.due(NOW, 100)
    channels = sorted((d.guild_id, d.channel_id, d.role_id) for d in due if d.target == "channel")
    assert channels == [(1, 10, 100), (2, 20, 200)]
    assert sorted(d.user_id for d in due if d.target == "dm") == [7, 9]  # 7 once, not twice
    assert all(d.payload == {"text": "update"} for d in due)
    assert len({d.nonce("abcd1234") for d in due}) == len(due)
    assert all(len(d.nonce("abcd1234")) <= 25 for d in due)
    assert await store.outbox.expand_due(NOW) == 0  # expanded once only


async def test_closed_dms_are_left_out_and_their_pending_dms_failed(store: Store) -> None:
    await store.outbox.add(note(), NOW)
    await store.outbox.expand_due(NOW)
    await store.dm_channels.mark_closed(7, NOW)
    assert await store.outbox.fail_pending_dms(7, "dm_closed") == 1
    assert sorted(d.user_id for d in await store.outbox.due(NOW, 100) if d.target == "dm") == [9]
    await store.outbox.add(note(due=NOW + 1), NOW + 1)
    await store.outbox.expand_due(NOW + 1)
    dm_users = [d.user_id for d in await store.outbox.due(NOW + 1, 100) if d.target == "dm"]
    assert sorted(dm_users) == [9, 9]
    await store.dm_channels.reopen(7)
    assert not (await store.dm_channels.get(7)).closed


async def test_retiring_a_series_cancels_its_plan_and_pending_deliveries(store: Store) -> None:
    await store.outbox.add(note("date_set", series="premiere"), NOW)
    await store.outbox.add(note("reminder_1d", due=NOW + DAY, series="premiere"), NOW)
    await store.outbox.add(note("update", due=NOW + DAY), NOW)  # not of the series
    await store.outbox.expand_due(NOW)
    assert len(await store.outbox.due(NOW, 100)) == 4
    assert await store.outbox.retire_series("premiere") == 1  # the scheduled reminder
    assert await store.outbox.due(NOW, 100) == []  # the date_set deliveries are cancelled
    assert [p.kind for p in await store.outbox.upcoming()] == ["update"]


async def test_what_came_due_too_late_is_missed(store: Store) -> None:
    await store.outbox.add(note(), NOW)
    await store.outbox.expand_due(NOW + 2 * DAY)
    assert await store.outbox.due(NOW + 2 * DAY, 100) == []
    assert (await store.outbox.stats()).missed == 1


async def test_bookkeeping_marks_each_delivery_once(store: Store) -> None:
    await store.outbox.add(note(), NOW)
    await store.outbox.expand_due(NOW)
    first, second, *_ = await store.outbox.due(NOW, 100)
    assert await store.outbox.claim([first.id, second.id], NOW, NOW + 20) == {
        first.id: NOW, second.id: NOW}  # fmt: skip
    started = {d.id: d.attempt_started_at for d in await store.outbox.due(NOW, 100)}
    assert started[first.id] == started[second.id] == NOW  # outcome unknown until marked
    await store.outbox.mark_sent_many([(first.id, 555)], NOW)
    await store.outbox.mark_failed(first.id, "late")  # ignored: it was sent
    await store.outbox.retry_later(second.id, "503", NOW + 30)
    retried = [d for d in await store.outbox.due(NOW + 30, 100) if d.id == second.id]
    assert retried[0].attempt_started_at is None and retried[0].attempts == 1  # known: failed
    assert [d.id for d in await store.outbox.due(NOW, 100)] == [d.id for d in
        (await store.outbox.due(NOW + 30, 100)) if d.id != second.id]  # fmt: skip
    assert await store.outbox.next_wakeup() == NOW
    stats = await store.outbox.stats()
    assert (stats.sent, stats.pending, stats.failed) == (1, 3, 0)
    assert await store.outbox.problems(1) == []


async def test_a_reminder_reaches_only_the_dm_subscribers_who_chose_it(store: Store) -> None:
    # user 7 (dm in 1, both in 2) wants only the premiere in 1 but everything in 2: once;
    # user 9 (both in 2) wants only the premiere; user 10 (dm in 1) wants the last day.
    await store.subscriptions.put(1, 7, via="dm", user_name="u7", locale="en-US", now=NOW,
                                  reminders="premiere")  # fmt: skip
    await store.subscriptions.put(2, 9, via="both", user_name="u9", locale="en-US", now=NOW,
                                  reminders="premiere")  # fmt: skip
    await store.subscriptions.put(1, 10, via="dm", user_name="u10", locale="en-US", now=NOW,
                                  reminders="day")  # fmt: skip
    choices = {"reminder_7d": ("all",), "reminder_1d": ("all", "day")}
    for kind in ("reminder_7d", "reminder_1d", "premiere"):
        await store.outbox.add(note(kind), NOW)
    await store.outbox.expand_due(NOW, lambda kind: ("everyone", choices.get(kind)))
    due = await store.outbox.due(NOW, 100)
    dms = {k: sorted(d.user_id for d in due if d.target == "dm" and d.kind == k)
           for k in ("reminder_7d", "reminder_1d", "premiere")}  # fmt: skip
    assert dms == {"reminder_7d": [7], "reminder_1d": [7, 10], "premiere": [7, 9, 10]}
    assert sum(1 for d in due if d.target == "channel") == 6  # role pings: every post


async def test_a_lease_keeps_a_delivery_with_its_holder_until_it_runs_out(store: Store) -> None:
    await store.outbox.add(note(), NOW)
    await store.outbox.expand_due(NOW)
    first, second, *_ = await store.outbox.due(NOW, 100)
    other = Store(store.database, "other-process")
    assert await other.outbox.claim([first.id], NOW, NOW + 20) == {first.id: NOW}
    assert first.id not in [d.id for d in await store.outbox.due(NOW + 19, 100)]
    assert await store.outbox.claim([first.id, second.id], NOW + 1, NOW + 21) == {
        second.id: NOW + 1}  # fmt: skip
    await store.outbox.mark_sent_many([(first.id, 555)], NOW + 1)  # not ours: not recorded
    await store.outbox.mark_sent_many([(second.id, 556)], NOW + 1)
    assert await store.outbox.next_wakeup() == NOW  # the third and later ones are due now
    # The other process dies; its lease runs out and this one takes the delivery over, as an
    # attempt of unknown outcome (its message is looked for before any new send).
    taken = [d for d in await store.outbox.due(NOW + 20, 100) if d.id == first.id]
    assert taken and taken[0].attempt_started_at == NOW
    assert await store.outbox.claim([first.id], NOW + 20, NOW + 40) == {first.id: NOW}
    await other.outbox.mark_sent_many([(first.id, 557)], NOW + 21)  # the old holder: ignored
    await store.outbox.mark_sent_many([(first.id, 558)], NOW + 21)
    async with store.database.read() as conn:
        rows = await conn.fetchall(
            "SELECT id, message_id, lease_owner FROM deliveries WHERE state = 'sent' ORDER BY id"
        )
    assert [tuple(r) for r in rows] == [(first.id, 558, store.owner), (second.id, 556, store.owner)]


async def test_a_rooms_notice_reaches_only_the_channels_of_servers_with_rooms(
    store: Store,
) -> None:
    await store.guilds.update(3, channel_id=30, role_id=300, now=NOW)
    await store.rooms.set_enabled(1, True, "en-US", NOW)  # on, and its rooms made
    await store.rooms.put_room(Room(1, 1, 11, 111, None, False))
    await store.rooms.set_enabled(3, True, "en-US", NOW)  # on, but nothing made yet
    await store.rooms.set_enabled(2, False, "en-US", NOW)
    await store.rooms.put_room(Room(2, 1, 21, 211, None, False))  # made, then turned off
    await store.outbox.add(note("rooms_open"), NOW)
    await store.outbox.expand_due(NOW, lambda _kind: ("rooms", None))
    due = await store.outbox.due(NOW, 100)
    assert [(d.target, d.guild_id, d.channel_id) for d in due] == [("channel", 1, 10)]
