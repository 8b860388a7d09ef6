"""Episode rooms, end to end: made once and remade only when missing, hidden from everyone but
moderators and the bot until a member says how far they have watched, each room then open to
exactly the members who have watched its episode, by Discord's own permissions (the fake
computes them as Discord does; the bot is not an administrator)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.e2e.delivery_support import at_minute, restart_at, set_release
from tests.e2e.helpers import wait_until
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord, FakeGuild, FakeMember
from tests.fakediscord.models import (
    ADMINISTRATOR,
    CATEGORY_CHANNEL,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
)

MADE = r"/guilds/\d+/(channels|roles)"


def rooms_of(guild: FakeGuild) -> dict[int, int]:
    """Episode -> channel id of the rooms the bot made (by their names)."""
    out = {}
    for channel in guild.channels.values():
        if channel.name.startswith("s2-e"):
            out[int(channel.name.removeprefix("s2-e"))] = channel.id
    return out


def seen_by(guild: FakeGuild, member: FakeMember) -> list[int]:
    """The episodes whose room `member` can see."""
    return sorted(k for k, c in rooms_of(guild).items() if guild.can_see(member, c))


def made(fake: FakeDiscord) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests_to("POST", MADE)]


def rule_of(fake: FakeDiscord, guild: FakeGuild, episode: int) -> dict[str, Any]:
    [first, *_] = fake.channel_messages(rooms_of(guild)[episode])
    return first


async def watched(fake: FakeDiscord, member: FakeMember, episode: int, **kw: Any) -> str:
    result = await fake.invoke("watched", {"episode": episode}, member=member, **kw)
    assert result.ephemeral, result
    return result.text


async def sees(guild: FakeGuild, member: FakeMember, episodes: list[int]) -> None:
    await wait_until(
        lambda: seen_by(guild, member) == episodes,
        timeout=10,
        what=f"{member.name} to see rooms {episodes} (sees {seen_by(guild, member)})",
    )


async def rooms_on(fake: FakeDiscord, guild: FakeGuild | None = None) -> str:
    guild = guild or fake.guild
    result = await fake.invoke(
        "admin setup", {"episode_rooms": True}, member=guild.admin, guild=guild, timeout=15
    )
    return result.text


async def after_premiere(fake: FakeDiscord, bot: Any) -> None:
    premiere = at_minute(time.time() + 120)
    await set_release(fake, premiere)
    await restart_at(bot, kill=False, bot_now=premiere.timestamp() + 60)


async def test_rooms_open_exactly_as_far_as_each_member_has_watched(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        guild, fan = fake.guild, fake.guild.fan
        assert not guild.permissions_of(guild.bot_member) & ADMINISTRATOR
        count = await fake.invoke("admin episodes", {"count": 4}, member=guild.admin)
        assert "4 episodes" in count.text
        answer = await rooms_on(fake)
        assert "4 rooms, 4 roles" in answer, answer
        assert len(made(fake)) == 1 + 4 + 4  # a category, four rooms, four roles
        [category] = [c for c in guild.channels.values() if c.type == CATEGORY_CHANNEL]
        rooms = rooms_of(guild)
        assert sorted(rooms) == [1, 2, 3, 4]
        assert all(guild.channels[c].parent_id == category.id for c in rooms.values())
        for episode, channel_id in rooms.items():  # each room's rule, pinned, in English
            rule = rule_of(fake, guild, episode)
            assert guild.channels[channel_id].pins == [int(rule["id"])]
            assert f"episode {episode}** and everything before it" in rule["content"]
            buttons = [b for row in rule.get("components", []) for b in row["components"]]
            assert len(buttons) == (0 if episode == 4 else 1)

        # nobody but moderators and the bot sees a room before the premiere
        assert seen_by(guild, fan) == []
        assert seen_by(guild, guild.mod) == [1, 2, 3, 4]  # the moderator role
        assert seen_by(guild, guild.admin) == [1, 2, 3, 4]  # Manage Server
        assert seen_by(guild, guild.bot_member) == [1, 2, 3, 4]
        assert "isn't out yet" in await watched(fake, fan, 2)
        assert not fake.requests_to("PATCH", r"/guilds/\d+/members/\d+")

        await after_premiere(fake, bot)
        for episode, expected in ((2, [1, 2]), (4, [1, 2, 3, 4]), (1, [1]), (0, [])):
            text = await watched(fake, fan, episode)
            assert ("closed" in text) if episode == 0 else (f"up to episode {episode}" in text)
            assert all(f"<#{rooms[k]}>" in text for k in expected), text
            await sees(guild, fan, expected)
        assert "episodes 1 to 4: 5 isn't one of them" in await watched(fake, fan, 5)
        await sees(guild, fan, [])

        # the button on room 1's rule does what /watched 2 does
        press = await fake.press_button(
            rule_of(fake, guild, 1), f"aoad:watched:{guild.id}:2", member=fan, expect_edit=False
        )
        assert "up to episode 2" in press.text
        await sees(guild, fan, [1, 2])

        late = guild.add_member("late-joiner")  # joins afterwards: sees nothing
        assert seen_by(guild, late) == []

        # moderators see where members are; everyone sees the count in /release
        status = await fake.invoke("admin status", member=guild.admin)
        assert "Episode rooms: members at each episode\nEpisode 2: 1" in status.text, status.text
        assert "Episodes: 4" in (await fake.invoke("release", member=late)).text

        # run again: nothing is made; a room and a role deleted by hand are made again at once
        before = len(made(fake))
        assert "Nothing was missing" in await rooms_on(fake)
        assert len(made(fake)) == before
        guild.delete_channel(rooms[3])
        await wait_until(lambda: rooms_of(guild).get(3, rooms[3]) != rooms[3], timeout=10,
                         what="room 3 made again")  # fmt: skip
        assert len(made(fake)) == before + 1
        progress_role_2 = next(r for r in guild.roles.values() if r.name == "S2 · watched 2")
        guild.delete_role(progress_role_2.id)
        assert seen_by(guild, fan) == [] and seen_by(guild, late) == []
        await sees(guild, fan, [1, 2])  # the remade role is given back, with no command
        assert len(made(fake)) == before + 2
        assert seen_by(guild, late) == []
        assert seen_by(guild, guild.mod) == [1, 2, 3, 4]
        assert "Nothing was missing" in await rooms_on(fake)

        # the count grows by one: one more room, and the last room's rule gains its button
        grown = await fake.invoke("admin episodes", {"count": 5}, member=guild.admin)
        assert "now has 5 episodes" in grown.text
        await wait_until(lambda: 5 in rooms_of(guild), timeout=10, what="room 5")
        await wait_until(
            lambda: bool(rule_of(fake, guild, 4).get("components")),
            timeout=10,
            what="room 4's button",
        )
        assert seen_by(guild, fan) == [1, 2]
        assert "up to episode 5" in await watched(fake, fan, 5)
        await sees(guild, fan, [1, 2, 3, 4, 5])
        shrink = await fake.invoke("admin episodes", {"count": 3}, member=guild.admin)
        assert "may only grow" in shrink.text

        # rooms turned off: a room deleted by hand stays deleted
        off = await fake.invoke("admin setup", {"episode_rooms": False}, member=guild.admin)
        assert "they are no longer made again" in off.text, off.text
        guild.delete_channel(rooms_of(guild)[5])
        await fake.invoke("about", member=fan)  # the deletion reached the bot before this
        await asyncio.sleep(1.0)  # the time a remake takes, many times over
        assert sorted(rooms_of(guild)) == [1, 2, 3, 4]


async def test_without_the_permissions_it_makes_nothing_and_says_what_is_missing(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as (fake, _bot):
        guild = fake.guild
        await fake.invoke("admin episodes", {"count": 3}, member=guild.admin)
        guild.bot_role.permissions &= ~(MANAGE_CHANNELS | MANAGE_ROLES)
        guild.bot_can_manage_roles = False  # sends the role update to the bot
        answer = await rooms_on(fake)
        assert "made nothing" in answer, answer
        assert "Manage Channels" in answer and "Manage Roles" in answer, answer
        assert made(fake) == []

        guild.bot_role.permissions |= MANAGE_CHANNELS
        guild.bot_can_manage_roles = True
        assert "3 rooms, 3 roles" in await rooms_on(fake)
        # a moderator drags a progress role above the bot's: refused again, nothing made
        role = next(r for r in guild.roles.values() if r.name == "S2 · watched 1")
        guild.move_role(role.id, guild.bot_role.position + 1)
        guild.delete_channel(rooms_of(guild)[2])
        before = len(made(fake))
        answer = await rooms_on(fake)
        assert "my role must be above the episode roles" in answer, answer
        assert len(made(fake)) == before


async def test_a_korean_server_gets_the_rule_in_korean(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, _bot):
        guild = fake.guild
        guild.preferred_locale = "ko"
        await fake.invoke("admin episodes", {"count": 2}, member=guild.admin)
        await rooms_on(fake)
        rule = rule_of(fake, guild, 1)
        assert "이 방은 **시즌2 1화**와 그 이전 이야기" in rule["content"]
        [row] = rule["components"]
        assert row["components"][0]["label"] == "2화 다 봤어요"
        assert any(r.name == "S2 · 1화까지 봄" for r in guild.roles.values())
