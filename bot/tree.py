"""The command tree: the one place that turns every command error into a short ephemeral answer,
and that syncs the commands with Discord only when their definitions changed.

Errors members can cause (bad input, missing rights, a server-only command elsewhere, an option
value the command does not offer) are answered and not logged as bugs; anything else is logged
once with its traceback and answered with a reference to find it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.errors import InputError
from bot.i18n import catalogue, lang_of, t
from bot.ui.escape import quote
from bot.ui.interactions import input_error_text, reply_ephemeral

log = logging.getLogger(__name__)

ECHO_LIMIT = 64  # how much of a member's input an answer repeats


class NotAllowed(app_commands.CheckFailure):
    """The member may not run this command: answered ephemerally with this text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _original(error: Exception) -> BaseException:
    return error.original if isinstance(error, app_commands.CommandInvokeError) else error


def _reply_for(interaction: discord.Interaction, error: Exception) -> str | None:
    """The answer for an error a member can cause; None for a bug."""
    lang = lang_of(interaction.locale)
    original = _original(error)
    if isinstance(original, InputError):
        return input_error_text(lang, original)
    if isinstance(error, NotAllowed):
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


def log_bug(interaction: discord.Interaction, what: str, error: BaseException) -> None:
    log.error(
        "%s failed (interaction %s, user %s, guild %s)",
        what,
        interaction.id,
        interaction.user.id,
        interaction.guild_id,
        exc_info=(type(error), error, error.__traceback__),
    )


class Translator(app_commands.Translator):
    """Command names and descriptions in Korean, from `bot/texts/commands.toml`."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean:
            return None
        return catalogue().commands_ko.get(string.message)


class Fingerprints(Protocol):
    """Where the fingerprint of the last sync is kept (the store's `meta`)."""

    async def get(self, key: str) -> str | None: ...

    async def set(self, key: str, value: str) -> None: ...


class BotTree(app_commands.CommandTree[discord.Client]):
    async def payload(self, guild: discord.Object | None) -> list[dict[str, Any]]:
        """The commands as Discord receives them, translations included."""
        translator = self.translator
        payload = []
        for command in self.get_commands(guild=guild):
            if translator is None:
                payload.append(command.to_dict(self))
            else:
                payload.append(await command.get_translated_payload(self, translator))
        return payload

    async def sync_if_changed(
        self, fingerprints: Fingerprints, guild_id: int | None, *, force: bool = False
    ) -> bool:
        """Sync (to one server with `guild_id`) only when the commands' definitions changed
        since the last sync, or when forced; whether it synced."""
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            self.copy_global_to(guild=guild)
        target = f"guild:{guild_id}" if guild_id else "global"
        key = f"sync:{self.client.application_id}:{target}"
        commands = await self.payload(guild)
        payload = json.dumps(commands, sort_keys=True, ensure_ascii=False)
        fingerprint = hashlib.sha256(payload.encode()).hexdigest()
        if not force and await fingerprints.get(key) == fingerprint:
            log.info("commands unchanged since the last sync (%s): not syncing", target)
            return False
        synced = await self._upsert(commands, guild)
        await fingerprints.set(key, fingerprint)
        log.info("synced %d commands (%s)", len(synced), target)
        return True

    async def _upsert(
        self, payload: list[dict[str, Any]], guild: discord.Object | None
    ) -> list[Any]:
        """`sync()`, but with the payload already translated: discord.py's own `sync()` would
        translate every string into every locale a second time (~4 ms of start-up)."""
        application_id = self.client.application_id
        if application_id is None:
            raise app_commands.MissingApplicationID
        http = self.client.http
        try:
            if guild is None:
                return await http.bulk_upsert_global_commands(application_id, payload=payload)
            return await http.bulk_upsert_guild_commands(application_id, guild.id, payload=payload)
        except discord.HTTPException as exc:
            if exc.status == 400 and exc.code == 50035:  # as sync(): name the bad command
                commands = self.get_commands(guild=guild)
                raise app_commands.CommandSyncFailure(exc, commands) from None
            raise

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
