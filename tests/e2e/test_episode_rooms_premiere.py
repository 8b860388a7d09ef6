"""Premiere night in a server with episode rooms: beside the premiere post, a message that the
rooms are open and that /watched opens them, exactly once, also when the bot is killed at
the premiere before it learned that its posts had landed; a server without rooms gets none."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.e2e.delivery_support import at_minute, restart_at, set_release
from tests.e2e.helpers import kinds, set_up_guild, wait_until
from tests.e2e.serving import serving
from tests.e2e.test_episode_rooms import rooms_on
from tests.fakediscord import FakeDiscord, FakeGuild

OPEN = "episode rooms are open"


def posted(fake: FakeDiscord, guild: FakeGuild) -> list[dict[str, Any]]:
    return fake.channel_messages(guild.announce_channel_id)


def rooms_notices(fake: FakeDiscord, guild: FakeGuild) -> list[dict[str, Any]]:
    return [m for m in posted(fake, guild) if OPEN in (m.get("content") or "")]


async def test_the_premiere_tells_servers_with_rooms_to_use_watched(tmp_path: Path) -> None:
    async with serving(tmp_path, extra_guilds=["No rooms here"]) as (fake, bot):
        home, plain = fake.guild, fake.guilds[1]
        await set_up_guild(fake, plain)
        await fake.invoke("admin episodes", {"count": 3}, member=home.admin)
        assert "3 rooms" in await rooms_on(fake)
        premiere = at_minute(time.time() + 120)
        await set_release(fake, premiere)
        # the premiere: the answers to the home server's posts are held back, and the bot is
        # killed before it learns they landed
        fake.stall_answers("POST", rf"/channels/{home.announce_channel_id}/messages", 3, 2)
        await restart_at(bot, kill=False, bot_now=premiere.timestamp() + 2)
        await wait_until(lambda: bool(rooms_notices(fake, home)), timeout=15,
                         what="the rooms' message")  # fmt: skip
        await restart_at(bot, kill=True, bot_now=premiere.timestamp() + 10)
        await wait_until(lambda: all(kinds(posted(fake, g))["premiere"] == 1
                                     for g in (home, plain)),
                         timeout=15, what="both premiere posts")  # fmt: skip
        await restart_at(bot, kill=False, bot_now=premiere.timestamp() + 60)  # nothing twice

        [notice] = rooms_notices(fake, home)
        assert "`/watched`" in notice["content"]
        assert notice["_pinged"] == {"everyone": False, "roles": [], "users": []}
        assert kinds(posted(fake, home))["premiere"] == 1
        assert rooms_notices(fake, plain) == []  # no rooms there: the premiere post alone
        assert not any("/watched" in (m.get("content") or "") for m in posted(fake, plain))
        sends = [r for r in fake.requests_to("POST", rf"/channels/{home.announce_channel_id}/"
                                              "messages") if OPEN in str(r.json)]  # fmt: skip
        assert sends and all(r.json["nonce"] == sends[0].json["nonce"] for r in sends)
        assert all(r.json.get("enforce_nonce") for r in sends)
