"""One limiter for all of the bot's REST traffic, at `DISCORD_RATE_LIMIT` requests a second.

It sits in discord.py's HTTP session as an aiohttp trace hook, so it sees every request,
retries included, without wrapping discord.py: its per-route buckets still apply on top.
- Interaction callbacks and followups (`/interactions/…`, `/webhooks/…`) pass at once:
  Discord exempts them from the global limit.
- A request made inside `urgent()` (one a member is waiting for: a role change, a DM for a
  subscription) goes before every waiting fan-out request.
- A global 429 pauses every request for its `Retry-After`.

Discord counts requests in any one-second window, so the limiter keeps a log of the last
second's requests and lets one more through only when the window has room, with a small
margin for the time a request takes to arrive. Requests are also spread a little (never two
closer than 0.7 of the average gap), so a full window does not leave in one burst whose tail
reaches Discord late enough to land in the next window; the first tenth of the limit in a quiet
window is not spread (a few requests have no such tail), so a lone caller, start-up's logins
and sync say, never waits on an empty window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterator
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

WINDOW_S = 1.0
MARGIN_S = 0.05  # a request sent at t may reach Discord later than one sent before it (a busy host)
SPREAD = 0.7
UNSPREAD_SHARE = 0.1  # of the limit: requests that leave at once into a quiet window
EXEMPT_PATHS = ("/interactions/", "/webhooks/")

_urgent: ContextVar[bool] = ContextVar("rest_urgent", default=False)


@contextlib.contextmanager
def urgent() -> Iterator[None]:
    """Requests made inside go first: a member is waiting for them."""
    token = _urgent.set(True)
    try:
        yield
    finally:
        _urgent.reset(token)


class RestLimiter:
    def __init__(self, per_second: int) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self._sent: deque[float] = deque()
        self._waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._paused_until = 0.0
        self._gap = SPREAD / per_second
        self._unspread = int(per_second * UNSPREAD_SHARE)
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.granted = 0
        self.global_429s = 0
        self.requests = 0  # every REST request, exempt ones and retries included
        self.rate_limited = 0  # of them, those answered 429 (any scope)

    def set_rate(self, per_second: int) -> None:
        """A new share of the bot's limit (another process came or went)."""
        self.per_second = max(1, per_second)
        self._gap = SPREAD / self.per_second
        self._unspread = int(self.per_second * UNSPREAD_SHARE)
        self._wakeup.set()

    async def acquire(self, *, urgent: bool = False) -> None:
        """Wait for room in the window; urgent requests are served first."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[0 if urgent else 1].append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._grant(), name="rest-limiter")
        self._wakeup.set()
        await future

    def pause(self, seconds: float) -> None:
        """Discord said the global limit is spent: nothing goes out for `seconds`."""
        self.global_429s += 1
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        log.warning("global rate limit hit: all REST requests pause for %.2fs", seconds)

    def _delay(self, now: float) -> float:
        """How long until one more request may go out."""
        while self._sent and now - self._sent[0] >= WINDOW_S + MARGIN_S:
            self._sent.popleft()
        delay = self._paused_until - now
        if self._sent and len(self._sent) >= self._unspread:
            delay = max(delay, self._sent[-1] + self._gap - now)
        if len(self._sent) >= self.per_second:
            delay = max(delay, self._sent[0] + WINDOW_S + MARGIN_S - now)
        return delay

    def _next_waiter(self) -> asyncio.Future[None] | None:
        for queue in self._waiting:
            while queue:
                future = queue.popleft()
                if not future.done():  # its request may have been cancelled meanwhile
                    return future
        return None

    async def _grant(self) -> None:
        while True:
            if not any(self._waiting):
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            delay = self._delay(time.monotonic())
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            future = self._next_waiter()
            if future is not None:
                self._sent.append(time.monotonic())
                self.granted += 1
                future.set_result(None)

    # --- the hook in discord.py's HTTP session --------------------------------------------

    def trace_config(self, api_base: str) -> aiohttp.TraceConfig:
        """Limits every request under `api_base` but the exempt ones; counts them all, and
        those answered 429 (`requests`, `rate_limited`: read by /metrics)."""
        config = aiohttp.TraceConfig()

        def limited(url: Any) -> bool:
            text = str(url)
            return text.startswith(api_base) and not any(p in text for p in EXEMPT_PATHS)

        async def on_start(_s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any) -> None:
            self.requests += 1
            if limited(params.url):
                await self.acquire(urgent=_urgent.get())

        async def on_end(_s: aiohttp.ClientSession, _c: SimpleNamespace, params: Any) -> None:
            response = params.response
            if response.status == 429:
                self.rate_limited += 1
                if _is_global(response.headers):
                    self.pause(await _retry_after(response))

        config.on_request_start.append(on_start)
        config.on_request_end.append(on_end)
        return config


def _is_global(headers: Any) -> bool:
    return bool(
        headers.get("X-RateLimit-Global", "").lower() == "true"
        or headers.get("X-RateLimit-Scope", "") == "global"
    )


async def _retry_after(response: aiohttp.ClientResponse) -> float:
    """The body's exact `retry_after` (aiohttp keeps the body for discord.py to read too);
    the whole seconds of the `Retry-After` header if the body has none."""
    try:
        body = await response.json(content_type=None)
        seconds = float(body["retry_after"])
    except (ValueError, KeyError, TypeError, aiohttp.ClientError):
        try:
            seconds = float(response.headers.get("Retry-After", "1"))
        except ValueError:
            seconds = 1.0
    return max(0.0, min(seconds, 60.0))


SWEEP_EVERY_S = 60.0


def throttle_bucket_sweep(http: object) -> None:
    """discord.py drops idle route buckets by scanning all of them whenever it makes a new
    one, once there are 256 or more; a fan-out makes one per DM channel, so that scan would
    run on every DM (a third of the bot's time at 10,000 DMs). Scan at most once a minute:
    buckets idle for five minutes are still dropped, a little later."""
    original = getattr(http, "_try_clear_expired_ratelimits", None)
    if original is None:  # a discord.py without it: nothing to throttle
        return
    last = 0.0

    def sweep() -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= SWEEP_EVERY_S:
            last = now
            original()

    setattr(http, "_try_clear_expired_ratelimits", sweep)  # noqa: B010 (a private hook)
