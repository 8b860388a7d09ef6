"""Who wants premiere notifications, per server, and how."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from bot.db.database import Database

Via = Literal["role", "dm", "both"]
VIAS: tuple[Via, ...] = ("role", "dm", "both")


def wants_role(via: Via | None) -> bool:
    return via in ("role", "both")


def wants_dm(via: Via | None) -> bool:
    return via in ("dm", "both")


@dataclass(frozen=True, slots=True)
class Subscription:
    guild_id: int
    user_id: int
    via: Via
    user_name: str
    locale: str
    since: int


class SubscriptionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int, user_id: int) -> Subscription | None:
        row = await self.db.fetchone(
            "SELECT guild_id, user_id, via, user_name, locale, since FROM subscriptions"
            " WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return _subscription(row) if row else None

    async def subscribe(
        self, guild_id: int, user_id: int, *, via: Via, user_name: str, locale: str, now: int
    ) -> None:
        """Create or change a subscription; `since` is kept when only `via` changes."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO subscriptions (guild_id, user_id, via, user_name, locale, since)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
                " via = excluded.via, user_name = excluded.user_name, locale = excluded.locale",
                (guild_id, user_id, via, user_name, locale, now),
            )
            if wants_dm(via):
                # Subscribing again is the member saying their DMs are open now.
                await conn.execute(
                    "UPDATE dm_channels SET closed_at = NULL WHERE user_id = ?", (user_id,)
                )

    async def unsubscribe(self, guild_id: int, user_id: int) -> Subscription | None:
        """Remove a subscription; returns what it was (None: there was none)."""
        async with (
            self.db.transaction() as conn,
            conn.execute(
                "DELETE FROM subscriptions WHERE guild_id = ? AND user_id = ?"
                " RETURNING guild_id, user_id, via, user_name, locale, since",
                (guild_id, user_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return _subscription(row) if row else None

    async def counts(self, guild_id: int) -> dict[Via, int]:
        rows = await self.db.fetchall(
            "SELECT via, COUNT(*) FROM subscriptions WHERE guild_id = ? GROUP BY via", (guild_id,)
        )
        found = {row[0]: row[1] for row in rows}
        return {via: int(found.get(via, 0)) for via in VIAS}

    async def list(self, guild_id: int) -> list[Subscription]:
        rows = await self.db.fetchall(
            "SELECT guild_id, user_id, via, user_name, locale, since FROM subscriptions"
            " WHERE guild_id = ? ORDER BY since, user_id",
            (guild_id,),
        )
        return [_subscription(row) for row in rows]


def _subscription(row: object) -> Subscription:
    r = cast(tuple[int, int, str, str, str, int], row)
    return Subscription(r[0], r[1], cast(Via, r[2]), r[3], r[4], r[5])
