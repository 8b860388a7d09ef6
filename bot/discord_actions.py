"""What use cases may ask of Discord (`bot.usecases.ports.DiscordActions`), done over
discord.py: a role, a followup to an interaction, what the gateway says of its servers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

import discord
from discord.http import Route

from bot.i18n import lang_of, t
from bot.outbox.sender import DM_CLOSED
from bot.rest_limit import urgent
from bot.store.records import Followup
from bot.usecases.ports import ActionFailed, ActionRefused

log = logging.getLogger(__name__)

EPHEMERAL = 64  # message flag: only the member sees it


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

    async def tell(self, followup: Followup, key: str) -> None:
        route = Route(
            "POST", "/webhooks/{application_id}/{token}",
            application_id=followup.application_id, token=followup.token,
        )  # fmt: skip
        text = t(lang_of(followup.locale), key)
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
