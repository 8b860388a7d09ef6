"""The durable outbox: notifications (a kind and a JSON payload, due at a time) become one
delivery row per message before anything is sent; each row is marked once Discord answered."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from bot.store.connection import Conn, Row, Scope
from bot.store.records import (
    Audience,
    Delivery,
    NewNotification,
    Planned,
    Problem,
    Progress,
    QueueStats,
)
from bot.store.rooms import WITH_ROOMS

log = logging.getLogger(__name__)

_DELIVERY_COLUMNS = (
    "d.id, d.notification_id, n.kind, n.payload, d.target, d.guild_id, d.channel_id,"
    " d.role_id, d.user_id, d.locale, d.attempts, n.expires_at, n.audience <> 'broadcast',"
    " d.attempt_started_at, c.channel_id"
)


def _delivery(row: Row) -> Delivery:
    return Delivery(
        id=row[0], notification_id=row[1], kind=row[2],
        payload=json.loads(row[3]),  # stored as JSON text in both databases
        target=row[4], guild_id=row[5], channel_id=row[6], role_id=row[7], user_id=row[8],
        locale=row[9], attempts=row[10], expires_at=row[11], urgent=bool(row[12]),
        attempt_started_at=row[13], dm_channel_id=row[14],
    )  # fmt: skip


EXPAND_PER_TRANSACTION = 50
# The reaches that post only in some servers' announcement channels (and send no DM): which.
_CHANNELS_OF = {"discussion": " AND discussion = 1", "rooms": WITH_ROOMS}
ReachOf = Callable[[str], tuple[str, Sequence[str] | None]]
EVERYONE: tuple[str, Sequence[str] | None] = ("everyone", None)


# A delivery no other process holds: never leased, ours, or its lease ran out (its holder is
# gone or stuck); takes the parameters (now, owner).
_FREE = "(d.lease_until IS NULL OR d.lease_until <= ? OR d.lease_owner = ?)"


def _in(ids: Sequence[object]) -> str:
    return ", ".join("?" for _ in ids)


def _lane(
    urgent: bool | None, kinds: Sequence[str], but: Sequence[str]
) -> tuple[str, Sequence[object]]:
    """The clause (on notifications `n`) and its parameters that pick a dispatcher lane's
    deliveries: members' own or broadcasts (`urgent`), only `kinds`, all but `but`."""
    sql, params = "", list[object]()
    if urgent is not None:
        sql = " AND (n.audience <> 'broadcast') = ?"
        params.append(urgent)
    if kinds:
        sql += f" AND n.kind IN ({_in(kinds)})"
        params += kinds
    if but:
        sql += f" AND n.kind NOT IN ({_in(but)})"
        params += but
    return sql, params


class OutboxStore:
    def __init__(self, scope: Scope, owner: str) -> None:
        self._scope = scope
        self._owner = owner  # this process: the holder of the leases it takes

    # --- notifications -------------------------------------------------------------------

    async def add(self, notification: NewNotification, now: int) -> int:
        """Queue a notification; the dispatcher expands it when it comes due (outside the
        caller's transaction, so a member's answer never waits on it)."""
        n = notification
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO notifications (kind, payload, series, audience, due_at, expires_at,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (n.kind, json.dumps(n.payload, ensure_ascii=False), n.series, str(n.audience),
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
                " AND audience = 'broadcast' ORDER BY due_at, id LIMIT ?",
                (limit,),
            )
        return [Planned(r[0], r[1]) for r in rows]

    async def expand_due(self, now: int, reach: ReachOf = lambda _kind: EVERYONE) -> int:
        """Turn every notification that came due into its deliveries, a few dozen to a
        transaction; returns how many notifications came due. `reach` says, by kind, whom it
        reaches ('everyone'; 'discussion' or 'rooms': the channels of servers with discussion
        threads or episode rooms) and which reminders choices of DM subscribers want it (None:
        all of them)."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT id, kind FROM notifications WHERE state = 'scheduled' AND due_at <= ?"
                " ORDER BY due_at, id",
                (now,),
            )
        for start in range(0, len(rows), EXPAND_PER_TRANSACTION):
            async with self._scope.write() as conn:  # a burst of subscriptions: few commits
                for notification_id, kind_name in rows[start : start + EXPAND_PER_TRANSACTION]:
                    await _expand(conn, notification_id, now, *reach(kind_name))
        return len(rows)

    # --- deliveries ----------------------------------------------------------------------

    async def due(
        self, now: int, limit: int, *, urgent: bool | None = None, after_id: int = 0,
        kinds: Sequence[str] = (), but: Sequence[str] = (),
    ) -> list[Delivery]:  # fmt: skip
        """Pending deliveries due by `now` that no other process holds, in id order from
        `after_id` (expansion inserts a notification's channel posts before its DMs: one post
        reaches many). `urgent` picks the lane: deliveries addressed to one waiting member,
        or the broadcasts; `kinds`, when given, only those kinds; `but`, all but those."""
        lane, lane_params = _lane(urgent, kinds, but)
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_DELIVERY_COLUMNS} FROM deliveries d"
                " JOIN notifications n ON n.id = d.notification_id"
                " LEFT JOIN dm_channels c ON c.user_id = d.user_id AND d.target = 'dm'"
                " WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND d.id > ?"
                f" AND {_FREE}{lane} ORDER BY d.id LIMIT ?",
                (now, after_id, now, self._owner, *lane_params, limit),
            )
        return [_delivery(row) for row in rows]

    async def next_wakeup(
        self, *, urgent: bool | None = None, kinds: Sequence[str] = (), but: Sequence[str] = ()
    ) -> int | None:
        """When something next needs doing (a notification, a retry, another process's lease
        running out), if anything does; the lane as in `due()`."""
        lane, lane_params = _lane(urgent, kinds, but)
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT MIN(t) FROM ("
                f" SELECT MIN(n.due_at) AS t FROM notifications n WHERE n.state = 'scheduled'{lane}"
                " UNION ALL"
                " SELECT MIN(CASE WHEN d.lease_owner <> ? AND d.lease_until > d.next_attempt_at"
                " THEN d.lease_until ELSE d.next_attempt_at END) AS t FROM deliveries d"
                f" JOIN notifications n ON n.id = d.notification_id WHERE d.state = 'pending'{lane}"
                ") AS w",
                (*lane_params, self._owner, *lane_params),
            )
        return int(row[0]) if row and row[0] is not None else None

    async def claim(self, delivery_ids: Sequence[int], now: int, until: int) -> dict[int, int]:
        """Lease these deliveries to this process until `until`, skipping any another process
        holds; the attempt of each fresh one is recorded as begun now. Returns each claimed
        delivery's attempt start: `now`, or an earlier attempt's, whose outcome is unknown
        (recorded before the sends, so a crash mid-send leaves such attempts, which are
        looked for before they are sent again)."""
        if not delivery_ids:
            return {}
        async with self._scope.write() as conn:
            lock = conn.for_update(skip_locked=True)
            rows = await conn.fetchall(
                "UPDATE deliveries SET lease_owner = ?, lease_until = ?,"
                " attempts = CASE WHEN attempt_started_at IS NULL THEN attempts + 1"
                " ELSE attempts END, attempt_started_at = COALESCE(attempt_started_at, ?)"
                " WHERE id IN (SELECT d.id FROM deliveries d WHERE d.state = 'pending'"
                f" AND d.id IN ({_in(delivery_ids)}) AND {_FREE}{lock})"
                " RETURNING id, attempt_started_at",
                (self._owner, until, now, *delivery_ids, now, self._owner),
            )
        return {int(row[0]): int(row[1]) for row in rows}

    async def lease_holders(self, now: int) -> set[str]:
        """The other processes holding leases that have not run out."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT DISTINCT lease_owner FROM deliveries WHERE state = 'pending'"
                " AND lease_until > ? AND lease_owner <> ?",
                (now, self._owner),
            )
        return {str(row[0]) for row in rows}

    async def release_leases(self, holder: str) -> int:
        """The leases of `holder`, known to be gone, end now; how many there were."""
        async with self._scope.write() as conn:
            return await conn.execute(
                "UPDATE deliveries SET lease_until = NULL WHERE state = 'pending'"
                " AND lease_until IS NOT NULL AND lease_owner = ?",
                (holder,),
            )

    async def begin_attempts(self, delivery_ids: Sequence[int], now: int) -> None:
        """Attempts begun again on deliveries this process holds (the last one's message was
        looked for and not found)."""
        if not delivery_ids:
            return
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET attempts = attempts + 1, attempt_started_at = ?"
                f" WHERE id IN ({_in(delivery_ids)}) AND lease_owner = ?",
                (now, *delivery_ids, self._owner),
            )

    async def mark_sent_many(self, sent: Sequence[tuple[int, int]], now: int) -> int:
        """Many sends recorded in one transaction: (delivery id, message id). Only those this
        process holds: how many were."""
        recorded = 0
        async with self._scope.write() as conn:
            for delivery_id, message_id in sent:
                recorded += await conn.execute(
                    "UPDATE deliveries SET state = 'sent', message_id = ?, sent_at = ?,"
                    " attempt_started_at = NULL, lease_until = NULL"
                    " WHERE id = ? AND state = 'pending' AND lease_owner = ?",
                    (message_id, now, delivery_id, self._owner),
                )
        if recorded < len(sent):
            log.warning("%d sends not recorded: their lease was taken over", len(sent) - recorded)
        return recorded

    async def mark_failed(self, delivery_id: int, error: str) -> None:
        await self._finish(delivery_id, "failed", error)

    async def mark_missed(self, delivery_id: int, error: str) -> None:
        await self._finish(delivery_id, "missed", error)

    async def retry_later(self, delivery_id: int, error: str, at: int) -> None:
        """Tried and to be tried again at `at`, by whichever process then sends."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET last_error = ?, next_attempt_at = ?,"
                " attempt_started_at = NULL, lease_owner = NULL, lease_until = NULL"
                " WHERE id = ? AND state = 'pending' AND lease_owner = ?",
                (error[:500], at, delivery_id, self._owner),
            )

    async def fail_pending_dms(self, user_id: int, error: str) -> int:
        """Fail a member's pending DMs without a request (their DMs are closed), but for
        those another process is sending."""
        async with self._scope.write() as conn:
            return await conn.execute(
                "UPDATE deliveries SET state = 'failed', last_error = ?, lease_until = NULL"
                " WHERE user_id = ? AND target = 'dm' AND state = 'pending'"
                " AND (lease_owner IS NULL OR lease_owner = ?)",
                (error, user_id, self._owner),
            )

    async def _finish(self, delivery_id: int, state: str, error: str) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE deliveries SET state = ?, last_error = ?, attempt_started_at = NULL,"
                " lease_until = NULL WHERE id = ? AND state = 'pending' AND lease_owner = ?",
                (state, error[:500], delivery_id, self._owner),
            )

    async def post_of(self, notification_id: int, guild_id: int) -> tuple[str, int | None] | None:
        """The state and message id of a notification's post in a server's channel."""
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT state, message_id FROM deliveries WHERE notification_id = ?"
                " AND guild_id = ? AND target = 'channel'",
                (notification_id, guild_id),
            )
        return (str(row[0]), row[1]) if row else None

    async def cancel_for_member(self, guild_id: int, user_id: int, kind: str | None = None) -> int:
        """A member unsubscribed: what is still queued for their subscription (of `kind`,
        when given) is dropped."""
        of_kind = "" if kind is None else " AND kind = ?"
        async with self._scope.write() as conn:
            return await conn.execute(
                "UPDATE deliveries SET state = 'cancelled' WHERE state = 'pending'"
                " AND notification_id IN"
                f" (SELECT id FROM notifications WHERE audience = ?{of_kind})",
                (str(Audience.member(guild_id, user_id)), *([kind] if kind else [])),
            )

    # --- reports -------------------------------------------------------------------------

    async def progress(self, notification_id: int) -> Progress | None:
        async with self._scope.read() as conn:
            kind = await conn.fetchone(
                "SELECT kind, state FROM notifications WHERE id = ?", (notification_id,)
            )
            rows = await conn.fetchall(
                "SELECT state, COUNT(*) FROM deliveries WHERE notification_id = ? GROUP BY state",
                (notification_id,),
            )
        if kind is None or kind[1] == "scheduled":
            return None  # not come due yet: nothing to report
        counts = {row[0]: int(row[1]) for row in rows}
        failed = counts.get("failed", 0) + counts.get("missed", 0)
        return Progress(
            notification_id, kind[0], counts.get("sent", 0), counts.get("pending", 0), failed
        )

    async def latest_fan_outs(self, limit: int = 3) -> list[Progress]:
        """The broadcasts most recently expanded, newest first."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT id FROM notifications WHERE state = 'expanded'"
                " AND audience = 'broadcast' ORDER BY due_at DESC, id DESC LIMIT ?",
                (limit,),
            )
        found = [await self.progress(int(row[0])) for row in rows]
        return [p for p in found if p is not None]

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


async def _expand(
    conn: Conn, notification_id: int, now: int, reach: str = "everyone",
    choices: Sequence[str] | None = None,
) -> None:  # fmt: skip
    """One post per configured server, one DM per subscriber who wants it (once, even if in
    many servers: wanted by any of their subscriptions), in one statement each; unique keys
    make a second expansion of the same notification add nothing."""
    row = await conn.fetchone(
        "SELECT audience, expires_at FROM notifications WHERE id = ? AND state = 'scheduled'"
        + conn.for_update(),  # one expansion at a time
        (notification_id,),
    )
    if row is None:
        return  # expanded or cancelled meanwhile
    audience, expires_at = Audience.parse(row[0]), row[1]
    if now > expires_at:
        log.warning("notification %d came due too late to matter: missed", notification_id)
        await _set_state(conn, notification_id, "missed")
        return
    if audience.scope == "member":
        assert audience.guild_id is not None and audience.user_id is not None
        if reach == "member":  # one change for the member, made by its kind
            await conn.execute(
                "INSERT INTO deliveries"
                " (notification_id, target, guild_id, user_id, next_attempt_at)"
                " VALUES (?, 'role', ?, ?, ?) ON CONFLICT DO NOTHING",
                (notification_id, audience.guild_id, audience.user_id, now),
            )
            await _set_state(conn, notification_id, "expanded")
            return
        await _expand_member(conn, notification_id, audience.guild_id, audience.user_id, now)
        return
    if audience.scope == "review":  # the server's review channel, if it has one
        await conn.execute(
            "INSERT INTO deliveries"
            " (notification_id, target, guild_id, channel_id, locale, next_attempt_at)"
            " SELECT ?, 'channel', guild_id, review_channel_id, locale, ? FROM guild_settings"
            " WHERE guild_id = ? AND review_channel_id IS NOT NULL ON CONFLICT DO NOTHING",
            (notification_id, now, audience.guild_id),
        )
        await _set_state(conn, notification_id, "expanded")
        return
    if audience.scope == "channel":  # that one channel, in its server's language
        await conn.execute(
            "INSERT INTO deliveries"
            " (notification_id, target, guild_id, channel_id, locale, next_attempt_at)"
            " VALUES (?, 'channel', ?, ?, COALESCE((SELECT locale FROM guild_settings"
            " WHERE guild_id = ?), 'en-US'), ?) ON CONFLICT DO NOTHING",
            (notification_id, audience.guild_id, audience.channel_id, audience.guild_id, now),
        )
        await _set_state(conn, notification_id, "expanded")
        return
    only = _CHANNELS_OF.get(reach, "")
    posts = await conn.execute(
        "INSERT INTO deliveries"
        " (notification_id, target, guild_id, channel_id, role_id, locale, next_attempt_at)"
        " SELECT ?, 'channel', guild_id, channel_id, role_id, locale, ? FROM guild_settings"
        f" WHERE channel_id IS NOT NULL{only} ON CONFLICT DO NOTHING",
        (notification_id, now),
    )
    if reach in _CHANNELS_OF:  # some servers' channels only, no DMs
        await _set_state(conn, notification_id, "expanded")
        return
    wanted = "" if choices is None else f" AND s.reminders IN ({_in(choices)})"
    dms = await conn.execute(
        "INSERT INTO deliveries"
        " (notification_id, target, guild_id, user_id, locale, next_attempt_at)"
        " SELECT ?, 'dm', MIN(s.guild_id), s.user_id, MIN(s.locale), ? FROM subscriptions s"
        " LEFT JOIN dm_channels c ON c.user_id = s.user_id"
        f" WHERE s.via IN ('dm', 'both') AND c.closed_at IS NULL{wanted} GROUP BY s.user_id"
        " ON CONFLICT DO NOTHING",
        (notification_id, now, *(choices or ())),
    )
    await _set_state(conn, notification_id, "expanded")
    log.info(
        "notification %d is due: %d server posts and %d DMs queued",
        notification_id, posts, dms,
    )  # fmt: skip


async def _expand_member(
    conn: Conn, notification_id: int, guild_id: int, user_id: int, now: int
) -> None:
    """What the member's subscription asks for now: the role, if they want pings and the
    server has a role; a DM, if they want DMs (even if they were closed: this checks)."""
    await conn.execute(
        "INSERT INTO deliveries"
        " (notification_id, target, guild_id, role_id, user_id, locale, next_attempt_at)"
        " SELECT ?, 'role', s.guild_id, g.role_id, s.user_id, s.locale, ? FROM subscriptions s"
        " JOIN guild_settings g ON g.guild_id = s.guild_id"
        " WHERE s.guild_id = ? AND s.user_id = ? AND s.via IN ('role', 'both')"
        " AND g.role_id IS NOT NULL ON CONFLICT DO NOTHING",
        (notification_id, now, guild_id, user_id),
    )
    await conn.execute(
        "INSERT INTO deliveries"
        " (notification_id, target, guild_id, user_id, locale, next_attempt_at)"
        " SELECT ?, 'dm', guild_id, user_id, locale, ? FROM subscriptions"
        " WHERE guild_id = ? AND user_id = ? AND via IN ('dm', 'both') ON CONFLICT DO NOTHING",
        (notification_id, now, guild_id, user_id),
    )
    await _set_state(conn, notification_id, "expanded")


async def _set_state(conn: Conn, notification_id: int, state: str) -> None:
    await conn.execute("UPDATE notifications SET state = ? WHERE id = ?", (state, notification_id))
