"""/admin episodes: season 2's episode count, for the episode rooms."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _

from bot.i18n import lang_of
from bot.ui.interactions import NO_PINGS
from bot.ui.rooms import count_text
from bot.usecases.rooms import MAX_EPISODES
from cogs._admin_base import AdminBase


class RoomCommands(AdminBase):
    admin = AdminBase.admin

    @admin.command(
        name=_("episodes"),
        description=_("Season 2's number of episodes (show-wide): one episode room each"),
    )
    @app_commands.rename(count=_("count"))
    @app_commands.describe(count=_("How many episodes season 2 has (1-50)"))
    async def episodes_command(
        self, interaction: discord.Interaction, count: app_commands.Range[int, 1, MAX_EPISODES]
    ) -> None:
        await self._require_show_wide(interaction)
        previous, now = await self.app.usecases.rooms.set_count(count, interaction.user.id)
        text = count_text(lang_of(interaction.locale), previous, now)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
