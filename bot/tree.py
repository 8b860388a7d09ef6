"""The command tree: one place that turns every command error into an answer."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands

from bot.errors import NotAllowed, UserError
from bot.i18n import lang_of, t

log = logging.getLogger(__name__)


def _reply_for(interaction: discord.Interaction, error: app_commands.AppCommandError) -> str:
    lang = lang_of(interaction.locale)
    if isinstance(error, UserError | NotAllowed):
        return error.message
    if isinstance(error, app_commands.NoPrivateMessage):
        return t(lang, "error.guild_only")
    if isinstance(error, app_commands.CommandOnCooldown):
        when = discord.utils.format_dt(
            discord.utils.utcnow() + timedelta(seconds=error.retry_after), "R"
        )
        return t(lang, "error.cooldown", when=when)
    if isinstance(error, app_commands.CheckFailure):
        return t(lang, "error.not_allowed")
    return t(lang, "error.internal", ref=interaction.id)


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer through whichever channel is still open: the initial response or a follow-up."""
    mentions = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=mentions)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=mentions)


class BotTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        expected = isinstance(error, UserError | app_commands.CheckFailure)
        if not expected:
            command = interaction.command.qualified_name if interaction.command else "?"
            original = getattr(error, "original", error)
            log.error(
                "command /%s failed (interaction %s, user %s, guild %s)",
                command,
                interaction.id,
                interaction.user.id,
                interaction.guild_id,
                exc_info=(type(original), original, original.__traceback__),
            )
        try:
            await reply_ephemeral(interaction, _reply_for(interaction, error))
        except discord.HTTPException as exc:
            log.warning("could not report an error to interaction %s: %s", interaction.id, exc)
