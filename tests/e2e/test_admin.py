"""/admin: permissions checked in the bot, validation, announcements that ping only the role."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    all_messages,
    kinds,
    query,
    set_up_guild,
    wait_until,
)
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord, FakeGuild
from tests.harness import BotProcess

World = tuple[FakeDiscord, FakeGuild, BotProcess]

ADMIN_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("admin setup", {"channel": 0, "role": 0}),
    ("admin release", {"date": "2030-01-01", "time": "12:00", "timezone": "UTC"}),
    ("admin release", {"date": "clear"}),
    ("admin update", {"text": "Fake news @everyone"}),
    ("admin subscribers", {}),
    ("admin status", {}),
    ("admin reload", {}),
]


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The home server and another one, both set up, and the bot."""
    workdir = tmp_path_factory.mktemp("admin")
    async with serving(workdir, extra_guilds=["Another fan server"]) as (fake, bot):
        other = fake.guilds[1]
        await set_up_guild(fake, other)
        yield fake, other, bot


def db_of(bot: BotProcess) -> Path:
    return Path(bot.env["DATABASE_PATH"])


def snapshot(fake: FakeDiscord, bot: BotProcess) -> tuple[Any, ...]:
    """Everything an admin command could change."""
    db = db_of(bot)
    return (
        query(db, "SELECT * FROM guild_settings ORDER BY guild_id"),
        query(db, "SELECT * FROM premiere"),
        query(db, "SELECT COUNT(*) FROM notifications"),
        query(db, "SELECT COUNT(*) FROM updates"),
        query(db, "SELECT COUNT(*) FROM audit_log"),
        len([m for m in all_messages(fake) if m["_source"] == "channel"]),
        len(fake.requests_to("POST", r"/guilds/\d+/scheduled-events")),
    )


def fill(fake: FakeDiscord, options: dict[str, Any]) -> dict[str, Any]:
    real = {"channel": fake.guild.general_channel_id, "role": fake.guild.other_role.id}
    return {k: real.get(k, v) if v == 0 else v for k, v in options.items()}


@pytest.mark.parametrize(("command", "options"), ADMIN_CALLS)
async def test_members_without_rights_are_refused(
    world: World, command: str, options: dict[str, Any]
) -> None:
    """Whatever Discord's command permissions say: the bot checks on every call."""
    fake, _, bot = world
    before = snapshot(fake, bot)
    result = await fake.invoke(command, fill(fake, options), member=fake.guild.fan)
    assert result.ephemeral
    assert "Only moderators" in result.text
    await asyncio.sleep(0.3)  # anything wrongly scheduled would have started
    assert snapshot(fake, bot) == before


async def test_the_moderator_role_is_enough_here_but_not_show_wide_elsewhere(world: World) -> None:
    fake, other, bot = world
    status = await fake.invoke("admin status", member=fake.guild.mod)
    assert "Bot status" in status.text
    before = snapshot(fake, bot)
    refused = await fake.invoke(
        "admin update", {"text": "Not from the home server"}, member=other.admin, guild=other
    )
    assert refused.ephemeral and "home server" in refused.text
    assert snapshot(fake, bot) == before
    allowed = await fake.invoke("admin status", member=other.admin, guild=other)
    assert "Bot status" in allowed.text


async def test_the_owner_may_change_show_wide_facts_without_server_rights(world: World) -> None:
    fake, _, _ = world
    assert not fake.owner.permissions and not fake.owner.roles
    result = await fake.invoke("admin update", {"text": "Owner's note."}, member=fake.owner)
    assert "Update added" in result.text


async def test_without_a_home_server_only_the_owner_changes_show_wide_facts(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, HOME_GUILD_ID="") as (fake, _):
        refused = await fake.invoke("admin update", {"text": "x"}, member=fake.guild.admin)
        assert refused.ephemeral and "home server" in refused.text
        allowed = await fake.invoke("admin update", {"text": "y"}, member=fake.owner)
        assert "Update added" in allowed.text


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"date": "2026-02-30"}, "isn't a day of the calendar"),
        ({"date": "next friday"}, "YYYY-MM-DD"),
        ({"date": "2030-01-01", "time": "25:00"}, "isn't a time of day"),
        ({"date": "2030-01-01", "time": "5pm"}, "HH:MM"),
        ({"date": "2030-01-01", "timezone": "Mars/Phobos"}, "isn't a time zone"),
        ({"date": "2020-01-01"}, "already passed"),
    ],
)
async def test_bad_release_input_is_explained(
    world: World, options: dict[str, Any], expected: str
) -> None:
    fake, _, bot = world
    before = snapshot(fake, bot)
    result = await fake.invoke("admin release", options, member=fake.guild.admin)
    assert result.ephemeral and expected in result.text, result.text
    assert snapshot(fake, bot) == before


async def test_bad_release_input_in_korean(world: World) -> None:
    fake, _, _ = world
    result = await fake.invoke(
        "admin release", {"date": "2026-02-30"}, member=fake.guild.admin, locale="ko"
    )
    assert "달력에 없는 날짜" in result.text


async def test_release_announces_schedules_and_creates_events(world: World) -> None:
    fake, other, bot = world
    other.bot_can_manage_events = False
    note = f"Party @everyone <@&{fake.guild.mod_role}>"
    result = await fake.invoke(
        "admin release",
        {"date": "2030-06-01", "time": "17:00", "note": note},
        member=fake.guild.admin,
    )
    start = 1906531200  # 2030-06-01 17:00 in Seoul = 08:00 UTC
    assert f"<t:{start}:F>" in result.text and "<t:" in result.text
    assert "Another fan server" in result.text  # the event could not be created there
    assert not fake.requests_to("POST", rf"/guilds/{other.id}/scheduled-events"), "not even tried"
    events = fake.scheduled_events(fake.guild)
    assert len(events) == 1 and events[0]["entity_metadata"] == {"location": "Netflix"}
    assert events[0]["scheduled_start_time"].startswith("2030-06-01T08:00:00")
    assert events[0]["scheduled_end_time"] > events[0]["scheduled_start_time"]
    for guild in (fake.guild, other):
        await wait_until(
            lambda g=guild: (
                kinds(fake.channel_messages(g.announce_channel_id)).get("date_set") == 1
            ),
            timeout=5,
            what=f"the announcement in {guild.name}",
        )
        post = fake.channel_messages(guild.announce_channel_id)[-1]
        assert post["_pinged"] == {"everyone": False, "roles": [guild.notify_role.id], "users": []}
        assert f"<t:{start}:F>" in str(post["embeds"])
    planned = query(db_of(bot), "SELECT kind FROM notifications WHERE state = 'scheduled'")
    assert sorted(k for (k,) in planned) == [
        "premiere",
        "premiere_thread",  # expanded only where discussion threads are on
        "reminder_1d",
        "reminder_1h",
        "reminder_7d",
        "rooms_open",  # expanded only where episode rooms are on
    ]

    moved = await fake.invoke(
        "admin release", {"date": "2030-07-01", "timezone": "utc"}, member=fake.guild.admin
    )
    assert "<t:1909155600:F>" in moved.text  # 17:00 UTC, the default time
    events = fake.scheduled_events(fake.guild)
    assert len(events) == 1 and events[0]["scheduled_start_time"].startswith("2030-07-01T17:00")
    cleared = await fake.invoke("admin release", {"date": "clear"}, member=fake.guild.admin)
    assert "withdrawn" in cleared.text
    assert fake.scheduled_events(fake.guild) == []
    assert query(db_of(bot), "SELECT COUNT(*) FROM notifications WHERE state = 'scheduled'") == [
        (0,)
    ]
    release = await fake.invoke("release", member=fake.guild.fan)
    assert "<t:" not in release.text


async def test_update_text_with_mentions_pings_only_the_role(world: World) -> None:
    fake, _, _ = world
    text = f"Filming wrapped! @everyone @here <@&{fake.guild.mod_role.id}> <@{fake.guild.fan.id}>"
    result = await fake.invoke(
        "admin update", {"text": text, "source": "Netflix Korea"}, member=fake.guild.admin
    )
    assert "Update added" in result.text
    channel = fake.guild.announce_channel_id
    await wait_until(
        lambda: any("Filming wrapped" in str(m["embeds"]) for m in fake.channel_messages(channel)),
        timeout=5,
        what="the update post",
    )
    post = next(m for m in fake.channel_messages(channel) if "Filming wrapped" in str(m["embeds"]))
    assert post["_pinged"] == {"everyone": False, "roles": [fake.guild.notify_role.id], "users": []}
    assert "@everyone" in str(post["embeds"])  # shown, not pinged
    release = await fake.invoke("release", member=fake.guild.fan)
    assert "Filming wrapped" in release.text and "Netflix Korea" in release.text


async def test_setup_refuses_roles_it_cannot_use(world: World) -> None:
    fake, _, bot = world
    before = snapshot(fake, bot)
    everyone = await fake.invoke("admin setup", {"role": fake.guild.id}, member=fake.guild.admin)
    assert everyone.ephemeral and "can't be the notification role" in everyone.text
    high = await fake.invoke(
        "admin setup", {"role": fake.guild.other_role.id}, member=fake.guild.admin
    )
    assert high.ephemeral and "must be above it" in high.text
    assert snapshot(fake, bot) == before
    current = await fake.invoke("admin setup", member=fake.guild.admin)
    assert f"<@&{fake.guild.notify_role.id}>" in current.text


async def test_subscribers_counts_and_csv(world: World) -> None:
    fake, _, _ = world
    for i, via in enumerate(["role", "role", "dm", "both"]):
        member = fake.guild.add_member(f"=csv-fan-{i}")
        await fake.invoke("notify on", {"via": via}, member=member)
    result = await fake.invoke("admin subscribers", member=fake.guild.admin)
    assert result.ephemeral
    assert "**4**" in result.text and "2 role" in result.text
    ((name, data),) = result.files
    assert name == "subscribers.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 4 and set(rows[0]) == {"user_id", "name", "via", "since", "reminders"}
    assert {r["reminders"] for r in rows} == {"all"}
    assert all(r["name"].startswith("'=") for r in rows)  # no formula injection
    assert sorted(r["via"] for r in rows) == ["both", "dm", "role", "role"]


async def test_status_shows_settings_schedule_and_audit(world: World) -> None:
    fake, _, _ = world
    await set_up_guild(fake, fake.guild)  # the latest admin action
    result = await fake.invoke("admin status", member=fake.guild.admin)
    assert result.ephemeral
    assert f"<#{fake.guild.announce_channel_id}>" in result.text
    assert "Recent admin actions" in result.text and "setup" in result.text
    assert "Deliveries" in result.text
    # The one process, which sends, all its shards, its heartbeat a Discord timestamp.
    assert "Bot processes" in result.text and "shards all 1 (sends the notifications)" in (
        result.text)  # fmt: skip
    assert re.search(r"heartbeat <t:\d+:R>", result.text), result.text


@pytest.mark.solo
async def test_a_thousand_subscribe_at_once(world: World) -> None:
    fake, _, bot = world
    fans = [fake.guild.add_member(f"crowd-{i}") for i in range(1000)]
    started = time.monotonic()
    results = await asyncio.gather(
        *(fake.invoke("notify on", {"via": "role"}, member=f, timeout=120) for f in fans)
    )
    elapsed = time.monotonic() - started
    slowest = max(r.latency for r in results)
    print(
        f"1000 /notify on: slowest first answer {slowest * 1000:.0f} ms, all done {elapsed:.1f} s"
    )
    assert slowest < 3.0, f"an answer took {slowest:.2f}s"
    assert all("subscribed" in r.text for r in results)
    ids = {f.id for f in fans}
    stored = query(db_of(bot), "SELECT user_id FROM subscriptions WHERE via = 'role'")
    assert ids <= {user_id for (user_id,) in stored}
