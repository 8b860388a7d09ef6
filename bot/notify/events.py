"""The premiere as a Discord scheduled event in each server, kept in step with the date."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import discord

from bot.db.database import Database

log = logging.getLogger(__name__)

EXTERNAL = 3
GUILD_ONLY = 2
EVENT_LENGTH = 3600  # Discord wants an end time for external events; the premiere hour


def event_payload(starts_at: int, note: str | None) -> dict[str, Any]:
    def iso(ts: int) -> str:
        return datetime.fromtimestamp(ts, UTC).isoformat()

    description = "All of Us Are Dead season 2 (지금 우리 학교는 시즌 2) premieres on Netflix."
    if note:
        description += f"\n{note}"
    return {
        "name": "All of Us Are Dead season 2 premiere",
        "privacy_level": GUILD_ONLY,
        "entity_type": EXTERNAL,
        "entity_metadata": {"location": "Netflix"},
        "scheduled_start_time": iso(starts_at),
        "scheduled_end_time": iso(starts_at + EVENT_LENGTH),
        "description": description[:1000],
    }


class PremiereEvents:
    def __init__(self, client: discord.Client, db: Database) -> None:
        self.client = client
        self.db = db

    async def _event_id(self, guild_id: int) -> int | None:
        row = await self.db.fetchone(
            "SELECT event_id FROM scheduled_events WHERE guild_id = ?", (guild_id,)
        )
        return int(row[0]) if row else None

    async def _remember(self, guild_id: int, event_id: int | None) -> None:
        async with self.db.transaction() as conn:
            if event_id is None:
                await conn.execute("DELETE FROM scheduled_events WHERE guild_id = ?", (guild_id,))
            else:
                await conn.execute(
                    "INSERT INTO scheduled_events (guild_id, event_id) VALUES (?, ?)"
                    " ON CONFLICT (guild_id) DO UPDATE SET event_id = excluded.event_id",
                    (guild_id, event_id),
                )

    async def sync(
        self, guild_ids: list[int], starts_at: int | None, note: str | None
    ) -> dict[int, str]:
        """Create, move or delete the event in every server; the problems, by server."""
        problems = {}
        for guild_id in guild_ids:
            try:
                await self._sync_one(guild_id, starts_at, note)
            except discord.Forbidden:
                problems[guild_id] = "forbidden"
            except discord.HTTPException as exc:
                log.warning("scheduled event in %s: %s", guild_id, exc)
                problems[guild_id] = f"{exc.status}"
        return problems

    async def _sync_one(self, guild_id: int, starts_at: int | None, note: str | None) -> None:
        http = self.client.http
        reason = "Season 2 premiere date set by a moderator"
        event_id = await self._event_id(guild_id)
        if starts_at is None:
            if event_id is not None:
                with contextlib.suppress(discord.NotFound):
                    await http.delete_scheduled_event(guild_id, event_id, reason=reason)
                await self._remember(guild_id, None)
            return
        payload = event_payload(starts_at, note)
        if event_id is not None:
            try:
                await http.edit_scheduled_event(guild_id, event_id, reason=reason, **payload)
                return
            except discord.NotFound:
                pass  # deleted by hand: create it again
        created = await http.create_guild_scheduled_event(guild_id, reason=reason, **payload)
        await self._remember(guild_id, int(created["id"]))
