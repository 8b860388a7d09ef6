"""The shape of every background job: one task that does a step, then sleeps until the step
says or until something wakes it; a failed step is logged and tried again a little later."""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger(__name__)


class Job:
    name = "job"
    retry_s = 60.0  # after a step that raised

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        """Something changed: step again now."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def ready(self) -> None:
        """Waited for once before the first step (the gateway, say)."""

    async def step(self) -> float | None:
        """Do the work; the seconds until the next step (None: only when woken)."""
        raise NotImplementedError

    async def _run(self) -> None:
        await self.ready()
        while True:
            self._wake.clear()
            try:
                delay = await self.step()
            except Exception:
                log.exception("%s failed; trying again in %ds", self.name, self.retry_s)
                delay = self.retry_s
            timeout = None if delay is None else max(0.0, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
