"""Shared steps of the delivery tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from tests.e2e.helpers import kinds, wait_until
from tests.fakediscord import FakeDiscord, FakeMember
from tests.harness import BotProcess

DAY = 86400


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


def db_of(bot: BotProcess) -> Path:
    return Path(bot.env["DATABASE_PATH"])


async def welcomed(fake: FakeDiscord, fans: list[FakeMember]) -> None:
    await wait_until(
        lambda: all(fake.dm_messages(f.id) for f in fans), timeout=20, what="the welcome DMs"
    )


def dm_path(fake: FakeDiscord, fan: FakeMember) -> str:
    return f"/channels/{fake.dm_channels[fan.id].id}/messages"
