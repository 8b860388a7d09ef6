"""What each notification says, in English and Korean, as Discord timestamps."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.i18n import Lang, add_messages, lang_of, t
from bot.notify.queue import Delivery
from bot.show.limits import fit_embed, truncate

COLOR = discord.Colour(0x8B0000)

add_messages(
    {
        "notice.date_set": {
            "en": "All of Us Are Dead season 2 has a premiere date!",
            "ko": "지금 우리 학교는 시즌 2 공개일이 정해졌어요!",
        },
        "notice.date_cleared": {
            "en": "The season 2 premiere date has been withdrawn.",
            "ko": "시즌 2 공개일 발표가 취소되었어요.",
        },
        "notice.update": {
            "en": "News about All of Us Are Dead season 2",
            "ko": "지금 우리 학교는 시즌 2 소식",
        },
        "notice.reminder_7d": {
            "en": "One week until All of Us Are Dead season 2!",
            "ko": "지금 우리 학교는 시즌 2 공개까지 일주일!",
        },
        "notice.reminder_1d": {
            "en": "One day until All of Us Are Dead season 2!",
            "ko": "지금 우리 학교는 시즌 2 공개까지 하루!",
        },
        "notice.reminder_1h": {
            "en": "One hour until All of Us Are Dead season 2!",
            "ko": "지금 우리 학교는 시즌 2 공개까지 한 시간!",
        },
        "notice.premiere": {
            "en": "All of Us Are Dead season 2 premieres now on Netflix!",
            "ko": "지금 우리 학교는 시즌 2가 지금 넷플릭스에서 공개돼요!",
        },
    }
)

add_messages(
    {
        "notice.when": {"en": "Premiere", "ko": "공개 일시"},
        "notice.note": {"en": "Note", "ko": "메모"},
        "notice.source": {"en": "Source", "ko": "출처"},
        "notice.not_announced": {
            "en": "Netflix has not announced a release date yet; season 2 is expected in 2026.",
            "ko": "넷플릭스는 아직 공개일을 발표하지 않았어요. 시즌 2는 2026년 공개 예정이에요.",
        },
        "notice.footer": {
            "en": "Use /notify to choose how you hear about the premiere.",
            "ko": "/notify 명령어로 알림 받는 방법을 고를 수 있어요.",
        },
    }
)


add_messages(
    {
        "kind.date_set": {"en": "premiere date announcement", "ko": "공개일 발표"},
        "kind.date_cleared": {"en": "date withdrawal", "ko": "공개일 취소 안내"},
        "kind.update": {"en": "update", "ko": "소식"},
        "kind.reminder_7d": {"en": "7 days to go", "ko": "공개 7일 전"},
        "kind.reminder_1d": {"en": "1 day to go", "ko": "공개 하루 전"},
        "kind.reminder_1h": {"en": "1 hour to go", "ko": "공개 1시간 전"},
        "kind.premiere": {"en": "premiere", "ko": "공개"},
    }
)  # what /notify status and /admin status call each kind


@dataclass(frozen=True, slots=True)
class Rendered:
    content: str
    embed: discord.Embed
    mentions: discord.AllowedMentions


def when(starts_at: int) -> str:
    """Each member sees their own time zone, and a live countdown."""
    return f"<t:{starts_at}:F> (<t:{starts_at}:R>)"


def notification_embed(lang: Lang, delivery: Delivery) -> discord.Embed:
    kind = delivery.kind
    embed = discord.Embed(title=t(lang, f"notice.{kind}"), colour=COLOR)
    if kind == "update":
        embed.description = truncate(delivery.update_text or "", 4000)
        if delivery.update_source:
            embed.add_field(
                name=t(lang, "notice.source"), value=truncate(delivery.update_source, 1000)
            )
    elif kind == "date_cleared":
        embed.description = t(lang, "notice.not_announced")
    elif delivery.starts_at is not None:
        embed.add_field(name=t(lang, "notice.when"), value=when(delivery.starts_at), inline=False)
        if delivery.note:
            embed.add_field(name=t(lang, "notice.note"), value=truncate(delivery.note, 1000))
    embed.set_footer(text=t(lang, "notice.footer"))
    fit_embed(embed)
    return embed


def render(delivery: Delivery) -> Rendered:
    """A channel post mentions the notification role in its content (an embed pings no one);
    user-written text only ever appears inside the embed, and nothing else may ping."""
    lang = lang_of(delivery.locale)
    embed = notification_embed(lang, delivery)
    headline = t(lang, f"notice.{delivery.kind}")
    if delivery.target == "channel" and delivery.role_id:
        role = discord.Object(delivery.role_id)
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=[role])
        return Rendered(f"<@&{delivery.role_id}> {headline}", embed, mentions)
    return Rendered(headline, embed, discord.AllowedMentions.none())
