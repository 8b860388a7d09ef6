import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.db.database import Database, load_migrations
from bot.db.meta import MetaRepo


async def open_db(path: Path) -> Database:
    db = Database(path)
    await db.open()
    return db


async def test_migrations_set_user_version_and_wal(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    try:
        assert await db.schema_version() == len(load_migrations())
        row = await db.fetchone("PRAGMA journal_mode")
        assert row is not None and row[0] == "wal"
        row = await db.fetchone("PRAGMA foreign_keys")
        assert row is not None and row[0] == 1
    finally:
        await db.close()


async def test_reopen_applies_nothing_twice(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    await MetaRepo(db).set("k", "v")
    await db.close()
    db = await open_db(tmp_path / "a.db")
    try:
        assert await MetaRepo(db).get("k") == "v"
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
                await conn.execute("INSERT INTO meta (key, value) VALUES ('x', '2')")
        assert await MetaRepo(db).get("x") is None
    finally:
        await db.close()


async def test_hundreds_of_concurrent_transactions_never_interleave(tmp_path: Path) -> None:
    """Each transaction reads a counter, yields to the loop, and writes it back plus one.

    If two transactions interleaved on the shared connection, increments would be lost.
    """
    db = await open_db(tmp_path / "a.db")
    try:
        await MetaRepo(db).set("counter", "0")

        async def increment() -> None:
            async with db.transaction() as conn:
                async with conn.execute("SELECT value FROM meta WHERE key='counter'") as cur:
                    row = await cur.fetchone()
                await asyncio.sleep(0)
                assert row is not None
                await conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'counter'", (str(int(row[0]) + 1),)
                )

        async def failing() -> None:
            with pytest.raises(RuntimeError):
                async with db.transaction() as conn:
                    await conn.execute("UPDATE meta SET value = '-999' WHERE key = 'counter'")
                    raise RuntimeError("boom")

        jobs = [increment() for _ in range(400)] + [failing() for _ in range(50)]
        await asyncio.gather(*jobs)
        assert await MetaRepo(db).get("counter") == "400"
    finally:
        await db.close()


async def test_cancelled_transaction_rolls_back(tmp_path: Path) -> None:
    db = await open_db(tmp_path / "a.db")
    try:
        started = asyncio.Event()

        async def slow_write() -> None:
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
                started.set()
                await asyncio.sleep(10)

        task = asyncio.create_task(slow_write())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await MetaRepo(db).get("half") is None
        await MetaRepo(db).set("after", "ok")  # the connection is usable again
        assert await MetaRepo(db).get("after") == "ok"
    finally:
        await db.close()


def test_migrations_are_numbered_without_gaps() -> None:
    numbers = [number for number, _, _ in load_migrations()]
    assert numbers == list(range(1, len(numbers) + 1))
