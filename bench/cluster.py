"""The bot as several processes on one PostgreSQL, against the fake Discord: a DM fan-out from
one process and from two (one shard each, the subscribers split over a server on each shard)
as a share of `DISCORD_RATE_LIMIT`, and the SIGKILL of the sender a quarter of the way
through a two-process fan-out: how soon the next DM goes out, how soon the last, nothing lost
or repeated.

Subscribers are written into the bot's database directly, once the bot has migrated it (as
`bench.scale` does on SQLite); the fake gets the same members. A throwaway PostgreSQL server
(`tests.pgserver`) holds a fresh database for each cluster.

    .venv/bin/python -m bench.cluster [SUBSCRIBERS]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench.compare import progress
from bench.process import OURS, SETTLE_S, ModuleProcess, cache_bytecode
from bench.scale import DM_OPEN, MESSAGE_POST
from tests import pgserver
from tests.e2e.helpers import set_up_guild
from tests.fakediscord import FakeDiscord, FakeGuild, FakeMember
from tests.fakediscord import interactions as fake_interactions
from tests.fakediscord.transport import RecordedRequest
from tests.harness import bot_environment
from tests.pgfixtures import create_database, drop_database, sender_pid

LIMIT = 200  # requests/s: the fake's global limit and the bot's DISCORD_RATE_LIMIT
SUBSCRIBERS = 2000
FAILOVERS = 3
KILL_AT = 0.25  # the share of the DMs delivered when the sender is killed
EXEMPT = ("/interactions/", "/webhooks/")  # Discord's global limit does not count these
READY_LINE = "ready: logged in as"


@dataclass(frozen=True)
class FanOut:
    processes: int
    subscribers: int
    requests: int  # POST .../messages and DM opens, 429s included, update -> last DM
    too_many: int  # 429 answers, any route
    duplicates: int  # members who got the update more than once
    missing: int
    seconds: float  # /admin update sent -> last DM received
    busiest_second: int  # most non-exempt requests in any one second

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def of_limit(self) -> float:
        return self.per_second / LIMIT


@dataclass(frozen=True)
class Failover:
    fan_out: FanOut
    delivered_at_kill: int
    next_dm_s: float  # SIGKILL -> the next DM delivered
    all_dms_s: float  # SIGKILL -> the last DM delivered


@dataclass(frozen=True)
class ClusterResults:
    subscribers: int
    single: FanOut
    double: FanOut
    failovers: list[Failover]
    elapsed_s: float


@dataclass
class World:
    fake: FakeDiscord
    guilds: list[FakeGuild]  # guilds[0] is the home server
    bots: list[ModuleProcess]
    database_url: str
    channels: dict[int, int]  # DM channel id -> member id, every subscriber
    updates: int = 0


@asynccontextmanager
async def postgresql_server() -> AsyncIterator[str]:
    directory = pgserver.temp_dir()
    try:
        yield await asyncio.to_thread(pgserver.start, directory)
    finally:
        await asyncio.to_thread(pgserver.stop, directory)


@asynccontextmanager
async def cluster(server_url: str, processes: int, subscribers: int) -> AsyncIterator[World]:
    """A fake Discord at LIMIT, a fresh database, `processes` bots (one shard each when more
    than one) started and ready, every server set up and its share of the subscribers stored."""
    fake_interactions.SETTLE_S = SETTLE_S
    fake = FakeDiscord(global_rate_limit=LIMIT)
    guilds = [fake.guild]
    if processes > 1:
        home_shard = fake.shard_of(fake.guild.id, processes)
        guilds += [fake.add_guild(f"Fan server {k}", shard=(k, processes))
                   for k in range(processes) if k != home_shard]  # fmt: skip
    await fake.start()
    url = await create_database(server_url)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
            shards = [{"SHARD_COUNT": str(processes), "SHARD_IDS": str(k)}
                      for k in range(processes)] if processes > 1 else [{}]  # fmt: skip
            bots = [
                ModuleProcess(OURS, cache_bytecode(bot_environment(
                    fake, Path(tmp) / "unused.db", DATABASE_URL=url,
                    DISCORD_RATE_LIMIT=str(LIMIT), **shard,
                )), Path(tmp) / f"bot-{k}.log")
                for k, shard in enumerate(shards)
            ]  # fmt: skip
            try:
                for bot in bots:
                    await bot.start(wait_ready=False)
                for bot in bots:
                    await bot.wait_for_log(READY_LINE, timeout=60)
                for guild in guilds:
                    await set_up_guild(fake, guild)
                channels = await _subscribe(fake, guilds, url, subscribers)
                yield World(fake, guilds, bots, url, channels)
            finally:
                for bot in bots:
                    await bot.stop()
    finally:
        await fake.stop()
        await drop_database(url)


async def _subscribe(
    fake: FakeDiscord, guilds: list[FakeGuild], url: str, count: int
) -> dict[int, int]:
    """`count` DM subscribers split evenly over the servers, written into the database."""
    subscriptions: list[tuple[int, int, str, str, str, int]] = []
    dm_channels: list[tuple[int, int]] = []
    members: dict[int, FakeMember] = {}
    for i in range(count):
        guild = guilds[i % len(guilds)]
        member = guild.add_member(f"fan-{i}")
        channel = fake.dm_channel_for(member).id
        members[channel] = member
        subscriptions.append((guild.id, member.id, "dm", member.name, "en-US", 0))
        dm_channels.append((member.id, channel))
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table(
            "subscriptions", records=subscriptions,
            columns=["guild_id", "user_id", "via", "user_name", "locale", "since"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "dm_channels", records=dm_channels, columns=["user_id", "channel_id"]
        )
    finally:
        await conn.close()
    return {channel: member.id for channel, member in members.items()}


async def sender_of(world: World) -> ModuleProcess:
    pid = await sender_pid(world.database_url)
    return next(bot for bot in world.bots if bot.proc is not None and bot.proc.pid == pid)


def _channel_of(request: RecordedRequest) -> int | None:
    if request.method != "POST" or MESSAGE_POST.fullmatch(request.path) is None:
        return None
    return int(request.path.split("/")[2])


class Deliveries:
    """The update's DMs as the fake received them, read incrementally (the fake shares this
    process): the first delivery time of each DM channel, and how often each got it."""

    def __init__(self, world: World, marker: str) -> None:
        self.world, self.marker = world, marker
        self.first = self.seen = len(world.fake.requests)
        self.counts: Counter[int] = Counter()
        self.times: list[float] = []  # every delivered DM, in order of arrival

    def poll(self) -> int:
        new = self.world.fake.requests[self.seen :]
        self.seen += len(new)
        for request in new:
            channel = _channel_of(request)
            if (channel in self.world.channels and request.status == 200
                    and self.marker in json.dumps(request.json)):  # fmt: skip
                self.counts[channel] += 1
                self.times.append(request.at)
        return len(self.counts)

    async def until(self, count: int, *, timeout: float, poll: float = 0.2) -> None:
        deadline = time.monotonic() + timeout
        while self.poll() < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.counts)}/{count} DMs in {timeout}s")
            await asyncio.sleep(poll)


def busiest_second(times: Sequence[float]) -> int:
    """The most timestamps within any one second (a sliding window over sorted times)."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _post_update(world: World) -> tuple[Deliveries, float]:
    world.updates += 1
    marker = f"Cluster fan-out #{world.updates}"
    deliveries = Deliveries(world, marker)
    sent = time.monotonic()
    result = await world.fake.invoke("admin update", {"text": f"{marker}."},
                                     member=world.fake.guild.admin)  # fmt: skip
    assert "Update added" in result.text, result.text
    return deliveries, sent


async def _finish(world: World, deliveries: Deliveries, sent: float) -> FanOut:
    await deliveries.until(len(world.channels), timeout=120)
    await asyncio.sleep(1.0)  # anything sent twice would come now
    deliveries.poll()
    window = world.fake.requests[deliveries.first :]
    last = max(deliveries.times)
    traffic = [r for r in window if r.at <= last and r.method == "POST"
               and (r.path == DM_OPEN or MESSAGE_POST.fullmatch(r.path))]  # fmt: skip
    counted = [r.at for r in window if not r.path.startswith(EXEMPT)]
    return FanOut(
        processes=len(world.bots),
        subscribers=len(world.channels),
        requests=len(traffic),
        too_many=sum(1 for r in window if r.status == 429),
        duplicates=sum(1 for n in deliveries.counts.values() if n > 1),
        missing=len(world.channels) - len(deliveries.counts),
        seconds=last - sent,
        busiest_second=busiest_second(sorted(counted)),
    )


async def fan_out(world: World) -> FanOut:
    deliveries, sent = await _post_update(world)
    return await _finish(world, deliveries, sent)


async def fan_out_through_a_sigkill(world: World) -> Failover:
    """An update goes out; its sender is SIGKILLed a quarter of the way through and started
    again once every DM was delivered."""
    sender = await sender_of(world)
    deliveries, sent = await _post_update(world)
    await deliveries.until(int(len(world.channels) * KILL_AT), timeout=60, poll=0.01)
    assert sender.proc is not None
    sender.proc.kill()
    killed_at = time.monotonic()
    await sender.proc.wait()
    at_kill = deliveries.poll()
    assert at_kill < len(world.channels), "the fan-out finished before the kill"
    result = await _finish(world, deliveries, sent)
    after = [t for t in deliveries.times if t > killed_at]
    assert after, "no DM after the SIGKILL"
    assert await sender_of(world) is not sender
    await sender.start(timeout=60)  # its shard back, for the next round
    return Failover(result, at_kill, min(after) - killed_at, max(after) - killed_at)


async def measure(subscribers: int = SUBSCRIBERS, failovers: int = FAILOVERS) -> ClusterResults:
    started = time.monotonic()
    async with postgresql_server() as server:
        progress(f"cluster: {subscribers} DM subscribers, one process on PostgreSQL")
        async with cluster(server, 1, subscribers) as world:
            single = await fan_out(world)
        progress(f"cluster: {subscribers} DM subscribers, two processes, one shard each")
        async with cluster(server, 2, subscribers) as world:
            double = await fan_out(world)
            runs = []
            for n in range(failovers):
                progress(f"cluster: the sender SIGKILLed mid-fan-out ({n + 1}/{failovers})")
                runs.append(await fan_out_through_a_sigkill(world))
    return ClusterResults(subscribers, single, double, runs, time.monotonic() - started)


def _fan_out_row(label: str, f: FanOut) -> str:
    return (
        f"| {label} | {f.subscribers:,} | {f.requests:,} | {f.seconds:.1f} | {f.per_second:.0f} |"
        f" {f.of_limit:.0%} | {f.busiest_second} | {f.too_many} | {f.duplicates} |"
        f" {f.missing} |"
    )


def markdown(results: ClusterResults) -> str:
    lines = [
        f"| processes | DM subscribers | requests | time (s) | req/s | of {LIMIT}/s |"
        " busiest second | 429s | duplicates | missing |",
        "|---|---|---|---|---|---|---|---|---|---|",
        _fan_out_row("1, no shards set", results.single),
        _fan_out_row("2, one shard each", results.double),
        *(_fan_out_row(f"2, sender SIGKILLed at {r.delivered_at_kill:,} DMs", r.fan_out)
          for r in results.failovers),
    ]  # fmt: skip
    runs = results.failovers
    if runs:
        nexts = [r.next_dm_s for r in runs]
        alls = [r.all_dms_s for r in runs]
        lines += [
            "",
            f"| SIGKILL of the sender, {len(runs)} runs | median | max |",
            "|---|---|---|",
            f"| kill → next DM delivered (s) | {statistics.median(nexts):.2f} | {max(nexts):.2f} |",
            f"| kill → every DM delivered (s) | {statistics.median(alls):.2f} | {max(alls):.2f} |",
            f"| duplicates / missing, all runs | {sum(r.fan_out.duplicates for r in runs)} /"
            f" {sum(r.fan_out.missing for r in runs)} | |",
        ]
    return "\n".join(lines)


NOTES = (
    f"Both the fake's global limit and the bot's `DISCORD_RATE_LIMIT` at {LIMIT} requests/s; "
    "one throwaway PostgreSQL server (`tests.pgserver`, fsync off), a fresh database per "
    "cluster; subscribers written into it once the bot had migrated it, their DM channels "
    "remembered, split evenly over the servers (one on each shard with two processes), then "
    "one `/admin update` from the home server. One process runs with no `SHARD_*` set; two run "
    "`SHARD_COUNT=2` with `SHARD_IDS=0` and `1`; one of them, elected by an advisory lock, "
    "sends the whole outbox, leaving 2 requests/s to the other. Requests: `POST "
    "/channels/*/messages` and DM opens, from the update to the last DM; busiest second: the "
    "most requests of both processes in any one second but the exempt interaction answers, "
    "those refused with a 429 included (so above the limit only by what the fake refused). "
    f"SIGKILL: the sender (the `processes` row with `sender = 1`) killed once {KILL_AT:.0%} of "
    "the DMs were delivered; the new sender takes over the deliveries it had leased as soon "
    "as it sees it gone (its lock in the database free); the rest of the time is the rest of "
    "the fan-out. The killed process is started again before the next run."
)


HEADING = "## Several processes on one PostgreSQL: fan-out, the sender SIGKILLed"


def section(results: ClusterResults) -> str:
    """This benchmark's section of bench/results.md."""
    took = f"`python -m bench.cluster {results.subscribers}`, took {results.elapsed_s:.0f} s"
    return "\n".join([HEADING, "", f"({took})", "", markdown(results), "", NOTES])


def replace_section(document: str, text: str) -> str:
    """`document` with this benchmark's section replaced by `text`, or else put before the
    next section after the fan-out at scale (or at the end)."""
    start = document.find(HEADING)
    if start < 0:
        start = document.find("\n## Name autocomplete")
        start = len(document) if start < 0 else start + 1
        return document[:start] + text + "\n\n" + document[start:]
    end = document.find("\n## ", start + len(HEADING))
    end = len(document) if end < 0 else end + 1
    return document[:start] + text + "\n\n" + document[end:]


def main(argv: list[str]) -> int:
    """The figures to stdout, and into this section of bench/results.md (which `python -m
    bench` writes whole)."""
    subscribers = int(argv[0]) if argv else SUBSCRIBERS
    text = section(asyncio.run(measure(subscribers)))
    results_md = Path(__file__).resolve().parent / "results.md"
    old = results_md.read_text(encoding="utf-8") if results_md.exists() else ""
    results_md.write_text(replace_section(old, text).rstrip() + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
