"""REST: what a bot with Manage Channels and Manage Roles does in a guild: channels and
categories, their permission overwrites, roles, a member's whole role list, and pins.

Discord's rules are kept where they matter: each call needs its permission (50013 otherwise),
a bot may only grant or deny in an overwrite the permissions it has itself, may only give or
take roles below its highest one (and never a managed one or @everyone), and member edits of
a guild share one per-route limit (429 with the route's X-RateLimit headers)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .faults import route_429
from .limits import Violation
from .models import (
    ADMINISTRATOR,
    CATEGORY_CHANNEL,
    MANAGE_CHANNELS,
    MANAGE_MESSAGES,
    MANAGE_ROLES,
    MEMBER_OVERWRITE,
    PIN_MESSAGES,
    READ_MESSAGE_HISTORY,
    ROLE_OVERWRITE,
    TEXT_CHANNEL,
    VIEW_CHANNEL,
    VOICE_CHANNEL,
    FakeChannel,
    FakeGuild,
    FakeMember,
    iso_now,
)
from .rest_guilds import GUILD_MEMBERS_INTENT, missing_permissions
from .transport import ApiError, Call, Reply, Router, not_found

if TYPE_CHECKING:
    from .server import FakeDiscord

MAX_PINS = 250
MISSING_ACCESS = ApiError(403, 50001, "Missing Access")


class RouteLimit:
    """A per-route limit in fixed windows, one bucket per key (a guild, for member edits):
    ``limit`` requests, then 429 until the window that began with the first one is over.
    Every answer carries the bucket's X-RateLimit headers, as Discord's do."""

    def __init__(self, bucket: str, limit: int, window_s: float) -> None:
        self.bucket = bucket
        self.limit = limit
        self.window_s = window_s
        self._windows: dict[int, tuple[float, int]] = {}  # key -> (window start, used)
        self.limited = 0  # 429s answered

    def take(self, key: int) -> tuple[Reply | None, dict[str, str]]:
        now = time.monotonic()
        start, used = self._windows.get(key, (now, 0))
        if now - start >= self.window_s:
            start, used = now, 0
        reset_after = max(0.001, start + self.window_s - now)
        if used >= self.limit:
            self.limited += 1
            return route_429(round(reset_after, 3), self.bucket, self.limit), {}
        self._windows[key] = (start, used + 1)
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.limit - used - 1),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket,
        }
        return None, headers


class ManageRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: Router) -> None:
        g = "/guilds/{guild_id}"
        router.add("POST", g + "/channels", self.create_channel)
        router.add("POST", g + "/roles", self.create_role)
        router.add("PATCH", g + "/members/{user_id}", self.edit_member)
        c = "/channels/{channel_id}"
        router.add("DELETE", c, self.delete_channel)
        router.add("PUT", c + "/permissions/{target_id}", self.put_overwrite)
        router.add("DELETE", c + "/permissions/{target_id}", self.delete_overwrite)
        for pins in (c + "/messages/pins", c + "/pins"):
            router.add("GET", pins, self.list_pins)
            router.add("PUT", pins + "/{message_id}", self.pin)
            router.add("DELETE", pins + "/{message_id}", self.unpin)

    # -- lookups --
    def _guild(self, call: Call) -> FakeGuild:
        guild = self.fake.guild_by_id(call.int_param("guild_id"))
        if guild is None:
            raise not_found(10004, "Guild")
        return guild

    def _guild_channel(self, call: Call) -> tuple[FakeGuild, FakeChannel]:
        channel = self.fake.channel_by_id(call.int_param("channel_id"))
        if channel is None:
            raise not_found(10003, "Channel")
        guild = self.fake.guild_by_id(channel.guild_id or 0)
        if guild is None or channel.id not in guild.channels:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        return guild, channel

    def _body(self, call: Call) -> dict[str, Any]:
        return call.body if isinstance(call.body, dict) else {}

    def _bot_in(self, guild: FakeGuild, channel: FakeChannel, needed: int) -> int:
        """The bot's permissions in the channel; Missing Access without View Channel, and
        Missing Permissions without `needed`."""
        perms = guild.channel_permissions(guild.bot_member, channel)
        if not perms & VIEW_CHANNEL:
            raise MISSING_ACCESS
        if perms & needed != needed:
            raise missing_permissions()
        return perms

    def _check_overwrite_bits(self, guild: FakeGuild, mine: int, allow: int, deny: int) -> None:
        """A bot may only allow or deny what it has itself; Manage Permissions (MANAGE_ROLES
        in a channel) only as an administrator."""
        if guild.permissions_of(guild.bot_member) & ADMINISTRATOR:
            return
        if (allow | deny) & ~mine or (allow | deny) & MANAGE_ROLES:
            raise missing_permissions()

    def _overwrites(
        self, call: Call, guild: FakeGuild, raw: Any, path: str
    ) -> dict[int, tuple[int, int, int]]:
        if not isinstance(raw, list):
            self.fake.reject(call, [Violation((path,), "BASE_TYPE_BAD_TYPE", "Must be a list.")])
        out: dict[int, tuple[int, int, int]] = {}
        for index, item in enumerate(raw):
            try:
                target, kind = int(item["id"]), int(item.get("type", ROLE_OVERWRITE))
                allow, deny = int(item.get("allow") or 0), int(item.get("deny") or 0)
            except (KeyError, TypeError, ValueError):
                bad = Violation((path, str(index)), "BASE_TYPE_BAD_TYPE", "Bad overwrite.")
                self.fake.reject(call, [bad])
            known = target in guild.roles if kind == ROLE_OVERWRITE else target in guild.members
            if not known or kind not in (ROLE_OVERWRITE, MEMBER_OVERWRITE):
                bad = Violation(
                    (path, str(index), "id"),
                    "UNKNOWN_ROLE_OR_MEMBER",
                    f"Unknown {'role' if kind == ROLE_OVERWRITE else 'member'}.",
                )
                self.fake.reject(call, [bad])
            out[target] = (kind, allow, deny)
        return out

    # -- channels --
    async def create_channel(self, call: Call) -> Reply:
        guild = self._guild(call)
        body = self._body(call)
        bot_perms = guild.permissions_of(guild.bot_member)
        if not bot_perms & MANAGE_CHANNELS:
            raise missing_permissions()
        kind = body.get("type", TEXT_CHANNEL)
        name = body.get("name")
        problems = []
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append(Violation(("name",), "BASE_TYPE_BAD_LENGTH", "Must be 1-100 long."))
        if kind not in (TEXT_CHANNEL, VOICE_CHANNEL, CATEGORY_CHANNEL):
            problems.append(Violation(("type",), "BASE_TYPE_CHOICES", "Value must be 0, 2 or 4."))
        parent_id = body.get("parent_id")
        if parent_id is not None:
            parent = guild.channels.get(int(parent_id))
            if kind == CATEGORY_CHANNEL or parent is None or parent.type != CATEGORY_CHANNEL:
                problems.append(
                    Violation(("parent_id",), "CHANNEL_PARENT_INVALID", "Not a category here.")
                )
        if problems:
            self.fake.reject(call, problems)
        overwrites = None
        if "permission_overwrites" in body:
            overwrites = self._overwrites(
                call, guild, body["permission_overwrites"], "permission_overwrites"
            )
            if overwrites and not bot_perms & MANAGE_ROLES:
                raise missing_permissions()
            for _kind, allow, deny in overwrites.values():
                self._check_overwrite_bits(guild, bot_perms, allow, deny)
        channel = guild.add_channel(
            str(name), kind, parent_id=int(parent_id) if parent_id else None, overwrites=overwrites
        )
        return Reply(201, channel.payload())

    async def delete_channel(self, call: Call) -> Reply:
        guild, channel = self._guild_channel(call)
        self._bot_in(guild, channel, MANAGE_CHANNELS)
        guild.delete_channel(channel.id)
        return Reply(body=channel.payload())

    async def put_overwrite(self, call: Call) -> Reply:
        guild, channel = self._guild_channel(call)
        mine = self._bot_in(guild, channel, MANAGE_ROLES)
        body = self._body(call)
        target = call.int_param("target_id")
        [(kind, allow, deny)] = self._overwrites(
            call, guild, [{**body, "id": target}], "permission_overwrite"
        ).values()
        self._check_overwrite_bits(guild, mine, allow, deny)
        channel.overwrites[target] = (kind, allow, deny)
        guild.channel_updated(channel)
        return Reply(204)

    async def delete_overwrite(self, call: Call) -> Reply:
        guild, channel = self._guild_channel(call)
        self._bot_in(guild, channel, MANAGE_ROLES)
        if channel.overwrites.pop(call.int_param("target_id"), None) is not None:
            guild.channel_updated(channel)
        return Reply(204)

    # -- pins --
    def _pinnable(self, call: Call) -> tuple[FakeGuild, FakeChannel, int]:
        guild, channel = self._guild_channel(call)
        perms = self._bot_in(guild, channel, READ_MESSAGE_HISTORY)
        if not perms & (PIN_MESSAGES | MANAGE_MESSAGES):
            raise missing_permissions()
        message_id = call.int_param("message_id")
        message = self.fake.messages.by_id.get(message_id)
        if message is None or message["_deleted"] or message["channel_id"] != str(channel.id):
            raise not_found(10008, "Message")
        return guild, channel, message_id

    def _pins_changed(self, guild: FakeGuild, channel: FakeChannel) -> None:
        data = {
            "guild_id": str(guild.id),
            "channel_id": str(channel.id),
            "last_pin_timestamp": iso_now(),
        }
        self.fake.gateway.dispatch("CHANNEL_PINS_UPDATE", data, 0, guild_id=guild.id)

    async def pin(self, call: Call) -> Reply:
        guild, channel, message_id = self._pinnable(call)
        if message_id not in channel.pins:
            if len(channel.pins) >= MAX_PINS:
                raise ApiError(400, 30003, f"Maximum number of pins reached ({MAX_PINS})")
            channel.pins.insert(0, message_id)
            self.fake.messages.by_id[message_id]["pinned"] = True
            self._pins_changed(guild, channel)
        return Reply(204)

    async def unpin(self, call: Call) -> Reply:
        guild, channel, message_id = self._pinnable(call)
        if message_id in channel.pins:
            channel.pins.remove(message_id)
            self.fake.messages.by_id[message_id]["pinned"] = False
            self._pins_changed(guild, channel)
        return Reply(204)

    async def list_pins(self, call: Call) -> Reply:
        from .messages import public

        guild, channel = self._guild_channel(call)
        self._bot_in(guild, channel, READ_MESSAGE_HISTORY)
        items = [
            {"pinned_at": iso_now(), "message": public(self.fake.messages.by_id[m])}
            for m in channel.pins
        ]
        if call.request.path.endswith("/messages/pins"):
            return Reply(body={"items": items, "has_more": False})
        return Reply(body=[item["message"] for item in items])

    # -- roles --
    async def create_role(self, call: Call) -> Reply:
        guild = self._guild(call)
        bot_perms = guild.permissions_of(guild.bot_member)
        if not bot_perms & MANAGE_ROLES:
            raise missing_permissions()
        body = self._body(call)
        name = body.get("name", "new role")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            self.fake.reject(call, [Violation(("name",), "BASE_TYPE_BAD_LENGTH", "1-100 long.")])
        permissions = int(body.get("permissions") or 0)
        if permissions & ~bot_perms and not bot_perms & ADMINISTRATOR:
            raise missing_permissions()
        role = guild.create_role(
            str(name), permissions, mentionable=bool(body.get("mentionable", False))
        )
        return Reply(body=role.payload())

    async def edit_member(self, call: Call) -> Reply:
        """Only the role list: every role given or taken must be one the bot may manage."""
        guild = self._guild(call)
        member = guild.members.get(call.int_param("user_id"))
        if member is None:
            raise not_found(10007, "Member")
        limited, headers = self.fake.member_edit_limit.take(guild.id)
        if limited is not None:
            return limited
        body = self._body(call)
        if "roles" in body:
            self._set_roles(call, guild, member, body["roles"])
        return Reply(body=member.member_payload(), headers=headers)

    def _set_roles(self, call: Call, guild: FakeGuild, member: FakeMember, raw: Any) -> None:
        if not isinstance(raw, list):
            self.fake.reject(call, [Violation(("roles",), "BASE_TYPE_BAD_TYPE", "A list.")])
        try:
            wanted = {int(r) for r in raw}
        except (TypeError, ValueError):
            self.fake.reject(call, [Violation(("roles",), "BASE_TYPE_BAD_TYPE", "Snowflakes.")])
        hidden = set(guild.permission_role_ids(member))  # stands for `member.permissions`
        wanted -= hidden
        unknown = [r for r in wanted if r not in guild.roles or r == guild.id]
        if unknown:
            bad = Violation(("roles", "0"), "UNKNOWN_ROLE", f"Unknown role {unknown[0]}.")
            self.fake.reject(call, [bad])
        current = set(member.roles)
        changed = wanted ^ current
        if not changed:
            return
        if not guild.permissions_of(guild.bot_member) & MANAGE_ROLES:
            raise missing_permissions()
        top = guild.top_role_position(guild.bot_member)
        for role_id in changed:
            role = guild.roles.get(role_id)
            if role is not None and (role.position >= top or role.managed):
                raise missing_permissions()
        member.roles = [r for r in member.roles if r in wanted] + sorted(wanted - current)
        data = {**member.member_payload(), "guild_id": str(guild.id)}
        self.fake.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", data, GUILD_MEMBERS_INTENT, guild_id=guild.id
        )
