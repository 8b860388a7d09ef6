"""A new notification kind, registered by an extension, is delivered end to end exactly once:
to every announcement channel and DM subscriber, across a SIGKILL, with no migration."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.e2e.delivery_support import subscribe_dm
from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving


def trivia_count(messages: list[dict[str, Any]]) -> int:
    return sum(1 for m in messages if (m.get("content") or "").startswith("Trivia:"))


async def test_a_registered_kind_is_delivered_once_without_a_migration(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        fans = await subscribe_dm(fake, 3, "trivia-fan")
        version = query(Path(bot.env["DATABASE_PATH"]), "PRAGMA user_version")
        bot.env["BOT_TEST_EXTENSIONS"] = "tests.e2e.extras.trivia"
        await bot.restart()
        assert "applying migration" not in bot.new_log()

        def everyone_has_one() -> bool:
            dms = [trivia_count(fake.dm_messages(f.id)) for f in fans]
            posts = trivia_count(fake.channel_messages(fake.guild.announce_channel_id))
            return posts == 1 and dms == [1, 1, 1]

        await wait_until(everyone_has_one, timeout=10, what="one trivia post everywhere")
        await bot.kill()
        await bot.start()
        await bot.wait_for_log("notification dispatcher started")
        assert "applying migration" not in bot.new_log()
        assert query(Path(bot.env["DATABASE_PATH"]), "PRAGMA user_version") == version
        post = fake.channel_messages(fake.guild.announce_channel_id)[-1]
        assert post["_pinged"] == {"everyone": False, "roles": [], "users": []}
        assert not post.get("components")  # this kind asked for no buttons
        await asyncio.sleep(2)  # a while longer: nothing is sent again
        assert everyone_has_one()
