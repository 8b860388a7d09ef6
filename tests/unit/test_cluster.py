"""Two processes' cluster jobs on one PostgreSQL, stepped by hand: one sender, failover, the
REST shares, a gone process forgotten, and two processes on one shard told loudly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from bot.clock import Clock
from bot.cluster import Cluster, rate_share
from bot.rest_limit import RestLimiter
from bot.store import Store
from tests.pgfixtures import stores_sharing

RATE = 50


class Duties:
    def __init__(self) -> None:
        self.log: list[str] = []

    async def lead(self) -> None:
        self.log.append("lead")

    async def step_down(self) -> None:
        self.log.append("step_down")

    def wake(self) -> None:
        self.log.append("wake")


@pytest.fixture
async def stores(pg_server: str) -> AsyncIterator[tuple[Store, Store]]:
    async with stores_sharing(pg_server, "host:1:a", "host:2:b") as (first, second):
        yield first, second


async def cluster_of(store: Store, shards: str) -> tuple[Cluster, Duties, RestLimiter]:
    coordination = store.database.coordination(store.owner)
    await coordination.open(lambda _topic: None)
    duties, limiter = Duties(), RestLimiter(RATE)
    cluster = Cluster(store, coordination, Clock(), limiter, RATE, duties)
    cluster.shards = shards
    return cluster, duties, limiter


def test_the_sender_leaves_a_share_to_each_other_process() -> None:
    assert rate_share(50, 1, True) == 50
    assert (rate_share(50, 2, True), rate_share(50, 2, False)) == (48, 2)
    assert (rate_share(50, 4, True), rate_share(50, 4, False)) == (44, 2)
    assert (rate_share(4, 3, True), rate_share(4, 3, False)) == (2, 1)  # at most half kept


async def test_one_sender_failover_and_a_shard_run_twice(
    stores: tuple[Store, Store], caplog: pytest.LogCaptureFixture
) -> None:
    (one, one_duties, one_limit), (two, two_duties, two_limit) = [
        await cluster_of(s, "0 of 2")
        for s in stores  # both on shard 0: a mistake
    ]
    caplog.set_level(logging.ERROR, "bot.cluster")
    await one.step()
    await two.step()
    assert (one.leading, two.leading) == (True, False)
    assert one_duties.log == ["lead"] and two_duties.log == []
    assert "shards 0 of 2 of this process are also run by" in caplog.text
    await one.beat()  # now it knows of the other
    assert (one_limit.per_second, two_limit.per_second) == (48, 2)

    await one.coordination.close()  # as a SIGKILL would: its connection ends
    for _ in range(100):  # the other asks each second; the server frees the lock a moment later
        await two.step()
        if two.leading:
            break
        await asyncio.sleep(0.02)
    assert two.leading and two_duties.log == ["lead"]
    assert two_limit.per_second == RATE  # the gone process is forgotten: the whole limit
    assert [p.id for p in await two.store.processes.all()] == ["host:2:b"]
    two.start()  # as the bot runs it; a clean stop steps down and leaves the list
    await two.stop()
    assert two_duties.log == ["lead", "step_down"]
    assert await two.store.processes.all() == []
