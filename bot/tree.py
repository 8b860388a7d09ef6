"""The command tree: the one place that turns every command error into a short ephemeral answer.

Errors members can cause (bad input, missing rights, a server-only command elsewhere, an option
value the command does not offer) are answered and not logged as bugs; anything else is logged
once with its traceback and answered with a reference to find it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import discord
from discord import app_commands

from bot.errors import InputError, NotAllowed, UserError
from bot.i18n import Lang, lang_of, t
from bot.untrusted import quote

log = logging.getLogger(__name__)

ECHO_LIMIT = 64  # how much of a member's input an answer repeats


def _original(error: Exception) -> BaseException:
    return error.original if isinstance(error, app_commands.CommandInvokeError) else error


def input_error_text(lang: Lang, error: InputError) -> str:
    """Echoed input is escaped and bounded; `safe` values (our own mentions) are shown as is."""
    values = {key: quote(value, error.limit) for key, value in error.values.items()}
    return t(lang, error.key, **values, **error.safe)


def _reply_for(interaction: discord.Interaction, error: Exception) -> str | None:
    """The answer for an error a member can cause; None for a bug."""
    lang = lang_of(interaction.locale)
    original = _original(error)
    if isinstance(original, InputError):
        return input_error_text(lang, original)
    if isinstance(error, UserError | NotAllowed):
        return error.message
    if isinstance(error, app_commands.NoPrivateMessage):
        return t(lang, "error.guild_only")
    if isinstance(error, app_commands.TransformerError):
        # e.g. a client whose command list is older than our choices
        return t(lang, "error.bad_option", value=quote(str(error.value), ECHO_LIMIT))
    if isinstance(error, app_commands.CommandOnCooldown):
        when = discord.utils.format_dt(
            discord.utils.utcnow() + timedelta(seconds=error.retry_after), "R"
        )
        return t(lang, "error.cooldown", when=when)
    if isinstance(error, app_commands.CheckFailure):
        return t(lang, "error.not_allowed")
    return None


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer through whichever channel is still open: the initial response or a follow-up."""
    mentions = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=mentions)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=mentions)


def log_bug(interaction: discord.Interaction, what: str, error: BaseException) -> None:
    log.error(
        "%s failed (interaction %s, user %s, guild %s)",
        what,
        interaction.id,
        interaction.user.id,
        interaction.guild_id,
        exc_info=(type(error), error, error.__traceback__),
    )


class BotTree(app_commands.CommandTree[discord.Client]):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        text = _reply_for(interaction, error)
        if text is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log_bug(interaction, f"command /{command}", _original(error))
            text = t(lang_of(interaction.locale), "error.internal", ref=interaction.id)
        try:
            await reply_ephemeral(interaction, text)
        except discord.HTTPException as exc:
            log.warning("could not report an error to interaction %s: %s", interaction.id, exc)
