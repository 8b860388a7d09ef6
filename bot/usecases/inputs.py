"""Who is asking, as plain values the cogs read off an interaction."""

from __future__ import annotations

from typing import NamedTuple

from bot.store.records import Followup

REPLY_TTL_S = 15 * 60  # an interaction token lasts 15 minutes
REPLY_MARGIN_S = 30  # stop using it a little before Discord does


class ReplyHandle(NamedTuple):
    """How to reach the interaction later: its application id and token."""

    application_id: int
    token: str
    locale: str

    def expires_at(self, now: int) -> int:
        return now + REPLY_TTL_S - REPLY_MARGIN_S


def issued_at(followup: Followup) -> int:
    """When the interaction behind a stored followup arrived."""
    return followup.expires_at - REPLY_TTL_S + REPLY_MARGIN_S


class Member(NamedTuple):
    """A member in a server, and (from a command or a button) how to follow up with them."""

    guild_id: int
    user_id: int
    name: str
    locale: str
    reply: ReplyHandle | None = None
