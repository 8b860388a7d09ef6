"""A fan-out to thousands takes minutes: the moderator who started it watches its progress in
their own confirmation, which this job edits a few times a minute until every delivery has an
outcome or the interaction's token runs out (after that, `/admin status` shows the same)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord.http import Route

from bot.clock import Clock
from bot.jobs import Job
from bot.store import Store
from bot.store.records import Followup, Progress

log = logging.getLogger(__name__)

EVERY_S = 5.0
MARK = "📬"  # the progress line starts with it, so an edit replaces only that line

# (progress, the moderator's locale, seconds left or None) -> the progress line
ProgressLine = Callable[[Progress, str, float | None], str]


@dataclass
class _Seen:
    base: str  # the confirmation without its progress line
    done: int  # deliveries with an outcome at the last report
    at: float


def eta(pending: int, done_now: int, seen: _Seen | None, fallback_rate: float) -> float | None:
    """Seconds left at the rate of the last interval (or `fallback_rate` at first)."""
    if pending == 0:
        return 0.0
    rate = fallback_rate
    if seen is not None and time.monotonic() > seen.at and done_now > seen.done:
        rate = (done_now - seen.done) / (time.monotonic() - seen.at)
    return pending / rate if rate > 0 else None


class ProgressReporter(Job):
    name = "fan-out progress"
    retry_s = EVERY_S
    sender_only = True

    def __init__(
        self,
        store: Store,
        client: discord.Client,
        clock: Clock,
        line: ProgressLine,
        *,
        rate: float,
        every: float = EVERY_S,
    ) -> None:
        super().__init__()
        self.store = store
        self.client = client
        self.clock = clock
        self.line = line
        self.rate = rate  # the fallback estimate: deliveries a second
        self.every = every
        self._seen: dict[int, _Seen] = {}

    async def step(self) -> float | None:
        await self.report_once()
        return self.every

    async def report_once(self) -> None:
        for followup in await self.store.followups.watching(self.clock.seconds()):
            progress = await self.store.outbox.progress(followup.notification_id)
            if progress is not None:
                await self._report(followup, progress)

    async def _report(self, followup: Followup, progress: Progress) -> None:
        seen = self._seen.get(followup.notification_id)
        done_now = progress.sent + progress.failed
        if seen is not None and seen.done == done_now and not progress.done:
            return  # nothing moved since the last edit
        try:
            base = seen.base if seen else await self._base(followup)
            left = eta(progress.pending, done_now, seen, self.rate)
            content = f"{base}\n{self.line(progress, followup.locale, left)}".strip()
            await self._edit(followup, content)
        except discord.NotFound:
            log.info("confirmation of notification %d is gone", followup.notification_id)
            await self.store.followups.finish(followup.notification_id)
            return
        self._seen[followup.notification_id] = _Seen(base, done_now, time.monotonic())
        if progress.done:
            await self.store.followups.finish(followup.notification_id)
            self._seen.pop(followup.notification_id, None)

    def _route(self, method: str, followup: Followup) -> Route:
        return Route(
            method,
            "/webhooks/{application_id}/{token}/messages/@original",
            application_id=followup.application_id,
            token=followup.token,
        )

    async def _base(self, followup: Followup) -> str:
        """The confirmation as the moderator was shown it, without an earlier progress line."""
        message: Any = await self.client.http.request(self._route("GET", followup))
        lines = str(message.get("content") or "").splitlines()
        return "\n".join(line for line in lines if not line.startswith(MARK))

    async def _edit(self, followup: Followup, content: str) -> None:
        body = {"content": content[:2000], "allowed_mentions": {"parse": []}}
        await self.client.http.request(self._route("PATCH", followup), json=body)
