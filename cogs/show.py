"""/cast, /plot, /about and /release: the show's facts, in English or Korean."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands, tasks

from bot.client import FanBot
from bot.i18n import lang_of, register_ko
from bot.show.loader import ShowDataError
from bot.show.model import CastMember, Text, TimelineEntry
from bot.show.render import (
    about_embed,
    cast_card_embed,
    cast_list_embeds,
    no_match_text,
    plot_embed,
    release_embed,
)

log = logging.getLogger(__name__)

MAX_NAME = 100

register_ko({
    "cast": "출연진",
    "The cast of season 2, or one person's card": "시즌 2 출연진, 또는 한 사람의 정보",
    "name": "이름",
    "An actor or a character, in any spelling or in Hangul": "배우나 등장인물 이름 (한글도 돼요)",
    "plot": "줄거리",
    "The season 2 premise": "시즌 2 줄거리",
    "spoilers": "스포일러",
    "Show the details that count as spoilers (hidden in spoiler tags)":
        "스포일러가 될 수 있는 내용도 보기 (스포일러 태그 안에)",
    "about": "작품정보",
    "About the series: webtoon, season 1's record, season 2's crew":
        "작품 정보: 원작 웹툰, 시즌 1 기록, 시즌 2 제작진",
    "release": "공개일",
    "Season 2 release status and the latest updates": "시즌 2 공개 현황과 최신 소식",
})  # fmt: skip


def member_label(member: CastMember) -> str:
    """Autocomplete label: both scripts, actor and character (at most 100 characters)."""
    label = f"{member.actor.en} ({member.actor.ko}) — {member.character.en} ({member.character.ko})"
    return label[:100]


def as_entry(update_text: str, source: str | None, posted_at: int) -> TimelineEntry:
    """A moderator's update, in the timeline's shape (written in one language)."""
    day = datetime.fromtimestamp(posted_at, UTC).date()
    return TimelineEntry(date=day, text=Text(update_text, update_text), source=source or "")


class Show(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.watch_show_file.start()

    async def cog_unload(self) -> None:
        self.watch_show_file.cancel()

    @tasks.loop(seconds=5)
    async def watch_show_file(self) -> None:
        """Moderators edit the facts file by hand: pick up a valid save without a restart."""
        try:
            if await asyncio.to_thread(self.bot.show.reload_if_changed):
                log.info("show facts reloaded from %s", self.bot.show.path)
        except ShowDataError as exc:
            log.error("show facts not reloaded, keeping the previous ones: %s", exc)

    @app_commands.command(
        name=_("cast"), description=_("The cast of season 2, or one person's card")
    )
    @app_commands.rename(name=_("name"))
    @app_commands.describe(name=_("An actor or a character, in any spelling or in Hangul"))
    async def cast(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, MAX_NAME] | None = None,
    ) -> None:
        lang = lang_of(interaction.locale)
        snapshot = self.bot.show.snapshot
        if name is None:
            embeds = cast_list_embeds(snapshot.data, lang)
            await interaction.response.send_message(embeds=embeds)
            return
        found = snapshot.names.match(name)
        if found.member is None:
            text = no_match_text(name, found.suggestions, lang)
            await interaction.response.send_message(text, ephemeral=True)
            return
        await interaction.response.send_message(embed=cast_card_embed(found.member, lang))

    @cast.autocomplete("name")
    async def cast_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        members = self.bot.show.names.autocomplete(current[:MAX_NAME])
        return [app_commands.Choice(name=member_label(m), value=m.actor.en[:100]) for m in members]

    @app_commands.command(name=_("plot"), description=_("The season 2 premise"))
    @app_commands.rename(spoilers=_("spoilers"))
    @app_commands.describe(
        spoilers=_("Show the details that count as spoilers (hidden in spoiler tags)")
    )
    async def plot(self, interaction: discord.Interaction, spoilers: bool = False) -> None:
        lang = lang_of(interaction.locale)
        embed = plot_embed(self.bot.show.data, lang, spoilers)
        await interaction.response.send_message(embed=embed)

    @app_commands.command(
        name=_("about"),
        description=_("About the series: webtoon, season 1's record, season 2's crew"),
    )
    async def about(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)
        await interaction.response.send_message(embed=about_embed(self.bot.show.data, lang))

    @app_commands.command(
        name=_("release"), description=_("Season 2 release status and the latest updates")
    )
    async def release(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)
        service = self.bot.notifications.release
        premiere = await service.current()
        posted = [as_entry(u.text, u.source, u.posted_at) for u in await service.updates(limit=10)]
        data = self.bot.show.data
        # Oldest first, as the timeline is kept: the embed picks the newest few itself.
        updates = [*data.timeline, *reversed(posted)]
        starts = datetime.fromtimestamp(premiere.starts_at, UTC) if premiere.starts_at else None
        embed = release_embed(data, lang, starts, premiere.note, updates)
        await interaction.response.send_message(embed=embed)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, FanBot)
    await bot.add_cog(Show(bot))
