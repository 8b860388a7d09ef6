"""The bot at scale, against the fake Discord: DM fan-out to 1,000 and 10,000 subscribers as a
share of `DISCORD_RATE_LIMIT`, memory, `/cast` while a fan-out runs, the requests of a
role-ping announcement, and a burst of 1,000 `/notify on`.

Subscribers are written into the bot's database directly (as if they had subscribed earlier,
their DM channels remembered from their welcome DMs); the fake gets the same members.

    .venv/bin/python -m bench.scale
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.compare import progress
from bench.process import OURS, ModuleProcess, fresh_world
from tests.e2e.helpers import set_up_guild
from tests.fakediscord import FakeDiscord, FakeMember
from tests.fakediscord.transport import RecordedRequest

FAN_OUT_LIMIT = 500  # requests/s: the fake's global limit and the bot's DISCORD_RATE_LIMIT
BURST_LIMIT = 100
MESSAGE_POST = re.compile(r"/channels/\d+/messages")
DM_OPEN = "/users/@me/channels"
CAST_NAME = "Park Ji-hu"


@dataclass(frozen=True)
class FanOut:
    subscribers: int
    requests: int  # POST .../messages and DM opens, 429s included
    too_many: int  # 429 answers, any route
    duplicates: int  # members who got the update more than once
    missing: int
    seconds: float  # /admin update sent -> last DM received
    rss_before_mib: float
    rss_after_mib: float
    cast_idle_ms: tuple[float, float] = (0.0, 0.0)  # p50, p99
    cast_busy_ms: tuple[float, float] = (0.0, 0.0)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def of_limit(self) -> float:
        return self.per_second / FAN_OUT_LIMIT


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[98]


def _subscribe_in_db(db: Path, guild_id: int, members: list[FakeMember], via: str,
                     dm_channels: dict[int, int]) -> None:  # fmt: skip
    with sqlite3.connect(db, timeout=30) as conn:
        conn.executemany(
            "INSERT INTO subscriptions (guild_id, user_id, via, user_name, locale, since)"
            " VALUES (?, ?, ?, ?, 'en-US', 0)",
            [(guild_id, m.id, via, m.name) for m in members],
        )
        conn.executemany(
            "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?)",
            list(dm_channels.items()),
        )


def _members(fake: FakeDiscord, count: int, prefix: str) -> list[FakeMember]:
    return [fake.guild.add_member(f"{prefix}-{i}") for i in range(count)]


async def _cast_latencies(fake: FakeDiscord, until: asyncio.Event, at_least: int) -> list[float]:
    samples: list[float] = []
    while not until.is_set() or len(samples) < at_least:
        result = await fake.invoke("cast", {"name": CAST_NAME}, member=fake.guild.fan)
        samples.append(result.latency * 1000)
        if until.is_set() and len(samples) >= at_least:
            break
    return samples


def _is_traffic(request: RecordedRequest) -> bool:
    return request.method == "POST" and (
        request.path == DM_OPEN or MESSAGE_POST.fullmatch(request.path) is not None
    )


async def _post_update(fake: FakeDiscord, text: str) -> float:
    sent = time.monotonic()
    result = await fake.invoke("admin update", {"text": text}, member=fake.guild.admin)
    assert "Update added" in result.text, result.text
    return sent


async def measure_fan_out(subscribers: int, *, with_cast: bool) -> FanOut:
    async with fresh_world(OURS, DISCORD_RATE_LIMIT=str(FAN_OUT_LIMIT)) as (fake, bot):
        fake.set_global_rate_limit(FAN_OUT_LIMIT)
        await bot.start()
        await set_up_guild(fake, fake.guild)
        progress(f"fan-out: {subscribers} DM subscribers")
        members = _members(fake, subscribers, "fan")
        channels = {m.id: fake.dm_channel_for(m).id for m in members}
        db = Path(bot.env["DATABASE_PATH"])
        _subscribe_in_db(db, fake.guild.id, members, "dm", channels)
        idle: list[float] = []
        if with_cast:
            done = asyncio.Event()
            done.set()
            idle = await _cast_latencies(fake, done, 300)
        rss_before = bot.rss_mib()
        first = len(fake.requests)
        finished = asyncio.Event()
        busy_task = asyncio.create_task(_cast_latencies(fake, finished, 50)) if with_cast else None
        sent = await _post_update(fake, f"Fan-out of {subscribers}")
        dm_paths = {f"/channels/{c}/messages" for c in channels.values()}
        window = await _until_delivered(fake, first, dm_paths, len(members))
        finished.set()
        busy = await busy_task if busy_task else []
        rss_after = bot.rss_mib()
        return _fan_out_result(fake, bot, window, dm_paths, subscribers, sent, idle, busy,
                               rss_before, rss_after)  # fmt: skip


async def _until_delivered(
    fake: FakeDiscord, first: int, dm_paths: set[str], count: int, timeout: float = 300.0
) -> list[RecordedRequest]:
    """Reads only the requests that came since it last looked: the fake shares this process."""
    deadline = time.monotonic() + timeout
    delivered: set[str] = set()
    seen = first
    while len(delivered) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(delivered)}/{count} DMs in {timeout}s")
        await asyncio.sleep(0.2)
        new, seen = fake.requests[seen:], len(fake.requests)
        delivered.update(r.path for r in new if r.status == 200 and r.path in dm_paths)
    await asyncio.sleep(1.0)  # anything sent twice would come now
    return fake.requests[first:]


def _fan_out_result(
    fake: FakeDiscord, bot: ModuleProcess, window: list[RecordedRequest], dm_paths: set[str],
    subscribers: int, sent: float, idle: list[float], busy: list[float], rss_before: float,
    rss_after: float,
) -> FanOut:  # fmt: skip
    ok = [r for r in window if r.path in dm_paths and r.method == "POST" and r.status == 200]
    per_channel = Counter(r.path for r in ok)
    last = max(r.at for r in ok)
    traffic = [r for r in window if _is_traffic(r) and r.at <= last]
    return FanOut(
        subscribers=subscribers,
        requests=len(traffic),
        too_many=sum(1 for r in window if r.status == 429),
        duplicates=sum(1 for n in per_channel.values() if n > 1),
        missing=len(dm_paths) - len(per_channel),
        seconds=last - sent,
        rss_before_mib=rss_before,
        rss_after_mib=rss_after,
        cast_idle_ms=_percentiles(idle) if idle else (0.0, 0.0),
        cast_busy_ms=_percentiles(busy) if len(busy) > 2 else (0.0, 0.0),
    )


async def role_ping_requests(subscribers: int) -> int:
    """Requests of one update announced to role subscribers only."""
    async with fresh_world(OURS) as (fake, bot):
        await bot.start()
        await set_up_guild(fake, fake.guild)
        members = _members(fake, subscribers, "role-fan")
        _subscribe_in_db(Path(bot.env["DATABASE_PATH"]), fake.guild.id, members, "role", {})
        first = len(fake.requests)
        await _post_update(fake, f"Role ping for {subscribers}")
        channel = fake.guild.announce_channel_id
        deadline = time.monotonic() + 30
        while not any(r.path == f"/channels/{channel}/messages" for r in fake.requests[first:]):
            assert time.monotonic() < deadline, "the role ping never came"
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.0)  # whatever else it would send
        return sum(1 for r in fake.requests[first:] if _is_traffic(r))


@dataclass(frozen=True)
class Burst:
    members: int
    slowest_final_s: float
    median_final_s: float
    stored: int
    welcomed: int
    too_many: int


async def subscription_burst(count: int = 1000) -> Burst:
    async with fresh_world(OURS, DISCORD_RATE_LIMIT=str(BURST_LIMIT)) as (fake, bot):
        fake.set_global_rate_limit(BURST_LIMIT)
        await bot.start()
        await set_up_guild(fake, fake.guild)
        progress(f"burst: {count} x /notify on via:dm at once")
        members = _members(fake, count, "burst")
        first = len(fake.requests)
        results = await asyncio.gather(
            *(fake.invoke("notify on", {"via": "dm"}, member=m, timeout=60) for m in members)
        )
        finals = [r.final_latency for r in results]
        assert all("subscribed" in r.text for r in results)
        with sqlite3.connect(Path(bot.env["DATABASE_PATH"]), timeout=30) as conn:
            (stored,) = conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()
        deadline = time.monotonic() + 120
        while sum(1 for m in members if fake.dm_messages(m.id)) < count:
            assert time.monotonic() < deadline, "welcome DMs missing"
            await asyncio.sleep(0.2)
        return Burst(
            members=count,
            slowest_final_s=max(finals),
            median_final_s=statistics.median(finals),
            stored=int(stored),
            welcomed=sum(1 for m in members if len(fake.dm_messages(m.id)) == 1),
            too_many=sum(1 for r in fake.requests[first:] if r.status == 429),
        )


@dataclass(frozen=True)
class Scale:
    fan_outs: list[FanOut]
    role_pings: dict[int, int]
    burst: Burst


async def measure() -> Scale:
    fan_outs = [
        await measure_fan_out(1000, with_cast=False),
        await measure_fan_out(10_000, with_cast=True),
    ]
    pings = {n: await role_ping_requests(n) for n in (10, 10_000)}
    return Scale(fan_outs, pings, await subscription_burst())


def markdown(scale: Scale) -> str:
    lines = [
        f"| DM subscribers | requests | time (s) | req/s | of {FAN_OUT_LIMIT}/s | 429s |"
        " duplicates | missing | RSS before → after (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in scale.fan_outs:
        growth = f.rss_after_mib / f.rss_before_mib
        lines.append(
            f"| {f.subscribers:,} | {f.requests:,} | {f.seconds:.1f} | {f.per_second:.0f} |"
            f" {f.of_limit:.0%} | {f.too_many} | {f.duplicates} | {f.missing} |"
            f" {f.rss_before_mib:.1f} → {f.rss_after_mib:.1f} ({growth:.2f}×) |"
        )
    big = scale.fan_outs[-1]
    b = scale.burst
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| `/cast` p50 / p99 idle (ms) | {big.cast_idle_ms[0]:.2f} / {big.cast_idle_ms[1]:.2f} |",
        f"| `/cast` p50 / p99 during the {big.subscribers:,}-DM fan-out (ms) |"
        f" {big.cast_busy_ms[0]:.2f} / {big.cast_busy_ms[1]:.2f}"
        f" ({big.cast_busy_ms[1] / big.cast_idle_ms[1]:.2f}× idle p99) |",
        *(f"| role-ping announcement, {n:,} role subscribers: requests | {r} |"
          for n, r in scale.role_pings.items()),
        f"| {b.members:,} `/notify on via:dm` at once, limit {BURST_LIMIT}/s: slowest / median"
        f" final answer (s) | {b.slowest_final_s:.2f} / {b.median_final_s:.2f} |",
        f"| … stored at once / welcome DMs delivered once / 429s | {b.stored:,} /"
        f" {b.welcomed:,} / {b.too_many} |",
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    print(markdown(asyncio.run(measure())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
