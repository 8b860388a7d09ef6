"""What the bot last made of each countdown channel's name, so that a restart neither renames
a channel again nor breaks Discord's limit of two renames per ten minutes."""

from __future__ import annotations

from bot.store.connection import Scope
from bot.store.records import CountdownState


class CountdownStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def states(self) -> dict[int, CountdownState]:
        """Every channel the bot renamed or was told to wait for, by channel id."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT channel_id, asked, shown, renamed_at, retry_at FROM countdown_channels"
            )
        return {r[0]: CountdownState(r[1], r[2], r[3], r[4]) for r in rows}

    async def renamed(self, channel_id: int, *, asked: str, shown: str, now: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO countdown_channels (channel_id, asked, shown, renamed_at, retry_at)"
                " VALUES (?, ?, ?, ?, 0) ON CONFLICT (channel_id) DO UPDATE SET"
                " asked = excluded.asked, shown = excluded.shown,"
                " renamed_at = excluded.renamed_at, retry_at = 0",
                (channel_id, asked, shown, now),
            )

    async def hold(self, channel_id: int, until: int) -> None:
        """No rename of this channel before `until` (Discord said 429, or refused it)."""
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO countdown_channels (channel_id, retry_at) VALUES (?, ?)"
                " ON CONFLICT (channel_id) DO UPDATE SET retry_at = excluded.retry_at",
                (channel_id, until),
            )
