"""The Bot: wiring of settings, database, show data and extensions; command sync."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.clock import Clock
from bot.db.database import Database
from bot.db.meta import MetaRepo
from bot.i18n import Translator
from bot.notify.service import Notifications, install_id
from bot.settings import Settings
from bot.show.loader import ShowStore
from bot.tree import BotTree

log = logging.getLogger(__name__)


def extension_names() -> list[str]:
    """Every module in `cogs/` is an extension; a leading underscore opts out."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


class FanBot(commands.Bot):
    def __init__(self, settings: Settings, *, sync_only: bool = False) -> None:
        # The bot has no voice features: spare the log two warnings about voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles of the servers we are in; nothing private
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=BotTree,
            allowed_mentions=discord.AllowedMentions.none(),
            max_messages=None,
            chunk_guilds_at_startup=False,
        )
        self.settings = settings
        self.sync_only = sync_only  # `python -m bot sync`: sync, send nothing
        self.clock = Clock(settings.clock_offset)
        self.db = Database(settings.database_path)
        self.meta = MetaRepo(self.db)
        self.show = ShowStore(settings.show_data_path)
        self._notifications: Notifications | None = None
        self._shutdown: asyncio.Task[None] | None = None

    @property
    def notifications(self) -> Notifications:
        if self._notifications is None:
            raise RuntimeError("notifications are set up in setup_hook")
        return self._notifications

    async def setup_hook(self) -> None:
        await self.db.open()
        self._notifications = Notifications(self, self.db, self.clock, await install_id(self.meta))
        await self.tree.set_translator(Translator())
        for name in extension_names():
            await self.load_extension(name)
        log.info("loaded %d extensions", len(self.extensions))
        await self.sync_commands(force=self.sync_only)
        if not self.sync_only:
            self.notifications.dispatcher.start()

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "ready: logged in as %s (%s) in %d servers",
            user,
            user.id if user else "?",
            len(self.guilds),
        )

    async def close(self) -> None:
        """Idempotent: every caller waits for the one shutdown to finish."""
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._shut_down())
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        try:
            if self._notifications is not None:
                await self._notifications.dispatcher.stop()  # lets sends under way finish
            await super().close()  # unloads extensions, then closes the gateway and HTTP
        finally:
            await self.db.close()
            log.info("shut down cleanly")

    # --- command sync -------------------------------------------------------------------

    def _sync_target(self) -> discord.Object | None:
        guild_id = self.settings.dev_guild_id
        return discord.Object(guild_id) if guild_id else None

    async def command_payload(self, guild: discord.Object | None) -> list[dict[str, Any]]:
        translator = self.tree.translator
        payload = []
        for command in self.tree.get_commands(guild=guild):
            if translator is None:
                payload.append(command.to_dict(self.tree))
            else:
                payload.append(await command.get_translated_payload(self.tree, translator))
        return payload

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Sync only when the commands' definitions changed since the last sync."""
        guild = self._sync_target()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        target = f"guild:{guild.id}" if guild else "global"
        key = f"sync:{self.application_id}:{target}"
        payload = await self.command_payload(guild)
        fingerprint = hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        if not force and await self.meta.get(key) == fingerprint:
            log.info("commands unchanged since the last sync (%s): not syncing", target)
            return False
        synced = await self.tree.sync(guild=guild)
        await self.meta.set(key, fingerprint)
        log.info("synced %d commands (%s)", len(synced), target)
        return True
