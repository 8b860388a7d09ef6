"""The fake's world: snowflakes, permissions, users/members, roles, channels, guilds.

Payload builders return Discord v10 shapes (ids as strings).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_increment = itertools.count(1)

# Permission bits (https://discord.com/developers/docs/topics/permissions)
ADD_REACTIONS = 1 << 6
ADMINISTRATOR = 1 << 3
KICK_MEMBERS = 1 << 1
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
MODERATE_MEMBERS = 1 << 40
CREATE_EVENTS = 1 << 44
PIN_MESSAGES = 1 << 51
ALL_PERMISSIONS = (1 << 52) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | USE_APPLICATION_COMMANDS
)
BOT_ROLE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | MANAGE_CHANNELS
    | MANAGE_ROLES
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
    | PIN_MESSAGES
)

TEXT_CHANNEL, DM_CHANNEL, VOICE_CHANNEL, CATEGORY_CHANNEL = 0, 1, 2, 4
ROLE_OVERWRITE, MEMBER_OVERWRITE = 0, 1


def new_id() -> int:
    """A unique, time-ordered Discord snowflake."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (1 << 17) | (next(_increment) % 4096)


def new_id_on_shard(shard_id: int, num_shards: int) -> int:
    """A unique snowflake whose guild would live on ``shard_id`` of ``num_shards``
    (``(id >> 22) % num_shards == shard_id``): its timestamp is moved back by less than
    ``num_shards`` milliseconds."""
    assert 0 <= shard_id < num_shards, f"shard {shard_id} of {num_shards}"
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    ms -= (ms - shard_id) % num_shards
    return (ms << 22) | (1 << 17) | (next(_increment) % 4096)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(eq=False)
class FakeMember:
    """A user, and (when ``guild_id`` is set) their membership of that guild."""

    id: int
    name: str
    permissions: int = 0
    roles: list[int] = field(default_factory=list)
    locale: str = "en-US"
    dm_closed: bool = False
    guild_id: int | None = None
    bot: bool = False
    joined_at: str = field(default_factory=iso_now)
    guild: FakeGuild | None = field(default=None, repr=False)

    def user_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None if self.bot else self.name,
            "discriminator": "0001" if self.bot else "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def member_payload(self, *, with_user: bool = True) -> dict[str, Any]:
        roles = list(self.roles)
        if self.guild is not None:  # Discord has no per-member permissions: use a role
            roles += self.guild.permission_role_ids(self)
        data: dict[str, Any] = {
            "roles": [str(r) for r in roles],
            "nick": None,
            "avatar": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user_payload()
        return data


class FakeRole(int):
    """A role; it *is* its id (an ``int``), with the role's details as attributes."""

    name: str
    permissions: int
    position: int
    mentionable: bool
    managed: bool
    bot_id: int | None

    def __new__(
        cls,
        role_id: int,
        name: str,
        *,
        permissions: int = 0,
        position: int = 0,
        mentionable: bool = False,
        bot_id: int | None = None,
    ) -> FakeRole:
        role = super().__new__(cls, role_id)
        role.name, role.permissions, role.position = name, permissions, position
        role.mentionable, role.bot_id = mentionable, bot_id
        role.managed = bot_id is not None
        return role

    @property
    def id(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        return f"<FakeRole {self.name!r} id={int(self)}>"

    def __str__(self) -> str:  # f"<@&{role}>" must give the id, not the repr
        return str(int(self))

    def __copy__(self) -> FakeRole:
        return self  # roles are shared, mutable state of their guild

    def __deepcopy__(self, memo: dict[int, Any]) -> FakeRole:
        return self

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(int(self)),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class FakeChannel:
    id: int
    name: str
    type: int
    guild_id: int | None
    position: int = 0
    recipient: FakeMember | None = None  # DM channels
    # permission overwrites: role or member id -> (type, allow, deny)
    overwrites: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    parent_id: int | None = None  # the category it is in
    pins: list[int] = field(default_factory=list)  # pinned message ids, newest first

    def rename(self, name: str) -> None:
        """As Discord stores it: a text channel's name is lowercase, with dashes for spaces."""
        if self.type == TEXT_CHANNEL:
            name = re.sub(r"-{2,}", "-", re.sub(r"\s+", "-", name.strip().lower()))
        self.name = name

    def overwrite_payloads(self) -> list[dict[str, Any]]:
        return [
            {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}
            for target, (kind, allow, deny) in self.overwrites.items()
        ]

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "last_message_id": None}
        if self.type == DM_CHANNEL:
            assert self.recipient is not None
            data.update(recipients=[self.recipient.user_payload()], flags=0)
            return data
        data.update(
            guild_id=str(self.guild_id),
            name=self.name,
            position=self.position,
            permission_overwrites=self.overwrite_payloads(),
            parent_id=None if self.parent_id is None else str(self.parent_id),
            nsfw=False,
            flags=0,
        )
        if self.type == CATEGORY_CHANNEL:
            del data["last_message_id"]
            return data
        data["rate_limit_per_user"] = 0
        if self.type == VOICE_CHANNEL:
            data.update(bitrate=64000, user_limit=0, rtc_region=None, video_quality_mode=1)
        else:
            data["topic"] = None
        return data


GuildListener = Callable[[str, dict[str, Any], int], None]  # (event, data, intent bit)


class FakeGuild:
    """A populated guild. Role attributes are :class:`FakeRole` (ints = role ids)."""

    def __init__(self, name: str, *, bot_user: FakeMember, guild_id: int | None = None) -> None:
        self.id = guild_id or new_id()
        self.name = name
        self.preferred_locale = "en-US"
        self._listener: GuildListener | None = None
        self._bot_can_manage_roles = True
        self._bot_can_manage_events = True
        self.roles: dict[int, FakeRole] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.members: dict[int, FakeMember] = {}
        self._permission_roles: dict[int, FakeRole] = {}

        self.everyone_role = self._add_role("@everyone", EVERYONE_PERMISSIONS, role_id=self.id)
        self.notify_role = self._add_role("Premiere Alerts", 0, mentionable=True)
        self.mod_role = self._add_role("Mods", MANAGE_MESSAGES | MODERATE_MEMBERS | KICK_MEMBERS)
        self.bot_role = self._add_role(bot_user.name, BOT_ROLE_PERMISSIONS, bot_id=bot_user.id)
        self.other_role = self._add_role("VIP", 0)

        self.general_channel_id = self._add_channel("general", TEXT_CHANNEL)
        self.announce_channel_id = self._add_channel("announcements", TEXT_CHANNEL)
        self.voice_channel_id = self._add_channel("Watch Party", VOICE_CHANNEL)

        self.bot_member = self._join(FakeMember(bot_user.id, bot_user.name, bot=True))
        self.bot_member.roles.append(int(self.bot_role))
        self.owner = self.add_member("owner")
        self.owner_id = self.owner.id
        self.admin = self.add_member("admin", permissions=MANAGE_GUILD)
        self.mod = self.add_member("mod", roles=[self.mod_role])
        self.fan = self.add_member("fan")

    def __repr__(self) -> str:
        return f"<FakeGuild {self.name!r} id={self.id}>"

    # -- building --
    def _add_role(
        self,
        name: str,
        permissions: int,
        *,
        role_id: int | None = None,
        mentionable: bool = False,
        bot_id: int | None = None,
        position: int | None = None,
    ) -> FakeRole:
        role = FakeRole(
            role_id or new_id(),
            name,
            permissions=permissions,
            position=len(self.roles) if position is None else position,
            mentionable=mentionable,
            bot_id=bot_id,
        )
        self.roles[role.id] = role
        return role

    def _add_channel(self, name: str, kind: int) -> int:
        channel = FakeChannel(new_id(), name, kind, self.id, position=len(self.channels))
        self.channels[channel.id] = channel
        return channel.id

    def _join(self, member: FakeMember) -> FakeMember:
        member.guild_id, member.guild = self.id, self
        self.members[member.id] = member
        self.permission_role_ids(member)
        return member

    def permission_role_ids(self, member: FakeMember) -> list[int]:
        """A hidden role carrying ``member.permissions`` (Discord grants permissions only
        through roles), created/updated on demand so discord.py computes the same
        ``guild_permissions`` as the interaction's ``permissions``."""
        if not member.permissions:
            return []
        role = self._permission_roles.get(member.id)
        if role is None:
            role = self._add_role(f"{member.name} permissions", member.permissions, position=1)
            self._permission_roles[member.id] = role
            self._emit("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.payload()}, 0)
        elif role.permissions != member.permissions:
            role.permissions = member.permissions
            self._emit("GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": role.payload()}, 0)
        return [role.id]

    def add_member(
        self,
        name: str,
        *,
        permissions: int = 0,
        roles: Sequence[int] = (),
        dm_closed: bool = False,
    ) -> FakeMember:
        for role in roles:
            assert role in self.roles, f"add_member({name!r}): role {role} is not in {self}"
        member = self._join(
            FakeMember(new_id(), name, permissions, [int(r) for r in roles], dm_closed=dm_closed)
        )
        self._emit("GUILD_MEMBER_ADD", {**member.member_payload(), "guild_id": str(self.id)}, 1)
        return member

    # -- fault switches --
    @property
    def bot_can_manage_roles(self) -> bool:
        return self._bot_can_manage_roles

    @bot_can_manage_roles.setter
    def bot_can_manage_roles(self, value: bool) -> None:
        self._bot_can_manage_roles = value
        self._set_bot_permission(MANAGE_ROLES, value)

    @property
    def bot_can_manage_events(self) -> bool:
        return self._bot_can_manage_events

    @bot_can_manage_events.setter
    def bot_can_manage_events(self, value: bool) -> None:
        self._bot_can_manage_events = value
        self._set_bot_permission(MANAGE_EVENTS | CREATE_EVENTS, value)

    def _set_bot_permission(self, bits: int, allowed: bool) -> None:
        role = self.bot_role
        role.permissions = role.permissions | bits if allowed else role.permissions & ~bits
        self._emit("GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": role.payload()}, 0)

    def set_overwrite(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """A channel permission overwrite for a role or a member, as a moderator sets it."""
        channel = self.channels[channel_id]
        kind = ROLE_OVERWRITE if target_id in self.roles else MEMBER_OVERWRITE
        channel.overwrites[target_id] = (kind, allow, deny)
        self.channel_updated(channel)

    def channel_updated(self, channel: FakeChannel) -> None:
        self._emit("CHANNEL_UPDATE", channel.payload(), 0)

    def create_role(
        self, name: str, permissions: int = 0, *, mentionable: bool = False
    ) -> FakeRole:
        """A new role, as Discord makes one: at the bottom (position 1, above @everyone), the
        roles from there up moving one place higher."""
        moved = [r for r in self.roles.values() if r.id != self.id and r.position >= 1]
        for role in moved:
            role.position += 1
        role = self._add_role(name, permissions, mentionable=mentionable, position=1)
        self._emit("GUILD_ROLE_CREATE", {"guild_id": str(self.id), "role": role.payload()}, 0)
        for other in moved:
            self._emit("GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": other.payload()}, 0)
        return role

    def delete_role(self, role_id: int) -> None:
        """A moderator deletes a role: members lose it, and so do channels' overwrites."""
        role = self.roles.pop(role_id)
        for member in self.members.values():
            if role_id in member.roles:
                member.roles.remove(role_id)
        for channel in self.channels.values():
            if channel.overwrites.pop(role_id, None) is not None:
                self.channel_updated(channel)
        data = {"guild_id": str(self.id), "role_id": str(role.id)}
        self._emit("GUILD_ROLE_DELETE", data, 0)

    def move_role(self, role_id: int, position: int) -> None:
        """A moderator drags a role to `position` in Server Settings → Roles."""
        ordered = sorted(
            (r for r in self.roles.values() if r.id not in (self.id, role_id)),
            key=lambda r: (r.position, r.id),
        )
        ordered.insert(max(0, position - 1), self.roles[role_id])
        for index, role in enumerate(ordered, start=1):
            if role.position != index or role.id == role_id:
                role.position = index
                self._emit(
                    "GUILD_ROLE_UPDATE", {"guild_id": str(self.id), "role": role.payload()}, 0
                )

    def add_channel(
        self,
        name: str,
        kind: int = TEXT_CHANNEL,
        *,
        parent_id: int | None = None,
        overwrites: dict[int, tuple[int, int, int]] | None = None,
    ) -> FakeChannel:
        """A new channel (CHANNEL_CREATE follows). Under a category and without overwrites of
        its own, it takes the category's, as Discord does."""
        channel = FakeChannel(new_id(), name, kind, self.id, position=len(self.channels))
        channel.rename(name)
        channel.parent_id = parent_id
        if overwrites is None and parent_id is not None:
            overwrites = dict(self.channels[parent_id].overwrites)
        channel.overwrites = dict(overwrites or {})
        self.channels[channel.id] = channel
        self._emit("CHANNEL_CREATE", channel.payload(), 0)
        return channel

    def delete_channel(self, channel_id: int) -> FakeChannel:
        """The channel is gone (CHANNEL_DELETE follows); a category's channels stay, outside it."""
        channel = self.channels.pop(channel_id)
        self._emit("CHANNEL_DELETE", channel.payload(), 0)
        for child in self.channels.values():
            if child.parent_id == channel_id:
                child.parent_id = None
                self.channel_updated(child)
        return channel

    def can_see(self, member: FakeMember, channel_id: int) -> bool:
        """Whether Discord shows `member` the channel (View Channel there)."""
        return bool(self.channel_permissions(member, self.channels[channel_id]) & VIEW_CHANNEL)

    def _emit(self, event: str, data: dict[str, Any], intent_bit: int) -> None:
        if self._listener is not None:
            self._listener(event, data, intent_bit)

    # -- queries --
    def permissions_of(self, member: FakeMember) -> int:
        """Guild-level permissions: member bits | @everyone | roles; owner/admin = all."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = member.permissions | self.roles[self.id].permissions
        for role_id in member.roles:
            if role_id in self.roles:
                perms |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms

    def channel_permissions(self, member: FakeMember, channel: FakeChannel) -> int:
        """Discord's order: guild permissions, then the @everyone overwrite, the member's
        roles' overwrites together, and the member's own overwrite."""
        perms = self.permissions_of(member)
        if perms == ALL_PERMISSIONS:
            return perms  # the owner and administrators bypass overwrites
        roles = {*member.roles, *self.permission_role_ids(member)}
        layers = [
            [channel.overwrites.get(self.id)],
            [o for target, o in channel.overwrites.items() if target in roles],
            [channel.overwrites.get(member.id)],
        ]
        for layer in layers:
            found = [o for o in layer if o is not None]
            allow = deny = 0
            for _kind, a, d in found:
                allow, deny = allow | a, deny | d
            perms = (perms & ~deny) | allow
        return perms

    def top_role_position(self, member: FakeMember) -> int:
        return max((self.roles[r].position for r in member.roles if r in self.roles), default=0)

    def find_member(self, name: str) -> FakeMember:
        for member in self.members.values():
            if member.name == name:
                return member
        raise KeyError(f"no member named {name!r} in {self}")

    # -- payloads --
    def payload(self) -> dict[str, Any]:
        """The REST guild object."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": str(self.general_channel_id),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "max_members": 500000,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "widget_enabled": False,
            "application_id": None,
        }

    def create_payload(self, scheduled_events: list[dict[str, Any]]) -> dict[str, Any]:
        """GUILD_CREATE: the guild plus channels, the bot's own member, counts."""
        return {
            **self.payload(),
            "joined_at": self.bot_member.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "channels": [
                {k: v for k, v in c.payload().items() if k != "guild_id"}
                for c in self.channels.values()
            ],
            "threads": [],
            "members": [self.bot_member.member_payload()],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": scheduled_events,
            "soundboard_sounds": [],
        }
