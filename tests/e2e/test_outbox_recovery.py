"""Deliveries whose fate a crash left unknown: looked up, not sent twice, even after Discord's
nonce window; and a subscription's queued role and welcome survive a SIGKILL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.delivery_support import db_of, dm_kinds, dm_path, subscribe_dm, welcomed
from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving


async def test_a_message_whose_fate_is_unknown_is_looked_up_not_sent_again(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as (fake, bot):
        [fan] = await subscribe_dm(fake, 1, "unknown-fate")
        await welcomed(fake, [fan])
        fake.messages.nonce_window_s = 0.2  # Discord would no longer catch a repeat
        fake.stall_answers("POST", dm_path(fake, fan), seconds=3, count=1)
        await fake.invoke("admin update", {"text": "A teaser is out."}, member=fake.guild.admin)
        await wait_until(lambda: dm_kinds(fake, fan) == {"update": 1}, timeout=10, what="DM")
        await bot.kill()  # Discord has the message; the bot never heard back
        await asyncio.sleep(0.5)  # past the nonce window
        await bot.start()
        await bot.wait_for_log("had reached Discord: not sent again", timeout=10)
        await asyncio.sleep(1.0)
        assert dm_kinds(fake, fan) == {"update": 1}
        looked = fake.requests_to("GET", dm_path(fake, fan))
        assert looked and "after" in looked[-1].query  # it read the channel since the attempt
        update_dm = [m for m in fake.dm_messages(fan.id) if "News" in (m.get("content") or "")]
        stored = query(
            db_of(bot),
            "SELECT message_id FROM deliveries WHERE target = 'dm' AND state = 'sent'"
            " AND user_id = ? ORDER BY id DESC LIMIT 1",
            fan.id,
        )
        assert stored == [(int(update_dm[0]["id"]),)]


async def test_nothing_is_lost_when_killed_between_answer_and_welcome(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        fake.stall_answers("POST", r"/users/@me/channels", seconds=3, count=1)
        fan = fake.guild.add_member("patient-fan")
        result = await fake.invoke("notify on", {"via": "both"}, member=fan)
        assert "subscribed" in result.text
        await wait_until(lambda: fake.requests_to("POST", r"/users/@me/channels") != [],
                         timeout=5, what="the DM open")  # fmt: skip
        await bot.kill()
        await bot.start()
        await wait_until(lambda: len(fake.dm_messages(fan.id)) == 1, timeout=10, what="welcome")
        await wait_until(lambda: fake.guild.notify_role.id in fan.roles, timeout=10, what="role")
        await asyncio.sleep(1.0)
        assert len(fake.dm_messages(fan.id)) == 1
