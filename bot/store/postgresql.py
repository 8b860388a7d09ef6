"""PostgreSQL through an asyncpg pool: numbered migrations under an advisory lock, `?`
placeholders turned into `$n`, and errors that name DATABASE_URL without its password."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

import asyncpg

from bot.settings import Secret
from bot.store.connection import Params, Row
from bot.store.coordination import Coordination
from bot.store.database_url import redact_url, scrub
from bot.store.errors import StoreError
from bot.store.migrate import load_migrations
from bot.store.pg_coordination import PostgresCoordination

log = logging.getLogger(__name__)

POOL_MIN = 1
POOL_MAX = 8
CONNECT_TIMEOUT = 10.0
# pg_advisory_xact_lock key taken while migrating ("aoadmigr"): two processes starting at once
# never both migrate.
MIGRATION_LOCK = 0x616F_6164_6D69_6772

# What a driver or network failure may raise while connecting or migrating.
_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError, ValueError)


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """`?` placeholders as `$1..$n`; a `?` inside a quoted literal or identifier is kept."""
    out: list[str] = []
    quote_char = ""
    number = 0
    for char in sql:
        if quote_char:
            if char == quote_char:
                quote_char = ""  # a doubled quote closes and reopens: the same result
        elif char in "'\"":
            quote_char = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    return "".join(out)


def _rowcount(status: str) -> int:
    """The rows a statement changed, from asyncpg's status ("UPDATE 3", "INSERT 0 5")."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


class PostgresConn:
    """The driver side of `Conn` for one asyncpg connection."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn  # an asyncpg.Connection

    def for_update(self, *, skip_locked: bool = False) -> str:
        return " FOR UPDATE SKIP LOCKED" if skip_locked else " FOR UPDATE"

    async def execute(self, sql: str, params: Params = ()) -> int:
        status = await self.raw.execute(translate(sql), *params)
        return _rowcount(str(status))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        row = await self.raw.fetchrow(translate(sql), *params)
        return None if row is None else tuple(row)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return [tuple(row) for row in await self.raw.fetch(translate(sql), *params)]


async def migrate(conn: PostgresConn, setting: str) -> int | None:
    """Apply the pending migrations inside the caller's transaction, under a lock every
    process takes first; the new schema version, or None when there was nothing to do.
    `setting` names where the URL came from, for the error of a database newer than the bot."""
    migrations = load_migrations("postgresql")
    await conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
    row = await conn.fetchone("SELECT MAX(version) FROM schema_version")
    current = int(row[0]) if row and row[0] is not None else 0
    if current > len(migrations):
        raise StoreError(
            f"{setting}: the database is at schema version {current}, newer than this bot"
            f" knows ({len(migrations)}): update the bot"
        )
    pending = [m for m in migrations if m[0] > current]
    if not pending:
        return None
    for _number, name, sql in pending:
        log.info("applying migration %s", name)
        await conn.raw.execute(sql)  # no parameters: every statement of the file
    await conn.execute("DELETE FROM schema_version")
    await conn.execute("INSERT INTO schema_version (version) VALUES (?)", (pending[-1][0],))
    return pending[-1][0]


class PostgresDatabase:
    """A pool of a few connections: each unit of work takes one for as long as it lasts."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = Secret(url)
        self.redacted_url = redact_url(url)
        self._pool: Any = None  # an asyncpg.Pool once open

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.redacted_url!r})"

    @property
    def pool(self) -> Any:
        if self._pool is None:
            raise StoreError("the database is not open")
        return self._pool

    def _error(self, exc: BaseException) -> StoreError:
        detail = scrub(f"{type(exc).__name__}: {exc}", self.url.reveal())
        return StoreError(f"DATABASE_URL: cannot use {self.redacted_url}: {detail}")

    async def open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.url.reveal(), min_size=POOL_MIN, max_size=POOL_MAX, timeout=CONNECT_TIMEOUT
            )
            await self._migrate()
        except _FAILURES as exc:
            await self.close()
            raise self._error(exc) from None  # the driver's exception may carry the URL
        except StoreError:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    def coordination(self, process_id: str) -> Coordination:
        """Advisory locks and LISTEN/NOTIFY on this server."""
        return PostgresCoordination(self.connect_dedicated, self._value, process_id)

    async def _value(self, sql: str, params: Params) -> object:
        async with self.read() as conn:
            row = await conn.fetchone(sql, params)
        return row[0] if row else None

    async def connect_dedicated(self) -> Any:
        """A connection of its own, outside the pool (session advisory locks, LISTEN); the
        caller closes it. An asyncpg.Connection."""
        try:
            return await asyncpg.connect(self.url.reveal(), timeout=CONNECT_TIMEOUT)
        except _FAILURES as exc:
            raise self._error(exc) from None

    async def schema_version(self) -> int:
        async with self.read() as conn:
            exists = await conn.fetchone("SELECT to_regclass('schema_version') IS NOT NULL")
            if not exists or not exists[0]:
                return 0
            row = await conn.fetchone("SELECT MAX(version) FROM schema_version")
        return int(row[0]) if row and row[0] is not None else 0

    async def _migrate(self) -> None:
        """Pending migrations in one transaction, under a lock every process takes first."""
        async with self.write() as conn:
            version = await migrate(conn, "DATABASE_URL")
        if version is not None:
            log.info("database schema at version %d", version)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresConn]:
        """A transaction that commits when the block ends, rolled back on any error or
        cancellation."""
        async with self.pool.acquire() as raw:
            transaction = raw.transaction()
            await transaction.start()
            try:
                yield PostgresConn(raw)
            except BaseException:
                await asyncio.shield(transaction.rollback())
                raise
            else:
                await transaction.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PostgresConn]:
        async with self.pool.acquire() as raw:
            yield PostgresConn(raw)
