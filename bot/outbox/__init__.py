"""The delivery outbox: scheduling (here), the registry of notification kinds, the dispatcher
that expands and sends what is due, the sender that posts it, and the progress job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.outbox.kinds import followers, kind
from bot.store import Tx
from bot.store.records import BROADCAST, Audience, NewNotification

OUTBOX = "outbox"  # the wake topic of the dispatcher's lanes: something was scheduled


class Outbox:
    """Schedules notifications and wakes the dispatcher, so no caller can forget to."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake  # the dispatcher's lanes, of whichever process is the sender

    async def schedule(
        self, tx: Tx, kind_name: str, payload: Mapping[str, Any], *, due_at: int, now: int,
        series: str | None = None, audience: Audience = BROADCAST,
    ) -> int:  # fmt: skip
        """Queue a notification inside the caller's transaction, with the kinds that go with
        its kind (an area registers them: the premiere's discussion thread, say); the
        dispatcher is woken."""
        spec = kind(kind_name)
        notification = NewNotification(
            kind=kind_name,
            payload=dict(payload),
            due_at=due_at,
            expires_at=spec.expires(due_at, payload),
            series=series,
            audience=audience,
        )
        notification_id = await tx.outbox.add(notification, now)
        tx.after_commit(self._wake)
        for follower in followers(kind_name):
            await self.schedule(
                tx, follower.name, {**payload, "post_of": notification_id}, due_at=due_at,
                now=now, series=series, audience=audience,
            )  # fmt: skip
        return notification_id
