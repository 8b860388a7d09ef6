"""The pieces of the health endpoints: the database's answers on both backends, a probe that
never waits on a hung call longer than its timeout nor stacks calls behind it, registries
that stay apart, and the server before it watches a bot."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import MetricsServerError
from bot.metrics.instruments import Metrics
from bot.metrics.probes import NoAnswer, OneAtATime
from bot.metrics.server import HealthServer
from bot.store import Store
from bot.store.health import HealthStore
from bot.store.records import NewNotification
from tests.pgfixtures import BACKENDS, store_on
from tests.unit.test_layers import imported_by

NOW = 1_800_000_000


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_on(request, tmp_path) as s:
        yield s


async def test_the_database_answers_what_metrics_read(store: Store) -> None:
    health = HealthStore(store.database)
    await health.ping()
    due = await health.outbox_due(NOW)
    assert (due.deliveries, due.oldest_due_at) == (0, None)
    await store.guilds.update(1, channel_id=10, role_id=100, now=NOW)
    for user, via in ((7, "dm"), (8, "dm"), (9, "role")):
        await store.subscriptions.put(1, user, via=via, user_name="u", locale="en-US", now=NOW)
    assert await health.subscribers() == {"role": 1, "dm": 2, "both": 0}

    await store.outbox.add(NewNotification("update", {}, NOW - 30, NOW + 600), NOW - 40)
    due = await health.outbox_due(NOW)  # due, not expanded yet: no delivery, but it waits
    assert (due.deliveries, due.oldest_due_at) == (0, NOW - 30)
    await store.outbox.expand_due(NOW - 20)
    due = await health.outbox_due(NOW)
    assert (due.deliveries, due.oldest_due_at) == (3, NOW - 20)  # the post and two DMs
    assert (await health.outbox_due(NOW - 21)).deliveries == 0  # not due yet then
    deliveries = await store.outbox.due(NOW, 10)
    await store.outbox.claim([d.id for d in deliveries], NOW, NOW + 10)
    await store.outbox.mark_sent_many([(d.id, 1) for d in deliveries], NOW)
    due = await health.outbox_due(NOW)
    assert (due.deliveries, due.oldest_due_at) == (0, None)


async def test_a_hung_call_gives_no_answer_in_time_and_is_not_stacked() -> None:
    calls = 0
    release = asyncio.Event()

    async def hangs() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "late"

    probe = OneAtATime(hangs, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(NoAnswer) as first:
        await probe.get()
    assert 0.2 <= time.monotonic() - started < 1.0 and first.value.waited >= 0.2
    started = time.monotonic()
    with pytest.raises(NoAnswer) as second:  # the same call, waited for as long again
        await probe.get()
    assert 0.2 <= time.monotonic() - started < 1.0 and second.value.waited >= 0.4
    assert calls == 1
    release.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert await probe.get() == "late"  # done: the next get asks again, and it answers
    assert calls == 2


async def test_a_call_waiting_too_long_is_abandoned_and_errors_are_raised() -> None:
    never = asyncio.Event()
    calls = 0

    async def hangs_then_fails() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            await never.wait()
        raise RuntimeError("refused")

    probe = OneAtATime(hangs_then_fails, timeout=0.05, abandon_after=0.1)
    with pytest.raises(NoAnswer):
        await probe.get()
    await asyncio.sleep(0.1)
    with pytest.raises(RuntimeError, match="refused"):  # a new call, not the hung one
        await probe.get()
    assert calls == 2


async def test_a_fresh_answer_is_reused() -> None:
    calls = 0

    async def count() -> int:
        nonlocal calls
        calls += 1
        return calls

    probe = OneAtATime(count, fresh_for=60)
    assert [await probe.get() for _ in range(3)] == [1, 1, 1]


def test_two_bots_registries_stay_apart() -> None:
    first, second = Metrics(), Metrics()
    first.delivery_outcome("update", "sent")
    first.delivery_outcome("update", "sent")
    second.delivery_outcome("update", "retry")

    def deliveries(metrics: Metrics) -> dict[tuple[str, str], float]:
        text = generate_latest(metrics.registry).decode()
        return {
            (s.labels["kind"], s.labels["outcome"]): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
            if s.name == "aoad_deliveries_total"
        }

    assert deliveries(first) == {("update", "sent"): 2}
    assert deliveries(second) == {("update", "retry"): 1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_before_the_bot_is_built_alive_not_ready_and_a_taken_port_named() -> None:
    port = _free_port()
    server = HealthServer("127.0.0.1", port)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/livez") as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert (response.status, await response.text()) == (503, "starting\n")
            async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                text = await response.text()
        names = {family.name for family in text_string_to_metric_families(text)}
        assert {"aoad_deliveries", "aoad_interactions", "process_resident_memory_bytes"} <= names
        with pytest.raises(MetricsServerError, match=rf"^METRICS_PORT: cannot listen on .*{port}"):
            await HealthServer("127.0.0.1", port).start()
    finally:
        await server.stop()


def test_a_bot_without_metrics_port_imports_none_of_it() -> None:
    loaded = imported_by(["bot.__main__", "bot.wiring"])
    assert {"bot.__main__", "bot.wiring", "bot.metrics"} <= loaded
    leaks = sorted(
        m for m in loaded if m.startswith(("prometheus_client", "aiohttp.web", "bot.metrics."))
    )
    assert leaks == []
