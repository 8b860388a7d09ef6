"""An area added from an extension alone: its notification kind is delivered end to end
exactly once (every announcement channel and DM subscriber, across a SIGKILL, with no
migration), and its job wakes on its own topic."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.e2e.delivery_support import subscribe_dm
from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving

EXTENSION = "tests.e2e.extras.fan_fact"


def fact_count(messages: list[dict[str, Any]]) -> int:
    return sum(1 for m in messages if (m.get("content") or "").startswith("Fan fact:"))


async def test_a_registered_kind_is_delivered_once_without_a_migration(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        fans = await subscribe_dm(fake, 3, "fact-fan")
        version = query(Path(bot.env["DATABASE_PATH"]), "PRAGMA user_version")
        bot.env["BOT_TEST_EXTENSIONS"] = EXTENSION
        await bot.restart()
        assert "applying migration" not in bot.new_log()

        def everyone_has_one() -> bool:
            dms = [fact_count(fake.dm_messages(f.id)) for f in fans]
            posts = fact_count(fake.channel_messages(fake.guild.announce_channel_id))
            return posts == 1 and dms == [1, 1, 1]

        await wait_until(everyone_has_one, timeout=10, what="one fan-fact post everywhere")
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


async def test_a_job_added_by_an_extension_wakes_on_its_own_topic(tmp_path: Path) -> None:
    async with serving(tmp_path, BOT_TEST_EXTENSIONS=EXTENSION) as (fake, bot):
        await bot.wait_for_log("fan-fact job step 1")
        await asyncio.sleep(1)
        assert "fan-fact job step 2" not in bot.new_log()  # it sleeps until woken
        for step in (2, 3):
            answer = await fake.invoke("fact-wake", member=fake.guild.owner)
            assert answer.text == "woken"
            await bot.wait_for_log(f"fan-fact job step {step}", timeout=5)
        # another topic does not wake it
        await fake.invoke("admin update", {"text": "Filming wrapped"}, member=fake.guild.owner)
        await asyncio.sleep(1)
        assert "fan-fact job step 4" not in bot.new_log()
