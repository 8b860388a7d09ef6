"""How processes agree, on a real PostgreSQL: one sender at a time with failover, one holder
of an exclusive section, wakes heard by every process; and the SQLite process alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.coordination import LocalCoordination
from bot.store.processes import FORGET_AFTER
from bot.store.records import NewNotification, ProcessRecord
from tests.pgfixtures import BACKENDS, store_on, stores_sharing

NOW = 1_800_000_000


@pytest.fixture
async def two_processes(pg_server: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one PostgreSQL database, as two bot processes would have."""
    async with stores_sharing(pg_server, "p1", "p2") as (first, second):
        yield first, second


async def wait_for(condition: object, what: str, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not callable(condition) or not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def test_one_sender_and_a_takeover_when_its_connection_dies(
    two_processes: tuple[Store, Store],
) -> None:
    first, second = (s.database.coordination(s.owner) for s in two_processes)
    heard: list[tuple[str, str]] = []
    await first.open(lambda topic: heard.append(("p1", topic)))
    await second.open(lambda topic: heard.append(("p2", topic)))
    try:
        assert await first.try_lead()
        assert not await second.try_lead()  # one sender at a time
        assert await first.still_leading() and await first.try_lead()
        second.announce("outbox")  # heard by every process, the announcer too
        await wait_for(lambda: sorted(heard) == [("p1", "outbox"), ("p2", "outbox")], "wakes")
        assert await second.gone({"p1", "p2", "never-started"}) == {"never-started"}
        # The sender's connection dies (as with a SIGKILL): its locks are free at once.
        first._conn.terminate()  # type: ignore[attr-defined]
        for _ in range(100):  # the server notices the closed socket a moment later
            if await second.gone({"p1", "p2"}):
                break
            await asyncio.sleep(0.02)
        assert await second.gone({"p1", "p2"}) == {"p1"}
        assert not await first.still_leading()
        assert await second.try_lead()
        assert not await first.try_lead()  # reconnects, but the lead is taken
    finally:
        await first.close()
        await second.close()


async def test_exclusive_sections_never_overlap(two_processes: tuple[Store, Store]) -> None:
    first, second = (s.database.coordination(s.owner) for s in two_processes)
    inside: list[str] = []
    overlaps = 0

    async def section(coordination: object, name: str) -> None:
        nonlocal overlaps
        async with coordination.exclusive("command-sync"):  # type: ignore[attr-defined]
            overlaps += bool(inside)
            inside.append(name)
            await asyncio.sleep(0.05)
            inside.remove(name)

    await asyncio.gather(*(section(c, f"{i}") for i in range(3) for c in (first, second)))
    assert overlaps == 0


async def test_the_lone_sqlite_process_always_leads_and_hears_itself() -> None:
    coordination = LocalCoordination()
    heard: list[str] = []
    await coordination.open(heard.append)
    assert await coordination.try_lead() and await coordination.still_leading()
    coordination.announce("premiere")
    assert heard == ["premiere"]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_on(request, tmp_path) as s:
        yield s


async def test_processes_beat_and_are_forgotten(store: Store) -> None:
    def record(pid: int, sender: bool, at: int) -> ProcessRecord:
        return ProcessRecord(f"host:{pid}", "host", pid, "0-1 of 4", sender, NOW, at)

    await store.processes.beat(record(1, False, NOW))
    await store.processes.beat(record(2, True, NOW))
    await store.processes.beat(record(1, False, NOW + 10))  # a refresh, not a new row
    assert [(p.pid, p.sender, p.heartbeat_at) for p in await store.processes.all()] == [
        (2, True, NOW), (1, False, NOW + 10)]  # fmt: skip
    await store.processes.beat(record(1, True, NOW + 11))  # 1 took over from a dead 2
    assert [(p.pid, p.sender) for p in await store.processes.all()] == [(1, True), (2, False)]
    await store.processes.forget("host:1")
    await store.processes.beat(record(3, False, NOW + FORGET_AFTER + 1))  # 2 is long silent
    assert [p.pid for p in await store.processes.all()] == [3]


async def test_two_processes_expanding_at_once_make_each_delivery_once(
    two_processes: tuple[Store, Store],
) -> None:
    """Only the sender expands, but a sender replaced mid-expansion must not double it."""
    first, second = two_processes
    await first.guilds.update(1, channel_id=10, role_id=100, now=NOW)
    for user_id in range(200):
        await first.subscriptions.put(1, user_id, via="dm", user_name="u", locale="en-US",
                                      now=NOW)  # fmt: skip
    for _ in range(5):
        await first.outbox.add(NewNotification("update", {}, NOW, NOW + 60), NOW)
    counts = await asyncio.gather(first.outbox.expand_due(NOW), second.outbox.expand_due(NOW))
    assert sum(counts) >= 5
    async with first.database.read() as conn:
        rows = await conn.fetchall(
            "SELECT notification_id, target, COUNT(*) FROM deliveries"
            " GROUP BY notification_id, target ORDER BY notification_id, target"
        )
    assert {(r[1], int(r[2])) for r in rows} == {("channel", 1), ("dm", 200)}
    assert len(rows) == 10  # five notifications, each one post and 200 DMs
