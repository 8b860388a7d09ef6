"""Moderators edit the facts file by hand: a background job picks up a valid save without a
restart, and a bad one is logged while the previous facts stay in use."""

from __future__ import annotations

import asyncio
import logging

from bot.jobs import Job
from bot.show.loader import ShowDataError, ShowStore

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0


class ShowWatcher(Job):
    name = "show file watcher"

    def __init__(self, show: ShowStore, every: float = POLL_SECONDS) -> None:
        super().__init__()
        self.show = show
        self.every = every

    async def step(self) -> float | None:
        try:
            if await asyncio.to_thread(self.show.reload_if_changed):
                log.info("show facts reloaded from %s", self.show.path)
        except ShowDataError as exc:
            log.error("show facts not reloaded, keeping the previous ones: %s", exc)
        return self.every
