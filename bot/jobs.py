"""Background work, one mechanism for all of it.

A `Job` is one task that does a step, then sleeps until the step says or until one of its
`topics` is heard; a failed step is logged and tried again a little later. The `Scheduler`
holds every job: it starts the ones every process runs, starts and stops the sender's own
(`sender_only`) as this process becomes the bot's sender or stops being it, and routes each
wake topic to the jobs that declared it. A new job or topic is one `Job` subclass added to the
scheduler where its area is wired; nothing central lists them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import ClassVar

log = logging.getLogger(__name__)


class Job:
    name = "job"
    retry_s = 60.0  # after a step that raised
    topics: ClassVar[frozenset[str]] = frozenset()  # what wakes it, from any process
    sender_only: ClassVar[bool] = False  # runs only on the process that is the bot's sender

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        """Something changed: step again now."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            # Woken as it is cancelled, its wait_for (Python 3.11) swallows the cancellation
            # and returns as if woken: the loop ends anyway.
            self._stopping = True
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def ready(self) -> None:
        """Waited for once before the first step (the gateway, say)."""

    async def step(self) -> float | None:
        """Do the work; the seconds until the next step (None: only when woken)."""
        raise NotImplementedError

    async def _run(self) -> None:
        await self.ready()
        while not self._stopping:
            self._wake.clear()
            try:
                delay = await self.step()
            except Exception:
                log.exception("%s failed; trying again in %ds", self.name, self.retry_s)
                delay = self.retry_s
            if self._stopping:
                break
            timeout = None if delay is None else max(0.0, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)


class Scheduler:
    """Every job of this process, started and stopped together, woken by topic."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._started = False
        self.leading = False

    @property
    def jobs(self) -> tuple[Job, ...]:
        return tuple(self._jobs)

    def add(self, *jobs: Job) -> None:
        """Jobs added after the start start at once, if this process should run them."""
        for job in jobs:
            self._jobs.append(job)
            if self._should_run(job):
                job.start()

    def _should_run(self, job: Job) -> bool:
        return self._started and (self.leading or not job.sender_only) and not job.is_running

    def start(self) -> None:
        self._started = True
        for job in self._jobs:
            if self._should_run(job):
                job.start()

    def heard(self, topic: str) -> None:
        """A wake from any process (this one too): each job that declared the topic steps."""
        for job in self._jobs:
            if topic in job.topics:
                job.wake()

    async def lead(self) -> None:
        """This process became the sender: its jobs start."""
        self.leading = True
        if self._started:
            self.start()

    async def step_down(self) -> None:
        """Sender jobs stop, last added first (each lets its work under way finish)."""
        self.leading = False
        for job in reversed(self._jobs):
            if job.sender_only:
                await job.stop()

    async def stop(self) -> None:
        """Every job stops, last added first."""
        self._started = False
        for job in reversed(self._jobs):
            await job.stop()
        self.leading = False
