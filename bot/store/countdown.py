"""What the bot last made of each countdown channel's name, so that a restart neither renames
a channel again nor breaks Discord's limit of two renames per ten minutes: its last two
renames, and the premiere revision the name was made right for."""

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
                "SELECT channel_id, asked, shown, renamed_at, retry_at, renamed_before,"
                " premiere_revision FROM countdown_channels"
            )
        return {r[0]: CountdownState(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows}

    async def renamed(
        self, channel_id: int, *, asked: str, shown: str, now: int, premiere_revision: int
    ) -> None:
        """The bot renamed the channel for this premiere: its last rename becomes the one
        before, and any wait is over."""
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO countdown_channels"
                " (channel_id, asked, shown, renamed_at, retry_at, renamed_before,"
                " premiere_revision) VALUES (?, ?, ?, ?, 0, 0, ?)"
                " ON CONFLICT (channel_id) DO UPDATE SET"
                " asked = excluded.asked, shown = excluded.shown,"
                " renamed_before = countdown_channels.renamed_at,"
                " renamed_at = excluded.renamed_at, retry_at = 0,"
                " premiere_revision = excluded.premiere_revision",
                (channel_id, asked, shown, now, premiere_revision),
            )

    async def name_right_for(self, channel_id: int, premiere_revision: int) -> None:
        """The channel's name was found already right for this premiere (a date moved within
        the same day, say): a later change of the name is the clock's, not the date's."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE countdown_channels SET premiere_revision = ? WHERE channel_id = ?",
                (premiere_revision, channel_id),
            )

    async def hold(self, channel_id: int, until: int) -> None:
        """No rename of this channel before `until` (Discord said 429, or refused it)."""
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO countdown_channels (channel_id, retry_at) VALUES (?, ?)"
                " ON CONFLICT (channel_id) DO UPDATE SET retry_at = excluded.retry_at",
                (channel_id, until),
            )
