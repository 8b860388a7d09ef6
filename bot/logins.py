"""Gateway logins paced for the whole bot: Discord lets `max_concurrency` shards IDENTIFY in
any 5 seconds, one per bucket (`shard_id % max_concurrency`), whichever process runs them.

With a shared database, each bucket's turn is taken under a lock held across processes and
its last login is kept in the database; a lone process keeps it in memory."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.store import Store
from bot.store.coordination import Coordination

log = logging.getLogger(__name__)

IDENTIFY_GAP_S = 5.25  # Discord allows one per 5 s; a margin for the time an IDENTIFY travels


class LoginPacer:
    def __init__(
        self, store: Store, coordination: Coordination,
        max_concurrency: Callable[[], Awaitable[int]],
    ) -> None:  # fmt: skip
        self.store = store
        self.coordination = coordination
        self._max_concurrency = max_concurrency
        self._buckets: int | None = None
        self._last: dict[int, float] = {}

    async def _bucket_count(self) -> int:
        """Asked of Discord once, and only for a shard other than 0 (a request less before
        the usual first login)."""
        if self._buckets is None:
            self._buckets = max(1, await self._max_concurrency())
        return self._buckets

    async def turn(self, shard_id: int) -> None:
        """Returns when shard `shard_id` may IDENTIFY."""
        bucket = shard_id % await self._bucket_count() if shard_id else 0  # 0 in any count
        shared = self.coordination.shared  # other processes log in too: the turn is in the db
        async with self.coordination.exclusive(f"identify:{bucket}"):
            key = f"identify:{bucket}"
            last = float(await self.store.meta.get(key) or 0) if shared else 0.0
            last = max(last, self._last.get(bucket, 0.0))
            wait = last + IDENTIFY_GAP_S - time.time()  # wall time: Discord's, not the bot's
            if wait > 0:
                log.info("shard %d waits %.1fs for its turn to log in", shard_id, wait)
                await asyncio.sleep(wait)
            self._last[bucket] = time.time()
            if shared:
                await self.store.meta.set(key, f"{self._last[bucket]:.3f}")
