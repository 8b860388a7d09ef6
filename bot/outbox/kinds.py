"""The registry of notification kinds: how each is written and how long it stays worth sending.

A kind is code, not schema: registering one needs no migration and no change to the delivery
type, because a notification carries its kind's data as a JSON payload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.store.records import Delivery

if TYPE_CHECKING:  # scheduling needs only the registry: it must not import discord.py
    import discord

Payload = Mapping[str, Any]


class Rendered(NamedTuple):
    content: str
    embed: discord.Embed | None
    mentions: discord.AllowedMentions


class NotificationKind(NamedTuple):
    name: str
    render: Callable[[Delivery], Rendered]
    # When a notification due at `due_at` with this payload stops being worth sending.
    expires: Callable[[int, Payload], int]
    # Whether its messages carry the "Notify me" / "Stop" buttons.
    buttons: bool = True
    # The reminders choices of DM subscribers who want it (None: every DM subscriber).
    dm_choices: tuple[str, ...] | None = None
    # Whom it reaches: 'everyone' (announcement channels and DM subscribers), or
    # 'discussion' (only the announcement channels of servers with discussion threads on), or
    # 'rooms' (only the announcement channels of servers with episode rooms), or
    # 'member' (one delivery for the member of a member audience, to `act` on).
    reach: str = "everyone"
    # The kind whose every notification this one goes with: scheduled with it, in the same
    # transaction, due at the same time, of the same series and audience (so retired with
    # it), its payload that one's plus `post_of`, that notification's id.
    follows: str | None = None
    # Its own buttons' components for one delivery (instead of the Notify me / Stop buttons).
    components: Callable[[Delivery], list[dict[str, Any]]] | None = None
    # For a kind that opens a thread on an earlier post (payload `post_of`: that post's
    # notification): the thread's name. Its own message goes into the thread.
    thread_name: Callable[[Delivery], str] | None = None
    # For a kind that changes something for a member instead of posting (its one delivery's
    # target is 'role'): the change, which reads what it needs when it runs, so a later
    # notification of the same kind supersedes an earlier one not yet carried out.
    act: Callable[[Delivery], Awaitable[None]] | None = None
    # For such a kind: whether an attempt whose outcome is unknown had landed (asked of
    # Discord), so that it is not made twice.
    acted: Callable[[Delivery], Awaitable[bool]] | None = None


_KINDS: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    known = _KINDS.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"notification kind {kind.name!r} registered twice")
    _KINDS[kind.name] = kind
    return kind


def kind(name: str) -> NotificationKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown notification kind {name!r}") from None


def followers(name: str) -> list[NotificationKind]:
    """The kinds that go with every notification of kind `name`."""
    return [known for known in _KINDS.values() if known.follows == name]


def reach(name: str) -> tuple[str, tuple[str, ...] | None]:
    """Whom a notification of kind `name` reaches, and which DM subscribers' reminders
    choices want it (None: all of them); unknown kinds reach everyone."""
    known = _KINDS.get(name)
    return (known.reach, known.dm_choices) if known else ("everyone", None)
