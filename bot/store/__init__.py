"""The only code that knows SQL or a database driver.

`Store` gives one object per aggregate (guild settings, subscriptions, premiere and timeline,
the outbox and its followups, DM channels, scheduled events, countdown channels, news feeds,
audit, meta). Each call is a transaction of its own; `async with store.transaction() as tx:`
gives the same aggregates inside one transaction, for use cases that must change several
together.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.store.audit import AuditStore
from bot.store.connection import Bound, Database, Scope
from bot.store.countdown import CountdownStore
from bot.store.dm_channels import DmChannelStore
from bot.store.errors import StoreError
from bot.store.events import EventRecord, ScheduledEventStore
from bot.store.feeds import FeedStore
from bot.store.followups import FollowupStore
from bot.store.guilds import GuildSettingsStore
from bot.store.meta import MetaStore
from bot.store.outbox import OutboxStore
from bot.store.premiere import PremiereStore
from bot.store.processes import ProcessStore
from bot.store.rooms import RoomStore
from bot.store.sqlite import SqliteDatabase
from bot.store.subscriptions import SubscriptionStore
from bot.store.trivia import TriviaStore

__all__ = [
    "EventRecord", "Store", "StoreError", "Tx", "open_postgresql", "open_sqlite", "open_store"
]  # fmt: skip


class Tx:
    """Every aggregate, bound to one scope."""

    def __init__(self, scope: Scope, owner: str) -> None:
        self.owner = owner
        self.guilds = GuildSettingsStore(scope)
        self.subscriptions = SubscriptionStore(scope)
        self.premiere = PremiereStore(scope)
        self.outbox = OutboxStore(scope, owner)
        self.followups = FollowupStore(scope)
        self.dm_channels = DmChannelStore(scope)
        self.events = ScheduledEventStore(scope)
        self.countdown = CountdownStore(scope)
        self.feeds = FeedStore(scope)
        self.audit = AuditStore(scope)
        self.meta = MetaStore(scope)
        self.processes = ProcessStore(scope)
        self.rooms = RoomStore(scope)
        self.trivia = TriviaStore(scope)
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this transaction has committed (at once outside of one); a
        callback asked for twice runs once."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    def _committed(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()


def new_process_id() -> str:
    """This run of this process, among all the bot's: host, pid and a random part."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Store(Tx):
    """`process_id` names this process as the holder of the outbox leases it takes."""

    def __init__(self, database: Database, process_id: str | None = None) -> None:
        super().__init__(database, process_id or new_process_id())
        self.database = database

    async def open(self) -> None:
        await self.database.open()

    async def close(self) -> None:
        await self.database.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One transaction across aggregates: all of it lands, or none of it."""
        async with self.database.write() as conn:
            tx = Tx(Bound(conn), self.owner)
            yield tx
        tx._committed()  # e.g. wake the dispatcher only once the work is visible

    def after_commit(self, callback: Callable[[], None]) -> None:
        callback()  # each call on the store itself commits before it returns


def open_sqlite(path: Path, process_id: str | None = None) -> Store:
    """The embedded default: one SQLite file (call `open()` before use)."""
    return Store(SqliteDatabase(path), process_id)


def open_postgresql(url: str, process_id: str | None = None) -> Store:
    """A PostgreSQL server at `url` (postgresql://user:password@host:port/db), which several
    processes may share; asyncpg is imported only when one is used."""
    from bot.store.postgresql import PostgresDatabase

    return Store(PostgresDatabase(url), process_id)


def open_store(database_url: str | None, database_path: Path) -> Store:
    """PostgreSQL when a URL is set, else the SQLite file."""
    return open_postgresql(database_url) if database_url else open_sqlite(database_path)
