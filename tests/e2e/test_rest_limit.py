"""One limiter for all REST traffic: the limit holds, members' own requests go before the
fan-out, interaction answers are not slowed, and only 50007 means closed DMs."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.delivery_support import db_of, dm_kinds, dm_path, subscribe_dm, welcomed
from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving


async def test_the_limit_holds_and_members_go_before_the_fan_out(tmp_path: Path) -> None:
    async with serving(tmp_path, DISCORD_RATE_LIMIT="20") as (fake, _bot):
        fake.set_global_rate_limit(20)  # Discord's limit is the bot's: not one 429 is due
        fans = await subscribe_dm(fake, 40, "steady")
        await welcomed(fake, fans)
        first = len(fake.requests)
        await fake.invoke("admin update", {"text": "Filming wrapped."}, member=fake.guild.admin)
        newcomer = fake.guild.add_member("newcomer")
        joined = await fake.invoke("notify on", {"via": "dm"}, member=newcomer)
        assert joined.final_latency < 1.0 and "subscribed" in joined.text
        cast = await fake.invoke("cast", {"name": "Lomon"}, member=fake.guild.fan)
        assert cast.latency < 1.0  # interaction answers don't wait for the fan-out
        await wait_until(lambda: all(dm_kinds(fake, f) == {"update": 1} for f in fans),
                         timeout=30, what="the fan-out")  # fmt: skip
        window = fake.requests[first:]
        welcome_at = min(r.at for r in window if r.path == dm_path(fake, newcomer))
        fan_out_end = max(r.at for r in window if r.path in {dm_path(fake, f) for f in fans})
        assert welcome_at < fan_out_end - 1.0, "the newcomer's welcome waited for the fan-out"
        assert [r for r in fake.requests if r.status == 429] == []
        sends = [r.at for r in window if r.method == "POST" and "/messages" in r.path]
        span = max(sends) - min(sends)
        assert span >= (len(sends) - 20) / 20 * 0.9  # never faster than the limit allows


async def test_a_429_or_a_5xx_is_never_taken_for_closed_dms(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        fake.inject_failures("POST", r"/users/@me/channels", 429, 2, retry_after=0.3)
        fake.inject_failures("POST", r"/users/@me/channels", 503, 1)
        fan = fake.guild.add_member("unlucky-fan")
        result = await fake.invoke("notify on", {"via": "dm"}, member=fan)
        assert "subscribed" in result.text
        await wait_until(lambda: bool(fake.dm_messages(fan.id)), timeout=30, what="the welcome")
        await asyncio.sleep(3.5)  # when a (wrong) warning would have come
        pending = fake.interactions.by_id[result.interaction_id]
        assert not any("closed" in fake.messages.by_id[i]["content"] for i in pending.followup_ids)
        assert query(db_of(bot), "SELECT closed_at FROM dm_channels WHERE user_id = ?",
                     fan.id) == [(None,)]  # fmt: skip
        status = await fake.invoke("notify status", member=fan)
        assert "DMs were closed" not in status.text
