"""Our bot's notification fan-out: one `/admin update` to 200 DM subscribers at 50 req/s."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bench.compare import progress
from bench.process import OURS, fresh_world
from tests.e2e.helpers import set_up_guild
from tests.fakediscord import FakeDiscord, FakeMember
from tests.fakediscord.transport import RecordedRequest

SUBSCRIBERS = 200
GLOBAL_LIMIT = 50  # requests/s: Discord's global rate limit, enforced by the fake
SUBSCRIBE_BATCH = 20  # concurrent /notify on while setting up
TIMEOUT_S = 90.0
MESSAGE_POST = re.compile(r"/channels/\d+/messages")
DM_OPEN = "/users/@me/channels"


@dataclass(frozen=True)
class FanOut:
    label: str
    dms: int  # DMs delivered
    requests: int  # POST .../messages and POST /users/@me/channels, 429s included
    dm_opens: int  # POST /users/@me/channels
    too_many: int  # 429 answers, any route
    seconds: float  # /admin update sent -> last DM received by the fake

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def of_limit(self) -> float:
        return self.per_second / GLOBAL_LIMIT


async def _subscribe(fake: FakeDiscord, count: int) -> list[FakeMember]:
    members = [fake.guild.add_member(f"bench-fan-{i}") for i in range(count)]

    async def one(member: FakeMember) -> None:
        result = await fake.invoke("notify on", {"via": "dm"}, member=member, timeout=10)
        assert "subscribed" in result.text, result.text

    for start in range(0, count, SUBSCRIBE_BATCH):
        await asyncio.gather(*(one(m) for m in members[start : start + SUBSCRIBE_BATCH]))
    return members


def _forget_dm_channels(db_path: Path) -> int:
    """`/notify on` sends a welcome DM, which opens and remembers the DM channel; forget them
    so the first fan-out opens each one again (as for subscribers whose welcome DM failed)."""
    with sqlite3.connect(db_path, timeout=10) as conn:
        return conn.execute("DELETE FROM dm_channels").rowcount


def _is_traffic(request: RecordedRequest) -> bool:
    return request.method == "POST" and (
        request.path == DM_OPEN or MESSAGE_POST.fullmatch(request.path) is not None
    )


async def _update(fake: FakeDiscord, members: list[FakeMember], label: str) -> FanOut:
    dm_paths = {f"/channels/{fake.dm_channels[m.id].id}/messages" for m in members}
    first = len(fake.requests)
    sent = time.monotonic()
    result = await fake.invoke("admin update", {"text": label}, member=fake.guild.admin)
    assert "Update added" in result.text, result.text
    deadline = sent + TIMEOUT_S
    while True:
        window = fake.requests[first:]
        dms = [r for r in window if r.path in dm_paths and r.method == "POST" and r.status == 200]
        if len(dms) >= len(members):
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"{label}: {len(dms)}/{len(members)} DMs in {TIMEOUT_S}s")
        await asyncio.sleep(0.02)
    last = max(r.at for r in dms)
    window = [r for r in window if r.at <= last]
    traffic = [r for r in window if _is_traffic(r)]
    return FanOut(
        label=label,
        dms=len(dms),
        requests=len(traffic),
        dm_opens=sum(1 for r in traffic if r.path == DM_OPEN),
        too_many=sum(1 for r in window if r.status == 429),
        seconds=last - sent,
    )


async def measure_fan_out(subscribers: int = SUBSCRIBERS) -> list[FanOut]:
    async with fresh_world(OURS) as (fake, bot):
        await bot.start()
        await set_up_guild(fake, fake.guild)
        fake.set_global_rate_limit(None)  # the set-up's traffic is not what is measured
        progress(f"subscribing {subscribers} members by DM")
        members = await _subscribe(fake, subscribers)
        _forget_dm_channels(Path(bot.env["DATABASE_PATH"]))
        runs = []
        for label in ("1st update: fresh DM channels", "2nd update: remembered DM channels"):
            fake.set_global_rate_limit(GLOBAL_LIMIT)
            progress(label)
            runs.append(await _update(fake, members, label))
        return runs
