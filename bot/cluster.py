"""This process among the bot's others: which one sends, who is alive, and the REST share.

Every process runs its own shards: their commands, scheduled events and countdown channels.
Work that must happen once for the whole bot (sending the outbox, fan-out progress, news
feeds) belongs to the sender: the one process holding the sender's lock (see
`bot.store.coordination`). Each process asks for it every second, so a killed sender is
replaced within about a second. Each process also holds a lock of its own while it lives: the
new sender takes over a gone sender's leased deliveries at once (and forgets a gone process's
heartbeat); leases that run out are taken over anyway. With SQLite there is one process, and
it is the sender from the start.

Discord's global limit belongs to the bot: the sender keeps `OTHERS_SHARE` requests a second
free for each other live process, which keeps itself to that share.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable

from bot.clock import Clock
from bot.jobs import Job, Scheduler
from bot.outbox import OUTBOX
from bot.rest_limit import RestLimiter
from bot.shards import share_a_shard
from bot.store import Store
from bot.store.coordination import Coordination
from bot.store.records import ProcessRecord

log = logging.getLogger(__name__)

ELECTION_S = 1.0
HEARTBEAT_S = 10
TAKEOVER_PAUSE_S = 1.0  # Discord's window: what the last sender sent in it still counts
OTHERS_SHARE = 2  # requests a second the sender leaves to each other live process


# How many of this process's servers may have the premiere's scheduled event, and the names of
# those where the bot may not manage events: told to the others with each heartbeat.
EventServers = Callable[[], tuple[int, list[str]]]


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
        rate: int, scheduler: Scheduler, event_servers: EventServers = lambda: (0, []),
    ) -> None:  # fmt: skip
        super().__init__()
        self.event_servers = event_servers
        self.store = store
        self.coordination = coordination
        self.clock = clock
        self.limiter = limiter
        self.rate = rate
        self.scheduler = scheduler  # starts and stops the sender's jobs
        self.leading = False
        self.shards = "all"  # set once the gateway knows them
        self.started_at = self.clock.seconds()
        self._beat_at = 0
        self._foreign_leases = False  # whether other processes' leases may be left to take
        self._warned: set[str] = set()  # processes said to share a shard with this one

    def running(self, shards: str) -> None:
        """The gateway is ready: the others hear of our shards and servers at once."""
        self.shards, self._beat_at = shards, 0
        self.wake()

    @property
    def process_id(self) -> str:
        return self.store.owner

    async def step(self) -> float:
        # The database may be away for a while (locked, restarting): a line each second then,
        # not a traceback.
        try:
            await self._elect_and_beat()
        except Exception as exc:
            log.warning("cluster: %s: %s; trying again in %.0fs", type(exc).__name__, exc,
                        ELECTION_S)  # fmt: skip
        return ELECTION_S

    async def _elect_and_beat(self) -> None:
        was = self.leading
        try:
            self.leading = await (
                self.coordination.still_leading() if was else self.coordination.try_lead()
            )
        finally:
            if self.leading != was:
                await self._changed()
        if self.leading != was or self.clock.seconds() >= self._beat_at + HEARTBEAT_S:
            await self.beat()
        if self.leading and self._foreign_leases:
            await self._take_over_leases()

    async def _take_over_leases(self) -> None:
        """Deliveries leased by a sender that is gone are sent now, not when the leases run
        out. Only senders lease, so once none of another's are left, none come back."""
        holders = await self.store.outbox.lease_holders(self.clock.seconds())
        self._foreign_leases = bool(holders)
        for holder in await self.coordination.gone(holders):
            taken = await self.store.outbox.release_leases(holder)
            log.info("took over %d deliveries of process %s, which is gone", taken, holder)
            self.scheduler.heard(OUTBOX)

    async def _changed(self) -> None:
        if self.leading:
            log.info("this process (%s) is now the sender", self.process_id)
            if self.coordination.shared:  # the last sender's requests of the past second
                await asyncio.sleep(TAKEOVER_PAUSE_S)  # still count at Discord
            self._foreign_leases = True
            await self.scheduler.lead()
        else:
            log.warning("this process (%s) is no longer the sender", self.process_id)
            await self.scheduler.step_down()

    async def beat(self) -> None:
        """Tell the others we are alive, forget those that are gone, and take our share of
        the REST limit."""
        now = self.clock.seconds()
        self._beat_at = now
        events, refused = self.event_servers()
        record = ProcessRecord(self.process_id, socket.gethostname()[:60], os.getpid(),
                               self.shards, self.leading, self.started_at, now, events,
                               tuple(refused))  # fmt: skip
        await self.store.processes.beat(record)
        others = {p.id: p for p in await self.store.processes.all() if p.id != self.process_id}
        gone = await self.coordination.gone(set(others))
        for process_id in gone:  # killed: its lock in the database is free
            await self.store.processes.forget(process_id)
        alive = [p for p in others.values() if p.id not in gone]
        self._warn_of_shared_shards(alive)
        share = rate_share(self.rate, 1 + len(alive), self.leading)
        if share != self.limiter.per_second:
            log.info("REST share of this process: %d requests a second of %d", share, self.rate)
            self.limiter.set_rate(share)

    def _warn_of_shared_shards(self, others: list[ProcessRecord]) -> None:
        """Two processes on one shard would both serve its servers: said once per process."""
        for other in others:
            if other.id not in self._warned and share_a_shard(self.shards, other.shards):
                self._warned.add(other.id)
                log.error(
                    "shards %s of this process are also run by %s (pid %d, shards %s): their"
                    " servers are served twice; give each process its own SHARD_IDS",
                    self.shards, other.host, other.pid, other.shards,
                )  # fmt: skip

    async def stop(self) -> None:
        if self._task is None:
            return  # never started (start-up failed before)
        await super().stop()
        if self.leading:
            self.leading = False
            await self.scheduler.step_down()
        try:
            await self.store.processes.forget(self.process_id)
        finally:
            await self.coordination.close()
