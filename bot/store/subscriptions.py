"""Who wants premiere notifications, per server, and how."""

from __future__ import annotations

from typing import cast

from bot.store.connection import Row, Scope
from bot.store.records import VIAS, Reminders, Subscription, Via

COLUMNS = "guild_id, user_id, via, user_name, locale, since, reminders"


def _subscription(row: Row) -> Subscription:
    return Subscription(
        row[0], row[1], cast(Via, row[2]), row[3], row[4], row[5], cast(Reminders, row[6])
    )


class SubscriptionStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def get(self, guild_id: int, user_id: int) -> Subscription | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                f"SELECT {COLUMNS} FROM subscriptions WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        return _subscription(row) if row else None

    async def put(
        self, guild_id: int, user_id: int, *, via: Via, user_name: str, locale: str, now: int,
        reminders: Reminders | None = None,
    ) -> None:  # fmt: skip
        """Create or change a subscription; `since` is kept when it only changes, and so is
        the reminders choice when none is given (a new one wants them all)."""
        async with self._scope.write() as conn:
            await conn.execute(
                f"INSERT INTO subscriptions ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET via = excluded.via,"
                " user_name = excluded.user_name, locale = excluded.locale,"
                " reminders = COALESCE(?, subscriptions.reminders)",
                (guild_id, user_id, via, user_name, locale, now, reminders or "all", reminders),
            )

    async def remove(self, guild_id: int, user_id: int) -> Subscription | None:
        """Remove a subscription; returns what it was (None: there was none)."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                f"DELETE FROM subscriptions WHERE guild_id = ? AND user_id = ? RETURNING {COLUMNS}",
                (guild_id, user_id),
            )
        return _subscription(row) if row else None

    async def counts(self, guild_id: int) -> dict[Via, int]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT via, COUNT(*) FROM subscriptions WHERE guild_id = ? GROUP BY via",
                (guild_id,),
            )
        found = {row[0]: row[1] for row in rows}
        return {via: int(found.get(via, 0)) for via in VIAS}

    async def list(self, guild_id: int) -> list[Subscription]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {COLUMNS} FROM subscriptions WHERE guild_id = ? ORDER BY since, user_id",
                (guild_id,),
            )
        return [_subscription(row) for row in rows]
