"""Sends what is due, in lanes that share the REST limiter: deliveries addressed to one
waiting member (a new subscriber's role and welcome DM), the broadcasts, and any lane an area
adds for kinds of its own (`Dispatcher.add_lane`: the episode rooms' role changes, which wait
on a per-server route limit that must not hold up the others). Each lane is a job
of the scheduler, run on the sender alone: it works through its due deliveries in passes, many
sends in flight, and sleeps until the next due notification or retry; scheduling anywhere wakes
it (the `outbox` topic).

Bookkeeping is batched: attempts are recorded a chunk at a time before their sends, and sends
are marked in one transaction every few dozen. A crash between the two leaves attempts whose
outcome is unknown; before sending one again the sender looks for its message in the channel,
so nothing is sent twice even after Discord's nonce window has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.clock import Clock
from bot.jobs import Job
from bot.outbox import OUTBOX
from bot.outbox.kinds import reach
from bot.store import Store
from bot.store.records import Delivery

log = logging.getLogger(__name__)

# A claimed delivery is this process's to send for so long; past it, another process may take
# it over (this one died, or is stuck): well within the 30 seconds a takeover may take.
LEASE_S = 10
MAX_SLEEP = 300.0  # re-check now and then, whatever the queue says
BATCH = 200
FLUSH_EVERY = 64  # sends marked per transaction
FLUSH_AFTER_S = 0.05


class DeliveryFailed(Exception):
    """A send that failed; `permanent` ones are not retried."""

    def __init__(
        self, reason: str, *, permanent: bool, dm_closed: bool = False, forbidden: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.dm_closed = dm_closed
        self.forbidden = forbidden


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> int:
        """Post the delivery's message; its id. Raises DeliveryFailed."""
        ...

    async def find_sent(self, delivery: Delivery, since: int) -> int | None:
        """The delivery's message if an earlier attempt (begun at `since`) posted it."""
        ...


FailureListener = Callable[[Delivery, DeliveryFailed], Awaitable[None]]
# Hears each delivery's outcome as it is decided: (kind, outcome), the outcome one of 'sent',
# 'found' (an earlier attempt's message was in the channel), 'retry', 'failed', 'missed',
# 'dm_closed'. For counting (bot.metrics): it must not block or raise.
OutcomeListener = Callable[[str, str], None]


def _ignore(_kind: str, _outcome: str) -> None:
    pass


def backoff(attempts: int) -> int:
    """Seconds before the next try: 2, 4, 8 … capped at five minutes."""
    return int(min(2 ** max(attempts, 1), 300))


class SentRecorder:
    """Marks sends in batches: one transaction for many, flushed soon after each send."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._pending: list[tuple[int, int]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    async def sent(self, delivery_id: int, message_id: int) -> None:
        self._pending.append((delivery_id, message_id))
        if len(self._pending) >= FLUSH_EVERY:
            await self.flush()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(FLUSH_AFTER_S, self._flush_soon)

    def _flush_soon(self) -> None:
        task = asyncio.create_task(self.flush())  # kept, so it is not collected mid-flush
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self) -> None:
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            batch, self._pending = self._pending, []
            if batch:
                await self.store.outbox.mark_sent_many(batch, self.clock.seconds())


class Lane(Job):
    """One lane of the dispatcher, run by the scheduler on the sender: a pass over what is due,
    then a sleep until the next due delivery or until something is scheduled."""

    topics = frozenset({OUTBOX})
    sender_only = True
    retry_s = 5.0

    def __init__(
        self, dispatcher: Dispatcher, name: str, urgent: bool | None, concurrency: int,
        kinds: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        super().__init__()
        self.name = f"dispatcher-{name}"
        self.dispatcher = dispatcher
        self.urgent = urgent
        self.kinds = kinds  # a lane of its own for these kinds (none: every other kind)
        self.slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self.idle = asyncio.Event()  # between passes
        self.idle.set()

    def start(self) -> None:
        self.dispatcher.stopping = False
        super().start()
        if self.urgent:
            log.info("notification dispatcher started")

    async def step(self) -> float | None:
        self.idle.clear()
        try:
            worked = await self.dispatcher.run_pass(self)
        finally:
            self.idle.set()
        if worked:
            return 0.0
        wakeup = await self.dispatcher.queue.next_wakeup(**self.dispatcher.picks(self))
        if wakeup is None:
            return MAX_SLEEP
        return max(0.0, min(wakeup - self.dispatcher.clock.timestamp(), MAX_SLEEP))

    async def stop(self, grace: float = 5.0) -> None:
        """Let the sends under way finish (they are short), record them, then stop."""
        self.dispatcher.stopping = True  # the pass under way ends after its sends
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), grace)
        await super().stop()
        await self.dispatcher.stopped()


class Dispatcher:
    def __init__(
        self,
        store: Store,
        sender: Sender,
        clock: Clock,
        *,
        concurrency: int = 8,
        max_attempts: int = 10,
        on_failed: FailureListener | None = None,
    ) -> None:
        self.store = store
        self.queue = store.outbox
        self.sender = sender
        self.clock = clock
        self.max_attempts = max_attempts
        self.on_failed = on_failed
        self.on_outcome: OutcomeListener = _ignore
        self.recorder = SentRecorder(store, clock)
        self.lanes = [Lane(self, "members", True, 4), Lane(self, "broadcasts", False, concurrency)]
        self._expanding = asyncio.Lock()
        self.stopping = False
        self._reports: set[asyncio.Task[None]] = set()

    def add_lane(self, name: str, kinds: tuple[str, ...], concurrency: int) -> Lane:
        """A lane of its own for `kinds` (the other lanes leave them), to add to the scheduler
        with the area's jobs: deliveries that may wait long on a route of their own then hold
        no slot of the members' lane."""
        lane = Lane(self, name, None, concurrency, kinds)
        self.lanes.append(lane)
        return lane

    def picks(self, lane: Lane) -> dict[str, Any]:
        """What `lane` takes from the queue: its kinds, or its audience but the kinds that
        have lanes of their own."""
        if lane.kinds:
            return {"kinds": lane.kinds}
        own = tuple(k for other in self.lanes for k in other.kinds)
        return {"urgent": lane.urgent, "but": own}

    async def stopped(self) -> None:
        """A lane stopped: what it sent is recorded, and no failure report is left running."""
        for report in self._reports:
            report.cancel()
        await self.recorder.flush()

    async def run_pass(self, lane: Lane) -> bool:
        """Send everything of this lane that is due now; whether there was anything."""
        now = self.clock.seconds()
        async with self._expanding:
            await self.queue.expand_due(now, reach)
        after, worked = 0, False
        running: set[asyncio.Task[None]] = set()
        while not self.stopping:
            batch = await self.queue.due(now, BATCH, after_id=after, **self.picks(lane))
            if not batch:
                break
            worked = True
            for start in range(0, len(batch), lane.concurrency):
                chunk = await self._begin(batch[start : start + lane.concurrency])
                for delivery in chunk:
                    await lane.slots.acquire()
                    task = asyncio.create_task(self._deliver(lane, delivery))
                    running.add(task)
                    task.add_done_callback(running.discard)
                if self.stopping:
                    break
            after = batch[-1].id
        await asyncio.gather(*running)
        await self.recorder.flush()
        return worked and not self.stopping

    async def _begin(self, chunk: list[Delivery]) -> list[Delivery]:
        """Lease the chunk to this process (what another holds is left to it); too late ones
        are marked missed; the others go out, each knowing if an earlier attempt may have
        reached Discord."""
        now = self.clock.seconds()
        started = await self.queue.claim([d.id for d in chunk], now, now + LEASE_S)
        live = []
        for delivery in chunk:
            if delivery.id not in started:
                continue
            if now > delivery.expires_at:
                await self.queue.mark_missed(delivery.id, "came due too late")
                self.on_outcome(delivery.kind, "missed")
                continue
            began = started[delivery.id]  # now, unless an earlier attempt's outcome is unknown
            fresh = began == now and delivery.attempt_started_at is None
            live.append(delivery._replace(attempt_started_at=None if fresh else began))
        return live

    async def _deliver(self, lane: Lane, delivery: Delivery) -> None:
        try:
            message_id = None
            if delivery.attempt_started_at is not None:  # an attempt of unknown outcome
                message_id = await self.sender.find_sent(delivery, delivery.attempt_started_at)
                if message_id is not None:
                    log.info("delivery %d had reached Discord: not sent again", delivery.id)
                else:
                    await self.queue.begin_attempts([delivery.id], self.clock.seconds())
            outcome = "found" if message_id is not None else "sent"
            if message_id is None:
                message_id = await self.sender.send(delivery)
            self.on_outcome(delivery.kind, outcome)
            await self.recorder.sent(delivery.id, message_id)
        except DeliveryFailed as exc:
            await self._failed(delivery, exc)
        except Exception as exc:  # a bug must not stop the other deliveries: retried later
            log.exception("delivery %d raised unexpectedly", delivery.id)
            await self._failed(delivery, DeliveryFailed(repr(exc)[:200], permanent=False))
        finally:
            lane.slots.release()

    async def _failed(self, delivery: Delivery, exc: DeliveryFailed) -> None:
        attempts = delivery.attempts + 1
        if exc.dm_closed and delivery.user_id is not None:
            log.info("DMs of user %s are closed: not retried", delivery.user_id)
            self.on_outcome(delivery.kind, "dm_closed")
            await self._dm_closed(delivery.user_id)
        elif exc.permanent or attempts >= self.max_attempts:
            log.warning("delivery %d (%s) failed: %s", delivery.id, delivery.kind, exc.reason)
            self.on_outcome(delivery.kind, "failed")
            await self.queue.mark_failed(delivery.id, exc.reason)
        else:
            retry_at = self.clock.seconds() + backoff(attempts)
            log.info("delivery %d: %s; retry %d in %ds", delivery.id, exc.reason, attempts,
                     backoff(attempts))  # fmt: skip
            self.on_outcome(delivery.kind, "retry")
            await self.queue.retry_later(delivery.id, exc.reason, retry_at)
            return
        if self.on_failed is not None:  # in the background: it may wait a moment to speak
            task = asyncio.create_task(self._report(delivery, exc))
            self._reports.add(task)
            task.add_done_callback(self._reports.discard)

    async def _report(self, delivery: Delivery, exc: DeliveryFailed) -> None:
        assert self.on_failed is not None
        try:
            await self.on_failed(delivery, exc)
        except Exception:
            log.exception("reporting the failure of delivery %d failed", delivery.id)

    async def _dm_closed(self, user_id: int) -> None:
        """Closed DMs are not retried: their pending DMs are failed at once, without a request."""
        async with self.store.transaction() as tx:
            await tx.dm_channels.mark_closed(user_id, self.clock.seconds())
            await tx.outbox.fail_pending_dms(user_id, "dm_closed")
