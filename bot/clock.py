"""The bot's notion of now, shiftable so tests can reach a reminder's time in seconds."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime


class Clock:
    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def timestamp(self) -> float:
        return time.time() + self.offset

    def seconds(self) -> int:
        """Now, in whole seconds since the epoch: what the database stores."""
        return int(self.timestamp())

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    async def sleep_until(self, timestamp: float) -> None:
        delay = timestamp - self.timestamp()
        if delay > 0:
            await asyncio.sleep(delay)
