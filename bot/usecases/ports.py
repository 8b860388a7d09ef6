"""What use cases ask of the world outside the database, as protocols: Discord (a role, a word
to a waiting member, which servers this process holds), news feeds over HTTP, and the other
processes (a wake topic). Their implementations live above (`bot.discord_actions`,
`bot.feeds.fetch`, the store's coordination), so a use case imports none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

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


# --- episode rooms ----------------------------------------------------------------------------


class Overwrite(NamedTuple):
    """A channel permission overwrite: a role's (`is_role`) or a member's."""

    target_id: int
    is_role: bool
    allow: int
    deny: int = 0


class GuildView(NamedTuple):
    """A server as this process's gateway shows it: enough to plan its episode rooms."""

    guild_id: int
    bot_id: int
    bot_permissions: int  # the bot's server-wide permission bits
    bot_top_position: int  # its highest role's position
    channels: frozenset[int]
    roles: dict[int, int]  # role id -> position
    overwrites: dict[int, dict[int, tuple[int, int]]]  # channel -> target -> (allow, deny)
    manager_roles: tuple[int, ...]  # roles with Manage Server (moderators without a mod role)


class RoomActions(Protocol):
    """What episode rooms ask of Discord; names and texts are the Discord side's to write,
    in the server's language (`locale`)."""

    def view(self, guild_id: int) -> GuildView | None:
        """None: the server is not on this process's shards (or not known yet)."""
        ...

    async def create_category(
        self, guild_id: int, locale: str, overwrites: list[Overwrite]
    ) -> int: ...

    async def create_room(
        self, guild_id: int, category_id: int | None, episode: int, overwrites: list[Overwrite]
    ) -> int: ...

    async def create_role(self, guild_id: int, episode: int, locale: str) -> int: ...

    async def set_overwrite(self, channel_id: int, overwrite: Overwrite) -> None: ...

    async def post_rule(
        self, guild_id: int, channel_id: int, episode: int, last: bool, locale: str, pin: bool
    ) -> int:
        """The room's rule (with its button unless `last`), pinned if `pin`; its message id."""
        ...

    async def add_button(
        self, guild_id: int, channel_id: int, message_id: int, episode: int, locale: str
    ) -> None:
        """The rule of what was the last room gains its button (the count grew)."""
        ...
