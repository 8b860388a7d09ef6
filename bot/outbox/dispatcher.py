"""One task that sleeps until the earliest due delivery, then sends what is due, paced."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from bot.clock import Clock
from bot.store import Store
from bot.store.records import Delivery

log = logging.getLogger(__name__)

MAX_SLEEP = 300.0  # re-check now and then, whatever the queue says
BATCH = 200


class DeliveryFailed(Exception):
    """A send that failed; `permanent` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool, dm_closed: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.dm_closed = dm_closed


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> int:
        """Post the delivery's message; its id. Raises DeliveryFailed."""
        ...


def backoff(attempts: int) -> int:
    """Seconds before the next try: 2, 4, 8 … capped at five minutes."""
    return int(min(2 ** max(attempts, 1), 300))


class Dispatcher:
    def __init__(
        self,
        store: Store,
        sender: Sender,
        clock: Clock,
        *,
        concurrency: int = 8,
        max_attempts: int = 10,
    ) -> None:
        self.store = store
        self.queue = store.outbox
        self.sender = sender
        self.clock = clock
        self.max_attempts = max_attempts
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-dispatcher")

    def wake(self) -> None:
        """Something was scheduled: look at the queue again now."""
        self._wake.set()

    async def stop(self, grace: float = 5.0) -> None:
        """Let the sends under way finish (they are short), then stop."""
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        log.info("notification dispatcher started")
        while not self._stopping:
            try:
                if not await self._work_once():
                    await self._sleep()
            except Exception:
                log.exception("notification dispatcher failed; retrying in 5s")
                await self._sleep(5.0)

    async def _work_once(self) -> bool:
        """Send one batch of what is due; whether there was anything."""
        now = int(self.clock.timestamp())
        await self.queue.expand_due(now)
        batch = await self.queue.due(now, BATCH)
        if not batch:
            return False
        tasks = []
        for delivery in batch:
            if self._stopping:
                break
            await self._slots.acquire()  # the sender paces the requests themselves
            tasks.append(asyncio.create_task(self._deliver(delivery)))
        await asyncio.gather(*tasks)
        return not self._stopping

    async def _sleep(self, at_most: float = MAX_SLEEP) -> None:
        wakeup = await self.queue.next_wakeup()
        delay = at_most if wakeup is None else wakeup - self.clock.timestamp()
        delay = max(0.0, min(delay, at_most))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    async def _deliver(self, delivery: Delivery) -> None:
        try:
            if self.clock.timestamp() > delivery.expires_at:
                await self.queue.mark_missed(delivery.id, "came due too late")
                return
            await self.queue.begin_attempt(delivery.id)
            message_id = await self.sender.send(delivery)
            await self.queue.mark_sent(delivery.id, message_id, int(self.clock.timestamp()))
        except DeliveryFailed as exc:
            await self._failed(delivery, exc)
        except Exception as exc:  # a bug must not stop the other deliveries: retried later
            log.exception("delivery %d raised unexpectedly", delivery.id)
            await self._failed(delivery, DeliveryFailed(repr(exc)[:200], permanent=False))
        finally:
            self._slots.release()

    async def _failed(self, delivery: Delivery, exc: DeliveryFailed) -> None:
        attempts = delivery.attempts + 1
        if exc.dm_closed and delivery.user_id is not None:
            log.info("DMs of user %s are closed: not retried", delivery.user_id)
            await self._dm_closed(delivery.user_id)
        elif exc.permanent or attempts >= self.max_attempts:
            log.warning("delivery %d (%s) failed: %s", delivery.id, delivery.kind, exc.reason)
            await self.queue.mark_failed(delivery.id, exc.reason)
        else:
            retry_at = int(self.clock.timestamp()) + backoff(attempts)
            log.info("delivery %d: %s; retry %d in %ds", delivery.id, exc.reason, attempts,
                     backoff(attempts))  # fmt: skip
            await self.queue.retry_later(delivery.id, exc.reason, retry_at)

    async def _dm_closed(self, user_id: int) -> None:
        """Closed DMs are not retried: their pending DMs are failed at once, without a request."""
        async with self.store.transaction() as tx:
            await tx.dm_channels.mark_closed(user_id, int(self.clock.timestamp()))
            await tx.outbox.fail_pending_dms(user_id, "dm_closed")
