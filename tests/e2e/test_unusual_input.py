"""Unusual but possible input: every interaction gets its own short ephemeral answer, changes
nothing, and leaves no traceback in the log (the module's end checks the log)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import query
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord
from tests.harness import BotProcess

World = tuple[FakeDiscord, BotProcess]


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with serving(tmp_path_factory.mktemp("unusual")) as served:
        yield served


def stored(bot: BotProcess) -> tuple[Any, ...]:
    db = Path(bot.env["DATABASE_PATH"])
    return (
        query(db, "SELECT * FROM premiere"),
        query(db, "SELECT COUNT(*) FROM notifications"),
        query(db, "SELECT COUNT(*) FROM subscriptions"),
    )


def no_bug_reported(bot: BotProcess) -> None:
    log = bot.new_log()
    assert "Traceback" not in log and "failed (interaction" not in log, log[-2000:]


@pytest.mark.parametrize(
    "custom_id", ["aoad:notify:explode:1", "aoad:poll:vote:9", "other-bot:vote:yes"]
)
async def test_a_button_the_bot_does_not_know_is_answered(world: World, custom_id: str) -> None:
    fake, bot = world
    bot.new_log()
    channel = fake.guild.announce_channel_id
    message = fake.plant_bot_message(channel, "An announcement from long ago", custom_id)
    pressed = await fake.press_button(message, custom_id, member=fake.guild.fan)
    assert pressed.ephemeral and "isn't mine or no longer does anything" in pressed.text
    no_bug_reported(bot)


async def test_an_unknown_button_is_answered_in_korean(world: World) -> None:
    fake, _ = world
    message = fake.plant_bot_message(fake.guild.announce_channel_id, "옛 공지", "legacy:1")
    pressed = await fake.press_button(message, "legacy:1", member=fake.guild.fan, locale="ko")
    assert pressed.ephemeral and "제 버튼이 아니거나" in pressed.text


@pytest.mark.parametrize(
    ("date", "timezone"),
    [
        ("9999-12-31", "Etc/GMT+12"),  # UTC-12: past the last representable day in UTC
        ("0001-01-01", "Etc/GMT-14"),  # UTC+14: before the first one
    ],
)
async def test_calendar_edges_with_extreme_time_zones_are_not_valid_dates(
    world: World, date: str, timezone: str
) -> None:
    fake, bot = world
    before, _ = stored(bot), bot.new_log()
    options = {"date": date, "time": "00:00" if date.startswith("0001") else "23:59",
               "timezone": timezone}  # fmt: skip
    result = await fake.invoke("admin release", options, member=fake.guild.admin)
    assert result.ephemeral and f"`{date}` isn't a day of the calendar" in result.text
    assert stored(bot) == before
    no_bug_reported(bot)


@pytest.mark.parametrize("zone", ["localtime", "posix/Asia/Seoul", "right/UTC", "Factory"])
async def test_host_only_zone_names_are_refused(world: World, zone: str) -> None:
    fake, bot = world
    before, _ = stored(bot), bot.new_log()
    options = {"date": "2030-05-01", "timezone": zone}
    result = await fake.invoke("admin release", options, member=fake.guild.admin)
    assert result.ephemeral and "isn't a time zone I know" in result.text, result.text
    assert stored(bot) == before
    no_bug_reported(bot)


@pytest.mark.parametrize("command", ["notify on", "notify off", "notify status", "admin status"])
async def test_a_server_command_from_outside_a_server_is_answered(
    world: World, command: str
) -> None:
    fake, bot = world
    before, _ = stored(bot), bot.new_log()
    result = await fake.invoke(command, member=fake.guild.fan, guild=None, stale_client=True)
    assert result.ephemeral and "works in servers only" in result.text, result.text
    assert stored(bot) == before
    no_bug_reported(bot)


async def test_an_option_value_outside_the_choices_is_answered(world: World) -> None:
    fake, bot = world
    before, _ = stored(bot), bot.new_log()
    options = {"via": "carrier-pigeon"}
    result = await fake.invoke("notify on", options, member=fake.guild.fan, stale_client=True)
    assert result.ephemeral and "`carrier-pigeon` isn't one of this command's choices" in (
        result.text
    )
    assert stored(bot) == before
    no_bug_reported(bot)
