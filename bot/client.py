"""The Discord client: the shards this process runs, its extensions and its buttons.

Everything else (the database, jobs, use cases) is built around it by `bot.wiring` before
Discord is contacted, and reached here only through `Services`."""

from __future__ import annotations

import asyncio
import logging
import pkgutil
import re
from collections.abc import Callable
from typing import Any, Protocol, cast

import discord
from discord.ext import commands

import cogs
from bot.rest_limit import RestLimiter, throttle_bucket_sweep
from bot.settings import Settings
from bot.shards import shards_label
from bot.tree import BotTree, Translator
from bot.ui.interactions import answer_unknown

log = logging.getLogger(__name__)


def extension_names() -> list[str]:
    """Every module in `cogs/` is an extension (one per area); a leading underscore opts out."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


class Services(Protocol):
    """What the client asks of what is built around it, at each turn of its life."""

    async def start(self) -> None:
        """The extensions are loaded: sync the commands, start the jobs."""
        ...

    async def before_identify(self, shard_id: int) -> None: ...

    def ready(self, shards: str) -> None: ...

    async def stop(self) -> None:
        """Before the gateway closes: the jobs stop."""
        ...

    async def closed(self) -> None:
        """Last: the database."""
        ...


class FanBot(commands.AutoShardedBot):
    """Runs its shards (`SHARD_IDS` of `SHARD_COUNT`, or all of them)."""

    def __init__(
        self, settings: Settings, limiter: RestLimiter, build: Callable[[FanBot], Services]
    ) -> None:
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
            http_trace=limiter.trace_config(settings.api_base_url),
            # A 429 asking for a longer wait (a channel rename: Discord allows two in ten
            # minutes) raises RateLimited instead of stalling its caller that long.
            max_ratelimit_timeout=30.0,
            shard_count=settings.shard_count,
            # None: every shard (discord.py's stub says a list, its code takes None)
            shard_ids=list(settings.shard_ids) if settings.shard_ids else None,  # type: ignore[arg-type]
        )
        throttle_bucket_sweep(self.http)
        self.settings = settings
        self._buttons: list[re.Pattern[str]] = []
        self._shutdown: asyncio.Task[None] | None = None
        # hears each interaction as it arrives, before any handler of it runs (bot.metrics)
        self.interaction_received: Callable[[discord.Interaction], None] | None = None
        self.app = build(self)  # last: it may use the client, never before it is complete

    async def setup_hook(self) -> None:
        await self.tree.set_translator(Translator())
        for name in [*extension_names(), *self.settings.test_extensions]:
            await self.load_extension(name)
        log.info("loaded %d extensions", len(self.extensions))
        await self.app.start()

    def add_dynamic_items(self, *items: type[discord.ui.DynamicItem[Any]]) -> None:
        """Each area adds its buttons; a press that none of them takes is still answered."""
        super().add_dynamic_items(*items)
        self._buttons += [item.__discord_ui_compiled_template__ for item in items]

    def is_ours(self, custom_id: str) -> bool:
        return any(template.fullmatch(custom_id) for template in self._buttons)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.app.before_identify(shard_id or 0)

    async def on_ready(self) -> None:
        shards = shards_label(self.shard_ids, self.shard_count)
        self.app.ready(shards)
        user = self.user
        log.info("ready: logged in as %s (%s) in %d servers, shards %s", user,
                 user.id if user else "?", len(self.guilds), shards)  # fmt: skip

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        # Called as the gateway event is read: the command's own task has not run yet.
        if event_name == "interaction" and self.interaction_received is not None:
            self.interaction_received(args[0])
        super().dispatch(event_name, *args, **kwargs)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Every component press gets an answer, even one no button of ours takes."""
        if interaction.type is not discord.InteractionType.component:
            return
        data = cast(dict[str, Any], interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not self.is_ours(custom_id):
            try:
                await answer_unknown(interaction)
            except discord.HTTPException as exc:
                log.warning("could not answer unknown button %r: %s", custom_id[:100], exc)

    async def close(self) -> None:
        """Idempotent: every caller waits for the one shutdown to finish."""
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._shut_down())
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        try:
            await self.app.stop()
            await super().close()  # unloads extensions, then closes the gateway and HTTP
        finally:
            await self.app.closed()
            log.info("shut down cleanly")
