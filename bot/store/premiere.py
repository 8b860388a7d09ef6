"""The show-wide premiere (one row with a growing revision) and the updates timeline."""

from __future__ import annotations

from bot.store.connection import Row, Scope
from bot.store.records import Premiere, Update


class PremiereStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def current(self) -> Premiere:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT starts_at, timezone, note, revision, expected FROM premiere WHERE id = 1"
            )
        return _premiere(row)

    async def current_for_change(self) -> Premiere:
        """The premiere, in a transaction that will change it: the next one to ask waits
        for this one to end (SQLite's transactions never overlap; PostgreSQL's may)."""
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO premiere (id, revision, updated_at) VALUES (1, 0, 0)"
                " ON CONFLICT (id) DO NOTHING"
            )
            lock = conn.for_update()
            row = await conn.fetchone(
                "SELECT starts_at, timezone, note, revision, expected FROM premiere"
                f" WHERE id = 1{lock}"
            )
        return _premiere(row)

    async def put(
        self, *, starts_at: int | None, timezone: str | None, note: str | None, user_id: int,
        now: int, expected: str | None = None,
    ) -> Premiere:  # fmt: skip
        """Store the premiere (a day, only a year or month as `expected`, or neither: withdrawn)
        under the next revision; returns it."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO premiere"
                " (id, starts_at, timezone, note, expected, revision, set_by, updated_at)"
                " VALUES (1, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " starts_at = excluded.starts_at, timezone = excluded.timezone,"
                " note = excluded.note, expected = excluded.expected,"
                " revision = premiere.revision + 1, set_by = excluded.set_by,"
                " updated_at = excluded.updated_at RETURNING revision",
                (starts_at, timezone, note, expected, user_id, now),
            )
        assert row is not None
        return Premiere(starts_at, timezone, note, int(row[0]), expected)

    async def add_update(self, *, text: str, source: str | None, user_id: int, now: int) -> Update:
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO updates (text, source, posted_by, posted_at) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (text, source, user_id, now),
            )
        assert row is not None
        return Update(int(row[0]), text, source, now)

    async def updates(self, limit: int = 5) -> list[Update]:
        """The newest updates first."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT id, text, source, posted_at FROM updates"
                " ORDER BY posted_at DESC, id DESC LIMIT ?",
                (limit,),
            )
        return [Update(r[0], r[1], r[2], r[3]) for r in rows]


def _premiere(row: Row | None) -> Premiere:
    if row is None:
        return Premiere(None, None, None, 0)
    return Premiere(row[0], row[1], row[2], row[3], row[4])
