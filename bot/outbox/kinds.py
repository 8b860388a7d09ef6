"""The registry of notification kinds: how each is written and how long it stays worth sending.

A kind is code, not schema: registering one needs no migration and no change to the delivery
type, because a notification carries its kind's data as a JSON payload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import discord

from bot.store.records import Delivery

Payload = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rendered:
    content: str
    embed: discord.Embed | None
    mentions: discord.AllowedMentions


@dataclass(frozen=True, slots=True)
class NotificationKind:
    name: str
    render: Callable[[Delivery], Rendered]
    # When a notification due at `due_at` with this payload stops being worth sending.
    expires: Callable[[int, Payload], int]
    # Whether its messages carry the "Notify me" / "Stop" buttons.
    buttons: bool = True
    # The reminders choices of DM subscribers who want it (None: every DM subscriber).
    dm_choices: tuple[str, ...] | None = None


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


def names() -> list[str]:
    return sorted(_KINDS)


def dm_choices(name: str) -> tuple[str, ...] | None:
    """Which DM subscribers a notification of kind `name` reaches (unknown kinds: all)."""
    known = _KINDS.get(name)
    return known.dm_choices if known else None
