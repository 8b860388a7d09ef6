"""The premiere as a Discord scheduled event in each server: a background job that brings every
server's event in step with the stored premiere. It remembers per server which premiere
revision its event shows, so work cut short by a restart resumes where it stopped."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import discord

from bot.jobs import Job
from bot.notify import PREMIERE
from bot.store import Store
from bot.store.records import Premiere

log = logging.getLogger(__name__)

EXTERNAL = 3
GUILD_ONLY = 2
EVENT_LENGTH = 3600  # Discord wants an end time for external events; the premiere hour
RETRY_AFTER = 60.0
REASON = "Season 2 premiere date set by a moderator"


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


class EventSync(Job):
    name = "scheduled-event sync"
    retry_s = RETRY_AFTER
    topics = frozenset({PREMIERE})

    def __init__(self, client: discord.Client, store: Store) -> None:
        super().__init__()
        self.client = client
        self.store = store

    async def ready(self) -> None:
        await self.client.wait_until_ready()  # the servers and our permissions are known

    async def step(self) -> float | None:
        return RETRY_AFTER if await self.sync_all() else None

    async def sync_all(self) -> bool:
        """Every server where the bot may manage events; whether any is left to retry."""
        premiere = await self.store.premiere.current()
        left = False
        for guild in self.client.guilds:
            if not guild.me.guild_permissions.manage_events:
                continue  # not even asked: the moderator was told when setting the date
            record = await self.store.events.get(guild.id)
            if record.revision == premiere.revision:
                continue
            try:
                event_id = await self._sync_one(guild.id, record.event_id, premiere)
            except discord.Forbidden:
                log.warning("may not manage scheduled events in %s", guild.id)
                event_id = record.event_id
            except discord.HTTPException as exc:
                log.warning("scheduled event in %s: %s; retrying later", guild.id, exc)
                left = True
                continue
            await self.store.events.put(guild.id, event_id, premiere.revision)
        return left

    async def _sync_one(
        self, guild_id: int, event_id: int | None, premiere: Premiere
    ) -> int | None:
        """Create, move or delete the event; the id of the event that now exists."""
        http = self.client.http
        if premiere.starts_at is None:
            if event_id is not None:
                with contextlib.suppress(discord.NotFound):
                    await http.delete_scheduled_event(guild_id, event_id, reason=REASON)
            return None
        payload = event_payload(premiere.starts_at, premiere.note)
        if event_id is not None:
            try:
                await http.edit_scheduled_event(guild_id, event_id, reason=REASON, **payload)
                return event_id
            except discord.NotFound:
                pass  # deleted by hand: create it again
        created = await http.create_guild_scheduled_event(guild_id, reason=REASON, **payload)
        return int(created["id"])
