"""Health and metrics (METRICS_PORT), end to end: /livez from the start, /readyz following the
gateway and the database (a PostgreSQL server stopped with SIGSTOP gives a 503 within 5 s and
no hang), and /metrics counting what the bot did."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import pgserver
from tests.e2e.delivery_support import channel_kinds, dm_kinds, subscribe_dm, welcomed
from tests.e2e.feed_server import Feed, FeedSite, Item
from tests.e2e.helpers import set_up_guild, wait_until
from tests.e2e.serving import check_fake, spec_path
from tests.fakediscord import FakeDiscord
from tests.harness import TEST_TOKEN, BotProcess, bot_environment

FANS = 20
RATE = 8  # the bot's REST limit: low, so that a fan-out to FANS takes a few seconds

# What discord.py logs, with a traceback, while it cannot reach the gateway: expected here.
GATEWAY_ERRORS = ("Failed to connect for shard_id", "Attempting a reconnect for shard ID")
RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")  # a log line's start (bot.logs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Endpoints:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    async def get(self, path: str, *, timeout: float = 10.0) -> tuple[int, str, float]:
        """(status, body, seconds it took); raises when nothing answers within `timeout`."""
        started = time.monotonic()
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.get(self.base + path) as response,
        ):
            body = await response.text()
            return response.status, body, time.monotonic() - started

    async def status(self, path: str) -> int | None:
        """The status, or None while nothing listens."""
        try:
            return (await self.get(path, timeout=5.0))[0]
        except aiohttp.ClientConnectionError:
            return None

    async def wait_for(self, path: str, status: int, *, timeout: float) -> str:
        """Until `path` answers `status`; its body."""
        deadline = time.monotonic() + timeout
        last: tuple[int, str, float] | None = None
        while time.monotonic() < deadline:
            try:
                last = await self.get(path, timeout=5.0)
            except aiohttp.ClientConnectionError:
                last = None
            if last is not None and last[0] == status:
                return last[1]
            await asyncio.sleep(0.1)
        raise AssertionError(f"{path} did not answer {status} within {timeout}s: {last}")

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        status, body, _ = await self.get("/metrics")
        assert status == 200, body
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body)
            for sample in family.samples
        }


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels` (0 when there are none)."""
    wanted = set(labels.items())
    return sum(value for (n, ls), value in samples.items() if n == name and wanted <= set(ls))


def has(samples: Samples, name: str) -> bool:
    return any(n == name for n, _ in samples)


def check_log(bot: BotProcess, *, gateway_errors: bool = False) -> None:
    """No token, and no traceback but discord.py's own while the gateway was away."""
    log = bot.log
    assert TEST_TOKEN not in log, "the token leaked into the log"
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):  # the record it belongs to: the last line logged
            record = next((lines[j] for j in range(i - 1, -1, -1) if RECORD.match(lines[j])), "")
            allowed = gateway_errors and any(error in record for error in GATEWAY_ERRORS)
            assert allowed, f"a traceback after {record!r}:\n{log[-3000:]}"


@asynccontextmanager
async def metered(
    workdir: Path, fake: FakeDiscord, *, wait_ready: bool = True, **env: str
) -> AsyncIterator[tuple[BotProcess, Endpoints]]:
    """The bot on `fake` with METRICS_PORT on a free port; stopped cleanly at the end."""
    port = free_port()
    environment = bot_environment(fake, workdir / "bot.db", METRICS_PORT=str(port), **env)
    bot = BotProcess(environment, workdir / "bot.log")
    try:
        await bot.start(wait_ready=wait_ready)
        yield bot, Endpoints(port)
        assert await bot.stop() == 0, bot.log[-3000:]
    finally:
        await bot.stop()


@asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(spec_path=spec_path())
    await fake.start()
    try:
        yield fake
        check_fake(fake)
    finally:
        await fake.stop()


async def test_livez_from_the_start_and_readyz_only_once_the_gateway_is_there(
    tmp_path: Path,
) -> None:
    async with fake_discord() as fake:
        await fake.gateway.refuse()  # Discord's gateway is down as the bot starts
        async with metered(tmp_path, fake, wait_ready=False) as (bot, endpoints):
            await endpoints.wait_for("/livez", 200, timeout=15)
            await wait_until(lambda: fake.gateway.refused > 0, timeout=15, what="a connect")
            status, body, _ = await endpoints.get("/readyz")
            assert status == 503 and "shard 0: not connected yet" in body, (status, body)
            assert "ready: logged in as" not in bot.log
            assert await endpoints.status("/livez") == 200
            samples = await endpoints.metrics()
            assert total(samples, "aoad_ready") == 0
            assert total(samples, "aoad_shard_connected", shard="0") == 0

            fake.gateway.accept()
            assert await endpoints.wait_for("/readyz", 200, timeout=20) == "ready\n"
            await bot.wait_for_log("ready: logged in as")
            samples = await endpoints.metrics()
            assert total(samples, "aoad_ready") == 1
            assert total(samples, "aoad_shard_connected", shard="0") == 1
        check_log(bot, gateway_errors=True)


async def test_readyz_503_while_the_gateway_is_down_and_200_once_back(tmp_path: Path) -> None:
    async with fake_discord() as fake, metered(tmp_path, fake) as (bot, endpoints):
        await endpoints.wait_for("/readyz", 200, timeout=10)
        await fake.gateway.refuse()  # every shard dropped, reconnects refused
        down = time.monotonic()
        body = await endpoints.wait_for("/readyz", 503, timeout=5)
        assert "shard 0: disconnected" in body, body
        print(f"gateway dropped: /readyz 503 after {time.monotonic() - down:.2f}s")
        await wait_until(lambda: fake.gateway.refused >= 2, timeout=15, what="refused retries")
        status, body, _ = await endpoints.get("/readyz")  # still down while refused
        assert status == 503 and "shard 0: disconnected" in body, (status, body)
        assert await endpoints.status("/livez") == 200
        assert total(await endpoints.metrics(), "aoad_shard_connected", shard="0") == 0

        fake.gateway.accept()
        back = time.monotonic()
        await endpoints.wait_for("/readyz", 200, timeout=30)
        print(f"gateway back: /readyz 200 after {time.monotonic() - back:.2f}s")
        result = await fake.invoke("about", member=fake.guild.fan)
        assert "Joo Dong-geun" in result.text
    check_log(bot, gateway_errors=True)


async def test_readyz_names_the_one_shard_that_is_down(tmp_path: Path) -> None:
    async with (
        fake_discord() as fake,
        metered(tmp_path, fake, SHARD_COUNT="2") as (
            bot,
            endpoints,
        ),
    ):
        await endpoints.wait_for("/readyz", 200, timeout=15)
        samples = await endpoints.metrics()
        assert [total(samples, "aoad_shard_connected", shard=s) for s in "01"] == [1, 1]
        await fake.gateway.refuse(drop=False)
        await fake.drop_gateway(shard_id=1)
        body = await endpoints.wait_for("/readyz", 503, timeout=5)
        assert body == "shard 1: disconnected\n", body
        samples = await endpoints.metrics()
        assert [total(samples, "aoad_shard_connected", shard=s) for s in "01"] == [1, 0]
        fake.gateway.accept()
        await endpoints.wait_for("/readyz", 200, timeout=30)
    check_log(bot, gateway_errors=True)


def _postgres_processes(data_dir: Path) -> list[int]:
    """The postmaster (first) and every process it started."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


@contextmanager
def stopped(pids: list[int]) -> Iterator[None]:
    """The processes stopped (SIGSTOP) for the block, continued (SIGCONT) however it ends."""
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@pytest.fixture
async def own_postgresql() -> AsyncIterator[tuple[str, Path]]:
    """A PostgreSQL server of this test's own (it is stopped with SIGSTOP: the shared one
    serves the other tests); its URL and directory."""
    directory = pgserver.temp_dir()
    try:
        url = await asyncio.to_thread(pgserver.start, directory)
        yield url, directory
    finally:
        await asyncio.to_thread(pgserver.stop, directory)


async def test_readyz_503_within_5_s_while_postgresql_is_stopped(
    tmp_path: Path, own_postgresql: tuple[str, Path]
) -> None:
    url, directory = own_postgresql
    async with (
        fake_discord() as fake,
        metered(tmp_path, fake, DATABASE_URL=url) as (bot, endpoints),
    ):
        await set_up_guild(fake, fake.guild)
        await endpoints.wait_for("/readyz", 200, timeout=10)
        with stopped(_postgres_processes(directory / "data")):
            frozen = time.monotonic()
            status, body, took = await endpoints.get("/readyz", timeout=10)
            seen = time.monotonic() - frozen
            print(f"PostgreSQL stopped: /readyz {status} after {seen:.2f}s ({body.strip()!r})")
            assert status == 503 and seen <= 5, (status, body, seen)
            assert re.fullmatch(r"database: no answer for \d+\.\d s\n", body), body
            # still no hang: the next probes answer at once or within the timeout
            for _ in range(2):
                status, body, took = await endpoints.get("/readyz", timeout=10)
                assert status == 503 and took <= 3, (status, body, took)
                assert "database" in body
            livez = await endpoints.get("/livez", timeout=5)
            assert livez[0] == 200 and livez[2] < 1, livez
            status, text, took = await endpoints.get("/metrics", timeout=10)
            samples = {
                s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
            }
            assert status == 200 and took <= 3, (status, took)
            assert samples["aoad_ready"] == 0 and samples["aoad_database_up"] == 0
            assert "aoad_outbox_due" not in samples  # unknown, so not made up
        resumed = time.monotonic()
        await endpoints.wait_for("/readyz", 200, timeout=20)
        print(f"PostgreSQL continued: /readyz 200 after {time.monotonic() - resumed:.2f}s")
        assert total(await endpoints.metrics(), "aoad_database_up") == 1
        result = await fake.invoke("about", member=fake.guild.fan)
        assert "Joo Dong-geun" in result.text
    check_log(bot)


async def test_metrics_count_commands_and_a_fan_out(tmp_path: Path) -> None:
    async with fake_discord() as fake, metered(
        tmp_path, fake, DISCORD_RATE_LIMIT=str(RATE)
    ) as (bot, endpoints):  # fmt: skip
        await set_up_guild(fake, fake.guild)
        before = await endpoints.metrics()
        for _ in range(5):
            result = await fake.invoke("about", member=fake.guild.fan)
            assert "Joo Dong-geun" in result.text
        await fake.invoke("cast", {"name": "Park Ji-hu"}, member=fake.guild.fan)
        after = await endpoints.metrics()
        about = {"command": "about"}
        rise = total(after, "aoad_interactions_total", **about) - total(
            before, "aoad_interactions_total", **about
        )
        assert rise == 5
        timed = total(after, "aoad_interaction_seconds_count", **about) - total(
            before, "aoad_interaction_seconds_count", **about
        )
        assert timed == 5
        assert total(after, "aoad_interaction_seconds_bucket", command="about", le="3.0") >= 5
        assert total(after, "aoad_interactions_total", command="cast") == 1
        assert total(after, "aoad_rest_requests_total") > total(before, "aoad_rest_requests_total")
        assert has(after, "aoad_rest_429_total")
        assert total(after, "aoad_shard_connected", shard="0") == 1
        assert total(after, "aoad_ready") == 1

        fans = await subscribe_dm(fake, FANS, "metered-fan")
        await welcomed(fake, fans)
        await wait_until_quiet(endpoints)
        before = await endpoints.metrics()
        assert total(before, "aoad_subscribers", via="dm") == FANS
        update = await fake.invoke("admin update", {"text": "Filming wrapped."},
                                   member=fake.guild.admin)  # fmt: skip
        assert "Update added" in update.text
        due_seen, oldest_seen = 0.0, 0.0

        def delivered() -> bool:
            return channel_kinds(fake).get("update") == 1 and all(
                dm_kinds(fake, fan).get("update") == 1 for fan in fans
            )

        deadline = time.monotonic() + 30
        while not delivered():
            assert time.monotonic() < deadline, "the update did not reach every subscriber"
            samples = await endpoints.metrics()
            due_seen = max(due_seen, total(samples, "aoad_outbox_due"))
            oldest_seen = max(oldest_seen, total(samples, "aoad_outbox_oldest_due_seconds"))
            await asyncio.sleep(0.2)
        print(f"during the fan-out: aoad_outbox_due up to {due_seen}, oldest {oldest_seen}s")
        assert due_seen > 0 and oldest_seen >= 1
        after = await wait_until_quiet(endpoints)
        sent = total(after, "aoad_deliveries_total", outcome="sent") - total(
            before, "aoad_deliveries_total", outcome="sent"
        )
        everything = total(after, "aoad_deliveries_total") - total(before, "aoad_deliveries_total")
        assert sent == everything == FANS + 1  # every DM and the channel's post, nothing else
        updates = {"kind": "update", "outcome": "sent"}
        assert total(after, "aoad_deliveries_total", **updates) == FANS + 1
    check_log(bot)


async def wait_until_quiet(endpoints: Endpoints) -> Samples:
    """Until nothing is due in the outbox; the metrics then."""
    deadline = time.monotonic() + 15
    while True:
        samples = await endpoints.metrics()
        if has(samples, "aoad_outbox_due") and total(samples, "aoad_outbox_due") == 0:
            assert total(samples, "aoad_outbox_oldest_due_seconds") == 0
            return samples
        assert time.monotonic() < deadline, "the outbox still has due deliveries"
        await asyncio.sleep(0.2)


async def test_metrics_count_feed_checks(tmp_path: Path) -> None:
    site = FeedSite()
    site.feeds["press"] = Feed("Korea Press", [
        Item("a", "All of Us Are Dead season 2 cast", "http://news.example/a", "", time.time()),
    ])  # fmt: skip
    await site.start()
    try:
        async with fake_discord() as fake, metered(
            tmp_path, fake, FEEDS_ALLOW_PRIVATE="1", FEED_POLL_SECONDS="1"
        ) as (bot, endpoints):  # fmt: skip
            await set_up_guild(fake, fake.guild)
            added = await fake.invoke("admin feed add", {"url": site.url("press")},
                                      member=fake.guild.admin, timeout=20)  # fmt: skip
            assert "Korea Press" in added.text, added.text
            feed = site.feeds["press"]
            await wait_until(lambda: feed.not_modified >= 2, timeout=15, what="two 304s")
            feed.status = 503
            served = feed.served
            await wait_until(lambda: feed.served > served, timeout=15, what="a failed check")
            await asyncio.sleep(0.5)  # the check's outcome counted
            samples = await endpoints.metrics()
            checks = {o: total(samples, "aoad_feed_checks_total", outcome=o)
                      for o in ("fetched", "not_modified", "error")}  # fmt: skip
            assert checks == {"fetched": feed.served - feed.not_modified - 1,
                              "not_modified": feed.not_modified, "error": 1}, checks  # fmt: skip
        check_log(bot)
    finally:
        await site.stop()
