"""The Discord side of episode rooms: the use cases' `RoomActions` over discord.py (what the
gateway shows of a server; categories, rooms, roles, overwrites, the pinned rule), and the
outbox kind's change of a member's progress role (one member edit with the whole role list)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.http import Route

from bot.i18n import lang_of
from bot.rest_limit import urgent
from bot.store import Store
from bot.store.records import Delivery, wants_role
from bot.store.rooms import MemberProgress
from bot.ui.interactions import NO_PINGS
from bot.ui.rooms import category_name, role_name, room_name, rule_message
from bot.usecases.ports import GuildView, Overwrite

log = logging.getLogger(__name__)

REASON = "Episode rooms"
ROLE, MEMBER = 0, 1  # overwrite types


def _overwrite_payload(overwrite: Overwrite) -> dict[str, Any]:
    return {
        "id": str(overwrite.target_id),
        "type": ROLE if overwrite.is_role else MEMBER,
        "allow": overwrite.allow,  # integers, as Discord's spec has them in requests
        "deny": overwrite.deny,
    }


class RoomActions:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def view(self, guild_id: int) -> GuildView | None:
        guild = self.client.get_guild(guild_id)
        if guild is None or guild.me is None:
            return None
        me = guild.me
        overwrites: dict[int, dict[int, tuple[int, int]]] = {}
        for channel in guild.channels:
            overwrites[channel.id] = {
                target.id: (pair[0].value, pair[1].value)
                for target, ow in channel.overwrites.items()
                for pair in [ow.pair()]
            }
        managers = tuple(
            role.id
            for role in guild.roles
            if role.permissions.manage_guild and not role.is_default() and not role.managed
        )
        return GuildView(
            guild_id=guild.id,
            bot_id=me.id,
            bot_permissions=me.guild_permissions.value,
            bot_top_position=me.top_role.position,
            channels=frozenset(c.id for c in guild.channels),
            roles={role.id: role.position for role in guild.roles},
            overwrites=overwrites,
            manager_roles=managers,
        )

    async def create_category(self, guild_id: int, locale: str, overwrites: list[Overwrite]) -> int:
        data = await self.client.http.create_channel(
            guild_id,
            discord.ChannelType.category.value,
            name=category_name(lang_of(locale)),
            permission_overwrites=[_overwrite_payload(o) for o in overwrites],
            reason=REASON,
        )
        return int(data["id"])

    async def create_room(
        self, guild_id: int, category_id: int | None, episode: int, overwrites: list[Overwrite]
    ) -> int:
        data = await self.client.http.create_channel(
            guild_id,
            discord.ChannelType.text.value,
            name=room_name(episode),
            parent_id=category_id,
            reason=REASON,
            permission_overwrites=[_overwrite_payload(o) for o in overwrites],
        )
        return int(data["id"])

    async def create_role(self, guild_id: int, episode: int, locale: str) -> int:
        data = await self.client.http.create_role(
            guild_id,
            reason=REASON,
            name=role_name(lang_of(locale), episode),
            permissions=0,
            mentionable=False,
            hoist=False,
        )
        return int(data["id"])

    async def set_overwrite(self, channel_id: int, overwrite: Overwrite) -> None:
        route = Route(
            "PUT", "/channels/{channel_id}/permissions/{target}",
            channel_id=channel_id, target=overwrite.target_id,
        )  # fmt: skip
        body = _overwrite_payload(overwrite)
        del body["id"]
        await self.client.http.request(route, json=body, reason=REASON)

    async def post_rule(
        self, guild_id: int, channel_id: int, episode: int, last: bool, locale: str, pin: bool
    ) -> int:
        params = _rule_params(guild_id, episode, last, locale)
        message = await self.client.http.send_message(channel_id, params=params)
        if pin:
            try:
                await self.client.http.pin_message(channel_id, message["id"], reason=REASON)
            except discord.Forbidden as exc:
                log.warning("could not pin the rule of room %s: %s", channel_id, exc)
        return int(message["id"])

    async def add_button(
        self, guild_id: int, channel_id: int, message_id: int, episode: int, locale: str
    ) -> None:
        params = _rule_params(guild_id, episode, False, locale)
        await self.client.http.edit_message(channel_id, message_id, params=params)


def _rule_params(
    guild_id: int, episode: int, last: bool, locale: str
) -> discord.http.MultipartParameters:
    """A room's rule message, posted or edited: its text and its button, pinging no one."""
    content, view = rule_message(lang_of(locale), guild_id, episode, last)
    return discord.http.handle_message_parameters(
        content, view=view or discord.utils.MISSING, allowed_mentions=NO_PINGS
    )


class ProgressApplier:
    """The outbox kind's change: the member's roles with the progress role of the episode they
    last asked for and no other, in one member edit. It reads the latest wish when it runs (an
    earlier one not yet applied is superseded) and does nothing when Discord already has it."""

    def __init__(self, client: discord.Client, store: Store) -> None:
        self.client = client
        self.store = store

    async def _wanted_roles(self, progress: MemberProgress) -> list[int]:
        rooms = await self.store.rooms.rooms(progress.guild_id)
        progress_roles = {room.role_id for room in rooms.values()}
        roles = [r for r in progress.roles if r not in progress_roles and r != progress.guild_id]
        room = rooms.get(progress.wanted)
        if room is not None and room.role_id is not None:
            roles.append(room.role_id)
        # a notification role given since (through the outbox) must not be taken by this edit
        subscription = await self.store.subscriptions.get(progress.guild_id, progress.user_id)
        notify_role = (await self.store.guilds.get(progress.guild_id)).role_id
        if (
            subscription
            and wants_role(subscription.via)
            and notify_role
            and notify_role not in roles
        ):
            roles.append(notify_role)
        return roles

    async def act(self, delivery: Delivery) -> None:
        assert delivery.user_id is not None
        progress = await self.store.rooms.progress(delivery.guild_id, delivery.user_id)
        if progress is None or progress.applied == progress.wanted:
            return  # applied by an earlier delivery (this one was superseded)
        roles = await self._wanted_roles(progress)
        with urgent():
            await self.client.http.edit_member(
                progress.guild_id, progress.user_id, reason=REASON, roles=[str(r) for r in roles]
            )
        await self.store.rooms.applied(progress.guild_id, progress.user_id, progress.wanted)

    async def acted(self, delivery: Delivery) -> bool:
        """After an attempt whose outcome is unknown: does Discord already have the member at
        their wanted progress? (Asked of the member itself, so nothing is done twice.)"""
        assert delivery.user_id is not None
        progress = await self.store.rooms.progress(delivery.guild_id, delivery.user_id)
        if progress is None or progress.applied == progress.wanted:
            return True
        member = await self.client.http.get_member(progress.guild_id, progress.user_id)
        rooms = await self.store.rooms.rooms(progress.guild_id)
        progress_roles = {room.role_id for room in rooms.values() if room.role_id is not None}
        wanted = rooms.get(progress.wanted)
        held = {int(r) for r in member["roles"]} & progress_roles
        if held != ({wanted.role_id} if wanted is not None and wanted.role_id else set()):
            return False
        await self.store.rooms.applied(progress.guild_id, progress.user_id, progress.wanted)
        return True
