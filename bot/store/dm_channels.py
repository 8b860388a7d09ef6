"""Each subscriber's DM channel id, and whether their DMs are closed."""

from __future__ import annotations

from bot.store.connection import Scope
from bot.store.records import DmChannel


class DmChannelStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def get(self, user_id: int) -> DmChannel:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT channel_id, closed_at FROM dm_channels WHERE user_id = ?", (user_id,)
            )
        if row is None:
            return DmChannel(None, closed=False)
        return DmChannel(row[0], closed=row[1] is not None)

    async def remember(self, user_id: int, channel_id: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
                (user_id, channel_id),
            )

    async def mark_closed(self, user_id: int, now: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO dm_channels (user_id, closed_at) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET closed_at = excluded.closed_at",
                (user_id, now),
            )

    async def reopen(self, user_id: int) -> None:
        """The member says their DMs are open again (they subscribed by DM once more)."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE dm_channels SET closed_at = NULL WHERE user_id = ?", (user_id,)
            )
