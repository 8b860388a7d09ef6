"""How premiere notifications read: each notification kind's message (registered in the
outbox's registry by `register_notices()`), the Notify me / Stop buttons on them, and the
answers to /notify and to those buttons, in English and Korean."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import partial
from typing import Any

import discord

from bot.discord_limits import fit_embed, truncate
from bot.i18n import Lang, lang_of, t
from bot.notify.partial import expected_words
from bot.notify.plan import (
    STAGES,
    SUBSCRIBED,
    THREAD,
    WANTED_BY,
    WELCOME_EXPIRES_S,
    announcement_expiry,
    stage_expiry,
)
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery, wants_dm
from bot.ui.interactions import NO_PINGS, answer_ephemeral, member_of, usecases_of
from bot.usecases.members import MemberStatus, Subscribed

log = logging.getLogger(__name__)

COLOR = discord.Colour(0x8B0000)


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
    return Rendered(headline, None, NO_PINGS)


def render_notice(delivery: Delivery) -> Rendered:
    lang = lang_of(delivery.locale)
    post = headline_post(delivery, headline(lang, delivery.kind, delivery.payload))
    embed = notice_embed(lang, delivery.kind, delivery.payload)
    return Rendered(post.content, embed, post.mentions)


def render_welcome(delivery: Delivery) -> Rendered:
    """The welcome DM: proof that DMs reach the member (a role delivery renders nothing)."""
    text = t(lang_of(delivery.locale), "notify.welcome")
    return Rendered(text, None, NO_PINGS)


def render_thread_rule(delivery: Delivery) -> Rendered:
    """The thread's first message: the server's spoiler rule."""
    text = t(lang_of(delivery.locale), "thread.rule")
    return Rendered(text, None, NO_PINGS)


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
        follows="premiere",
        thread_name=thread_name,
    ),
]


def register_notices() -> None:
    for notice in _NOTICES:
        register(notice)


# --- answers to /notify and to the buttons ---------------------------------------------


def subscribed_text(outcome: Subscribed, lang: Lang) -> str:
    lines = []
    if outcome.stored:
        lines.append(t(lang, "notify.subscribed", via=t(lang, f"via.{outcome.stored}")))
    if outcome.reminders is not None and wants_dm(outcome.stored):
        which = t(lang, f"reminders.{outcome.reminders}")
        lines.append(t(lang, "notify.status_reminders", which=which))
    if outcome.role_problem == "no_role":
        lines.append(t(lang, "notify.no_role"))
    elif outcome.role_problem:
        lines.append(t(lang, f"notify.role_{outcome.role_problem}"))
    if outcome.stored in ("dm", "both"):
        lines.append(t(lang, "notify.welcome_coming"))
    if outcome.stored in ("role", "both") and not outcome.has_channel:
        lines.append(t(lang, "notify.no_channel"))
    return "\n".join(lines)


def member_status_text(status: MemberStatus, lang: Lang) -> str:
    sub = status.subscription
    if sub is None:
        return t(lang, "notify.status_none")
    lines = [t(lang, "notify.status", via=t(lang, f"via.{sub.via}"), since=f"<t:{sub.since}:D>")]
    if wants_dm(sub.via):
        lines.append(
            t(lang, "notify.status_reminders", which=t(lang, f"reminders.{sub.reminders}"))
        )
    if status.dm_closed:
        lines.append(t(lang, "notify.status_dm_closed"))
    if status.next is not None:
        due = status.next.due_at
        what = t(lang, f"kind.{status.next.kind}")
        lines.append(t(lang, "notify.next", what=what, when=f"<t:{due}:F> (<t:{due}:R>)"))
    elif status.expected:
        words = expected_words(lang, status.expected)
        lines.append(t(lang, "notify.next_expected", when=words))
    else:
        lines.append(t(lang, "notify.next_none"))
    return "\n".join(lines)


# --- the buttons on notification messages (their state is all in the custom id, so they
# keep working after a restart) ---------------------------------------------------------


class NotifyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:notify:(?P<action>toggle|off):(?P<guild>\d+)",
):
    """On announcements it subscribes or unsubscribes whoever presses it; in a DM it only
    unsubscribes."""

    def __init__(self, action: str, guild_id: int, label: str = "Notify me") -> None:
        self.action = action
        self.guild_id = guild_id
        toggle = action == "toggle"
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔔" if toggle else "🔕",
                style=discord.ButtonStyle.primary if toggle else discord.ButtonStyle.secondary,
                custom_id=f"aoad:notify:{action}:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NotifyButton:
        return cls(match["action"], int(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)

        async def press() -> str:
            try:
                return await self._press(interaction, lang)
            except Exception:
                log.exception("notify button failed (interaction %s)", interaction.id)
                return t(lang, "error.internal", ref=interaction.id)

        await answer_ephemeral(interaction, press())

    async def _press(self, interaction: discord.Interaction, lang: Lang) -> str:
        members = usecases_of(interaction).members
        member = member_of(interaction, self.guild_id)
        toggled = await members.toggle(member, only_off=self.action == "off")
        if toggled.subscribed is not None:
            return subscribed_text(toggled.subscribed, lang)
        return t(lang, "notify.off" if toggled.stopped else "notify.off_none")


def notification_view(delivery: Delivery) -> discord.ui.View:
    """Channel posts: "Notify me" (toggles). DMs: "Stop these notifications" (only stops)."""
    lang = lang_of(delivery.locale)
    view = discord.ui.View(timeout=None)
    if delivery.target == "dm":
        view.add_item(NotifyButton("off", delivery.guild_id, t(lang, "button.stop")))
    else:
        view.add_item(NotifyButton("toggle", delivery.guild_id, t(lang, "button.notify")))
    return view
