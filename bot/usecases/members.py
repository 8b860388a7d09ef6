"""A member's premiere notifications: subscribe, unsubscribe, and what they will get next.

Subscribing only stores and queues: the role and the welcome DM go through the outbox, ahead
of any fan-out, so a burst of subscriptions is answered at once and nothing is lost if the bot
stops in between. What goes wrong later (closed DMs, a role the bot may not give) is told to
the member by a followup to their interaction and in `/notify status`."""

from __future__ import annotations

import logging
from typing import NamedTuple

from bot.clock import Clock
from bot.notify.plan import SUBSCRIBED, WANTED_BY
from bot.outbox import Outbox
from bot.store import Store
from bot.store.records import (
    REMINDERS,
    VIAS,
    Audience,
    Delivery,
    Followup,
    Planned,
    Reminders,
    Subscription,
    Via,
    wants_dm,
    wants_role,
)
from bot.usecases.inputs import Member, ReplyHandle, issued_at
from bot.usecases.ports import ActionFailed, ActionRefused, DiscordActions

__all__ = [
    "REMINDERS",
    "VIAS",
    "Member",
    "MemberStatus",
    "MemberUseCases",
    "Reminders",
    "ReplyHandle",
    "Subscribed",
    "Toggled",
    "Via",
]

log = logging.getLogger(__name__)

ANSWER_FIRST_S = 3.0


class Subscribed(NamedTuple):
    stored: Via | None  # what the member is now subscribed to (None: nothing stored)
    role_problem: str | None  # 'no_role' or 'forbidden', known at once (DMs are tried later)
    has_channel: bool  # the server has an announcement channel for role pings
    reminders: Reminders | None = None  # the reminders choice, when the member made one


class Toggled(NamedTuple):
    stopped: bool  # a subscription was removed
    subscribed: Subscribed | None  # or one was made


class MemberStatus(NamedTuple):
    subscription: Subscription | None
    dm_closed: bool
    next: Planned | None  # the next notification that reaches this member
    expected: str | None = None  # only a year or month is known so far


def reaches(subscription: Subscription, kind: str) -> bool:
    """Role pings follow every channel post; a DM-only member gets the reminders they chose."""
    if wants_role(subscription.via):
        return True
    wanted = WANTED_BY.get(kind)
    return wanted is None or subscription.reminders in wanted


def _combine(role_ok: bool, dm_ok: bool) -> Via | None:
    if role_ok and dm_ok:
        return "both"
    if role_ok:
        return "role"
    return "dm" if dm_ok else None


def _without_role(via: Via) -> Via | None:
    return "dm" if via == "both" else None if via == "role" else via


class MemberUseCases:
    def __init__(self, store: Store, outbox: Outbox, clock: Clock, discord: DiscordActions) -> None:
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.discord = discord

    async def subscribe(
        self, member: Member, via: Via | None, reminders: Reminders | None = None
    ) -> Subscribed:
        """Store the subscription and queue its role and welcome DM. Without a choice: the
        role where the server has one, else DMs; the reminders choice stays as it was (all,
        for a new subscriber)."""
        settings = await self.store.guilds.get(member.guild_id)
        chosen: Via = via or ("role" if settings.role_id else "dm")
        role_problem = None
        if wants_role(chosen):
            role_id = settings.role_id
            role_problem = (
                "no_role"
                if role_id is None
                else self.discord.role_problem(member.guild_id, role_id)
            )
        stored = _combine(wants_role(chosen) and not role_problem, wants_dm(chosen))
        if stored is not None:
            await self._store(member, stored, reminders)
        return Subscribed(stored, role_problem, settings.channel_id is not None, reminders)

    async def _store(self, member: Member, via: Via, reminders: Reminders | None) -> None:
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            await tx.subscriptions.put(
                member.guild_id, member.user_id, via=via, user_name=member.name,
                locale=member.locale, now=now, reminders=reminders,
            )  # fmt: skip
            if wants_dm(via):  # subscribing again says their DMs are open now
                await tx.dm_channels.reopen(member.user_id)
            audience = Audience.member(member.guild_id, member.user_id)
            notification_id = await self.outbox.schedule(
                tx, SUBSCRIBED, {"via": via}, due_at=now, now=now, audience=audience
            )
            if member.reply is not None:
                r = member.reply
                await tx.followups.add(Followup(
                    notification_id, r.application_id, r.token, r.locale, "member",
                    r.expires_at(now),
                ))  # fmt: skip

    async def unsubscribe(self, guild_id: int, user_id: int) -> Via | None:
        """Remove the subscription, what is queued for it, and the role; what it was."""
        async with self.store.transaction() as tx:
            previous = await tx.subscriptions.remove(guild_id, user_id)
            await tx.outbox.cancel_for_member(guild_id, user_id, SUBSCRIBED)
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
        upcoming = await self.store.outbox.upcoming(limit=5)
        reaching = [p for p in upcoming if reaches(subscription, p.kind)]
        closed = dm.closed and wants_dm(subscription.via)
        premiere = await self.store.premiere.current()
        return MemberStatus(
            subscription, closed, reaching[0] if reaching else None, premiere.expected
        )

    async def delivery_failed(self, delivery: Delivery, reason: str) -> None:
        """A new subscriber's role or welcome DM could not be delivered for good (`reason`:
        'dm_closed', 'forbidden' or 'failed'): keep what works, and tell them."""
        if delivery.kind != SUBSCRIBED or delivery.user_id is None:
            return
        guild_id, user_id = delivery.guild_id, delivery.user_id
        key = "notify.later_dm_closed" if reason == "dm_closed" else "notify.later_dm_failed"
        if delivery.target == "role":
            key = "notify.later_role_failed"
            if reason == "forbidden":
                key = "notify.later_role_forbidden"
                await self._drop_role(guild_id, user_id)
        followup = await self.store.followups.get(delivery.notification_id, self.clock.seconds())
        if followup is None:
            return  # the token has expired: /notify status tells them
        # The member hears that they are subscribed first: the command's answer may still be
        # on its way (Discord gives it three seconds).
        await self.clock.sleep_until(issued_at(followup) + ANSWER_FIRST_S)
        try:
            await self.discord.tell(followup, key)
        except (ActionRefused, ActionFailed) as exc:
            log.warning("could not tell user %s about their subscription: %s", user_id, exc)

    async def _drop_role(self, guild_id: int, user_id: int) -> None:
        """The bot may not give the role: a 'both' subscriber keeps DMs, a 'role' one is out."""
        async with self.store.transaction() as tx:
            current = await tx.subscriptions.get(guild_id, user_id)
            if current is None:
                return
            rest = _without_role(current.via)
            if rest is None:
                await tx.subscriptions.remove(guild_id, user_id)
            else:
                await tx.subscriptions.put(
                    guild_id, user_id, via=rest, user_name=current.user_name,
                    locale=current.locale, now=current.since,
                )  # fmt: skip
