"""Health and metrics over HTTP, when `METRICS_PORT` is set: `/livez`, `/readyz` and `/metrics`,
served by aiohttp on the bot's own event loop from the start of the process (before the
database is opened and the gateway connected) until its end.

- `server.py`: the endpoints and what they are hooked into (`HealthServer.watch`).
- `probes.py`: readiness: every shard of this process connected, the database answering a
  trivial query within 2 s (a database that hangs gives a 503, never a hanging probe).
- `instruments.py`: the bot's own Prometheus registry (never the global default, so several
  bots or tests in one process don't collide), its counters and the figures read when it is
  scraped.

Nothing here is imported unless `METRICS_PORT` is set: a bot without it pays nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.metrics.server import HealthServer


class MetricsServerError(Exception):
    """The endpoints cannot be served (the port is taken, say); one line naming the setting."""


@asynccontextmanager
async def serving(settings: Settings | None) -> AsyncIterator[HealthServer | None]:
    """The endpoints, listening, for as long as the block runs; None when not asked for
    (`settings` None, or no `METRICS_PORT`). Raises MetricsServerError."""
    if settings is None or settings.metrics_port is None:
        yield None
        return
    from bot.metrics.server import HealthServer

    server = HealthServer(settings.metrics_host, settings.metrics_port)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
