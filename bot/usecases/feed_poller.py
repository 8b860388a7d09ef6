"""The background job that checks each news feed when it is due, on the sender."""

from __future__ import annotations

import logging

from bot.clock import Clock
from bot.feeds import FEEDS
from bot.jobs import Job
from bot.usecases.feeds import FeedUseCases

log = logging.getLogger(__name__)

IDLE_S = 60.0  # with no feed due sooner, look again after this long (a feed may be added)


class FeedPoller(Job):
    name = "news feeds"
    retry_s = IDLE_S
    topics = frozenset({FEEDS})
    sender_only = True

    def __init__(self, feeds: FeedUseCases, clock: Clock) -> None:
        super().__init__()
        self.feeds = feeds
        self.clock = clock

    async def step(self) -> float | None:
        new = await self.feeds.check_due()
        if new:
            log.info("news feeds: %d new matching items", new)
        due = await self.feeds.next_check()
        return IDLE_S if due is None else min(due - self.clock.timestamp(), IDLE_S)
