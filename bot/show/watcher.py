"""Moderators edit the facts file by hand: a background job picks up a valid save without a
restart, and a bad one is logged while the previous facts stay in use."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.show.loader import ShowDataError, ShowStore

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0


class ShowWatcher:
    def __init__(self, show: ShowStore, every: float = POLL_SECONDS) -> None:
        self.show = show
        self.every = every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="show-file-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                if await asyncio.to_thread(self.show.reload_if_changed):
                    log.info("show facts reloaded from %s", self.show.path)
            except ShowDataError as exc:
                log.error("show facts not reloaded, keeping the previous ones: %s", exc)
