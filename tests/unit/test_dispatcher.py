"""The dispatcher on a real database (SQLite and PostgreSQL) with a recording sender: a
delivery whose last attempt has no outcome is looked up first; sends are marked in batches;
failures are reported."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.outbox.dispatcher import DeliveryFailed, Dispatcher
from bot.store import Store
from bot.store.records import Delivery, NewNotification
from tests.pgfixtures import BACKENDS, store_on

NOW = 1_800_000_000


class FixedClock(Clock):
    def timestamp(self) -> float:
        return float(NOW)


class RecordingSender:
    def __init__(self, found: dict[int, int] | None = None, fail: set[int] | None = None) -> None:
        self.sent: list[int] = []
        self.looked_up: list[int] = []
        self.found = found or {}
        self.fail = fail or set()

    async def send(self, delivery: Delivery) -> int:
        if delivery.user_id in self.fail:
            raise DeliveryFailed("dm_closed", permanent=True, dm_closed=True)
        self.sent.append(delivery.id)
        return 1000 + delivery.id

    async def find_sent(self, delivery: Delivery, since: int) -> int | None:
        self.looked_up.append(delivery.id)
        return self.found.get(delivery.id)


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_on(request, tmp_path) as s:
        for user_id in (7, 8, 9):
            await s.subscriptions.put(1, user_id, via="dm", user_name="u", locale="en-US", now=NOW)
        await s.outbox.add(NewNotification("update", {}, NOW, NOW + 3600), NOW)
        await s.outbox.expand_due(NOW)
        yield s


async def run_once(dispatcher: Dispatcher) -> None:
    await dispatcher.run_pass(dispatcher.lanes[1])
    await asyncio.sleep(0)  # let failure reports run


async def test_unknown_outcomes_are_looked_up_before_any_send(store: Store) -> None:
    first, second, third = await store.outbox.due(NOW, 10)
    dead = Store(store.database, "dead-process")  # a process that began two sends, then died
    await dead.outbox.claim([first.id, second.id], NOW - 25, until=NOW - 5)
    sender = RecordingSender(found={first.id: 555})
    await run_once(Dispatcher(store, sender, FixedClock()))
    assert sorted(sender.looked_up) == [first.id, second.id]  # never the fresh one
    assert sorted(sender.sent) == [second.id, third.id]  # the found one is not sent again
    async with store.database.read() as conn:
        rows = await conn.fetchall(
            "SELECT id, state, message_id, attempts FROM deliveries ORDER BY id"
        )
    assert rows == [(first.id, "sent", 555, 1), (second.id, "sent", 1000 + second.id, 2),
                    (third.id, "sent", 1000 + third.id, 1)]  # fmt: skip


async def test_a_permanent_failure_is_reported_once(store: Store) -> None:
    reported: list[tuple[int | None, str]] = []

    async def on_failed(delivery: Delivery, failure: DeliveryFailed) -> None:
        reported.append((delivery.user_id, failure.reason))

    dispatcher = Dispatcher(store, RecordingSender(fail={8}), FixedClock(), on_failed=on_failed)
    await run_once(dispatcher)
    await asyncio.sleep(0.01)
    assert reported == [(8, "dm_closed")]
    assert (await store.dm_channels.get(8)).closed
    assert (await store.outbox.stats()).sent == 2
