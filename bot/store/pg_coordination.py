"""Coordination through PostgreSQL: advisory locks and LISTEN/NOTIFY.

- The sender is whoever holds one session-level advisory lock, on a connection of its own.
  PostgreSQL releases it the moment that connection ends, so a killed process's lead is free
  at once, and the next process to ask (each asks every second) takes over.
- `exclusive(name)` holds an advisory lock of its own on another fresh connection.
- Wakes are NOTIFY on one channel, the topic as payload; every process LISTENs on the lock
  connection. (A NOTIFY is delivered to listeners only once its transaction committed.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.store.coordination import WakeHandler

log = logging.getLogger(__name__)

CHANNEL = "aoad_bot_wake"
NAMESPACE = 0x414F4144  # 'AOAD': the first key of every advisory lock of ours
SENDER = "sender"
PING_TIMEOUT_S = 5.0

ALIVE = NAMESPACE + 1  # the first key of each process's own lock, held while it lives

Connect = Callable[[], Awaitable[asyncpg.Connection]]
Query = Callable[[str, Sequence[object]], Awaitable[object]]  # a pooled `?` statement's value


def lock_key(name: str) -> int:
    """The second key of the advisory lock for `name`: a signed 32-bit hash of it."""
    return zlib.crc32(name.encode()) - (1 << 31)


class PostgresCoordination:
    shared = True

    def __init__(self, connect: Connect, query: Query, process_id: str) -> None:
        self._connect = connect  # a fresh connection, outside the pool
        self._query = query  # one statement on a pooled connection
        self._process_id = process_id
        self._conn: asyncpg.Connection | None = None
        self._on_wake: WakeHandler = lambda _topic: None
        self._leading = False
        self._topics: set[str] = set()
        self._flushing: asyncio.Task[None] | None = None

    async def open(self, on_wake: WakeHandler) -> None:
        self._on_wake = on_wake
        await self._reconnect()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        self._leading = False
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), PING_TIMEOUT_S)

    async def _reconnect(self) -> asyncpg.Connection:
        await self.close()
        conn = await self._connect()
        await conn.add_listener(CHANNEL, self._heard)
        # Held as long as this connection lives: how the others tell that we are gone.
        await conn.execute("SELECT pg_try_advisory_lock($1, $2)", ALIVE, lock_key(self._process_id))
        self._conn = conn
        return conn

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._on_wake(payload)

    async def try_lead(self) -> bool:
        if self._leading:
            return await self.still_leading()
        try:
            conn = self._conn if self._conn is not None and not self._conn.is_closed() else None
            conn = conn or await self._reconnect()
            got = await asyncio.wait_for(
                conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", NAMESPACE, lock_key(SENDER)),
                PING_TIMEOUT_S,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("cannot reach the database to take the lead: %s", exc)
            return False
        self._leading = bool(got)
        return self._leading

    async def still_leading(self) -> bool:
        """The lock lives as long as its connection: a ping that fails means it is gone."""
        conn = self._conn
        if not self._leading or conn is None:
            return False
        try:
            await asyncio.wait_for(conn.fetchval("SELECT 1"), PING_TIMEOUT_S)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("lost the database connection that held the lead: %s", exc)
            self._leading = False
            with contextlib.suppress(Exception):
                conn.terminate()  # whatever it held is released by the server
            self._conn = None
        return self._leading

    async def gone(self, process_ids: Collection[str]) -> set[str]:
        """Those whose lock is free: their connection ended (they died, or lost the database
        and hold nothing any more)."""
        free = set()
        for process_id in process_ids:
            if await self._query(
                "SELECT CASE WHEN pg_try_advisory_lock(?, ?) THEN pg_advisory_unlock(?, ?)"
                " ELSE false END",
                (ALIVE, lock_key(process_id), ALIVE, lock_key(process_id)),
            ):
                free.add(process_id)
        return free

    def announce(self, topic: str) -> None:
        """Sent in the background, a burst of the same topic as one NOTIFY."""
        self._topics.add(topic)
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush(), name="cluster-notify")

    async def _flush(self) -> None:
        while self._topics:
            topics, self._topics = self._topics, set()
            for topic in sorted(topics):
                try:
                    await self._query("SELECT pg_notify(?, ?)", (CHANNEL, topic))
                except Exception as exc:  # the others will see the work at their next look
                    log.warning("could not wake the other processes (%s): %s", topic, exc)
                    self._on_wake(topic)  # this process at least

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        conn = await self._connect()
        try:
            await conn.execute("SELECT pg_advisory_lock($1, $2)", NAMESPACE, lock_key(name))
            yield
        finally:
            await conn.close()  # the lock ends with its session
