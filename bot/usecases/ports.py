"""What use cases ask of the world outside the database, as protocols: Discord (a role, a word
to a waiting member, which servers this process holds), news feeds over HTTP, and the other
processes (a wake topic). Their implementations live above (`bot.discord_actions`,
`bot.feeds.fetch`, the store's coordination), so a use case imports none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.feeds.fetch import FetchResult
    from bot.store.records import Followup

# Wake every process's jobs that declared `topic` (see `bot.jobs`), once the caller's
# transaction has committed.
Announce = Callable[[str], None]
# (url, ETag, Last-Modified) -> the feed's document, or its error
Fetcher = Callable[[str, str | None, str | None], Awaitable["FetchResult"]]


class ActionRefused(Exception):
    """Discord said no for good: 'forbidden' (missing permission) or 'dm_closed' (50007)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ActionFailed(Exception):
    """Discord could not do it just now (a 5xx, a 429, the network): worth trying later."""


class DiscordActions(Protocol):
    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None: ...

    def role_problem(self, guild_id: int, role_id: int) -> str | None:
        """'forbidden' when the gateway shows the bot cannot give the role; else None."""
        ...

    async def tell(self, followup: Followup, key: str) -> None:
        """An ephemeral followup to a stored interaction (its token lasts 15 minutes): the
        text `key` names, in the member's language."""
        ...

    def event_servers(self) -> tuple[list[int], list[str]]:
        """(ids of the servers where the bot may manage events, names of the others)."""
        ...
