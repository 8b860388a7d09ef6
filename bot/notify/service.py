"""Everything notifications need, wired once per bot; and subscribing, which talks to Discord."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import discord

from bot.clock import Clock
from bot.db.audit import AuditRepo
from bot.db.database import Database
from bot.db.guilds import GuildSettingsRepo
from bot.db.meta import MetaRepo
from bot.notify.dispatcher import Dispatcher
from bot.notify.events import PremiereEvents
from bot.notify.queue import DeliveryQueue, DmChannels
from bot.notify.release import ReleaseService
from bot.notify.sender import DM_CLOSED, DiscordSender
from bot.notify.subscriptions import SubscriptionRepo, Via, wants_dm, wants_role

log = logging.getLogger(__name__)


async def install_id(meta: MetaRepo) -> str:
    """A random id of this database, so nonces never collide with another install's."""
    value = await meta.get("install_id")
    if value is None:
        value = secrets.token_hex(4)
        await meta.set("install_id", value)
    return value


@dataclass(frozen=True, slots=True)
class SubscribeOutcome:
    stored: Via | None  # what the member is now subscribed to (None: nothing stored)
    role_problem: str | None = None  # 'no_role', 'forbidden' or 'failed'
    dm_problem: str | None = None  # 'closed' or 'failed'


def _combine(role_ok: bool, dm_ok: bool) -> Via | None:
    if role_ok and dm_ok:
        return "both"
    if role_ok:
        return "role"
    return "dm" if dm_ok else None


class Notifications:
    def __init__(self, client: discord.Client, db: Database, clock: Clock, install: str) -> None:
        self.client = client
        self.clock = clock
        self.subscriptions = SubscriptionRepo(db)
        self.guild_settings = GuildSettingsRepo(db)
        self.release = ReleaseService(db)
        self.queue = DeliveryQueue(db)
        self.dm_channels = DmChannels(db)
        self.audit = AuditRepo(db)
        self.events = PremiereEvents(client, db)
        self.sender = DiscordSender(client, self.dm_channels, install)
        self.dispatcher = Dispatcher(self.queue, self.dm_channels, self.sender, clock)

    def now(self) -> int:
        return int(self.clock.timestamp())

    async def subscribe(
        self, guild_id: int, user_id: int, *, user_name: str, locale: str, via: Via,
        welcome: str,
    ) -> SubscribeOutcome:  # fmt: skip
        """Give the role and/or check DMs work with a welcome DM; store what worked."""
        settings = await self.guild_settings.get(guild_id)
        role_problem = dm_problem = None
        if wants_role(via):
            role_problem = await self._give_role(guild_id, user_id, settings.role_id)
        if wants_dm(via):
            dm_problem = await self._welcome_dm(user_id, welcome)
        stored = _combine(wants_role(via) and not role_problem, wants_dm(via) and not dm_problem)
        if stored is not None:
            await self.subscriptions.subscribe(
                guild_id, user_id, via=stored, user_name=user_name, locale=locale, now=self.now()
            )
        return SubscribeOutcome(stored, role_problem, dm_problem)

    async def unsubscribe(self, guild_id: int, user_id: int) -> Via | None:
        previous = await self.subscriptions.unsubscribe(guild_id, user_id)
        if previous is None:
            return None
        settings = await self.guild_settings.get(guild_id)
        if wants_role(previous.via) and settings.role_id:
            try:
                await self.client.http.remove_role(
                    guild_id, user_id, settings.role_id, reason="Unsubscribed from notifications"
                )
            except discord.HTTPException as exc:
                log.warning("could not remove the notification role from %s: %s", user_id, exc)
        return previous.via

    async def _give_role(self, guild_id: int, user_id: int, role_id: int | None) -> str | None:
        if role_id is None:
            return "no_role"
        try:
            await self.client.http.add_role(
                guild_id, user_id, role_id, reason="Subscribed to premiere notifications"
            )
        except discord.Forbidden:
            return "forbidden"
        except discord.HTTPException as exc:
            log.warning("could not give the notification role to %s: %s", user_id, exc)
            return "failed"
        return None

    async def _welcome_dm(self, user_id: int, text: str) -> str | None:
        try:
            channel_id = await self.sender.dm_channel(user_id)
            channel = self.client.get_partial_messageable(channel_id)
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            if exc.code == DM_CLOSED:
                return "closed"
            log.warning("welcome DM to %s failed: %s", user_id, exc)
            return "failed"
        return None
