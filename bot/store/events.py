"""The Discord scheduled event made for the premiere in each server, and which premiere
revision it shows, so that syncing can resume after a restart."""

from __future__ import annotations

from typing import NamedTuple

from bot.store.connection import Scope


class EventRecord(NamedTuple):
    event_id: int | None
    revision: int  # the premiere revision it was last synced to (0: never)


class ScheduledEventStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def get(self, guild_id: int) -> EventRecord:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT event_id, revision FROM scheduled_events WHERE guild_id = ?", (guild_id,)
            )
        return EventRecord(row[0], row[1]) if row else EventRecord(None, 0)

    async def put(self, guild_id: int, event_id: int | None, revision: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO scheduled_events (guild_id, event_id, revision) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET event_id = excluded.event_id,"
                " revision = excluded.revision",
                (guild_id, event_id, revision),
            )
