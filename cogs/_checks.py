"""Permission checks done in the bot itself, whatever Discord's command permissions say."""

from __future__ import annotations

import discord

from bot.client import FanBot


async def is_moderator(bot: FanBot, interaction: discord.Interaction) -> bool:
    """Manage Server (from the interaction's resolved permissions) or this server's mod role."""
    if interaction.guild_id is None:
        return False
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    settings = await bot.notifications.guild_settings.get(interaction.guild_id)
    member = interaction.user
    if settings.mod_role_id is None or not isinstance(member, discord.Member):
        return False
    return any(role.id == settings.mod_role_id for role in member.roles)


async def may_change_show(bot: FanBot, interaction: discord.Interaction) -> bool:
    """Show-wide facts: the home server's moderators, or the bot's owner."""
    if await bot.is_owner(interaction.user):
        return True
    home = bot.settings.home_guild_id
    return (
        home is not None and interaction.guild_id == home and await is_moderator(bot, interaction)
    )
