"""Readiness: every shard of this process connected to the gateway, and the database answering.

The database may hang rather than fail (a stopped server, a lost network): a probe never waits
for it longer than `DATABASE_TIMEOUT_S`, and never stacks up queries behind a hung one. One
query is in flight at a time: a probe that finds one still waiting waits for that one (as long
again at most) and says how long it has waited; the next probe after it is done asks anew.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, NamedTuple, TypeVar

import discord

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_S = 2.0
# A query waiting this long is left to end by itself (cancelled, not waited for) and a new
# one asked: a connection that died without a word must not keep the probe down for good.
ABANDON_AFTER_S = 30.0

T = TypeVar("T")


class NoAnswer(Exception):
    """The call has been waiting `waited` seconds (and goes on: the next probe finds it)."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"no answer for {waited:.1f} s")
        self.waited = waited


class OneAtATime(Generic[T]):
    """Calls `call` at most once at a time; each `get()` waits at most `timeout` for the call,
    whether it made it or found it running. A result is reused for `fresh_for` seconds."""

    def __init__(
        self, call: Callable[[], Awaitable[T]], *, timeout: float = DATABASE_TIMEOUT_S,
        fresh_for: float = 0.0, abandon_after: float = ABANDON_AFTER_S,
    ) -> None:  # fmt: skip
        self._call = call
        self.timeout = timeout
        self.fresh_for = fresh_for
        self.abandon_after = abandon_after
        self._task: asyncio.Task[T] | None = None
        self._started = 0.0
        self._last: tuple[float, T] | None = None

    async def get(self) -> T:
        """The call's result, or its exception; NoAnswer once it has waited `timeout`."""
        now = time.monotonic()
        if self._last is not None and now - self._last[0] < self.fresh_for:
            return self._last[1]
        task = self._task
        if task is not None and now - self._started >= self.abandon_after:
            task.cancel()  # not waited for: its clean-up may need the very server that hangs
            task = None
        if task is None:
            task = self._task = asyncio.create_task(self._run())
            self._started = now
            task.add_done_callback(self._finished)
        await asyncio.wait({task}, timeout=self.timeout)
        if not task.done():
            raise NoAnswer(time.monotonic() - self._started)
        return task.result()

    async def _run(self) -> T:
        return await self._call()

    def _finished(self, task: asyncio.Task[T]) -> None:
        if self._task is task:
            self._task = None
        if task.cancelled():
            return
        if task.exception() is None:  # (also marks an exception as retrieved)
            self._last = (time.monotonic(), task.result())

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()


class ShardState(NamedTuple):
    connected: bool
    ever: bool  # connected at some point since the start
    latency_s: float | None  # the last heartbeat's round trip, once there was one


class Shards:
    """This process's shards as the gateway events tell them (READY or RESUMED: connected;
    a disconnect: not), checked against the websocket itself."""

    def __init__(self, bot: discord.AutoShardedClient) -> None:
        self.bot = bot
        self._up: dict[int, bool] = {}

    def connected(self, shard_id: int) -> None:
        self._up[shard_id] = True

    def disconnected(self, shard_id: int) -> None:
        self._up[shard_id] = False

    def expected(self) -> Iterable[int] | None:
        """This process's shard ids; None before the gateway said how many there are."""
        if self.bot.shard_ids:
            return self.bot.shard_ids
        count = self.bot.shard_count
        return range(count) if count else None

    def states(self) -> dict[int, ShardState]:
        shards = self.bot.shards
        states = {}
        for shard_id in self.expected() or ():
            info = shards.get(shard_id)
            open_ = info is not None and not info.is_closed()
            latency = info.latency if info is not None and open_ else None
            states[shard_id] = ShardState(
                self._up.get(shard_id, False) and open_,
                shard_id in self._up,
                latency if latency is not None and math.isfinite(latency) else None,
            )
        return states


class Readiness:
    """What keeps this process from being ready, in words: nothing when it is."""

    def __init__(self, shards: Shards, database: OneAtATime[None]) -> None:
        self.shards = shards
        self.database = database
        self._database_down: str | None = None  # what was last said of it, said once

    async def problems(self) -> list[str]:
        problems = self.gateway_problems()
        database = await self.database_problem()
        return problems + ([database] if database else [])

    def gateway_problems(self) -> list[str]:
        if self.shards.bot.is_closed():
            return ["shutting down"]
        states = self.shards.states()
        if not states:
            return ["gateway: not connected yet"]
        return [
            f"shard {shard_id}: {'disconnected' if state.ever else 'not connected yet'}"
            for shard_id, state in sorted(states.items())
            if not state.connected
        ]

    async def database_problem(self) -> str | None:
        """None when the database answered; else the problem, logged when it changes."""
        try:
            await self.database.get()
        except NoAnswer as exc:
            self._down("no answer", f"no answer within {self.database.timeout:.0f} s")
            return f"database: {exc}"
        except Exception as exc:
            self._down(type(exc).__name__, f"{type(exc).__name__}: {exc}")
            return f"database: {type(exc).__name__}"  # its text may name the server
        if self._database_down is not None:
            log.info("readiness: the database answers again")
            self._database_down = None
        return None

    def _down(self, kind: str, detail: str) -> None:
        if kind != self._database_down:
            log.warning("readiness: the database failed a trivial query (%s): not ready", detail)
            self._database_down = kind

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.database.cancel()
