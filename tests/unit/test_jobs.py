"""A job stops when asked, even when it was woken at the very moment it is cancelled (Python
3.11's asyncio.wait_for then swallows the cancellation and returns as if woken)."""

from __future__ import annotations

import asyncio

from bot.jobs import Job


class Ticker(Job):
    name = "ticker"

    def __init__(self) -> None:
        super().__init__()
        self.steps = 0
        self.stepped = asyncio.Event()

    async def step(self) -> float | None:
        self.steps += 1
        self.stepped.set()
        return 60.0


async def test_a_job_woken_as_it_is_stopped_still_stops() -> None:
    job = Ticker()
    job.start()
    await job.stepped.wait()
    await asyncio.sleep(0)  # waiting to be woken
    job.wake()  # woken, and cancelled before it runs again
    await asyncio.wait_for(job.stop(), 2.0)
    assert not job.is_running


async def test_a_stopped_job_starts_again() -> None:
    job = Ticker()
    job.start()
    await asyncio.sleep(0.01)
    await job.stop()
    job.start()
    await asyncio.sleep(0.01)
    assert job.is_running and job.steps == 2
    await job.stop()
