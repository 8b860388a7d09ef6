"""What use cases may ask of Discord (a role, a followup to an interaction, what the gateway
says of a server), as a protocol they depend on, and its implementation over discord.py."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Protocol

import discord
from discord.http import Route

from bot.outbox.sender import DM_CLOSED
from bot.rest_limit import urgent

log = logging.getLogger(__name__)

EPHEMERAL = 64  # message flag: only the member sees it


class ActionRefused(Exception):
    """Discord said no for good: 'forbidden' (missing permission) or 'dm_closed' (50007)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ActionFailed(Exception):
    """Discord could not do it just now (a 5xx, a 429, the network): worth trying later."""


class DiscordActions(Protocol):
    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None: ...

    def role_problem(self, guild_id: int, role_id: int) -> str | None:
        """'forbidden' when the gateway shows the bot cannot give the role; else None."""
        ...

    async def followup(self, application_id: int, token: str, text: str) -> None:
        """An ephemeral followup to an interaction (its token lasts 15 minutes)."""
        ...

    def event_servers(self) -> tuple[list[int], list[str]]:
        """(ids of the servers where the bot may manage events, names of the others)."""
        ...


class HttpActions:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        with urgent():  # the member is waiting for the answer
            await _call(self.client.http.remove_role(guild_id, user_id, role_id, reason=reason))

    def role_problem(self, guild_id: int, role_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        role = guild.get_role(role_id) if guild else None
        if guild is None or role is None:
            return None  # not known here: Discord will say
        me = guild.me
        if not me.guild_permissions.manage_roles or role >= me.top_role:
            return "forbidden"
        return None

    async def followup(self, application_id: int, token: str, text: str) -> None:
        route = Route(
            "POST", "/webhooks/{application_id}/{token}", application_id=application_id,
            token=token,
        )  # fmt: skip
        body = {"content": text[:2000], "flags": EPHEMERAL, "allowed_mentions": {"parse": []}}
        await _call(self.client.http.request(route, json=body))

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
