"""The Bot: wiring of settings, database, show data and extensions; command sync."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import pkgutil
import secrets
from typing import Any, cast

import aiohttp
import discord
from discord.ext import commands

import cogs
from bot.admin_replies import progress_line
from bot.buttons import BUTTONS, answer_unknown, is_ours, notification_view
from bot.clock import Clock
from bot.cluster import Cluster
from bot.discord_actions import HttpActions
from bot.feeds.fetch import FetchResult, fetch
from bot.feeds.notices import register_feed_notices
from bot.feeds.poller import FeedPoller
from bot.i18n import Translator, lang_of, load_texts
from bot.logins import LoginPacer
from bot.notify.countdown import CountdownJob
from bot.notify.events import EventSync
from bot.notify.notices import register_notices
from bot.outbox import Outbox
from bot.outbox.dispatcher import DeliveryFailed, Dispatcher
from bot.outbox.progress import ProgressReporter
from bot.outbox.sender import DiscordSender
from bot.rest_limit import RestLimiter, throttle_bucket_sweep
from bot.settings import Settings
from bot.shards import shards_label
from bot.show.loader import ShowStore
from bot.show.watcher import ShowWatcher
from bot.store import Store, open_store
from bot.store.records import Delivery, Progress
from bot.tree import BotTree
from bot.usecases import UseCases

log = logging.getLogger(__name__)


def extension_names() -> list[str]:
    """Every module in `cogs/` is an extension; a leading underscore opts out."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


def fan_out_concurrency(rate_limit: int) -> int:
    """Sends in flight: enough to fill the REST limit while each waits on its round trip."""
    return max(8, min(32, rate_limit // 32))


class FanBot(commands.AutoShardedBot):
    """Runs its shards (`SHARD_IDS` of `SHARD_COUNT`, or all of them) and, while it is the
    bot's sender (see `bot.cluster`), the outbox, fan-out progress and news feeds."""

    def __init__(self, settings: Settings, *, sync_only: bool = False) -> None:
        limiter = RestLimiter(settings.rate_limit)  # every REST request but interaction answers
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
        self.limiter = limiter
        throttle_bucket_sweep(self.http)
        self.settings = settings
        self.sync_only = sync_only  # `python -m bot sync`: sync, send nothing
        self.clock = Clock(settings.clock_offset)
        database_url = settings.database_url.reveal() if settings.database_url else None
        self.store: Store = open_store(database_url, settings.database_path)
        self.coordination = self.store.database.coordination(self.store.owner)
        self.cluster = Cluster(self.store, self.coordination, self.clock, limiter,
                               settings.rate_limit, duties=self,
                               event_servers=self._event_servers)  # fmt: skip
        self.cluster.shards = shards_label(
            list(settings.shard_ids) if settings.shard_ids else None, settings.shard_count
        )
        self.logins = LoginPacer(self.store, self.coordination, self._max_concurrency)
        self.actions = HttpActions(self)  # what use cases, and the heartbeat, ask of Discord
        self.show = ShowStore(settings.show_data_path)
        self.show_watcher = ShowWatcher(self.show)
        self.outbox = Outbox()
        self.events = EventSync(self, self.store)
        self.countdown = CountdownJob(self, self.store, self.clock)
        self._dispatcher: Dispatcher | None = None
        self._progress: ProgressReporter | None = None
        self._feeds: FeedPoller | None = None
        self._feed_session: aiohttp.ClientSession | None = None
        self._usecases: UseCases | None = None
        self._shutdown: asyncio.Task[None] | None = None

    def now(self) -> int:
        return int(self.clock.timestamp())

    @property
    def usecases(self) -> UseCases:
        if self._usecases is None:
            raise RuntimeError("use cases are wired in setup_hook")
        return self._usecases

    async def setup_hook(self) -> None:
        load_texts()  # every reply and command translation, checked before anything is sent
        self._wire(await self.store.meta.setdefault("install_id", secrets.token_hex(4)))
        await self.tree.set_translator(Translator())
        for name in [*extension_names(), *self.settings.test_extensions]:
            await self.load_extension(name)
        log.info("loaded %d extensions", len(self.extensions))
        async with self.coordination.exclusive("command-sync"):  # once for all processes
            await self.sync_commands(force=self.sync_only)
        if not self.sync_only:
            await self.coordination.open(self._heard)
            self.events.start()
            self.countdown.start()
            self.show_watcher.start()
            self.cluster.start()  # the sender's duties start once this process leads
            gc.freeze()  # what start-up built lives on: keep it out of every later collection

    # --- the sender's duties (bot.cluster.Duties) -------------------------------------------

    async def lead(self) -> None:
        assert self._dispatcher and self._progress and self._feeds
        self._dispatcher.start()
        self._progress.start()
        self._feeds.start()

    async def step_down(self) -> None:
        assert self._dispatcher and self._progress and self._feeds
        await self._feeds.stop()
        await self._progress.stop()
        await self._dispatcher.stop()  # lets sends under way finish and records them

    def _event_servers(self) -> tuple[int, list[str]]:
        allowed, refused = self.actions.event_servers()
        return len(allowed), refused

    def wake(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.wake()

    def _heard(self, topic: str) -> None:
        """A wake from any process (this one too): work was scheduled or the premiere moved."""
        if topic == "outbox" and self.cluster.leading and self._dispatcher is not None:
            self._dispatcher.wake()
        elif topic == "premiere":
            self.events.wake()
            self.countdown.wake()
        elif topic == "countdown":
            self.countdown.wake()
        elif topic == "feeds" and self.cluster.leading and self._feeds is not None:
            self._feeds.wake()

    # --- gateway logins, paced for the whole bot --------------------------------------------

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self.logins.turn(shard_id or 0)

    async def _max_concurrency(self) -> int:
        try:
            return (await self.fetch_session_start_limits()).max_concurrency
        except (discord.HTTPException, aiohttp.ClientError, OSError, KeyError) as exc:
            log.warning("could not read Discord's login concurrency (%s): one at a time", exc)
            return 1

    def _wire(self, install_id: str) -> None:
        """Build the core once: the sender with its buttons, the dispatcher, the use cases."""
        register_notices()
        register_feed_notices()
        self.add_dynamic_items(*BUTTONS)
        # install_id: a random id of this database, so nonces never collide with another's
        sender = DiscordSender(self, self.store, install_id, notification_view, self.clock)
        rate = self.settings.rate_limit
        self._dispatcher = Dispatcher(
            self.store, sender, self.clock, concurrency=fan_out_concurrency(rate),
            on_failed=self._delivery_failed,
        )  # fmt: skip
        self.outbox.wire(lambda: self.coordination.announce("outbox"))
        self._usecases = UseCases(
            store=self.store,
            outbox=self.outbox,
            clock=self.clock,
            discord=self.actions,
            settings=self.settings,
            show=self.show,
            sync_events=self._premiere_changed,
            sync_countdowns=lambda: self.coordination.announce("countdown"),
            fetcher=self._fetch_feed,
            poll_feeds=self._wake_feeds,
        )
        self._feeds = FeedPoller(self._usecases.feeds, self.clock)
        self._progress = ProgressReporter(self.store, self, self.clock, self._progress_line,
                                          rate=float(rate))  # fmt: skip

    async def _fetch_feed(self, url: str, etag: str | None, modified: str | None) -> FetchResult:
        """News feeds use a session of their own: never the one holding the bot's token."""
        if self._feed_session is None:
            self._feed_session = aiohttp.ClientSession()
        allow = self.settings.feeds_allow_private
        return await fetch(self._feed_session, url, etag=etag, last_modified=modified,
                           allow_private=allow)  # fmt: skip

    def _wake_feeds(self) -> None:
        self.coordination.announce("feeds")

    def _premiere_changed(self) -> None:
        """The scheduled events and the countdown channels (of every process's servers)
        follow the stored premiere."""
        self.coordination.announce("premiere")

    async def _delivery_failed(self, delivery: Delivery, failure: DeliveryFailed) -> None:
        reason = (
            "dm_closed" if failure.dm_closed else "forbidden" if failure.forbidden else "failed"
        )
        await self.usecases.members.delivery_failed(delivery, reason)

    def _progress_line(self, progress: Progress, locale: str, left: float | None) -> str:
        return progress_line(lang_of(locale), progress, left, int(self.clock.timestamp()))

    async def on_ready(self) -> None:
        user = self.user
        self.cluster.running(shards_label(self.shard_ids, self.shard_count))
        log.info(
            "ready: logged in as %s (%s) in %d servers, shards %s",
            user,
            user.id if user else "?",
            len(self.guilds),
            self.cluster.shards,
        )

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Every component press gets an answer, even one no button of ours takes."""
        if interaction.type is not discord.InteractionType.component:
            return
        data = cast(dict[str, Any], interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not is_ours(custom_id):
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
            await self.events.stop()
            await self.countdown.stop()
            if self._feed_session is not None:
                await self._feed_session.close()
            await self.show_watcher.stop()
            await self.cluster.stop()  # the sender lets its sends under way finish
            await super().close()  # unloads extensions, then closes the gateway and HTTP
        finally:
            await self.store.close()
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
        if not force and await self.store.meta.get(key) == fingerprint:
            log.info("commands unchanged since the last sync (%s): not syncing", target)
            return False
        synced = await self.tree.sync(guild=guild)
        await self.store.meta.set(key, fingerprint)
        log.info("synced %d commands (%s)", len(synced), target)
        return True
