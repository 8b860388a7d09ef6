"""A token bucket: sends spread evenly instead of bursting into Discord's rate limits."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """At most `rate` acquisitions a second on average, with bursts of at most `burst`."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self, cost: int = 1) -> None:
        """Wait until `cost` requests may go out (a cost above the burst is allowed, slowly)."""
        need = min(float(cost), self.burst)
        async with self._lock:  # first come, first served
            while True:
                now = time.monotonic()
                self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= need:
                    self._tokens -= cost
                    return
                await asyncio.sleep((need - self._tokens) / self.rate)
