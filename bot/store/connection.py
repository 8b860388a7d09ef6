"""The seam between the aggregates' SQL and a database driver.

Statements are written once, with `?` placeholders, in the SQL that SQLite and PostgreSQL
share (upserts with ON CONFLICT, RETURNING, partial unique indexes); a driver adapts the
placeholders. A `Scope` hands out a connection for one unit of work: a transaction of its own,
or the caller's transaction when the aggregate is used inside `Store.transaction()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.store.coordination import Coordination

Row = Sequence[Any]
Params = Sequence[Any]


class Conn(Protocol):
    def for_update(self, *, skip_locked: bool = False) -> str:
        """The clause that locks the rows a SELECT reads until the transaction ends (with
        `skip_locked`, rows another transaction holds are left out); '' where the whole
        database is locked for a write anyway (SQLite)."""
        ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...


class Scope(Protocol):
    def write(self) -> AbstractAsyncContextManager[Conn]:
        """A connection inside a transaction that commits when the block ends without error."""
        ...

    def read(self) -> AbstractAsyncContextManager[Conn]:
        """A connection for reads that need no transaction of their own."""
        ...


class Bound:
    """The scope of an open transaction: every unit of work joins it."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Conn]:
        yield self._conn

    read = write


class Database(Scope, Protocol):
    """A driver: SQLite (`bot/store/sqlite.py`) or PostgreSQL (`bot/store/postgresql.py`)."""

    dialect: str

    def coordination(self, process_id: str) -> Coordination:
        """How this database lets the bot's processes agree (see `bot.store.coordination`),
        for the process `process_id`."""
        ...

    async def open(self) -> None:
        """Connect and bring the schema up to date; raises StoreError naming the setting."""
        ...

    async def close(self) -> None: ...
