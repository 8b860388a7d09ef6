"""REST: a thread started from a message, as Discord does it: the thread's id is the message's,
a second thread on the same message is refused (400, 160004), and the bot needs Create Public
Threads in the channel. Messages are then posted into the thread like into any channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models import CREATE_PUBLIC_THREADS, FakeChannel, iso_now
from .transport import ApiError, Call, Reply, Router, not_found

if TYPE_CHECKING:
    from .server import FakeDiscord

PUBLIC_THREAD = 11
THREAD_ALREADY_CREATED = 160004
MAX_NAME = 100


@dataclass(eq=False)
class FakeThread(FakeChannel):
    parent_id: int = 0
    owner_id: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": PUBLIC_THREAD,
            "guild_id": str(self.guild_id),
            "parent_id": str(self.parent_id),
            "owner_id": str(self.owner_id),
            "name": self.name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
            "message_count": 0,
            "member_count": 1,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": iso_now(),
                "locked": False,
                "create_timestamp": iso_now(),
            },
        }


class ThreadRoutes:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def register(self, router: Router) -> None:
        router.add(
            "POST", "/channels/{channel_id}/messages/{message_id}/threads", self.start_thread
        )

    async def start_thread(self, call: Call) -> Reply:
        fake = self.fake
        parent = fake.channel_by_id(call.int_param("channel_id"))
        if parent is None or parent.guild_id is None:
            raise not_found(10003, "Channel")
        message = fake.messages.by_id.get(call.int_param("message_id"))
        if message is None or message["_deleted"] or message["channel_id"] != str(parent.id):
            raise not_found(10008, "Message")
        guild = fake.guild_by_id(parent.guild_id)
        assert guild is not None
        if not guild.permissions_of(guild.bot_member) & CREATE_PUBLIC_THREADS:
            raise ApiError(403, 50013, "Missing Permissions")
        if int(message["id"]) in fake.threads:
            raise ApiError(400, THREAD_ALREADY_CREATED, "A thread has already been created "
                           "for this message")  # fmt: skip
        body = call.body if isinstance(call.body, dict) else {}
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= MAX_NAME:
            raise ApiError(400, 50035, "Invalid Form Body")
        thread = FakeThread(int(message["id"]), name, PUBLIC_THREAD, guild.id, parent_id=parent.id)
        thread.owner_id = fake.bot_user_id
        fake.threads[thread.id] = thread
        message["thread"] = thread.payload()
        created = {**thread.payload(), "newly_created": True}
        fake.gateway.dispatch("THREAD_CREATE", created, 0, guild_id=guild.id)
        return Reply(body=thread.payload())
