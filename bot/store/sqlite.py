"""SQLite through one aiosqlite connection: WAL, foreign keys, numbered migrations.

One process per file: whoever opens it holds an exclusive lock on `<file>.lock` beside it
(`flock`), which the kernel releases when the process ends, however it ends. A second bot, or
`copy-data`, is refused while it is held.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.store.connection import Params, Row
from bot.store.coordination import Coordination, LocalCoordination
from bot.store.errors import StoreError
from bot.store.migrate import load_migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class DatabaseInUse(StoreError):
    """Another process holds the file's lock: a bot runs on it (or a copy reads it)."""


def lock_path(path: Path) -> Path:
    """The file whose lock says that a process uses the database at `path`."""
    return path.with_name(path.name + ".lock")


def hold_lock(path: Path) -> int | None:
    """Take the database's lock without waiting; the descriptor that holds it (closing it
    releases the lock), or None where there is no `flock` (Windows). The holder's pid is
    written into the file, for people; the lock itself is what counts."""
    if sys.platform == "win32":
        return None
    import fcntl

    lock = lock_path(path)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"DATABASE_PATH: cannot create the lock {str(lock)!r}: {exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        os.close(fd)
        pid = f" (pid {holder})" if holder.isdigit() else ""
        raise DatabaseInUse(
            f"DATABASE_PATH: {str(path)!r} is in use by a running bot{pid}: it holds {lock.name}"
        ) from None
    except OSError as exc:
        os.close(fd)
        raise StoreError(f"DATABASE_PATH: cannot lock {str(lock)!r}: {exc}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


class SqliteConn:
    """The driver side of `Conn` for aiosqlite (it already speaks `?` placeholders)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.raw = conn

    def for_update(self, *, skip_locked: bool = False) -> str:
        return ""  # a write transaction holds the whole file: no other writer reads under it

    # One trip to aiosqlite's thread per statement: each trip costs about as much as a simple
    # statement itself. A finished statement's cursor needs no closing trip of its own: it is
    # freed with its last reference.

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self.raw.execute(sql, tuple(params))
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.raw.execute_fetchall(sql, tuple(params))
        for row in rows:
            return tuple(row)
        return None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return [tuple(row) for row in await self.raw.execute_fetchall(sql, tuple(params))]


class SqliteDatabase:
    """One connection; a lock makes sure one task's transaction never interleaves with
    another's statements on it. The file's lock (`hold_lock`) keeps other processes out."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: SqliteConn | None = None
        self._lock = asyncio.Lock()
        self._file_lock: int | None = None

    def coordination(self, process_id: str) -> Coordination:
        """One process per file: it always leads."""
        return LocalCoordination()

    @property
    def conn(self) -> SqliteConn:
        if self._conn is None:
            raise StoreError("the database is not open")
        return self._conn

    async def open(self, *, migrate: bool = True) -> None:
        """Take the file's lock (DatabaseInUse if a running bot holds it), connect and, unless
        told not to, bring the schema up to date (`migrate()`)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"DATABASE_PATH: cannot use {str(self.path)!r}: {exc}") from None
        self._file_lock = hold_lock(self.path)
        try:
            raw = await aiosqlite.connect(self.path, isolation_level=None)
            self._conn = SqliteConn(raw)
            await raw.execute("PRAGMA journal_mode = WAL")
            await raw.execute("PRAGMA synchronous = NORMAL")
            await raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if migrate:
                await self.migrate()
        except (aiosqlite.Error, sqlite3.Error) as exc:
            await self.close()
            raise StoreError(f"DATABASE_PATH: cannot use {str(self.path)!r}: {exc}") from exc
        except BaseException:
            await self.close()
            raise

    async def migrate(self) -> None:
        """Pending migrations, then foreign keys on (as every connection of ours has them)."""
        await self._migrate()
        await self.conn.raw.execute("PRAGMA foreign_keys = ON")

    async def close(self) -> None:
        async with self._lock:  # waits for a transaction under way to finish
            try:
                if self._conn is not None:
                    await self._conn.raw.close()
                    self._conn = None
            finally:
                if self._file_lock is not None:
                    fd, self._file_lock = self._file_lock, None
                    with contextlib.suppress(OSError):
                        os.close(fd)  # releases the lock

    async def schema_version(self) -> int:
        async with self.read() as conn:
            row = await conn.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        """Pending migrations in one transaction. Foreign keys are off meanwhile, as SQLite's
        table-rebuild procedure needs, and checked before the commit. The statements go to
        aiosqlite's thread as one script: a trip there for each of them (51 for a new file)
        cost about as much again as running them."""
        current = await self.schema_version()
        pending = [m for m in load_migrations("sqlite") if m[0] > current]
        if not pending:
            return
        statements = []
        for _number, name, sql in pending:
            log.info("applying migration %s", name)
            statements += _statements(sql)
        raw = self.conn.raw
        await raw.execute("PRAGMA foreign_keys = OFF")
        async with self._lock:
            try:
                # The script begins the transaction: executescript() commits one begun before.
                await raw.executescript("\n".join(["BEGIN IMMEDIATE;", *statements]))
                broken = [tuple(r) for r in await raw.execute_fetchall("PRAGMA foreign_key_check")]
                if broken:
                    raise StoreError(
                        f"migration left {len(broken)} broken references: {broken[:3]}"
                    )
                await raw.execute(f"PRAGMA user_version = {pending[-1][0]}")
            except BaseException:
                await asyncio.shield(raw.rollback())
                raise
            await raw.commit()
        log.info("database schema at version %d", pending[-1][0])

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteConn]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error or cancellation."""
        async with self._lock:
            conn = self.conn
            try:
                # Inside the try: cancelled while BEGIN runs on aiosqlite's thread, the
                # transaction may have begun all the same, and the rollback (queued after it
                # on that thread) ends it.
                await conn.raw.execute("BEGIN IMMEDIATE")
                yield conn
            except BaseException:
                await asyncio.shield(conn.raw.rollback())
                raise
            else:
                await conn.raw.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteConn]:
        async with self._lock:
            yield self.conn


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
        raise StoreError(f"migration ends with an incomplete statement: {buffer.strip()[:60]}")
    return statements
