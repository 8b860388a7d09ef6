"""How the bot's processes agree: which one sends, work done by one at a time, and waking the
others when work is scheduled. With SQLite there is one process, so it always leads and its
wakes stay inside it; the PostgreSQL version is `PostgresCoordination`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

WakeHandler = Callable[[str], None]


class Coordination(Protocol):
    shared: bool  # whether other processes may be running

    async def open(self, on_wake: WakeHandler) -> None:
        """Start hearing the others' wakes: `on_wake(topic)` runs for each (our own too)."""
        ...

    async def close(self) -> None: ...

    async def try_lead(self) -> bool:
        """Become the process that sends, if no other is; whether we are."""
        ...

    async def still_leading(self) -> bool:
        """Whether the lead taken by `try_lead` still holds (false once the database lost us)."""
        ...

    async def gone(self, process_ids: Collection[str]) -> set[str]:
        """Which of these processes are known to be gone (so their leases may be taken)."""
        ...

    def announce(self, topic: str) -> None:
        """Wake every process (this one too) about `topic`: 'outbox', 'premiere', 'feeds'.
        Returns at once: the wake goes out in the background."""
        ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[None]:
        """One process at a time inside (command sync, a gateway login)."""
        ...


class LocalCoordination:
    """One process: it leads, its wakes are its own, an asyncio lock is exclusive enough."""

    shared = False

    def __init__(self) -> None:
        self._on_wake: WakeHandler = lambda _topic: None
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def open(self, on_wake: WakeHandler) -> None:
        self._on_wake = on_wake

    async def close(self) -> None:
        self._on_wake = lambda _topic: None

    async def try_lead(self) -> bool:
        return True

    async def still_leading(self) -> bool:
        return True

    async def gone(self, process_ids: Collection[str]) -> set[str]:
        return set(process_ids)  # one process per database: any other was an earlier run

    def announce(self, topic: str) -> None:
        self._on_wake(topic)

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        async with self._locks[name]:
            yield
