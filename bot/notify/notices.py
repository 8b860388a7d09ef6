"""The premiere's notification kinds: what each says, in English and Korean, and until when.

Registered in the outbox's registry when `register_notices()` runs at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import discord

from bot.discord_limits import fit_embed, truncate
from bot.i18n import Lang, lang_of, t
from bot.notify.partial import expected_words
from bot.notify.plan import STAGES, WANTED_BY, announcement_expiry, stage_expiry
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery

COLOR = discord.Colour(0x8B0000)
DATE_KINDS = ("date_set", "date_cleared", *(kind for kind, _ in STAGES))
BROADCASTS = (*DATE_KINDS, "update")
SUBSCRIBED = "subscribed"  # a new subscriber's role and welcome DM
THREAD = "premiere_thread"  # the premiere-night discussion, on the premiere post
KINDS = (*BROADCASTS, SUBSCRIBED, THREAD)  # every kind this module registers
WELCOME_EXPIRES_S = 86400


def when(starts_at: int) -> str:
    """Each member sees their own time zone, and a live countdown."""
    return f"<t:{starts_at}:F> (<t:{starts_at}:R>)"


def headline(lang: Lang, kind: str, payload: Mapping[str, Any]) -> str:
    """A date known only to the year or month is announced as exactly that."""
    expected = payload.get("expected")
    if kind == "date_set" and payload.get("starts_at") is None and expected:
        return t(lang, "notice.date_expected", when=expected_words(lang, str(expected)))
    return t(lang, f"notice.{kind}")


def notice_embed(lang: Lang, kind: str, payload: Mapping[str, Any]) -> discord.Embed:
    embed = discord.Embed(title=headline(lang, kind, payload), colour=COLOR)
    starts_at, note = payload.get("starts_at"), payload.get("note")
    if kind == "update":
        embed.description = truncate(str(payload.get("text") or ""), 4000)
        if payload.get("source"):
            embed.add_field(
                name=t(lang, "notice.source"), value=truncate(str(payload["source"]), 1000)
            )
    elif kind == "date_cleared":
        embed.description = t(lang, "notice.not_announced")
    elif starts_at is not None:
        embed.add_field(name=t(lang, "notice.when"), value=when(int(starts_at)), inline=False)
    elif payload.get("expected"):
        words = expected_words(lang, str(payload["expected"]))
        embed.add_field(name=t(lang, "notice.expected"), value=words, inline=False)
        embed.description = t(lang, "notice.day_to_come")
    if kind != "update" and note:
        embed.add_field(name=t(lang, "notice.note"), value=truncate(str(note), 1000))
    embed.set_footer(text=t(lang, "notice.footer"))
    fit_embed(embed)
    return embed


def headline_post(delivery: Delivery, headline: str) -> Rendered:
    """A channel post mentions the notification role in its content (an embed pings no one);
    text written by people only ever appears inside the embed, and nothing else may ping."""
    if delivery.target == "channel" and delivery.role_id:
        role = discord.Object(delivery.role_id)
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=[role])
        return Rendered(f"<@&{delivery.role_id}> {headline}", None, mentions)
    return Rendered(headline, None, discord.AllowedMentions.none())


def render_notice(delivery: Delivery) -> Rendered:
    lang = lang_of(delivery.locale)
    post = headline_post(delivery, headline(lang, delivery.kind, delivery.payload))
    embed = notice_embed(lang, delivery.kind, delivery.payload)
    return Rendered(post.content, embed, post.mentions)


def render_welcome(delivery: Delivery) -> Rendered:
    """The welcome DM: proof that DMs reach the member (a role delivery renders nothing)."""
    text = t(lang_of(delivery.locale), "notify.welcome")
    return Rendered(text, None, discord.AllowedMentions.none())


def render_thread_rule(delivery: Delivery) -> Rendered:
    """The thread's first message: the server's spoiler rule."""
    text = t(lang_of(delivery.locale), "thread.rule")
    return Rendered(text, None, discord.AllowedMentions.none())


def thread_name(delivery: Delivery) -> str:
    return t(lang_of(delivery.locale), "thread.name")


def _stage_expiry(kind: str, due_at: int, payload: Mapping[str, Any]) -> int:
    return stage_expiry(kind, int(payload["starts_at"]))


_NOTICES = [
    *(
        NotificationKind(k, render_notice, announcement_expiry)
        for k in ("date_set", "date_cleared", "update")
    ),
    *(
        NotificationKind(k, render_notice, partial(_stage_expiry, k), dm_choices=WANTED_BY.get(k))
        for k, _ in STAGES
    ),
    NotificationKind(SUBSCRIBED, render_welcome, lambda due, _payload: due + WELCOME_EXPIRES_S),
    NotificationKind(
        THREAD,
        render_thread_rule,
        partial(_stage_expiry, "premiere"),
        buttons=False,
        reach="discussion",
        thread_name=thread_name,
    ),
]


def register_notices() -> None:
    for notice in _NOTICES:
        register(notice)
