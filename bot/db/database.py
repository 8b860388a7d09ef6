"""One aiosqlite connection: WAL, foreign keys, numbered migrations, serialized transactions."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """The database file cannot be opened or migrated."""


def load_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every shipped migration, in order."""
    found = []
    for entry in resources.files("bot.db").joinpath("migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise DatabaseError(f"migrations must be numbered 1..N without gaps, got {numbers}")
    return found


class Database:
    """All access goes through `transaction()` or the read helpers, which share one lock.

    A single connection keeps SQLite's locking simple; the lock makes sure one task's
    transaction never interleaves with another's statements on that connection.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseError("the database is not open")
        return self._conn

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = await aiosqlite.connect(self.path, isolation_level=None)
            self._conn.row_factory = aiosqlite.Row
            await self._conn.execute("PRAGMA journal_mode = WAL")
            await self._conn.execute("PRAGMA synchronous = NORMAL")
            await self._conn.execute("PRAGMA foreign_keys = ON")
            await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await self._migrate()
        except aiosqlite.Error as exc:
            await self.close()
            raise DatabaseError(f"DATABASE_PATH: cannot use {str(self.path)!r}: {exc}") from exc

    async def close(self) -> None:
        async with self._lock:  # waits for a transaction under way to finish
            if self._conn is not None:
                await self._conn.close()
                self._conn = None

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        pending = [m for m in load_migrations() if m[0] > current]
        if not pending:
            return
        async with self.transaction() as conn:
            for _number, name, sql in pending:
                log.info("applying migration %s", name)
                for statement in _statements(sql):
                    await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {pending[-1][0]}")
        log.info("database schema at version %d", pending[-1][0])

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error or cancellation."""
        async with self._lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await asyncio.shield(conn.rollback())
                raise
            else:
                await conn.commit()

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._lock, self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock, self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())


def _statements(sql: str) -> list[str]:
    """Split a migration file into complete statements (aiosqlite runs one at a time)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if not buffer and line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise DatabaseError(f"migration ends with an incomplete statement: {buffer.strip()[:60]}")
    return statements
