"""The HTTP endpoints, on the bot's own event loop (aiohttp's web server):

- `GET /livez`: 200 as long as the process runs and its event loop turns, from the start.
- `GET /readyz`: 200 when every shard of this process is connected to the gateway and the
  database answers a trivial query within 2 s; otherwise 503, the body naming what is down,
  one line each (`shard 0: disconnected`, `database: no answer for 2.0 s`). Before the bot
  is built: 503 `starting`.
- `GET /metrics`: Prometheus's text format (OpenMetrics when the scraper asks for it).

The server listens before the database is opened, so a process busy migrating or waiting for
its database is alive, and not ready. `watch()` connects it to the bot once the bot is built.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client.exposition import choose_encoder

from bot.clock import Clock
from bot.metrics import MetricsServerError
from bot.metrics.instruments import Metrics, Snapshot
from bot.metrics.probes import DATABASE_TIMEOUT_S, OneAtATime, Readiness, Shards
from bot.rest_limit import RestLimiter
from bot.store import Store
from bot.store.health import HealthStore
from bot.usecases.ports import Fetcher

if TYPE_CHECKING:
    from bot.client import FanBot
    from bot.outbox.dispatcher import Dispatcher

log = logging.getLogger(__name__)

SNAPSHOT_FRESH_S = 1.0  # scrapes closer together than this share the database's answers


class Watched:
    """The bot as the endpoints see it, once built."""

    def __init__(self, metrics: Metrics, bot: FanBot, store: Store, clock: Clock) -> None:
        health = HealthStore(store.database)
        self.shards = Shards(bot)
        self.readiness = Readiness(self.shards, OneAtATime(health.ping))
        self.metrics = metrics
        self.clock = clock

        async def snapshot() -> Snapshot:
            now = clock.seconds()
            return Snapshot(now, await health.outbox_due(now), await health.subscribers())

        self.snapshots = OneAtATime(snapshot, fresh_for=SNAPSHOT_FRESH_S)
        for event, listener in (
            ("on_shard_connect", self.shards.connected),
            ("on_shard_resumed", self.shards.connected),
            ("on_shard_disconnect", self.shards.disconnected),
        ):
            bot.add_listener(_as_coroutine(listener), event)

    async def refresh(self) -> None:
        """What /metrics reads from the database and the probes, each within its timeout."""
        scraped = self.metrics.scraped
        problems, snapshot = await asyncio.gather(
            self.readiness.problems(), self._snapshot(), return_exceptions=False
        )
        scraped.ready = not problems
        scraped.snapshot = snapshot
        scraped.database_up = snapshot is not None

    async def _snapshot(self) -> Snapshot | None:
        try:
            return await self.snapshots.get()
        except Exception as exc:  # NoAnswer, or the database's error: the figures are left out
            log.debug("metrics: no figures from the database: %s", exc)
            return None

    def close(self) -> None:
        self.readiness.close()
        self.snapshots.cancel()


def _as_coroutine(callback: Callable[[int], None]) -> Callable[[int], Coroutine[Any, Any, None]]:
    """discord.py's listeners must be coroutine functions."""

    async def listener(shard_id: int) -> None:
        callback(shard_id)

    return listener


class HealthServer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.metrics = Metrics()
        self.watched: Watched | None = None
        app = web.Application()
        app.router.add_get("/livez", self._livez)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        # A probe in flight waits at most DATABASE_TIMEOUT_S: no need to wait longer at exit.
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=DATABASE_TIMEOUT_S
        )

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            reason = exc.strerror or str(exc)
            raise MetricsServerError(
                f"METRICS_PORT: cannot listen on {self.host}:{self.port}: {reason}"
            ) from None
        log.info("health and metrics on http://%s:%d (/livez, /readyz, /metrics)",
                 self.host, self.port)  # fmt: skip

    async def stop(self) -> None:
        if self.watched is not None:
            self.watched.close()
        await self._runner.cleanup()

    # --- what it is hooked into, once the bot is built (bot.wiring) --------------------------

    def watch(
        self, *, bot: FanBot, store: Store, clock: Clock, limiter: RestLimiter,
        dispatcher: Dispatcher,
    ) -> None:  # fmt: skip
        """Before the bot logs in: its HTTP session's hooks are fixed once it exists."""
        metrics = self.metrics
        self.watched = Watched(metrics, bot, store, clock)
        metrics.scraped.limiter = limiter
        metrics.scraped.shards = self.watched.shards
        dispatcher.on_outcome = metrics.delivery_outcome
        bot.interaction_received = metrics.timer.received
        trace = bot.http.http_trace
        if trace is not None:  # the REST limiter's: every request of the bot's session
            trace.on_request_end.append(metrics.timer.on_request_end)

    def count_feed_checks(self, fetch: Fetcher) -> Fetcher:
        return self.metrics.count_feed_checks(fetch)

    # --- the endpoints ------------------------------------------------------------------------

    async def _livez(self, _request: web.Request) -> web.Response:
        return web.Response(text="alive\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        problems = ["starting"] if self.watched is None else await self.watched.readiness.problems()
        if problems:
            return web.Response(status=503, text="".join(f"{p}\n" for p in problems))
        return web.Response(text="ready\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        if self.watched is not None:
            await self.watched.refresh()
        self.metrics.timer.fold()  # what the interactions counted since the last scrape
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encode(self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": content_type})
