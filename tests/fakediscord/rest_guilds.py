"""REST: guild reads, member role changes and scheduled events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .limits import Violation
from .models import FakeGuild, FakeMember, new_id
from .transport import ApiError, Call, Reply, Router, not_found

if TYPE_CHECKING:
    from .server import FakeDiscord

GUILD_MEMBERS_INTENT, GUILD_SCHEDULED_EVENTS_INTENT = 1, 16
EXTERNAL, STAGE, VOICE = 3, 1, 2
# status transitions Discord allows: SCHEDULED -> ACTIVE/CANCELED, ACTIVE -> COMPLETED
_TRANSITIONS = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


class GuildRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: Router) -> None:
        g = "/guilds/{guild_id}"
        router.add("GET", g, self.get_guild)
        router.add("GET", g + "/channels", self.get_channels)
        router.add("GET", g + "/roles", self.get_roles)
        router.add("GET", g + "/members", self.list_members)
        router.add("GET", g + "/members/{user_id}", self.get_member)
        router.add("PUT", g + "/members/{user_id}/roles/{role_id}", self.add_role)
        router.add("DELETE", g + "/members/{user_id}/roles/{role_id}", self.remove_role)
        e = g + "/scheduled-events"
        router.add("GET", e, self.list_events)
        router.add("POST", e, self.create_event)
        router.add("GET", e + "/{event_id}", self.get_event)
        router.add("PATCH", e + "/{event_id}", self.edit_event)
        router.add("DELETE", e + "/{event_id}", self.delete_event)

    # -- lookups --
    def _guild(self, call: Call) -> FakeGuild:
        guild = self.fake.guild_by_id(call.int_param("guild_id"))
        if guild is None:
            raise not_found(10004, "Guild")
        return guild

    def _member(self, call: Call) -> tuple[FakeGuild, FakeMember]:
        guild = self._guild(call)
        member = guild.members.get(call.int_param("user_id"))
        if member is None:
            raise not_found(10007, "Member")
        return guild, member

    # -- guild reads --
    async def get_guild(self, call: Call) -> Reply:
        guild = self._guild(call)
        body = guild.payload()
        if call.request.query.get("with_counts") in ("true", "True", "1"):
            body.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return Reply(body=body)

    async def get_channels(self, call: Call) -> Reply:
        return Reply(body=[c.payload() for c in self._guild(call).channels.values()])

    async def get_roles(self, call: Call) -> Reply:
        return Reply(body=[r.payload() for r in self._guild(call).roles.values()])

    async def list_members(self, call: Call) -> Reply:
        guild = self._guild(call)
        limit = int(call.request.query.get("limit", "1"))
        after = int(call.request.query.get("after", "0"))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)
        return Reply(body=[m.member_payload() for m in members[:limit]])

    async def get_member(self, call: Call) -> Reply:
        return Reply(body=self._member(call)[1].member_payload())

    # -- roles --
    def _role_change(self, call: Call) -> tuple[FakeGuild, FakeMember, int]:
        guild, member = self._member(call)
        role_id = call.int_param("role_id")
        role = guild.roles.get(role_id)
        if role is None:
            raise not_found(10011, "Role")
        if not guild.bot_can_manage_roles:
            raise missing_permissions()
        # Discord's hierarchy: the bot may only manage roles below its own highest role.
        if role.position >= guild.top_role_position(guild.bot_member) or role.managed:
            raise missing_permissions()
        if role_id == guild.id:
            raise missing_permissions()
        return guild, member, role_id

    def _member_updated(self, guild: FakeGuild, member: FakeMember) -> None:
        data = {**member.member_payload(), "guild_id": str(guild.id)}
        self.fake.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", data, GUILD_MEMBERS_INTENT, guild_id=guild.id
        )

    async def add_role(self, call: Call) -> Reply:
        guild, member, role_id = self._role_change(call)
        if role_id not in member.roles:
            member.roles.append(role_id)
            self._member_updated(guild, member)
        return Reply(204)

    async def remove_role(self, call: Call) -> Reply:
        guild, member, role_id = self._role_change(call)
        if role_id in member.roles:
            member.roles.remove(role_id)
            self._member_updated(guild, member)
        return Reply(204)

    # -- scheduled events --
    def _events(self, guild: FakeGuild) -> dict[int, dict[str, Any]]:
        return self.fake.events.setdefault(guild.id, {})

    def _event(self, call: Call) -> tuple[FakeGuild, dict[str, Any]]:
        guild = self._guild(call)
        event = self._events(guild).get(call.int_param("event_id"))
        if event is None:
            raise not_found(10070, "Guild Scheduled Event")
        return guild, event

    def _with_count(self, call: Call, event: dict[str, Any]) -> dict[str, Any]:
        if call.request.query.get("with_user_count") in ("1", "true", "True"):
            return {**event, "user_count": 0}
        return dict(event)

    async def list_events(self, call: Call) -> Reply:
        events = self._events(self._guild(call)).values()
        return Reply(body=[self._with_count(call, e) for e in events])

    async def get_event(self, call: Call) -> Reply:
        return Reply(body=self._with_count(call, self._event(call)[1]))

    async def create_event(self, call: Call) -> Reply:
        guild = self._guild(call)
        if not guild.bot_can_manage_events:
            raise missing_permissions()
        body = call.body if isinstance(call.body, dict) else {}
        event: dict[str, Any] = {
            "id": str(new_id()),
            "guild_id": str(guild.id),
            "channel_id": None,
            "creator_id": str(self.fake.bot_user_id),
            "creator": self.fake.bot_user.user_payload(),
            "name": None,
            "description": None,
            "scheduled_start_time": None,
            "scheduled_end_time": None,
            "privacy_level": 2,
            "status": 1,
            "entity_type": None,
            "entity_id": None,
            "entity_metadata": None,
            "image": None,
            "recurrence_rule": None,
        }
        self._apply(call, guild, event, body, creating=True)
        self._events(guild)[int(event["id"])] = event
        self.fake.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_CREATE",
            dict(event),
            GUILD_SCHEDULED_EVENTS_INTENT,
            guild_id=guild.id,
        )
        return Reply(body=event)

    async def edit_event(self, call: Call) -> Reply:
        guild, event = self._event(call)
        if not guild.bot_can_manage_events:
            raise missing_permissions()
        body = call.body if isinstance(call.body, dict) else {}
        updated = dict(event)
        self._apply(call, guild, updated, body, creating=False)
        event.update(updated)
        self.fake.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_UPDATE",
            dict(event),
            GUILD_SCHEDULED_EVENTS_INTENT,
            guild_id=guild.id,
        )
        return Reply(body=event)

    async def delete_event(self, call: Call) -> Reply:
        guild, event = self._event(call)
        if not guild.bot_can_manage_events:
            raise missing_permissions()
        del self._events(guild)[int(event["id"])]
        self.fake.gateway.dispatch(
            "GUILD_SCHEDULED_EVENT_DELETE",
            dict(event),
            GUILD_SCHEDULED_EVENTS_INTENT,
            guild_id=guild.id,
        )
        return Reply(204)

    def _apply(
        self,
        call: Call,
        guild: FakeGuild,
        event: dict[str, Any],
        body: dict[str, Any],
        *,
        creating: bool,
    ) -> None:
        old_status = event["status"]
        for key in (
            "name",
            "description",
            "scheduled_start_time",
            "scheduled_end_time",
            "privacy_level",
            "entity_type",
            "entity_metadata",
            "image",
            "status",
            "recurrence_rule",
        ):
            if key in body:
                event[key] = body[key]
        if "channel_id" in body:
            cid = body["channel_id"]
            event["channel_id"] = None if cid is None else str(cid)
        problems = validate_event(guild, event, creating=creating, old_status=old_status)
        if problems:
            self.fake.reject(call, problems)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def validate_event(
    guild: FakeGuild, event: dict[str, Any], *, creating: bool, old_status: int
) -> list[Violation]:
    out: list[Violation] = []

    def bad(field: str, code: str, message: str) -> None:
        out.append(Violation((field,), code, message))

    name = event.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        bad("name", "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and 100 in length (got {name!r}).")
    if len(event.get("description") or "") > 1000:
        bad("description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
    if event.get("privacy_level") != 2:
        bad("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2} (GUILD_ONLY).")
    start = _parse_time(event.get("scheduled_start_time"))
    end = _parse_time(event.get("scheduled_end_time"))
    if start is None:
        bad("scheduled_start_time", "DATE_TIME_TYPE_PARSE", "Could not parse the ISO8601 date.")
    elif creating and start < datetime.now(UTC):
        bad(
            "scheduled_start_time",
            "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
            "Cannot schedule event in the past.",
        )
    if event.get("scheduled_end_time") is not None and end is None:
        bad("scheduled_end_time", "DATE_TIME_TYPE_PARSE", "Could not parse the ISO8601 date.")
    if start is not None and end is not None and end <= start:
        bad(
            "scheduled_end_time",
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "The end time must be after the start time.",
        )
    kind = event.get("entity_type")
    if kind == EXTERNAL:
        location = (event.get("entity_metadata") or {}).get("location")
        if not isinstance(location, str) or not 1 <= len(location) <= 100:
            bad("entity_metadata", "BASE_TYPE_REQUIRED", "External events need a location (1-100).")
        if end is None:
            bad("scheduled_end_time", "BASE_TYPE_REQUIRED", "External events need an end time.")
        if event.get("channel_id") is not None:
            bad("channel_id", "BASE_TYPE_INVALID", "External events must not have a channel_id.")
    elif kind in (STAGE, VOICE):
        channel = guild.channels.get(int(event.get("channel_id") or 0))
        if channel is None or channel.type != (13 if kind == STAGE else 2):
            bad("channel_id", "CHANNEL_TYPE_INVALID", "Must be a stage/voice channel of the guild.")
    else:
        bad("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    status = event.get("status")
    if status not in _TRANSITIONS.get(old_status, set()):
        bad(
            "status",
            "GUILD_SCHEDULED_EVENT_INVALID_STATUS",
            f"Cannot go from {old_status} to {status}.",
        )
    return out
