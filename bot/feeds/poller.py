"""The background job that checks each news feed when it is due."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.clock import Clock
from bot.usecases.feeds import FeedUseCases

log = logging.getLogger(__name__)

IDLE_S = 60.0  # with no feed due sooner, look again after this long (a feed may be added)


class FeedPoller:
    def __init__(self, feeds: FeedUseCases, clock: Clock) -> None:
        self.feeds = feeds
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="feed-poller")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                new = await self.feeds.check_due()
                if new:
                    log.info("news feeds: %d new matching items", new)
                due = await self.feeds.next_check()
            except Exception:
                log.exception("checking news feeds failed; retrying in %ds", IDLE_S)
                due = None
            delay = IDLE_S if due is None else due - self.clock.timestamp()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, min(delay, IDLE_S)))
