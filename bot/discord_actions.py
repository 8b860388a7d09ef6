"""What use cases may ask of Discord (a role, a DM, who can hold a scheduled event), as a
protocol they depend on, and its implementation over discord.py's HTTP client."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Protocol

import discord

from bot.outbox.sender import DM_CLOSED, DiscordSender

log = logging.getLogger(__name__)


class ActionRefused(Exception):
    """Discord said no for good: 'forbidden' (missing permission) or 'dm_closed' (50007)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ActionFailed(Exception):
    """Discord could not do it just now (a 5xx, a 429, the network): worth trying later."""


class DiscordActions(Protocol):
    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None: ...

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None: ...

    async def send_dm(self, user_id: int, text: str) -> None: ...

    def event_servers(self) -> tuple[list[int], list[str]]:
        """(ids of the servers where the bot may manage events, names of the others)."""
        ...


class HttpActions:
    def __init__(self, client: discord.Client, sender: DiscordSender) -> None:
        self.client = client
        self.sender = sender

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        await _call(self.client.http.add_role(guild_id, user_id, role_id, reason=reason))

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        await _call(self.client.http.remove_role(guild_id, user_id, role_id, reason=reason))

    async def send_dm(self, user_id: int, text: str) -> None:
        async def send() -> None:
            channel_id = await self.sender.dm_channel(user_id)
            channel = self.client.get_partial_messageable(channel_id)
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())

        await _call(send())

    def event_servers(self) -> tuple[list[int], list[str]]:
        allowed = [g for g in self.client.guilds if g.me.guild_permissions.manage_events]
        refused = [g.name for g in self.client.guilds if g not in allowed]
        return [g.id for g in allowed], refused


async def _call(request: Awaitable[object]) -> None:
    """Discord's answer as one of our two errors, so use cases never see discord.py's."""
    try:
        await request
    except discord.HTTPException as exc:
        if exc.code == DM_CLOSED:
            raise ActionRefused("dm_closed") from exc
        if isinstance(exc, discord.Forbidden):
            raise ActionRefused("forbidden") from exc
        raise ActionFailed(f"{exc.status} {exc.code}") from exc
