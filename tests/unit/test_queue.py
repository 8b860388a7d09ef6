"""The delivery queue on a real SQLite file: expansion, de-duplication, retirement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.db.database import Database
from bot.db.guilds import GuildSettingsRepo
from bot.notify.queue import DeliveryQueue, DmChannels
from bot.notify.release import DAY, ReleaseService
from bot.notify.subscriptions import SubscriptionRepo

NOW = 1_800_000_000


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "q.db")
    await database.open()
    guilds = GuildSettingsRepo(database)
    subs = SubscriptionRepo(database)
    for guild_id in (1, 2):
        await guilds.update(guild_id, channel_id=guild_id * 10, role_id=guild_id * 100, now=NOW)
    # User 7 subscribed by DM in both servers; user 8 by role only; user 9 both.
    for guild_id, user_id, via in ((1, 7, "dm"), (2, 7, "both"), (1, 8, "role"), (2, 9, "both")):
        await subs.subscribe(guild_id, user_id, via=via, user_name=f"u{user_id}", locale="en-US",
                             now=NOW)  # fmt: skip
    yield database
    await database.close()


async def test_one_post_per_server_and_one_dm_per_person(db: Database) -> None:
    queue = DeliveryQueue(db)
    await ReleaseService(db).add_update(text="news", source=None, user_id=1, now=NOW)
    assert await queue.expand_due(NOW) == 1
    due = await queue.due(NOW, 100)
    channels = sorted((d.guild_id, d.channel_id, d.role_id) for d in due if d.target == "channel")
    assert channels == [(1, 10, 100), (2, 20, 200)]
    assert sorted(d.user_id for d in due if d.target == "dm") == [7, 9]  # 7 once, not twice
    assert len({d.nonce("abcd1234") for d in due}) == len(due)
    assert all(len(d.nonce("abcd1234")) <= 25 for d in due)
    assert await queue.expand_due(NOW) == 0  # expanded once only


async def test_closed_dms_are_left_out_and_their_pending_dms_failed(db: Database) -> None:
    queue, dms = DeliveryQueue(db), DmChannels(db)
    release = ReleaseService(db)
    await release.add_update(text="one", source=None, user_id=1, now=NOW)
    await queue.expand_due(NOW)
    await dms.mark_closed(7, NOW)
    assert sorted(d.user_id for d in await queue.due(NOW, 100) if d.target == "dm") == [9]
    await release.add_update(text="two", source=None, user_id=1, now=NOW + 1)
    await queue.expand_due(NOW + 1)
    dm_users = [d.user_id for d in await queue.due(NOW + 1, 100) if d.target == "dm"]
    assert sorted(dm_users) == [9, 9]


async def test_a_new_date_retires_the_old_plan(db: Database) -> None:
    queue, release = DeliveryQueue(db), ReleaseService(db)
    await release.set_premiere(starts_at=NOW + 10 * DAY, timezone="UTC", note=None, user_id=1,
                               now=NOW)  # fmt: skip
    planned = await release.set_premiere(starts_at=NOW + 2 * DAY, timezone="UTC", note=None,
                                         user_id=1, now=NOW + 5)  # fmt: skip
    assert [p.kind for p in planned] == ["date_set", "reminder_1d", "reminder_1h", "premiere"]
    upcoming = await release.upcoming(limit=10)
    assert all(p.due_at >= NOW + 5 for p in upcoming)
    assert upcoming[0].kind == "date_set"
    assert len(upcoming) == 4  # the old date's announcement and reminders are gone
    rows = await db.fetchall("SELECT kind FROM notifications WHERE state = 'cancelled'")
    assert sorted(r[0] for r in rows) == sorted(
        ["date_set", "reminder_7d", "reminder_1d", "reminder_1h", "premiere"]
    )
    assert (await release.current()).revision == 2
    # What is overdue by more than its grace is marked missed, not sent late.
    await queue.expand_due(NOW + 5 + 2 * DAY)
    missed = await db.fetchall("SELECT kind FROM notifications WHERE state = 'missed'")
    assert sorted(r[0] for r in missed) == ["date_set", "reminder_1d", "reminder_1h"]
