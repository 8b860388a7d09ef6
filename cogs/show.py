"""/cast, /plot, /about and /release: the show's facts, in English or Korean."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.i18n import lang_of
from bot.show.watcher import ShowWatcher
from bot.ui.interactions import NO_PINGS
from bot.ui.show import (
    about_embed,
    cast_card_embed,
    cast_list_embeds,
    member_label,
    no_match_text,
    plot_embed,
    release_embed,
)
from bot.wiring import App, app_of

MAX_NAME = 100


class Show(commands.Cog):
    def __init__(self, app: App) -> None:
        self.app = app

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
        snapshot = self.app.show.snapshot
        send = interaction.response.send_message
        if name is None:
            await send(embeds=cast_list_embeds(snapshot.data, lang), allowed_mentions=NO_PINGS)
            return
        found = snapshot.names.match(name)
        if found.member is None:
            text = no_match_text(name, found.suggestions, lang)
            await send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        await send(embed=cast_card_embed(found.member, lang), allowed_mentions=NO_PINGS)

    @cast.autocomplete("name")
    async def cast_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        members = self.app.show.names.autocomplete(current[:MAX_NAME])
        return [app_commands.Choice(name=member_label(m), value=m.actor.en[:100]) for m in members]

    @app_commands.command(name=_("plot"), description=_("The season 2 premise"))
    @app_commands.rename(spoilers=_("spoilers"))
    @app_commands.describe(
        spoilers=_("Show the details that count as spoilers (hidden in spoiler tags)")
    )
    async def plot(self, interaction: discord.Interaction, spoilers: bool = False) -> None:
        embed = plot_embed(self.app.show.data, lang_of(interaction.locale), spoilers)
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_PINGS)

    @app_commands.command(
        name=_("about"),
        description=_("About the series: webtoon, season 1's record, season 2's crew"),
    )
    async def about(self, interaction: discord.Interaction) -> None:
        embed = about_embed(self.app.show.data, lang_of(interaction.locale))
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_PINGS)

    @app_commands.command(
        name=_("release"), description=_("Season 2 release status and the latest updates")
    )
    async def release(self, interaction: discord.Interaction) -> None:
        info = await self.app.usecases.release.info()
        lang = lang_of(interaction.locale)
        embed = release_embed(self.app.show.data, lang, info.starts_at, info.note, info.timeline,
                              info.expected, info.episodes)  # fmt: skip
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_PINGS)


async def setup(bot: commands.Bot) -> None:
    app = app_of(bot)
    app.scheduler.add(ShowWatcher(app.show))  # a saved facts file is picked up by itself
    await bot.add_cog(Show(app))
