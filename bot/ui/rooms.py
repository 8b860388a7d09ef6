"""How episode rooms read: the names the bot gives its category, rooms and roles, each room's
pinned rule with its "I finished episode k+1" button, the progress change's outbox kind, and
the answers to /watched, /admin episodes and /admin setup episode_rooms, in English and Korean."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import InputError
from bot.i18n import Lang, lang_of, t
from bot.notify.plan import stage_expiry
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery
from bot.ui.interactions import (
    NO_PINGS,
    answer_ephemeral,
    input_error_text,
    role_ids,
    usecases_of,
)
from bot.usecases.rooms import PROGRESS, ROOMS_OPEN, Made, Watched

log = logging.getLogger(__name__)

PROGRESS_EXPIRES_S = 7 * 86400  # a member's progress is worth applying for a week


def room_name(episode: int) -> str:
    """The room's name carries its number (a text channel's name: lowercase, dashes)."""
    return f"s2-e{episode}"


def role_name(lang: Lang, episode: int) -> str:
    return t(lang, "rooms.role_name", episode=episode)


def category_name(lang: Lang) -> str:
    return t(lang, "rooms.category_name")


def rule_text(lang: Lang, episode: int, last: bool) -> str:
    text = t(lang, "rooms.rule", episode=episode)
    if not last:
        text += "\n" + t(lang, "rooms.rule_next", next=episode + 1)
    return text


def rule_message(
    lang: Lang, guild_id: int, episode: int, last: bool
) -> tuple[str, discord.ui.View | None]:
    """The room's first message, and its button to the next episode (none in the last room)."""
    if last:
        return rule_text(lang, episode, last), None
    view = discord.ui.View(timeout=None)
    view.add_item(WatchedButton(guild_id, episode + 1, t(lang, "rooms.button", next=episode + 1)))
    return rule_text(lang, episode, last), view


# --- the progress change, an outbox kind of its own ------------------------------------------


def _render_nothing(delivery: Delivery) -> Rendered:
    return Rendered("", None, NO_PINGS)  # a role change posts nothing


def register_progress(
    act: Callable[[Delivery], Awaitable[None]], acted: Callable[[Delivery], Awaitable[bool]]
) -> None:
    register(
        NotificationKind(
            PROGRESS,
            _render_nothing,
            lambda due, _payload: due + PROGRESS_EXPIRES_S,
            buttons=False,
            reach="member",
            act=act,
            acted=acted,
        )
    )


# --- at the premiere: the rooms are open ----------------------------------------------------


def render_rooms_open(delivery: Delivery) -> Rendered:
    """In the announcement channel, beside the premiere post (which pings the role: this one
    pings no one): the rooms are open, and /watched opens them."""
    return Rendered(t(lang_of(delivery.locale), "rooms.open_notice"), None, NO_PINGS)


def register_rooms_open() -> None:
    """Each premiere post goes with this message in the servers that have rooms: scheduled
    with it, retired with it, and as long worth sending."""
    register(
        NotificationKind(
            ROOMS_OPEN,
            render_rooms_open,
            lambda _due, payload: stage_expiry("premiere", int(payload["starts_at"])),
            buttons=False,
            reach="rooms",
            follows="premiere",
        )
    )


# --- answers -------------------------------------------------------------------------------


def watched_text(lang: Lang, watched: Watched) -> str:
    if watched.episode == 0:
        return t(lang, "watched.none")
    rooms = " ".join(f"<#{c}>" for c in watched.rooms)
    return t(lang, "watched.open", episode=watched.episode, rooms=rooms)


def made_text(lang: Lang, made: Made) -> str:
    if made.problems:
        missing = ", ".join(t(lang, f"rooms.missing.{p}") for p in made.problems)
        return t(lang, "rooms.refused", missing=missing)
    if made.episodes is None:
        return t(lang, "rooms.on_no_count")
    if made.not_here:
        return t(lang, "rooms.on_later")
    lines = [t(lang, "rooms.on", count=made.episodes)]
    if made.rooms or made.roles or made.overwrites or made.category:
        lines.append(
            t(lang, "rooms.made", rooms=made.rooms, roles=made.roles, overwrites=made.overwrites)
        )
    else:
        lines.append(t(lang, "rooms.nothing_missing"))
    if made.unpinned:
        lines.append(t(lang, "rooms.unpinned"))
    return "\n".join(lines)


def count_text(lang: Lang, previous: int | None, count: int) -> str:
    if previous is None or previous == count:
        return t(lang, "episodes.set", count=count)
    return t(lang, "episodes.changed", previous=previous, count=count)


def counts_lines(lang: Lang, counts: dict[int, int]) -> str:
    """/admin status: how many members are at each episode."""
    if not counts:
        return t(lang, "rooms.status_none")
    return "\n".join(
        t(lang, "rooms.status_line", episode=k, members=n) for k, n in sorted(counts.items())
    )


# --- the button on each room's rule (its state is all in the custom id) ---------------------


class WatchedButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:watched:(?P<guild>\d+):(?P<episode>\d+)",
):
    """ "I finished episode k": what `/watched episode:k` does."""

    def __init__(self, guild_id: int, episode: int, label: str = "I finished the episode") -> None:
        self.guild_id = guild_id
        self.episode = episode
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                emoji="✅",
                style=discord.ButtonStyle.success,
                custom_id=f"aoad:watched:{guild_id}:{episode}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> WatchedButton:
        return cls(int(match["guild"]), int(match["episode"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)

        async def press() -> str:
            try:
                watched = await usecases_of(interaction).rooms.watched(
                    self.guild_id, interaction.user.id, self.episode, role_ids(interaction)
                )
            except InputError as error:
                return input_error_text(lang, error)
            except Exception:
                log.exception("watched button failed (interaction %s)", interaction.id)
                return t(lang, "error.internal", ref=interaction.id)
            return watched_text(lang, watched)

        await answer_ephemeral(interaction, press())
