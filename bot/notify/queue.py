"""The durable delivery queue: notifications become delivery rows before anything is sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiosqlite

from bot.db.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to send, with what it needs to be written."""

    id: int
    notification_id: int
    kind: str
    target: str  # 'channel' or 'dm'
    guild_id: int
    channel_id: int | None
    role_id: int | None
    user_id: int | None
    locale: str
    attempts: int
    starts_at: int | None
    note: str | None
    update_text: str | None
    update_source: str | None
    expires_at: int

    def nonce(self, install_id: str) -> str:
        """The same across retries and restarts; unique per database (at most 25 characters)."""
        return f"{install_id}-{self.id}"[:25]


@dataclass(frozen=True, slots=True)
class QueueStats:
    pending: int
    sent: int
    failed: int
    missed: int


_DELIVERY_COLUMNS = (
    "d.id, d.notification_id, n.kind, d.target, d.guild_id, d.channel_id, d.role_id, d.user_id,"
    " d.locale, d.attempts, n.starts_at, n.note, u.text, u.source, n.expires_at"
)


class DeliveryQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def expand_due(self, now: int) -> int:
        """Turn every notification that came due into its deliveries; returns how many."""
        rows = await self.db.fetchall(
            "SELECT id, expires_at FROM notifications WHERE state = 'scheduled' AND due_at <= ?"
            " ORDER BY due_at, id",
            (now,),
        )
        for notification_id, expires_at in rows:
            async with self.db.transaction() as conn:
                if now > expires_at:
                    log.warning(
                        "notification %d came due too late to matter: missed", notification_id
                    )
                    await _set_state(conn, notification_id, "missed")
                else:
                    await _expand(conn, notification_id, now)
        return len(rows)

    async def due(self, now: int, limit: int) -> list[Delivery]:
        rows = await self.db.fetchall(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d"
            " JOIN notifications n ON n.id = d.notification_id"
            " LEFT JOIN updates u ON u.id = n.update_id"
            " WHERE d.state = 'pending' AND d.next_attempt_at <= ?"
            " ORDER BY d.target = 'dm', d.id LIMIT ?",  # channel posts first: one reaches many
            (now, limit),
        )
        return [Delivery(*row) for row in rows]

    async def next_wakeup(self) -> int | None:
        """When something next needs doing (a notification or a retry), if anything does."""
        row = await self.db.fetchone(
            "SELECT MIN(t) FROM ("
            " SELECT MIN(due_at) AS t FROM notifications WHERE state = 'scheduled'"
            " UNION ALL"
            " SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending')"
        )
        return int(row[0]) if row and row[0] is not None else None

    async def begin_attempt(self, delivery_id: int) -> None:
        """Counted before the send, so a crash mid-send is visible as an attempt."""
        async with self.db.transaction() as conn:
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
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET last_error = ?, next_attempt_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (error[:500], at, delivery_id),
            )

    async def _finish(
        self, delivery_id: int, state: str, error: str | None, message_id: int | None,
        sent_at: int | None,
    ) -> None:  # fmt: skip
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET state = ?, last_error = ?, message_id = ?, sent_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (state, error[:500] if error else None, message_id, sent_at, delivery_id),
            )

    async def stats(self) -> QueueStats:
        rows = await self.db.fetchall("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
        counts = {row[0]: int(row[1]) for row in rows}
        missed_rows = await self.db.fetchone(
            "SELECT COUNT(*) FROM notifications WHERE state = 'missed'"
        )
        missed = counts.get("missed", 0) + (int(missed_rows[0]) if missed_rows else 0)
        return QueueStats(
            counts.get("pending", 0), counts.get("sent", 0), counts.get("failed", 0), missed
        )

    async def problems(self, guild_id: int, limit: int = 5) -> list[tuple[str, str, str]]:
        """Recent failed or missed deliveries of this server: (kind, state, error)."""
        rows = await self.db.fetchall(
            "SELECT n.kind, d.state, COALESCE(d.last_error, '') FROM deliveries d"
            " JOIN notifications n ON n.id = d.notification_id"
            " WHERE d.guild_id = ? AND d.state IN ('failed', 'missed')"
            " ORDER BY d.id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]


async def _set_state(conn: aiosqlite.Connection, notification_id: int, state: str) -> None:
    await conn.execute("UPDATE notifications SET state = ? WHERE id = ?", (state, notification_id))


async def _expand(conn: aiosqlite.Connection, notification_id: int, now: int) -> None:
    """One post per configured server, one DM per subscriber (once, even if in many servers)."""
    posts = await conn.execute(
        "INSERT OR IGNORE INTO deliveries"
        " (notification_id, target, guild_id, channel_id, role_id, locale, next_attempt_at)"
        " SELECT ?, 'channel', guild_id, channel_id, role_id, locale, ? FROM guild_settings"
        " WHERE channel_id IS NOT NULL",
        (notification_id, now),
    )
    dms = await conn.execute(
        "INSERT OR IGNORE INTO deliveries"
        " (notification_id, target, guild_id, user_id, locale, next_attempt_at)"
        " SELECT ?, 'dm', MIN(s.guild_id), s.user_id, MIN(s.locale), ? FROM subscriptions s"
        " LEFT JOIN dm_channels c ON c.user_id = s.user_id"
        " WHERE s.via IN ('dm', 'both') AND c.closed_at IS NULL GROUP BY s.user_id",
        (notification_id, now),
    )
    await _set_state(conn, notification_id, "expanded")
    log.info(
        "notification %d is due: %d server posts and %d DMs queued",
        notification_id, posts.rowcount, dms.rowcount,
    )  # fmt: skip


class DmChannels:
    """Each subscriber's DM channel id, and whether their DMs are closed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> tuple[int | None, bool]:
        row = await self.db.fetchone(
            "SELECT channel_id, closed_at FROM dm_channels WHERE user_id = ?", (user_id,)
        )
        if row is None:
            return None, False
        return row[0], row[1] is not None

    async def remember(self, user_id: int, channel_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id",
                (user_id, channel_id),
            )

    async def mark_closed(self, user_id: int, now: int) -> None:
        """Closed DMs are not retried; their pending DMs are failed at once, without a request."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO dm_channels (user_id, closed_at) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET closed_at = excluded.closed_at",
                (user_id, now),
            )
            await conn.execute(
                "UPDATE deliveries SET state = 'failed', last_error = 'dm_closed'"
                " WHERE user_id = ? AND target = 'dm' AND state = 'pending'",
                (user_id,),
            )
