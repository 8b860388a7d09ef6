"""The durable outbox: notifications (a kind and a JSON payload, due at a time) become one
delivery row per message before anything is sent; each row is marked once Discord answered."""

from __future__ import annotations

import json
import logging

from bot.store.connection import Conn, Row, Scope
from bot.store.records import Delivery, NewNotification, Planned, Problem, QueueStats

log = logging.getLogger(__name__)

_DELIVERY_COLUMNS = (
    "d.id, d.notification_id, n.kind, n.payload, d.target, d.guild_id, d.channel_id,"
    " d.role_id, d.user_id, d.locale, d.attempts, n.expires_at"
)


def _delivery(row: Row) -> Delivery:
    return Delivery(
        row[0], row[1], row[2], json.loads(row[3]), *row[4:]
    )  # the payload is stored as JSON text in both databases


class OutboxStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # --- notifications -------------------------------------------------------------------

    async def add(self, notification: NewNotification, now: int) -> int:
        n = notification
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO notifications (kind, payload, series, audience, due_at, expires_at,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (n.kind, json.dumps(n.payload, ensure_ascii=False), n.series, n.audience,
                 n.due_at, n.expires_at, now),
            )  # fmt: skip
        assert row is not None
        return int(row[0])

    async def retire_series(self, series: str) -> int:
        """Nothing of `series` planned so far may go out any more; returns how many
        notifications were cancelled."""
        async with self._scope.write() as conn:
            cancelled = await conn.execute(
                "UPDATE notifications SET state = 'cancelled'"
                " WHERE state = 'scheduled' AND series = ?",
                (series,),
            )
            await conn.execute(
                "UPDATE deliveries SET state = 'cancelled' WHERE state = 'pending'"
                " AND notification_id IN (SELECT id FROM notifications WHERE series = ?)",
                (series,),
            )
        return cancelled

    async def upcoming(self, limit: int = 5) -> list[Planned]:
        """Notifications still to come, soonest first."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT kind, due_at FROM notifications WHERE state = 'scheduled'"
                " ORDER BY due_at, id LIMIT ?",
                (limit,),
            )
        return [Planned(r[0], r[1]) for r in rows]

    async def expand_due(self, now: int) -> int:
        """Turn every notification that came due into its deliveries, each in a transaction
        of its own; returns how many notifications came due."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT id FROM notifications WHERE state = 'scheduled' AND due_at <= ?"
                " ORDER BY due_at, id",
                (now,),
            )
        for (notification_id,) in rows:
            async with self._scope.write() as conn:
                await _expand(conn, notification_id, now)
        return len(rows)

    # --- deliveries ----------------------------------------------------------------------

    async def due(self, now: int, limit: int) -> list[Delivery]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d"
                " JOIN notifications n ON n.id = d.notification_id"
                " WHERE d.state = 'pending' AND d.next_attempt_at <= ?"
                " ORDER BY d.target = 'dm', d.id LIMIT ?",  # channel posts first: one reaches many
                (now, limit),
            )
        return [_delivery(row) for row in rows]

    async def next_wakeup(self) -> int | None:
        """When something next needs doing (a notification or a retry), if anything does."""
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT MIN(t) FROM ("
                " SELECT MIN(due_at) AS t FROM notifications WHERE state = 'scheduled'"
                " UNION ALL"
                " SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending') AS w"
            )
        return int(row[0]) if row and row[0] is not None else None

    async def begin_attempt(self, delivery_id: int) -> None:
        """Counted before the send, so a crash mid-send is visible as an attempt."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET attempts = attempts + 1 WHERE id = ?", (delivery_id,)
            )

    async def mark_sent(self, delivery_id: int, message_id: int, now: int) -> None:
        await self._finish(delivery_id, "sent", None, message_id, now)

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self._finish(delivery_id, "failed", error, None, None)

    async def mark_missed(self, delivery_id: int, error: str) -> None:
        await self._finish(delivery_id, "missed", error, None, None)

    async def retry_later(self, delivery_id: int, error: str, at: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET last_error = ?, next_attempt_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (error[:500], at, delivery_id),
            )

    async def fail_pending_dms(self, user_id: int, error: str) -> int:
        """Fail a member's pending DMs without a request (their DMs are closed)."""
        async with self._scope.write() as conn:
            return await conn.execute(
                "UPDATE deliveries SET state = 'failed', last_error = ?"
                " WHERE user_id = ? AND target = 'dm' AND state = 'pending'",
                (error, user_id),
            )

    async def _finish(
        self, delivery_id: int, state: str, error: str | None, message_id: int | None,
        sent_at: int | None,
    ) -> None:  # fmt: skip
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET state = ?, last_error = ?, message_id = ?, sent_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (state, error[:500] if error else None, message_id, sent_at, delivery_id),
            )

    # --- reports -------------------------------------------------------------------------

    async def stats(self) -> QueueStats:
        async with self._scope.read() as conn:
            rows = await conn.fetchall("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
            missed = await conn.fetchone(
                "SELECT COUNT(*) FROM notifications WHERE state = 'missed'"
            )
        counts = {row[0]: int(row[1]) for row in rows}
        return QueueStats(
            counts.get("pending", 0),
            counts.get("sent", 0),
            counts.get("failed", 0),
            counts.get("missed", 0) + (int(missed[0]) if missed else 0),
        )

    async def problems(self, guild_id: int, limit: int = 5) -> list[Problem]:
        """Recent failed or missed deliveries of this server."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT n.kind, d.state, COALESCE(d.last_error, '') FROM deliveries d"
                " JOIN notifications n ON n.id = d.notification_id"
                " WHERE d.guild_id = ? AND d.state IN ('failed', 'missed')"
                " ORDER BY d.id DESC LIMIT ?",
                (guild_id, limit),
            )
        return [Problem(r[0], r[1], r[2]) for r in rows]


async def _expand(conn: Conn, notification_id: int, now: int) -> None:
    """One post per configured server, one DM per subscriber (once, even if in many servers);
    unique keys make a second expansion of the same notification add nothing."""
    row = await conn.fetchone(
        "SELECT audience, expires_at FROM notifications WHERE id = ? AND state = 'scheduled'",
        (notification_id,),
    )
    if row is None:
        return  # expanded or cancelled meanwhile
    audience, expires_at = row
    if now > expires_at:
        log.warning("notification %d came due too late to matter: missed", notification_id)
        await _set_state(conn, notification_id, "missed")
        return
    if audience != "broadcast":
        raise ValueError(f"notification {notification_id} has an unknown audience {audience!r}")
    posts = await conn.execute(
        "INSERT INTO deliveries"
        " (notification_id, target, guild_id, channel_id, role_id, locale, next_attempt_at)"
        " SELECT ?, 'channel', guild_id, channel_id, role_id, locale, ? FROM guild_settings"
        " WHERE channel_id IS NOT NULL ON CONFLICT DO NOTHING",
        (notification_id, now),
    )
    dms = await conn.execute(
        "INSERT INTO deliveries"
        " (notification_id, target, guild_id, user_id, locale, next_attempt_at)"
        " SELECT ?, 'dm', MIN(s.guild_id), s.user_id, MIN(s.locale), ? FROM subscriptions s"
        " LEFT JOIN dm_channels c ON c.user_id = s.user_id"
        " WHERE s.via IN ('dm', 'both') AND c.closed_at IS NULL GROUP BY s.user_id"
        " ON CONFLICT DO NOTHING",
        (notification_id, now),
    )
    await _set_state(conn, notification_id, "expanded")
    log.info(
        "notification %d is due: %d server posts and %d DMs queued",
        notification_id, posts, dms,
    )  # fmt: skip


async def _set_state(conn: Conn, notification_id: int, state: str) -> None:
    await conn.execute("UPDATE notifications SET state = ? WHERE id = ?", (state, notification_id))
