import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.store import Store, open_sqlite
from bot.store.sqlite import SqliteDatabase, load_migrations


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


async def test_reopen_applies_nothing_twice(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    await db.meta.set("k", "v")
    await db.close()
    db = await open_db(tmp_path / "a.db")
    try:
        assert await db.meta.get("k") == "v"
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.database.write() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
                await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '2')")
        assert await db.meta.get("x") is None
    finally:
        await db.close()


async def test_hundreds_of_concurrent_transactions_never_interleave(tmp_path: Path) -> None:
    """Each transaction reads a counter, yields to the loop, and writes it back plus one.

    If two transactions interleaved on the shared connection, increments would be lost.
    """
    db = await open_db(tmp_path / "a.db")
    try:
        await db.meta.set("counter", "0")

        async def increment() -> None:
            async with db.database.write() as conn:
                row = await conn.fetchone("SELECT value FROM meta WHERE key='counter'")
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
    finally:
        await db.close()


async def test_cancelled_transaction_rolls_back(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    try:
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
    finally:
        await db.close()


def test_migrations_are_numbered_without_gaps() -> None:
    numbers = [number for number, _, _ in load_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_a_transaction_spans_aggregates_and_runs_callbacks_after_commit(
    tmp_path: Path,
) -> None:
    db = await open_db(tmp_path / "a.db")
    committed: list[str] = []
    try:
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
    finally:
        await db.close()


async def test_discord_ids_keep_all_64_bits(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    big = 2**63 - 1
    try:
        await db.guilds.update(big, channel_id=big - 1, role_id=big - 2, now=1)
        settings = await db.guilds.get(big)
        assert (settings.guild_id, settings.channel_id, settings.role_id) == (big, big - 1, big - 2)
    finally:
        await db.close()
