"""The premiere date and the updates timeline, and the notifications they schedule."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.db.audit import record_audit
from bot.db.database import Database

HOUR = 3600
DAY = 24 * HOUR

# Reminder kinds and how long before the premiere each is due, latest last.
STAGES: tuple[tuple[str, int], ...] = (
    ("reminder_7d", 7 * DAY),
    ("reminder_1d", DAY),
    ("reminder_1h", HOUR),
    ("premiere", 0),
)
PREMIERE_GRACE = 6 * HOUR  # "it's out now" is still worth saying a few hours late
ANNOUNCEMENT_GRACE = DAY  # a date change or update that could not go out for a day is stale
DATE_KINDS = ("date_set", "date_cleared", *(kind for kind, _ in STAGES))


@dataclass(frozen=True, slots=True)
class Premiere:
    starts_at: int | None
    timezone: str | None
    note: str | None
    revision: int


@dataclass(frozen=True, slots=True)
class Update:
    id: int
    text: str
    source: str | None
    posted_at: int


@dataclass(frozen=True, slots=True)
class Planned:
    kind: str
    due_at: int


def reminder_plan(starts_at: int, now: int) -> list[tuple[str, int, int]]:
    """(kind, due, expires) for every stage still ahead; a stage already past is not sent.

    A stage stays relevant until the next one is due (Discord's relative timestamps keep
    the wording right when it goes out late), the premiere stage for a few hours.
    """
    plan = []
    dues = [starts_at - before for _, before in STAGES]
    expiries = [*dues[1:], starts_at + PREMIERE_GRACE]
    for (kind, _), due, expires in zip(STAGES, dues, expiries, strict=True):
        if due > now:
            plan.append((kind, due, expires))
    return plan


class ReleaseService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def current(self) -> Premiere:
        row = await self.db.fetchone(
            "SELECT starts_at, timezone, note, revision FROM premiere WHERE id = 1"
        )
        if row is None:
            return Premiere(None, None, None, 0)
        return Premiere(row[0], row[1], row[2], row[3])

    async def set_premiere(
        self, *, starts_at: int, timezone: str, note: str | None, user_id: int, now: int
    ) -> list[Planned]:
        """Store the date, retire every older plan, and schedule the announcement and reminders."""
        async with self.db.transaction() as conn:
            old = await _premiere(conn)
            revision = await _store_premiere(conn, starts_at, timezone, note, user_id, now)
            await _retire_older_plans(conn, revision)
            expires = min(now + ANNOUNCEMENT_GRACE, starts_at + PREMIERE_GRACE)
            planned = [Planned("date_set", now)]
            await _schedule(conn, "date_set", revision, starts_at, note, now, expires, now)
            for kind, due, until in reminder_plan(starts_at, now):
                await _schedule(conn, kind, revision, starts_at, note, due, until, now)
                planned.append(Planned(kind, due))
            await record_audit(
                conn, guild_id=None, user_id=user_id, action="release.set",
                old=_describe(old), new=f"{starts_at} {timezone} {note or ''}".strip(), now=now,
            )  # fmt: skip
        return planned

    async def clear_premiere(self, *, user_id: int, now: int) -> bool:
        """Withdraw the date: reminders are cancelled and the withdrawal is announced."""
        async with self.db.transaction() as conn:
            old = await _premiere(conn)
            if old is None or old[0] is None:
                return False
            revision = await _store_premiere(conn, None, None, None, user_id, now)
            await _retire_older_plans(conn, revision)
            expires = now + ANNOUNCEMENT_GRACE
            await _schedule(conn, "date_cleared", revision, None, None, now, expires, now)
            await record_audit(
                conn, guild_id=None, user_id=user_id, action="release.clear",
                old=_describe(old), new=None, now=now,
            )  # fmt: skip
        return True

    async def add_update(self, *, text: str, source: str | None, user_id: int, now: int) -> int:
        """Add an update to the timeline and schedule its announcement."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO updates (text, source, posted_by, posted_at) VALUES (?, ?, ?, ?)",
                (text, source, user_id, now),
            )
            update_id = int(cursor.lastrowid or 0)
            await conn.execute(
                "INSERT INTO notifications (kind, update_id, due_at, expires_at, created_at)"
                " VALUES ('update', ?, ?, ?, ?)",
                (update_id, now, now + ANNOUNCEMENT_GRACE, now),
            )
            await record_audit(
                conn, guild_id=None, user_id=user_id, action="update.post",
                old=None, new=text, now=now,
            )  # fmt: skip
        return update_id

    async def updates(self, limit: int = 5) -> list[Update]:
        rows = await self.db.fetchall(
            "SELECT id, text, source, posted_at FROM updates ORDER BY posted_at DESC, id DESC"
            " LIMIT ?",
            (limit,),
        )
        return [Update(r[0], r[1], r[2], r[3]) for r in rows]

    async def upcoming(self, limit: int = 5) -> list[Planned]:
        """Notifications still to come, soonest first."""
        rows = await self.db.fetchall(
            "SELECT kind, due_at FROM notifications WHERE state = 'scheduled'"
            " ORDER BY due_at, id LIMIT ?",
            (limit,),
        )
        return [Planned(r[0], r[1]) for r in rows]


async def _premiere(conn: aiosqlite.Connection) -> aiosqlite.Row | None:
    async with conn.execute(
        "SELECT starts_at, timezone, note, revision FROM premiere WHERE id = 1"
    ) as cursor:
        return await cursor.fetchone()


def _describe(row: aiosqlite.Row | None) -> str | None:
    if row is None or row[0] is None:
        return None
    return f"{row[0]} {row[1]} {row[2] or ''}".strip()


async def _store_premiere(
    conn: aiosqlite.Connection,
    starts_at: int | None,
    timezone: str | None,
    note: str | None,
    user_id: int,
    now: int,
) -> int:
    """Upsert the premiere row with the next revision; returns that revision."""
    async with conn.execute(
        "INSERT INTO premiere (id, starts_at, timezone, note, revision, set_by, updated_at)"
        " VALUES (1, ?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " starts_at = excluded.starts_at, timezone = excluded.timezone, note = excluded.note,"
        " revision = premiere.revision + 1, set_by = excluded.set_by,"
        " updated_at = excluded.updated_at RETURNING revision",
        (starts_at, timezone, note, user_id, now),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def _retire_older_plans(conn: aiosqlite.Connection, revision: int) -> None:
    """No reminder or announcement of an older date may go out any more."""
    kinds = ", ".join(f"'{kind}'" for kind in DATE_KINDS)
    await conn.execute(
        f"UPDATE notifications SET state = 'cancelled' WHERE state = 'scheduled'"
        f" AND kind IN ({kinds}) AND revision < ?",
        (revision,),
    )
    await conn.execute(
        "UPDATE deliveries SET state = 'cancelled' WHERE state = 'pending' AND notification_id IN"
        f" (SELECT id FROM notifications WHERE kind IN ({kinds}) AND revision < ?)",
        (revision,),
    )


async def _schedule(
    conn: aiosqlite.Connection,
    kind: str,
    revision: int,
    starts_at: int | None,
    note: str | None,
    due_at: int,
    expires_at: int,
    now: int,
) -> None:
    await conn.execute(
        "INSERT INTO notifications (kind, revision, starts_at, note, due_at, expires_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, revision, starts_at, note, due_at, expires_at, now),
    )
