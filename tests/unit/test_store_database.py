"""The store's databases: migrations, transactions (rollback, cancellation, concurrency) and
64-bit ids, on SQLite and PostgreSQL alike where they share behaviour; SQLite's own settings."""

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.store import Store, StoreError, open_postgresql, open_sqlite
from bot.store.migrate import DIALECTS, load_migrations
from bot.store.postgresql import PostgresDatabase
from bot.store.sqlite import DatabaseInUse, SqliteDatabase
from tests.pgfixtures import BACKENDS, store_on

# A unique key broken: what each driver raises.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_on(request, tmp_path) as store:
        yield store


async def reopen(store: Store) -> Store:
    """Another store on the same database (the first one closed)."""
    await store.close()
    database = store.database
    if isinstance(database, PostgresDatabase):
        again = open_postgresql(database.url.reveal())
    else:
        assert isinstance(database, SqliteDatabase)
        again = open_sqlite(database.path)
    await again.open()
    return again


async def schema_version(store: Store) -> int:
    assert isinstance(store.database, SqliteDatabase | PostgresDatabase)
    return await store.database.schema_version()


async def open_db(path: Path) -> Store:
    store = open_sqlite(path)
    await store.open()
    return store


def sqlite_of(store: Store) -> SqliteDatabase:
    assert isinstance(store.database, SqliteDatabase)
    return store.database


async def test_migrations_set_user_version_and_wal(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    try:
        assert await sqlite_of(db).schema_version() == len(load_migrations())
        async with db.database.read() as conn:
            row = await conn.fetchone("PRAGMA journal_mode")
            assert row is not None and row[0] == "wal"
            row = await conn.fetchone("PRAGMA foreign_keys")
            assert row is not None and row[0] == 1
    finally:
        await db.close()


async def test_a_failing_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All pending migrations are one transaction: one bad statement, and none of them is."""
    shipped = load_migrations()
    bad = (len(shipped) + 1, "9999_bad.sql", "CREATE TABLE fine (x INTEGER);\nCREATE TABLE (;\n")
    monkeypatch.setattr("bot.store.sqlite.load_migrations", lambda _dialect: [*shipped, bad])
    with pytest.raises(StoreError):
        await open_db(tmp_path / "a.db")
    with sqlite3.connect(tmp_path / "a.db") as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (0,)
        assert raw.execute("SELECT name FROM sqlite_master").fetchall() == []


async def test_reopen_applies_nothing_twice(db: Store) -> None:
    assert await schema_version(db) == len(load_migrations(db.database.dialect))
    await db.meta.set("k", "v")
    again = await reopen(db)
    try:
        assert await again.meta.get("k") == "v"
        assert await schema_version(again) == len(load_migrations(db.database.dialect))
    finally:
        await again.close()


async def test_failed_transaction_rolls_back(db: Store) -> None:
    with pytest.raises(INTEGRITY_ERRORS):
        async with db.database.write() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
            await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '2')")
    assert await db.meta.get("x") is None


async def test_hundreds_of_concurrent_transactions_never_interleave(db: Store) -> None:
    """Each transaction reads a counter, yields to the loop, and writes it back plus one.

    If two transactions interleaved (on SQLite's shared connection, or on PostgreSQL's pool
    without the row lock), increments would be lost.
    """
    await db.meta.set("counter", "0")
    lock = " FOR UPDATE" if db.database.dialect == "postgresql" else ""  # SQLite: one writer

    async def increment() -> None:
        async with db.database.write() as conn:
            row = await conn.fetchone(f"SELECT value FROM meta WHERE key='counter'{lock}")
            await asyncio.sleep(0)
            assert row is not None
            await conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'counter'", (str(int(row[0]) + 1),)
            )

    async def failing() -> None:
        with pytest.raises(RuntimeError):
            async with db.database.write() as conn:
                await conn.execute("UPDATE meta SET value = '-999' WHERE key = 'counter'")
                raise RuntimeError("boom")

    jobs = [increment() for _ in range(400)] + [failing() for _ in range(50)]
    await asyncio.gather(*jobs)
    assert await db.meta.get("counter") == "400"


async def test_cancelled_transaction_rolls_back(db: Store) -> None:
    started = asyncio.Event()

    async def slow_write() -> None:
        async with db.database.write() as conn:
            await conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_write())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.meta.get("half") is None
    await db.meta.set("after", "ok")  # the connection is usable again
    assert await db.meta.get("after") == "ok"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_migrations_are_numbered_without_gaps(dialect: str) -> None:
    numbers = [number for number, _, _ in load_migrations(dialect)]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_a_transaction_spans_aggregates_and_runs_callbacks_after_commit(db: Store) -> None:
    committed: list[str] = []
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.meta.set("a", "1")
            await tx.guilds.update(5, channel_id=50, now=1)
            tx.after_commit(lambda: committed.append("no"))
            raise RuntimeError("boom")
    assert committed == [] and await db.meta.get("a") is None
    assert (await db.guilds.get(5)).channel_id is None
    async with db.transaction() as tx:
        await tx.meta.set("a", "1")
        await tx.guilds.update(5, channel_id=50, now=1)
        tx.after_commit(lambda: committed.append("yes"))
        assert committed == []  # not before the commit
    assert committed == ["yes"]
    assert await db.meta.get("a") == "1" and (await db.guilds.get(5)).channel_id == 50


async def test_discord_ids_keep_all_64_bits(db: Store) -> None:
    big = 2**63 - 1
    await db.guilds.update(big, channel_id=big - 1, role_id=big - 2, now=1)
    settings = await db.guilds.get(big)
    assert (settings.guild_id, settings.channel_id, settings.role_id) == (big, big - 1, big - 2)
    await db.audit.record(guild_id=big, user_id=big, action="a", old=None, new=None, now=2**40)
    assert [(e.user_id, e.at) for e in await db.audit.latest(big)] == [(big, 2**40)]


async def test_a_write_cancelled_at_any_point_leaves_no_transaction_open(db: Store) -> None:
    """Cancelled while BEGIN is on its way (or later), the next transaction still begins."""
    for ticks in range(6):
        task = asyncio.create_task(db.meta.set("cancelled", str(ticks)))
        for _ in range(ticks):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.meta.set("after", str(ticks))  # raised 'within a transaction' before
        assert await db.meta.get("after") == str(ticks)


HOLDER = """
import asyncio, sys
from pathlib import Path
from bot.store.sqlite import SqliteDatabase
async def hold() -> None:
    await SqliteDatabase(Path(sys.argv[1])).open()
    print("open", flush=True)
    await asyncio.sleep(60)
asyncio.run(hold())
"""


async def test_one_process_per_sqlite_file_until_it_ends_however_it_ends(tmp_path: Path) -> None:
    """The file's lock is held while a process uses it, and freed by the kernel when the
    process dies, even by SIGKILL: a second process is refused meanwhile, not after."""
    path = tmp_path / "bot.db"
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, str(path), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert await asyncio.wait_for(holder.stdout.readline(), 20) == b"open\n"
        second = SqliteDatabase(path)
        with pytest.raises(DatabaseInUse) as refused:
            await second.open()
        assert f"in use by a running bot (pid {holder.pid})" in str(refused.value)
        assert str(refused.value).startswith("DATABASE_PATH: ")
    finally:
        holder.kill()
        await holder.wait()
    again = SqliteDatabase(path)
    await again.open()  # the killed process's lock went with it
    try:
        with pytest.raises(DatabaseInUse):  # and this one holds it now, in this process too
            await SqliteDatabase(path).open()
    finally:
        await again.close()
    reopened = SqliteDatabase(path)  # closed: free again
    await reopened.open()
    await reopened.close()
