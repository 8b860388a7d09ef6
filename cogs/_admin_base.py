"""The /admin group and what every /admin command checks first: a moderator of this server,
and for show-wide commands a moderator of the home server or the bot's owner."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.i18n import lang_of, t
from bot.tree import NotAllowed
from bot.ui.interactions import guild_id_of, is_owner, manages_server, role_ids
from bot.wiring import App


class AdminBase(commands.Cog):
    def __init__(self, app: App) -> None:
        self.app = app

    admin = app_commands.Group(
        name=_("admin"),
        description=_("Moderator tools for the notification bot"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Checked in the bot on every call, whatever Discord's permission settings say."""
        guild_id = guild_id_of(interaction)
        if await is_owner(interaction):
            return True
        allowed = await self.app.usecases.servers.is_moderator(
            guild_id, manages_server=manages_server(interaction), role_ids=role_ids(interaction)
        )
        if not allowed:
            raise NotAllowed(t(lang_of(interaction.locale), "admin.not_mod"))
        return True

    async def _require_show_wide(self, interaction: discord.Interaction) -> None:
        allowed = await self.app.usecases.servers.may_change_show(
            interaction.guild_id, is_owner=await is_owner(interaction),
            manages_server=manages_server(interaction), role_ids=role_ids(interaction),
        )  # fmt: skip
        if not allowed:
            raise NotAllowed(t(lang_of(interaction.locale), "admin.not_home"))

    feed = app_commands.Group(
        name=_("feed"), description=_("News feeds the bot watches (show-wide)"), parent=admin
    )
