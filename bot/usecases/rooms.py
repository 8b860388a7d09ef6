"""Episode rooms: one text room per season 2 episode in each server that wants them, room k
open to a member once they say they have watched episode k, by Discord's own permissions.

The design: one progress role per episode; room k's overwrites deny View Channel to
@everyone and allow it to the progress roles of episode k and later, to the moderators and to
the bot. A member holds one progress role at a time; `/watched` stores the progress they want
and queues a change, which the outbox applies (one member edit with the whole role list), so
it is made even if the bot dies right after answering, and a later `/watched` supersedes an
earlier one not yet applied: the change reads the latest wish when it runs.

Making the rooms is a reconciliation: what the server should have, against what the gateway
shows it has; only what is missing is made (a room or role deleted by hand), nothing existing
is touched."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from bot.clock import Clock
from bot.errors import InputError
from bot.outbox import Outbox
from bot.store import Store, Tx
from bot.store.records import Audience
from bot.store.rooms import Room
from bot.usecases.ports import Announce, GuildView, Overwrite, RoomActions

log = logging.getLogger(__name__)

PROGRESS = "episode_progress"  # the outbox kind that gives a member their progress role
ROOMS_OPEN = "rooms_open"  # the outbox kind, with the premiere post: the rooms are open
ROOMS = "episode-rooms"  # the wake topic: the count grew, rooms were turned on
MAX_EPISODES = 50  # also Discord's limit of channels in a category

# Discord's permission bits (https://discord.com/developers/docs/topics/permissions)
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
MANAGE_ROLES = 1 << 28
PIN_MESSAGES = 1 << 51
# What the bot gives itself in its rooms (only what it has: Discord refuses more)
BOT_IN_ROOMS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | PIN_MESSAGES
MODS_IN_ROOMS = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY


class Made(NamedTuple):
    """What one run of the set-up made (all zero: everything was there)."""

    rooms: int = 0
    roles: int = 0
    overwrites: int = 0
    category: bool = False
    problems: tuple[str, ...] = ()  # what the bot lacks: nothing was made
    unpinned: bool = False  # rules posted but not pinned (no Pin Messages)
    episodes: int | None = None  # the episode count (None: not set yet)
    not_here: bool = False  # the server is not on this process's shards


class Watched(NamedTuple):
    episode: int
    rooms: tuple[int, ...]  # channel ids of the rooms now open to the member, by episode


def room_overwrites(
    view: GuildView, episode: int, count: int, roles: dict[int, int], mod_role: int | None
) -> list[Overwrite]:
    """Room `episode`: hidden from @everyone, open to the progress roles of it and later, the
    moderators and the bot (which gives itself only what it has)."""
    mods = {*view.manager_roles, *([mod_role] if mod_role in view.roles else [])}
    out = [
        Overwrite(view.guild_id, True, 0, VIEW_CHANNEL),
        Overwrite(view.bot_id, False, BOT_IN_ROOMS & view.bot_permissions),
        *(Overwrite(r, True, MODS_IN_ROOMS & view.bot_permissions) for r in sorted(mods)),
    ]
    out += [
        Overwrite(roles[k], True, VIEW_CHANNEL) for k in range(episode, count + 1) if k in roles
    ]
    return out


def category_overwrites(view: GuildView, mod_role: int | None) -> list[Overwrite]:
    return room_overwrites(view, 1, 0, {}, mod_role)


def missing_rights(view: GuildView, rooms: Iterable[Room]) -> tuple[str, ...]:
    """What the bot lacks to keep the rooms: permissions, or a place above the progress roles."""
    if view.bot_permissions & ADMINISTRATOR:
        return ()
    problems = [
        name
        for name, bit in (("manage_channels", MANAGE_CHANNELS), ("manage_roles", MANAGE_ROLES))
        if not view.bot_permissions & bit
    ]
    if any(
        room.role_id in view.roles and view.roles[room.role_id] >= view.bot_top_position
        for room in rooms
    ):
        problems.append("role_above")
    return tuple(problems)


class RoomUseCases:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        clock: Clock,
        discord: RoomActions,
        announce: Announce,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.discord = discord
        self.announce = announce
        self._locks: dict[int, asyncio.Lock] = {}

    # --- the count (show-wide) -------------------------------------------------------------

    async def set_count(self, count: int, user_id: int) -> tuple[int | None, int]:
        """Store season 2's episode count; (the one before, the new one). Once any server has
        rooms it may only grow, and growing it adds rooms everywhere."""
        if not 1 <= count <= MAX_EPISODES:
            raise InputError("episodes.bad_count", count=str(count))
        previous = await self.store.rooms.episode_count()
        if previous is not None and count < previous and await self.store.rooms.any_rooms():
            raise InputError("episodes.only_grow", count=str(count), previous=str(previous))
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            before = await tx.rooms.set_episode_count(count, user_id, now)
            await tx.audit.record(
                guild_id=None,
                user_id=user_id,
                action="episode_count",
                old=None if before is None else str(before),
                new=str(count),
                now=now,
            )
        self.announce(ROOMS)
        return before, count

    # --- a server's rooms ------------------------------------------------------------------

    async def turn_on(self, guild_id: int, locale: str, user_id: int) -> Made:
        """Check the bot's rights (refusing with what is missing, making nothing), turn rooms
        on and make what is missing."""
        view = self.discord.view(guild_id)
        if view is not None:
            problems = missing_rights(view, (await self.store.rooms.rooms(guild_id)).values())
            if problems:
                return Made(problems=problems, episodes=await self.store.rooms.episode_count())
        await self._switch(guild_id, True, locale, user_id)
        return await self.keep(guild_id)

    async def turn_off(self, guild_id: int, locale: str, user_id: int) -> None:
        """The rooms stay as they are; /watched stops there."""
        await self._switch(guild_id, False, locale, user_id)

    async def _switch(self, guild_id: int, on: bool, locale: str, user_id: int) -> None:
        """Rooms on or off for the server; a change goes to the audit log."""
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            was = await tx.rooms.set_enabled(guild_id, on, locale, now)
            if was != on:
                words = {True: "on", False: "off"}
                await tx.audit.record(guild_id=guild_id, user_id=user_id, action="episode_rooms",
                                      old=words[was], new=words[on], now=now)  # fmt: skip

    async def keep_all(self, guild_ids: Iterable[int]) -> None:
        """Every server of this process with rooms on: make what is missing."""
        enabled = set(await self.store.rooms.enabled_servers())
        for guild_id in guild_ids:
            if guild_id in enabled:
                made = await self.keep(guild_id)
                if made.problems:
                    log.warning(
                        "episode rooms of server %s: the bot lacks %s",
                        guild_id,
                        ", ".join(made.problems),
                    )

    async def lost(
        self, guild_id: int, *, channel_id: int | None = None, role_id: int | None = None
    ) -> Made | None:
        """A channel or a role of the server was deleted. One of its rooms' (rooms on): made
        again at once, its members given the new role back; None: not one of ours."""
        server = await self.store.rooms.server(guild_id)
        if not server.enabled:
            return None
        rooms = (await self.store.rooms.rooms(guild_id)).values()
        ours = {server.category_id, *(r.channel_id for r in rooms), *(r.role_id for r in rooms)}
        ours.discard(None)  # what is not made yet
        if channel_id not in ours and role_id not in ours:
            return None
        return await self.keep(guild_id)

    async def keep(self, guild_id: int) -> Made:
        """Make what is missing of the server's rooms, roles and overwrites; one at a time
        per server in this process (the one holding the server's shard)."""
        lock = self._locks.setdefault(guild_id, asyncio.Lock())
        async with lock:
            return await self._keep(guild_id)

    async def _keep(self, guild_id: int) -> Made:
        rooms_store = self.store.rooms
        count = await rooms_store.episode_count()
        server = await rooms_store.server(guild_id)
        if not server.enabled or count is None:
            return Made(episodes=count)
        view = self.discord.view(guild_id)
        if view is None:
            return Made(episodes=count, not_here=True)
        rooms = await rooms_store.rooms(guild_id)
        problems = missing_rights(view, rooms.values())
        if problems:
            return Made(problems=problems, episodes=count)
        mod_role = (await self.store.guilds.get(guild_id)).mod_role_id
        locale = server.locale
        made_roles, remade = 0, []
        roles: dict[int, int] = {}
        for episode in range(1, count + 1):
            room = rooms.get(episode) or Room(guild_id, episode, None, None, None, False)
            if room.role_id is None or room.role_id not in view.roles:
                if room.role_id is not None:
                    remade.append(episode)
                role_id = await self.discord.create_role(guild_id, episode, locale)
                room = Room(
                    guild_id, episode, room.channel_id, role_id, room.message_id, room.has_button
                )
                await rooms_store.put_room(room)
                made_roles += 1
            rooms[episode] = room
            roles[episode] = int(room.role_id)  # type: ignore[arg-type]
        category = server.category_id
        made_category = category is None or category not in view.channels
        if made_category:
            category = await self.discord.create_category(
                guild_id, locale, category_overwrites(view, mod_role)
            )
            await rooms_store.set_category(guild_id, category)
        pin = bool(view.bot_permissions & (PIN_MESSAGES | MANAGE_MESSAGES | ADMINISTRATOR))
        made_rooms = overwrites = 0
        for episode in range(1, count + 1):
            room = rooms[episode]
            wanted = room_overwrites(view, episode, count, roles, mod_role)
            last = episode == count
            if room.channel_id is None or room.channel_id not in view.channels:
                channel = await self.discord.create_room(guild_id, category, episode, wanted)
                message = await self.discord.post_rule(
                    guild_id, channel, episode, last, locale, pin
                )
                room = Room(guild_id, episode, channel, room.role_id, message, not last)
                await rooms_store.put_room(room)
                made_rooms += 1
                continue
            present = view.overwrites.get(room.channel_id, {})
            for overwrite in wanted:
                if overwrite.target_id not in present:  # what exists is left as it is
                    await self.discord.set_overwrite(room.channel_id, overwrite)
                    overwrites += 1
            if not last and not room.has_button and room.message_id is not None:
                await self.discord.add_button(
                    guild_id, room.channel_id, room.message_id, episode, locale
                )
                await rooms_store.put_room(
                    Room(guild_id, episode, room.channel_id, room.role_id, room.message_id, True)
                )
        if remade:
            await self._give_back(guild_id, remade)
        if made_rooms or made_roles or overwrites or made_category:
            log.info(
                "episode rooms of server %s: made %d rooms, %d roles, %d overwrites%s",
                guild_id, made_rooms, made_roles, overwrites,
                " and the category" if made_category else "",
            )  # fmt: skip
        return Made(made_rooms, made_roles, overwrites, made_category, (), not pin, count)

    async def _give_back(self, guild_id: int, episodes: Sequence[int]) -> None:
        """A progress role was remade: its members get the new one, through the outbox."""
        now = self.clock.seconds()
        for episode in episodes:
            members = await self.store.rooms.members_at(guild_id, episode)
            async with self.store.transaction() as tx:
                await tx.rooms.forget_applied(guild_id, members)
                for user_id in members:
                    await self._queue_change(tx, guild_id, user_id, episode, now)

    async def _queue_change(
        self, tx: Tx, guild_id: int, user_id: int, episode: int, now: int
    ) -> None:
        """The member's role change, through the outbox (applied once, even after a kill)."""
        audience = Audience.member(guild_id, user_id)
        await self.outbox.schedule(tx, PROGRESS, {"episode": episode}, due_at=now, now=now,
                                   audience=audience)  # fmt: skip

    # --- a member's progress ---------------------------------------------------------------

    async def watched(
        self, guild_id: int, user_id: int, episode: int, role_ids: Sequence[int]
    ) -> Watched:
        """The member has watched up to `episode` (0: close every room): stored, and the change
        queued. Refused, changing nothing, before the premiere, without a count, with rooms
        off (or not made yet) and out of range."""
        premiere = await self.store.premiere.current()
        now = self.clock.seconds()
        if premiere.starts_at is None or premiere.starts_at > now:
            raise InputError("watched.before_premiere")
        count = await self.store.rooms.episode_count()
        if count is None:
            raise InputError("watched.no_count")
        if not (await self.store.rooms.server(guild_id)).enabled:
            raise InputError("watched.rooms_off")
        if not 0 <= episode <= count:
            raise InputError("watched.out_of_range", episode=str(episode), count=str(count))
        rooms = await self.store.rooms.rooms(guild_id)
        if any(rooms.get(k) is None or rooms[k].role_id is None for k in range(1, count + 1)):
            raise InputError("watched.rooms_off")
        async with self.store.transaction() as tx:
            await tx.rooms.want(guild_id, user_id, episode, role_ids, now)
            await self._queue_change(tx, guild_id, user_id, episode, now)
        channels = tuple(
            int(rooms[k].channel_id)  # type: ignore[arg-type]
            for k in range(1, episode + 1)
            if rooms[k].channel_id is not None
        )
        return Watched(episode, channels)


async def episode_counts(store: Store, guild_id: int) -> dict[int, int] | None:
    """/admin status: how many members are at each episode; None when the server never had
    rooms."""
    server = await store.rooms.server(guild_id)
    if not server.enabled and not await store.rooms.rooms(guild_id):
        return None
    return await store.rooms.counts(guild_id)
