"""Exactly-once delivery of announcements and reminders, through crashes and rate limits."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from tests.e2e.delivery_support import (
    DAY,
    at_minute,
    channel_kinds,
    dm_kinds,
    restart_at,
    set_release,
    subscribe_dm,
)
from tests.e2e.helpers import query, wait_until
from tests.fakediscord import FakeDiscord
from tests.harness import BotProcess

World = tuple[FakeDiscord, BotProcess]


async def test_premiere_two_minutes_ahead_through_a_sigkill(
    configured: World,
) -> None:
    fake, bot = configured
    fans = await subscribe_dm(fake, 3, "premiere-fan")
    role_fan = fake.guild.add_member("role-fan")
    await fake.invoke("notify on", {"via": "role"}, member=role_fan)

    premiere = at_minute(time.time() + 120)
    await set_release(fake, premiere)
    await wait_until(
        lambda: channel_kinds(fake).get("date_set") == 1, timeout=5, what="the date announcement"
    )
    await wait_until(
        lambda: all(dm_kinds(fake, f).get("date_set") == 1 for f in fans),
        timeout=5,
        what="the date announcement by DM",
    )

    # Killed between the announcement and the premiere; back 4 seconds before it.
    await restart_at(bot, kill=True, bot_now=premiere.timestamp() - 4)
    await wait_until(
        lambda: channel_kinds(fake).get("premiere") == 1, timeout=15, what="the premiere post"
    )
    await wait_until(
        lambda: all(dm_kinds(fake, f).get("premiere") == 1 for f in fans),
        timeout=10,
        what="the premiere DMs",
    )
    await restart_at(bot, kill=False, bot_now=premiere.timestamp() + 30)  # nothing goes twice

    assert channel_kinds(fake) == {"date_set": 1, "premiere": 1}
    for fan in fans:
        assert dm_kinds(fake, fan) == {"date_set": 1, "premiere": 1}
    posts = [m for m in fake.channel_messages(fake.guild.announce_channel_id) if m["content"]]
    assert all(f"<@&{fake.guild.notify_role.id}>" in m["content"] for m in posts)
    assert all(m["_pinged"]["roles"] == [fake.guild.notify_role.id] for m in posts)
    assert not fake.dm_messages(role_fan.id), "a role subscriber was DMed"
    stamp = int(premiere.timestamp())
    assert any(f"<t:{stamp}:F>" in str(m["embeds"]) for m in posts)


async def test_each_reminder_goes_out_once_on_time(configured: World) -> None:
    """The bot's clock is moved to just before each reminder: 7 days, 1 day, 1 hour."""
    fake, bot = configured
    fan = (await subscribe_dm(fake, 1, "reminder-fan"))[0]
    premiere = at_minute(time.time() + 8 * DAY)
    await set_release(fake, premiere)
    await wait_until(lambda: channel_kinds(fake).get("date_set") == 1, timeout=5, what="date")

    start = premiere.timestamp()
    for kind, before in (("reminder_7d", 7 * DAY), ("reminder_1d", DAY), ("reminder_1h", 3600)):
        due = start - before
        await restart_at(bot, kill=False, bot_now=due - 5)
        await wait_until(
            lambda kind=kind: (
                channel_kinds(fake).get(kind) == 1 and dm_kinds(fake, fan).get(kind) == 1
            ),
            timeout=15,
            what=kind,
        )
        posted = fake.channel_messages(fake.guild.announce_channel_id)[-1]
        offset = float(bot.env["BOT_CLOCK_OFFSET"])
        sent_at = datetime.fromisoformat(posted["timestamp"]).timestamp() + offset
        assert due - 0.5 <= sent_at <= due + 3, f"{kind} went out {sent_at - due:+.1f}s off"
        assert f"<t:{int(start)}:R>" in str(posted["embeds"])
    assert channel_kinds(fake) == {
        "date_set": 1,
        "reminder_7d": 1,
        "reminder_1d": 1,
        "reminder_1h": 1,
    }


async def test_changed_date_leaves_no_stale_reminder(configured: World) -> None:
    fake, bot = configured
    first = at_minute(time.time() + 3 * DAY)
    await set_release(fake, first)
    second = at_minute(time.time() + 20 * DAY)
    await set_release(fake, second)
    await wait_until(lambda: channel_kinds(fake).get("date_set") == 2, timeout=5, what="dates")
    # Just before the first date's 1-day reminder would have been due.
    await restart_at(bot, kill=False, bot_now=first.timestamp() - DAY - 2)
    status = await fake.invoke("admin status", member=fake.guild.admin)
    assert f"<t:{int(second.timestamp()) - 7 * DAY}:F>" in status.text
    await restart_at(bot, kill=False, bot_now=first.timestamp() - DAY + 5)
    assert channel_kinds(fake) == {"date_set": 2}, "a reminder of the old date went out"
    db = Path(bot.env["DATABASE_PATH"])
    stale = query(db, "SELECT COUNT(*) FROM notifications WHERE state = 'cancelled'")
    assert stale[0][0] >= 3
