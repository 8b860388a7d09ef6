"""Fan-out through rate limits, server errors, a SIGKILL half-way, and closed DMs."""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.delivery_support import channel_kinds, dm_kinds, restart_at, subscribe_dm
from tests.e2e.helpers import query, wait_until
from tests.fakediscord import FakeDiscord
from tests.harness import BotProcess


async def test_rate_limits_and_server_errors_lose_and_repeat_nothing(
    configured: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, bot = configured
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
    configured: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, bot = configured
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


async def test_closed_dms_are_marked_not_retried(
    configured: tuple[FakeDiscord, BotProcess],
) -> None:
    fake, bot = configured
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
