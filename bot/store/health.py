"""What the health endpoints read from the database: a trivial query that shows it answers, and
the figures `/metrics` computes when it is scraped (the outbox's due work, the subscribers).

Built on the database itself (`HealthStore(store.database)`): each call is a read of its own,
never part of a caller's transaction."""

from __future__ import annotations

from typing import NamedTuple

from bot.store.connection import Scope
from bot.store.records import VIAS


class OutboxDue(NamedTuple):
    deliveries: int  # pending deliveries due now (a retry counts once its time has come)
    # when the oldest due work came due: a due delivery, or a notification that came due and
    # is not expanded into its deliveries yet; None when nothing is due
    oldest_due_at: int | None


class HealthStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def ping(self) -> None:
        """Returns once the database has answered a trivial query."""
        async with self._scope.read() as conn:
            await conn.fetchone("SELECT 1")

    async def outbox_due(self, now: int) -> OutboxDue:
        async with self._scope.read() as conn:
            deliveries = await conn.fetchone(
                "SELECT COUNT(*), MIN(next_attempt_at) FROM deliveries"
                " WHERE state = 'pending' AND next_attempt_at <= ?",
                (now,),
            )
            notifications = await conn.fetchone(
                "SELECT MIN(due_at) FROM notifications WHERE state = 'scheduled' AND due_at <= ?",
                (now,),
            )
        count = int(deliveries[0]) if deliveries else 0
        times = [
            int(row[i])
            for row, i in ((deliveries, 1), (notifications, 0))
            if row is not None and row[i] is not None
        ]
        return OutboxDue(count, min(times) if times else None)

    async def subscribers(self) -> dict[str, int]:
        """Subscriptions in all servers, by how they are reached (`role`, `dm`, `both`)."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall("SELECT via, COUNT(*) FROM subscriptions GROUP BY via")
        found = {str(row[0]): int(row[1]) for row in rows}
        return {via: found.get(via, 0) for via in VIAS}
