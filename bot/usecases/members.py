"""A member's premiere notifications: subscribe, unsubscribe, and what they will get next."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.discord_actions import ActionFailed, ActionRefused, DiscordActions
from bot.i18n import lang_of, t
from bot.store import Store
from bot.store.records import VIAS, Planned, Subscription, Via, wants_dm, wants_role

__all__ = ["VIAS", "Member", "MemberStatus", "MemberUseCases", "Subscribed", "Toggled", "Via"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Subscribed:
    stored: Via | None  # what the member is now subscribed to (None: nothing stored)
    role_problem: str | None  # 'no_role', 'forbidden' or 'failed'
    dm_problem: str | None  # 'closed' or 'failed'
    has_channel: bool  # the server has an announcement channel for role pings


@dataclass(frozen=True, slots=True)
class Toggled:
    stopped: bool  # a subscription was removed
    subscribed: Subscribed | None  # or one was made


@dataclass(frozen=True, slots=True)
class MemberStatus:
    subscription: Subscription | None
    dm_closed: bool
    next: Planned | None


@dataclass(frozen=True, slots=True)
class Member:
    """Who is asking, as plain values."""

    guild_id: int
    user_id: int
    name: str
    locale: str


def _combine(role_ok: bool, dm_ok: bool) -> Via | None:
    if role_ok and dm_ok:
        return "both"
    if role_ok:
        return "role"
    return "dm" if dm_ok else None


class MemberUseCases:
    def __init__(self, store: Store, clock: Clock, discord: DiscordActions) -> None:
        self.store = store
        self.clock = clock
        self.discord = discord

    async def subscribe(self, member: Member, via: Via | None) -> Subscribed:
        """Give the role and/or check DMs work with a welcome DM; store what worked. Without a
        choice: the role where the server has one, else DMs."""
        settings = await self.store.guilds.get(member.guild_id)
        chosen: Via = via or ("role" if settings.role_id else "dm")
        role_problem = dm_problem = None
        if wants_role(chosen):
            role_problem = await self._give_role(member, settings.role_id)
        if wants_dm(chosen):
            dm_problem = await self._welcome_dm(member)
        stored = _combine(
            wants_role(chosen) and not role_problem, wants_dm(chosen) and not dm_problem
        )
        if stored is not None:
            async with self.store.transaction() as tx:
                await tx.subscriptions.put(
                    member.guild_id, member.user_id, via=stored, user_name=member.name,
                    locale=member.locale, now=int(self.clock.timestamp()),
                )  # fmt: skip
                if wants_dm(stored):  # subscribing again says their DMs are open now
                    await tx.dm_channels.reopen(member.user_id)
        return Subscribed(stored, role_problem, dm_problem, settings.channel_id is not None)

    async def unsubscribe(self, guild_id: int, user_id: int) -> Via | None:
        """Remove the subscription and the role; what it was (None: there was none)."""
        previous = await self.store.subscriptions.remove(guild_id, user_id)
        if previous is None:
            return None
        settings = await self.store.guilds.get(guild_id)
        if wants_role(previous.via) and settings.role_id:
            try:
                await self.discord.remove_role(
                    guild_id, user_id, settings.role_id, "Unsubscribed from notifications"
                )
            except (ActionRefused, ActionFailed) as exc:
                log.warning("could not remove the notification role from %s: %s", user_id, exc)
        return previous.via

    async def toggle(self, member: Member, *, only_off: bool) -> Toggled:
        """The buttons on announcements: unsubscribe if subscribed, else subscribe (unless the
        button only stops)."""
        if await self.unsubscribe(member.guild_id, member.user_id):
            return Toggled(stopped=True, subscribed=None)
        if only_off:
            return Toggled(stopped=False, subscribed=None)
        return Toggled(stopped=False, subscribed=await self.subscribe(member, None))

    async def status(self, guild_id: int, user_id: int) -> MemberStatus:
        subscription = await self.store.subscriptions.get(guild_id, user_id)
        if subscription is None:
            return MemberStatus(None, dm_closed=False, next=None)
        dm = await self.store.dm_channels.get(user_id)
        upcoming = await self.store.outbox.upcoming(limit=1)
        closed = dm.closed and wants_dm(subscription.via)
        return MemberStatus(subscription, closed, upcoming[0] if upcoming else None)

    async def _give_role(self, member: Member, role_id: int | None) -> str | None:
        if role_id is None:
            return "no_role"
        try:
            await self.discord.add_role(
                member.guild_id, member.user_id, role_id, "Subscribed to premiere notifications"
            )
        except ActionRefused:
            return "forbidden"
        except ActionFailed as exc:
            log.warning("could not give the notification role to %s: %s", member.user_id, exc)
            return "failed"
        return None

    async def _welcome_dm(self, member: Member) -> str | None:
        try:
            await self.discord.send_dm(member.user_id, t(lang_of(member.locale), "notify.welcome"))
        except ActionRefused as exc:
            if exc.reason == "dm_closed":
                return "closed"
            log.warning("welcome DM to %s refused: %s", member.user_id, exc)
            return "failed"
        except ActionFailed as exc:
            log.warning("welcome DM to %s failed: %s", member.user_id, exc)
            return "failed"
        return None
