"""This process among the bot's others: which one sends, who is alive, and the REST share.

Every process runs its own shards: their commands, scheduled events and countdown channels.
Work that must happen once for the whole bot (sending the outbox, fan-out progress, news
feeds) belongs to the sender: the one process holding the sender's lock (see
`bot.store.coordination`). Each process asks for it every second, so a killed sender is
replaced within about a second; its leased deliveries are taken over when their leases run
out. With SQLite there is one process, and it is the sender from the start.

Discord's global limit belongs to the bot: the sender keeps `OTHERS_SHARE` requests a second
free for each other live process, which keeps itself to that share.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Protocol

from bot.clock import Clock
from bot.jobs import Job
from bot.rest_limit import RestLimiter
from bot.store import Store
from bot.store.coordination import Coordination
from bot.store.processes import SILENT_AFTER
from bot.store.records import ProcessRecord

log = logging.getLogger(__name__)

ELECTION_S = 1.0
HEARTBEAT_S = 10
TAKEOVER_PAUSE_S = 1.0  # Discord's window: what the last sender sent in it still counts
OTHERS_SHARE = 2  # requests a second the sender leaves to each other live process


class Duties(Protocol):
    """What the sender does on top of what every process does."""

    async def lead(self) -> None: ...

    async def step_down(self) -> None: ...


def rate_share(rate: int, alive: int, sender: bool) -> int:
    """This process's part of the bot's REST limit, with `alive` processes up."""
    others = max(0, alive - 1)
    reserve = min(OTHERS_SHARE * others, rate // 2)
    if sender:
        return max(1, rate - reserve)
    return max(1, reserve // others) if others else rate


class Cluster(Job):
    name = "cluster"
    retry_s = ELECTION_S

    def __init__(
        self, store: Store, coordination: Coordination, clock: Clock, limiter: RestLimiter,
        rate: int, duties: Duties,
    ) -> None:  # fmt: skip
        super().__init__()
        self.store = store
        self.coordination = coordination
        self.clock = clock
        self.limiter = limiter
        self.rate = rate
        self.duties = duties
        self.leading = False
        self.shards = "all"  # set once the gateway knows them
        self.started_at = self.now()
        self._beat_at = 0

    @property
    def process_id(self) -> str:
        return self.store.owner

    def now(self) -> int:
        return int(self.clock.timestamp())

    async def step(self) -> float:
        was = self.leading
        try:
            self.leading = await (
                self.coordination.still_leading() if was else self.coordination.try_lead()
            )
        finally:
            if self.leading != was:
                await self._changed()
        if self.leading != was or self.now() >= self._beat_at + HEARTBEAT_S:
            await self.beat()
        return ELECTION_S

    async def _changed(self) -> None:
        if self.leading:
            log.info("this process (%s) is now the sender", self.process_id)
            if not self.coordination.shared:  # the only process: any other lease is a dead run's
                await self.store.outbox.release_leases()
            else:  # the last sender's requests of the past second still count at Discord
                await asyncio.sleep(TAKEOVER_PAUSE_S)
            await self.duties.lead()
        else:
            log.warning("this process (%s) is no longer the sender", self.process_id)
            await self.duties.step_down()

    async def beat(self) -> None:
        """Tell the others we are alive, and take our share of the REST limit."""
        now = self.now()
        self._beat_at = now
        record = ProcessRecord(self.process_id, socket.gethostname()[:60], os.getpid(),
                               self.shards, self.leading, self.started_at, now)  # fmt: skip
        await self.store.processes.beat(record)
        alive = [p for p in await self.store.processes.all() if p.heartbeat_at > now - SILENT_AFTER]
        share = rate_share(self.rate, len(alive), self.leading)
        if share != self.limiter.per_second:
            log.info("REST share of this process: %d requests a second of %d", share, self.rate)
            self.limiter.set_rate(share)

    async def stop(self) -> None:
        if self._task is None:
            return  # never started (start-up failed before)
        await super().stop()
        if self.leading:
            self.leading = False
            await self.duties.step_down()
        try:
            await self.store.processes.forget(self.process_id)
        finally:
            await self.coordination.close()
