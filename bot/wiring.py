"""The one place that builds the bot: the database first, then the client, then everything
around it (the outbox and its sender, the use cases, the jobs), each made once and complete.

Each area's extension in `cogs/` adds what is its own to what is built here: its commands,
its buttons, its notification kinds and its jobs (see `App.scheduler`)."""

from __future__ import annotations

import gc
import logging
import secrets
from typing import TYPE_CHECKING, cast

import aiohttp
import discord
from discord.ext import commands

from bot.client import FanBot
from bot.clock import Clock
from bot.cluster import Cluster
from bot.discord_actions import HttpActions
from bot.discord_rooms import RoomActions
from bot.feeds.fetch import FeedFetcher
from bot.i18n import lang_of, load_texts
from bot.jobs import Scheduler
from bot.logins import LoginPacer
from bot.outbox import OUTBOX, Outbox
from bot.outbox.dispatcher import DeliveryFailed, Dispatcher
from bot.outbox.progress import ProgressReporter
from bot.outbox.sender import DiscordSender
from bot.rest_limit import RestLimiter
from bot.settings import Settings
from bot.shards import shards_label
from bot.show.loader import ShowStore
from bot.store import Store, open_store
from bot.store.records import Delivery, Progress
from bot.tree import BotTree
from bot.ui.admin import progress_line
from bot.ui.notify import notification_view
from bot.usecases import UseCases

if TYPE_CHECKING:
    from bot.metrics.server import HealthServer

log = logging.getLogger(__name__)


def fan_out_concurrency(rate_limit: int) -> int:
    """Sends in flight: enough to fill the REST limit while each waits on its round trip."""
    return max(8, min(32, rate_limit // 32))


async def build(
    settings: Settings, *, sync_only: bool = False, health: HealthServer | None = None
) -> FanBot:
    """Open the database (a bad one stops start-up before Discord is contacted), then build
    the bot around it. `sync_only`: `python -m bot sync`, which syncs and sends nothing.
    `health`: the endpoints of `METRICS_PORT`, already listening, to hook into the bot."""
    load_texts()  # every reply and command translation, checked before anything is sent
    show = ShowStore(settings.show_data_path)  # a bad facts file stops start-up first
    database_url = settings.database_url.reveal() if settings.database_url else None
    store = open_store(database_url, settings.database_path)
    await store.open()
    # a random id of this database, so nonces never collide with another's
    install_id = await store.meta.setdefault("install_id", secrets.token_hex(4))
    limiter = RestLimiter(settings.rate_limit)  # every REST request but interaction answers
    return FanBot(
        settings, limiter,
        lambda bot: App(bot, settings, store, show, limiter, install_id, sync_only=sync_only,
                        health=health),
    )  # fmt: skip


def app_of(bot: commands.Bot) -> App:
    """The app of the bot an extension is loaded into."""
    assert isinstance(bot, FanBot) and isinstance(bot.app, App)
    return bot.app


class App:
    """Everything the bot is made of but the client itself."""

    def __init__(
        self, bot: FanBot, settings: Settings, store: Store, show: ShowStore,
        limiter: RestLimiter, install_id: str, *, sync_only: bool,
        health: HealthServer | None = None,
    ) -> None:  # fmt: skip
        self.bot = bot
        self.settings = settings
        self.store = store
        self.sync_only = sync_only
        self.clock = Clock(settings.clock_offset)
        self.coordination = store.database.coordination(store.owner)
        self.scheduler = Scheduler()
        self.outbox = Outbox(lambda: self.coordination.announce(OUTBOX))
        self.show = show
        self.actions = HttpActions(bot)  # what use cases, and the heartbeat, ask of Discord
        self.feed_fetcher = FeedFetcher(allow_private=settings.feeds_allow_private)
        fetcher = health.count_feed_checks(self.feed_fetcher) if health else self.feed_fetcher
        self.usecases = UseCases(
            store=store, outbox=self.outbox, clock=self.clock, discord=self.actions,
            settings=settings, show=self.show, fetcher=fetcher,
            announce=self.coordination.announce, rooms=RoomActions(bot),
        )  # fmt: skip
        self.logins = LoginPacer(store, self.coordination, self._max_concurrency)
        self.cluster = Cluster(
            store, self.coordination, self.clock, limiter, settings.rate_limit, self.scheduler,
            self._event_servers,
        )  # fmt: skip
        # what the others hear of before the gateway has said (its own count comes on ready)
        self.cluster.shards = shards_label(
            list(settings.shard_ids) if settings.shard_ids else None, settings.shard_count
        )
        sender = DiscordSender(bot, store, install_id, notification_view, self.clock)
        self.dispatcher = dispatcher = Dispatcher(
            store, sender, self.clock, on_failed=self._delivery_failed,
            concurrency=fan_out_concurrency(settings.rate_limit),
        )  # fmt: skip
        progress = ProgressReporter(store, bot, self.clock, self._progress_line,
                                    rate=float(settings.rate_limit))  # fmt: skip
        # the cluster first: it is stopped last, after the jobs it started
        self.scheduler.add(self.cluster, *dispatcher.lanes, progress)
        if health is not None:  # /readyz, /metrics: what they read and count
            health.watch(bot=bot, store=store, clock=self.clock, limiter=limiter,
                         dispatcher=dispatcher)  # fmt: skip

    # --- the client's turns (bot.client.Services) ---------------------------------------------

    async def start(self) -> None:
        async with self.coordination.exclusive("command-sync"):  # once for all processes
            await cast(BotTree, self.bot.tree).sync_if_changed(
                self.store.meta, self.settings.dev_guild_id, force=self.sync_only
            )
        if not self.sync_only:
            await self.coordination.open(self.scheduler.heard)
            self.scheduler.start()  # the sender's jobs start once this process leads
            gc.freeze()  # what start-up built lives on: keep it out of every later collection

    async def before_identify(self, shard_id: int) -> None:
        await self.logins.turn(shard_id)

    def ready(self, shards: str) -> None:
        self.cluster.running(shards)

    async def stop(self) -> None:
        await self.scheduler.stop()  # the sender lets its sends under way finish
        await self.feed_fetcher.close()

    async def closed(self) -> None:
        await self.store.close()

    # --- what the parts built here ask of each other ------------------------------------------

    async def _max_concurrency(self) -> int:
        try:
            return (await self.bot.fetch_session_start_limits()).max_concurrency
        except (discord.HTTPException, aiohttp.ClientError, OSError, KeyError) as exc:
            log.warning("could not read Discord's login concurrency (%s): one at a time", exc)
            return 1

    def _event_servers(self) -> tuple[int, list[str]]:
        allowed, refused = self.actions.event_servers()
        return len(allowed), refused

    async def _delivery_failed(self, delivery: Delivery, failure: DeliveryFailed) -> None:
        reason = (
            "dm_closed" if failure.dm_closed else "forbidden" if failure.forbidden else "failed"
        )
        await self.usecases.members.delivery_failed(delivery, reason)

    def _progress_line(self, progress: Progress, locale: str, left: float | None) -> str:
        return progress_line(lang_of(locale), progress, left, self.clock.seconds())
