"""Interactions waiting on a notification: the moderator's confirmation that shows the
fan-out's progress, or the member to tell when their welcome DM could not be delivered."""

from __future__ import annotations

from bot.store.connection import Row, Scope
from bot.store.records import Followup

_COLUMNS = "notification_id, application_id, token, locale, purpose, expires_at"


def _followup(row: Row) -> Followup:
    return Followup(int(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), int(row[5]))


class FollowupStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def add(self, followup: Followup) -> None:
        f = followup
        async with self._scope.write() as conn:
            await conn.execute(
                f"INSERT INTO followups ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (notification_id) DO NOTHING",
                (f.notification_id, f.application_id, f.token, f.locale, f.purpose, f.expires_at),
            )

    async def get(self, notification_id: int, now: int) -> Followup | None:
        """The followup of a notification while its token is still good."""
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                f"SELECT {_COLUMNS} FROM followups WHERE notification_id = ? AND expires_at > ?",
                (notification_id, now),
            )
        return _followup(row) if row else None

    async def watching(self, now: int) -> list[Followup]:
        """Moderators' confirmations still to keep up to date: not done, token not expired."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_COLUMNS} FROM followups WHERE done = 0 AND expires_at > ?"
                " AND purpose = 'progress' ORDER BY notification_id",
                (now,),
            )
        return [_followup(row) for row in rows]

    async def finish(self, notification_id: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE followups SET done = 1 WHERE notification_id = ?", (notification_id,)
            )
