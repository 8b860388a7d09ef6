"""Exactly-once delivery of announcements and reminders, through crashes and rate limits."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import spec_path
from tests.e2e.helpers import (
    all_messages,
    kinds,
    only_the_role_pinged,
    query,
    set_up_guild,
    wait_until,
)
from tests.fakediscord import FakeDiscord, FakeMember
from tests.harness import BotProcess, bot_environment

DAY = 86400


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, BotProcess]]:
    fake = FakeDiscord(spec_path=spec_path())
    await fake.start()
    bot = BotProcess(bot_environment(fake, tmp_path / "bot.db"), tmp_path / "bot.log")
    await bot.start()
    await set_up_guild(fake, fake.guild)
    yield fake, bot
    only_the_role_pinged(fake, all_messages(fake))
    await bot.stop()
    await fake.stop()
    assert not fake.spec_violations, fake.spec_violations


async def subscribe_dm(fake: FakeDiscord, count: int, prefix: str) -> list[FakeMember]:
    members = [fake.guild.add_member(f"{prefix}-{i}") for i in range(count)]
    for member in members:
        result = await fake.invoke("notify on", {"via": "dm"}, member=member)
        assert "subscribed" in result.text
    return members


def at_minute(ts: float) -> datetime:
    """The first whole minute at or after `ts` (the command takes HH:MM)."""
    minute = int(ts // 60 + (1 if ts % 60 else 0)) * 60
    return datetime.fromtimestamp(minute, UTC)


async def set_release(fake: FakeDiscord, when: datetime) -> str:
    result = await fake.invoke(
        "admin release",
        {"date": when.strftime("%Y-%m-%d"), "time": when.strftime("%H:%M"), "timezone": "UTC"},
        member=fake.guild.admin,
        timeout=10,
    )
    assert "Premiere set" in result.text, result.text
    return result.text


def channel_kinds(fake: FakeDiscord) -> dict[str, int]:
    return dict(kinds(fake.channel_messages(fake.guild.announce_channel_id)))


def dm_kinds(fake: FakeDiscord, member: FakeMember) -> dict[str, int]:
    return dict(kinds(fake.dm_messages(member.id)))


async def restart_at(bot: BotProcess, *, kill: bool, bot_now: float) -> None:
    """Restart the bot with its clock moved so that it reads `bot_now` at once."""
    if kill:
        await bot.kill()
    else:
        await bot.stop()
    bot.env["BOT_CLOCK_OFFSET"] = str(bot_now - time.time())
    await bot.start()


async def test_premiere_two_minutes_ahead_through_a_sigkill(
    world: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, bot = world
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


async def test_each_reminder_goes_out_once_on_time(world: tuple[FakeDiscord, BotProcess]) -> None:
    """The bot's clock is moved to just before each reminder: 7 days, 1 day, 1 hour."""
    fake, bot = world
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


async def test_changed_date_leaves_no_stale_reminder(world: tuple[FakeDiscord, BotProcess]) -> None:
    fake, bot = world
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


async def test_rate_limits_and_server_errors_lose_and_repeat_nothing(
    world: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, bot = world
    fans = await subscribe_dm(fake, 25, "storm-fan")
    fake.set_global_rate_limit(8)  # a 429 storm: far below what the fan-out would like
    fake.inject_failures("POST", r"/channels/\d+/messages", 503, 6)
    fake.inject_failures("POST", r"/channels/\d+/messages", 500, 3)
    fake.inject_failures("POST", r"/channels/\d+/messages", 429, 4, retry_after=0.5)
    result = await fake.invoke("admin update", {"text": "Season 2 wrapped filming."},
                               member=fake.guild.admin)  # fmt: skip
    assert "Update added" in result.text

    def delivered() -> bool:
        return channel_kinds(fake).get("update") == 1 and all(
            dm_kinds(fake, f).get("update") == 1 for f in fans
        )

    await wait_until(delivered, timeout=60, what="the update to every subscriber")
    fake.set_global_rate_limit(50)
    await restart_at(bot, kill=False, bot_now=time.time())
    assert channel_kinds(fake) == {"update": 1}
    for fan in fans:
        assert dm_kinds(fake, fan) == {"update": 1}, fan.name
    too_many = sum(1 for r in fake.requests if r.status == 429)
    print(f"fan-out of {len(fans) + 1} messages at 8 req/s: {too_many} answers 429")
    assert fake.invalid_request_count < 200


async def test_sigkill_during_fan_out_loses_and_repeats_nothing(
    world: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, bot = world
    fans = await subscribe_dm(fake, 30, "crash-fan")
    fake.set_global_rate_limit(10)  # slow enough to be killed half-way
    await fake.invoke("admin update", {"text": "Teaser out."}, member=fake.guild.admin)
    await wait_until(
        lambda: sum(dm_kinds(fake, f).get("update", 0) for f in fans) >= 8,
        timeout=20,
        what="some of the DMs",
    )
    await bot.kill()
    sent_before = sum(dm_kinds(fake, f).get("update", 0) for f in fans)
    assert sent_before < len(fans), "the fan-out finished before the kill: nothing tested"
    await bot.start()
    await wait_until(
        lambda: all(dm_kinds(fake, f).get("update") == 1 for f in fans),
        timeout=30,
        what="the rest of the DMs",
    )
    assert all(dm_kinds(fake, f) == {"update": 1} for f in fans)
    assert channel_kinds(fake) == {"update": 1}


async def test_closed_dms_are_marked_not_retried(world: tuple[FakeDiscord, BotProcess]) -> None:
    fake, bot = world
    fan = (await subscribe_dm(fake, 1, "closing-fan"))[0]
    fan.dm_closed = True  # closed after subscribing
    await fake.invoke("admin update", {"text": "First news."}, member=fake.guild.admin)
    await wait_until(lambda: channel_kinds(fake).get("update") == 1, timeout=5, what="post")
    dm_channel = fake.dm_channels[fan.id].id
    path = rf"/channels/{dm_channel}/messages"
    await wait_until(
        lambda: any(r.status == 403 for r in fake.requests_to("POST", path)),
        timeout=5,
        what="the refused DM",
    )
    tries = len(fake.requests_to("POST", path))
    await fake.invoke("admin update", {"text": "Second news."}, member=fake.guild.admin)
    await wait_until(lambda: channel_kinds(fake).get("update") == 2, timeout=5, what="post 2")
    await restart_at(bot, kill=False, bot_now=time.time() + 600)  # past any retry
    assert len(fake.requests_to("POST", path)) == tries, "a closed DM was tried again"
    db = Path(bot.env["DATABASE_PATH"])
    assert query(db, "SELECT closed_at IS NOT NULL FROM dm_channels WHERE user_id = ?", fan.id) == [
        (1,)
    ]
    status = await fake.invoke("notify status", member=fan)
    assert "DMs were closed" in status.text
