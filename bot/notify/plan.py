"""The premiere's plan: its notification kinds, the reminders before the premiere, and how
long each stays worth sending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

HOUR = 3600
DAY = 24 * HOUR

# Reminder kinds and how long before the premiere each is due, latest last.
STAGES: tuple[tuple[str, int], ...] = (
    ("reminder_7d", 7 * DAY),
    ("reminder_1d", DAY),
    ("reminder_1h", HOUR),
    ("premiere", 0),
)
# Which reminders choices want each timed reminder by DM; the premiere reaches everyone.
WANTED_BY: dict[str, tuple[str, ...]] = {
    "reminder_7d": ("all",),
    "reminder_1d": ("all", "day"),
    "reminder_1h": ("all", "day"),
}
PREMIERE_GRACE = 6 * HOUR  # "it's out now" is still worth saying a few hours late
ANNOUNCEMENT_GRACE = DAY  # a date change or update that could not go out for a day is stale
SERIES = "premiere"  # every notification of one premiere date is retired together

# The premiere's notification kinds (their words and buttons are in `bot.ui.notify`).
DATE_KINDS = ("date_set", "date_cleared", *(kind for kind, _ in STAGES))
BROADCASTS = (*DATE_KINDS, "update")
SUBSCRIBED = "subscribed"  # a new subscriber's role and welcome DM
THREAD = "premiere_thread"  # the premiere-night discussion, on the premiere post
KINDS = (*BROADCASTS, SUBSCRIBED, THREAD)
WELCOME_EXPIRES_S = 86400


def reminder_plan(starts_at: int, now: int) -> list[tuple[str, int, int]]:
    """(kind, due, expires) for every stage still ahead; a stage already past is not sent."""
    return [
        (kind, starts_at - before, stage_expiry(kind, starts_at))
        for kind, before in STAGES
        if starts_at - before > now
    ]


def stage_expiry(kind: str, starts_at: int) -> int:
    """A stage stays relevant until the next one is due (Discord's relative timestamps keep the
    wording right when it goes out late), the premiere itself for a few hours."""
    befores = [before for _, before in STAGES]
    index = [name for name, _ in STAGES].index(kind)
    if index + 1 < len(STAGES):
        return starts_at - befores[index + 1]
    return starts_at + PREMIERE_GRACE


def announcement_expiry(due_at: int, payload: Mapping[str, Any]) -> int:
    """An announcement is stale after a day, and a date announcement once the premiere is old."""
    starts_at = payload.get("starts_at")
    expires = due_at + ANNOUNCEMENT_GRACE
    return min(expires, int(starts_at) + PREMIERE_GRACE) if starts_at is not None else expires
