"""REST: channels (reads, renames within Discord's limit), channel/DM messages (limits,
nonces, closed DMs) and DM channel creation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import limits
from .messages import public
from .models import CONNECT, DM_CHANNEL, MANAGE_CHANNELS, VIEW_CHANNEL, VOICE_CHANNEL, FakeChannel
from .rest_guilds import missing_permissions
from .transport import ApiError, Call, Reply, Router, not_found

if TYPE_CHECKING:
    from .server import FakeDiscord

GUILD_MESSAGES_INTENT, DIRECT_MESSAGES_INTENT = 9, 12


class ChannelRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: Router) -> None:
        router.add("GET", "/channels/{channel_id}", self.get_channel)
        router.add("PATCH", "/channels/{channel_id}", self.edit_channel)
        router.add("GET", "/channels/{channel_id}/messages", self.list_messages)
        router.add("POST", "/channels/{channel_id}/messages", self.create_message)
        router.add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        router.add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        router.add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        router.add("POST", "/users/@me/channels", self.create_dm)

    # -- helpers --
    def _channel(self, call: Call) -> FakeChannel:
        channel = self.fake.channel_by_id(call.int_param("channel_id"))
        if channel is None:
            raise not_found(10003, "Channel")
        return channel

    def _message(self, call: Call) -> tuple[FakeChannel, dict[str, Any]]:
        channel = self._channel(call)
        message = self.fake.messages.by_id.get(call.int_param("message_id"))
        if message is None or message["_deleted"] or message["channel_id"] != str(channel.id):
            raise not_found(10008, "Message")
        return channel, message

    def _dispatch(self, event: str, channel: FakeChannel, data: dict[str, Any]) -> None:
        if channel.type == DM_CHANNEL:
            self.fake.gateway.dispatch(event, data, DIRECT_MESSAGES_INTENT, guild_id=None)
            return
        data = {**data, "guild_id": str(channel.guild_id)}
        if event == "MESSAGE_CREATE":
            guild = self.fake.guild_by_id(channel.guild_id or 0)
            if guild is not None:
                data["member"] = guild.bot_member.member_payload(with_user=False)
        self.fake.gateway.dispatch(event, data, GUILD_MESSAGES_INTENT, guild_id=channel.guild_id)

    # -- handlers --
    async def get_channel(self, call: Call) -> Reply:
        return Reply(body=self._channel(call).payload())

    async def edit_channel(self, call: Call) -> Reply:
        """Only a rename, which needs View Channel and Manage Channels there (and Connect, for
        a voice channel: Discord lets no one who cannot connect to one edit it)."""
        channel = self._channel(call)
        guild = self.fake.guild_by_id(channel.guild_id or 0)
        if guild is None:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        perms = guild.channel_permissions(guild.bot_member, channel)
        if not perms & VIEW_CHANNEL:
            raise ApiError(403, 50001, "Missing Access")
        if not perms & MANAGE_CHANNELS or (channel.type == VOICE_CHANNEL and not perms & CONNECT):
            raise missing_permissions()
        body = call.body if isinstance(call.body, dict) else {}
        violations = limits.check_channel_edit(body)
        if violations:
            self.fake.reject(call, violations)
        if "name" in body and (limited := self.fake.rename(channel, body["name"])) is not None:
            return limited
        return Reply(body=channel.payload())

    async def list_messages(self, call: Call) -> Reply:
        """Newest first, like Discord; with `after`, the ones right after that id. A fetched
        message carries no nonce: Discord only echoes it to the request that created it."""
        channel = self._channel(call)
        query = call.request.query
        limit = max(1, min(int(query.get("limit", "50")), 100))
        found = self.fake.messages.in_channel(
            channel.id, sources=("channel", "interaction", "followup")
        )
        visible = [m for m in found if not m["flags"] & 64]
        if "after" in query:
            after = int(query["after"])
            visible = [m for m in visible if int(m["id"]) > after][:limit]
        if "before" in query:
            visible = [m for m in visible if int(m["id"]) < int(query["before"])]
        fetched = [{k: v for k, v in public(m).items() if k != "nonce"} for m in visible]
        return Reply(body=list(reversed(fetched))[:limit])

    async def create_message(self, call: Call) -> Reply:
        channel = self._channel(call)
        body = call.body if isinstance(call.body, dict) else {}
        fake = self.fake
        recipient = channel.recipient
        if channel.type == DM_CHANNEL and recipient is not None and recipient.dm_closed:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        violations = limits.check_message(body)
        if violations:
            fake.reject(call, violations)
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            existing = fake.messages.find_by_nonce(channel.id, fake.bot_user_id, body["nonce"])
            if existing is not None:
                return Reply(body=public(existing))
        if limits.is_empty_message(body, len(call.request.files)):
            raise ApiError(400, 50006, "Cannot send an empty message")
        message = fake.messages.create(
            channel_id=channel.id,
            author=fake.bot_user,
            body=body,
            files=call.request.files,
            source="channel",
            user_lookup=fake.user_by_id,
        )
        self._dispatch("MESSAGE_CREATE", channel, public(message))
        return Reply(body=public(message))

    async def get_message(self, call: Call) -> Reply:
        return Reply(body=public(self._message(call)[1]))

    async def edit_message(self, call: Call) -> Reply:
        channel, message = self._message(call)
        body = call.body if isinstance(call.body, dict) else {}
        violations = limits.check_message(body)
        if violations:
            self.fake.reject(call, violations)
        self.fake.messages.edit(message, body, call.request.files, self.fake.user_by_id)
        self._dispatch("MESSAGE_UPDATE", channel, public(message))
        return Reply(body=public(message))

    async def delete_message(self, call: Call) -> Reply:
        channel, message = self._message(call)
        self.fake.messages.delete(message)
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        self._dispatch("MESSAGE_DELETE", channel, data)
        return Reply(204)

    async def create_dm(self, call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        try:
            user = self.fake.user_by_id(int(body.get("recipient_id") or 0))
        except (TypeError, ValueError):
            user = None
        if user is None or user.bot:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        return Reply(body=self.fake.dm_channel_for(user).payload())
