"""What each notification says, in English and Korean, as Discord timestamps."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.i18n import Lang, lang_of
from bot.notify.queue import Delivery
from bot.show.limits import fit_embed, truncate

COLOR = discord.Colour(0x8B0000)

HEADLINES: dict[str, dict[Lang, str]] = {
    "date_set": {
        "en": "All of Us Are Dead season 2 has a premiere date!",
        "ko": "지금 우리 학교는 시즌 2 공개일이 정해졌어요!",
    },
    "date_cleared": {
        "en": "The season 2 premiere date has been withdrawn.",
        "ko": "시즌 2 공개일 발표가 취소되었어요.",
    },
    "update": {
        "en": "News about All of Us Are Dead season 2",
        "ko": "지금 우리 학교는 시즌 2 소식",
    },
    "reminder_7d": {
        "en": "One week until All of Us Are Dead season 2!",
        "ko": "지금 우리 학교는 시즌 2 공개까지 일주일!",
    },
    "reminder_1d": {
        "en": "One day until All of Us Are Dead season 2!",
        "ko": "지금 우리 학교는 시즌 2 공개까지 하루!",
    },
    "reminder_1h": {
        "en": "One hour until All of Us Are Dead season 2!",
        "ko": "지금 우리 학교는 시즌 2 공개까지 한 시간!",
    },
    "premiere": {
        "en": "All of Us Are Dead season 2 premieres now on Netflix!",
        "ko": "지금 우리 학교는 시즌 2가 지금 넷플릭스에서 공개돼요!",
    },
}

LABELS: dict[str, dict[Lang, str]] = {
    "when": {"en": "Premiere", "ko": "공개 일시"},
    "note": {"en": "Note", "ko": "메모"},
    "source": {"en": "Source", "ko": "출처"},
    "not_announced": {
        "en": "Netflix has not announced a release date yet; season 2 is expected in 2026.",
        "ko": "넷플릭스는 아직 공개일을 발표하지 않았어요. 시즌 2는 2026년 공개 예정이에요.",
    },
    "footer": {
        "en": "Use /notify to choose how you hear about the premiere.",
        "ko": "/notify 명령어로 알림 받는 방법을 고를 수 있어요.",
    },
}


@dataclass(frozen=True, slots=True)
class Rendered:
    content: str
    embed: discord.Embed
    mentions: discord.AllowedMentions


def when(starts_at: int) -> str:
    """Each member sees their own time zone, and a live countdown."""
    return f"<t:{starts_at}:F> (<t:{starts_at}:R>)"


def notification_embed(kind: str, lang: Lang, delivery: Delivery) -> discord.Embed:
    embed = discord.Embed(title=HEADLINES[kind][lang], colour=COLOR)
    if kind == "update":
        embed.description = truncate(delivery.update_text or "", 4000)
        if delivery.update_source:
            embed.add_field(
                name=LABELS["source"][lang], value=truncate(delivery.update_source, 1000)
            )
    elif kind == "date_cleared":
        embed.description = LABELS["not_announced"][lang]
    elif delivery.starts_at is not None:
        embed.add_field(name=LABELS["when"][lang], value=when(delivery.starts_at), inline=False)
        if delivery.note:
            embed.add_field(name=LABELS["note"][lang], value=truncate(delivery.note, 1000))
    embed.set_footer(text=LABELS["footer"][lang])
    fit_embed(embed)
    return embed


def render(delivery: Delivery) -> Rendered:
    """A channel post mentions the notification role in its content (an embed pings no one);
    user-written text only ever appears inside the embed, and nothing else may ping."""
    lang = lang_of(delivery.locale)
    embed = notification_embed(delivery.kind, lang, delivery)
    headline = HEADLINES[delivery.kind][lang]
    if delivery.target == "channel" and delivery.role_id:
        role = discord.Object(delivery.role_id)
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=[role])
        return Rendered(f"<@&{delivery.role_id}> {headline}", embed, mentions)
    return Rendered(headline, embed, discord.AllowedMentions.none())
