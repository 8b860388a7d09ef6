"""What only the PostgreSQL driver does: placeholders, row counts, migrating under a lock, and
errors that name DATABASE_URL without ever showing its password."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.store import StoreError, open_postgresql, open_store
from bot.store.migrate import load_migrations
from bot.store.postgresql import PostgresDatabase, _rowcount, redact_url, translate

PASSWORD = "s3cret-Pa55word"


def test_placeholders_become_numbered_outside_quotes() -> None:
    sql = "SELECT '?', 'it''s ?', \"odd?name\", ? FROM t WHERE a = ? AND b LIKE '%?'"
    assert translate(sql) == (
        "SELECT '?', 'it''s ?', \"odd?name\", $1 FROM t WHERE a = $2 AND b LIKE '%?'"
    )
    assert translate("SELECT 1") == "SELECT 1"


def test_row_counts_come_from_the_status() -> None:
    assert [_rowcount(s) for s in ("UPDATE 3", "INSERT 0 5", "DELETE 0", "CREATE TABLE")] == [
        3, 5, 0, 0,
    ]  # fmt: skip


def test_urls_are_shown_without_their_password() -> None:
    assert redact_url(f"postgresql://bot:{PASSWORD}@db.example:5432/aoad") == (
        "postgresql://bot:***@db.example:5432/aoad"
    )
    assert redact_url("postgresql://bot@db/aoad") == "postgresql://bot@db/aoad"
    shown = redact_url(f"postgresql://db/aoad?user=bot&password={PASSWORD}&sslmode=require")
    assert PASSWORD not in shown and "password=***" in shown and "sslmode=require" in shown
    database = PostgresDatabase(f"postgresql://bot:{PASSWORD}@db/aoad")
    assert PASSWORD not in repr(database) and PASSWORD not in repr(database.url)


def with_login(url: str, user: str, password: str) -> str:
    parts = urlsplit(url)
    netloc = f"{user}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def test_a_wrong_password_names_the_setting_and_hides_the_password(pg_url: str) -> None:
    role = f"r_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_url)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'right-one-123'")
        try:
            # A server that trusts every login cannot refuse a password: nothing to test.
            probe = await asyncpg.connect(with_login(pg_url, role, PASSWORD))
        except asyncpg.InvalidPasswordError:
            pass
        else:
            await probe.close()
            pytest.skip("this server accepts any password")
        store = open_postgresql(with_login(pg_url, role, PASSWORD))
        with pytest.raises(StoreError) as caught:
            await store.open()
        message = str(caught.value)
        assert message.startswith("DATABASE_URL:"), message
        assert PASSWORD not in message and "***" in message and "password" in message.lower()
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


async def test_an_unreachable_server_names_the_setting_and_hides_the_password() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    url = f"postgresql://bot:{PASSWORD}@127.0.0.1:{port}/aoad"
    store = open_store(url, Path("unused.db"))
    assert isinstance(store.database, PostgresDatabase)
    with pytest.raises(StoreError) as caught:
        await store.open()
    message = str(caught.value)
    assert message.startswith("DATABASE_URL:") and PASSWORD not in message, message
    assert f"postgresql://bot:***@127.0.0.1:{port}/aoad" in message


async def test_processes_starting_at_once_migrate_once(pg_url: str) -> None:
    stores = [open_postgresql(pg_url) for _ in range(4)]
    await asyncio.gather(*(s.open() for s in stores))
    try:
        database = stores[0].database
        assert isinstance(database, PostgresDatabase)
        assert await database.schema_version() == len(load_migrations("postgresql"))
        async with database.read() as conn:
            assert await conn.fetchall("SELECT version FROM schema_version") == [
                (len(load_migrations("postgresql")),)
            ]
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_a_newer_schema_is_refused(pg_url: str) -> None:
    store = open_postgresql(pg_url)
    await store.open()
    async with store.database.write() as conn:
        await conn.execute("UPDATE schema_version SET version = version + 1")
    await store.close()
    with pytest.raises(StoreError, match=r"^DATABASE_URL: .*newer"):
        await open_postgresql(pg_url).open()


async def test_a_dedicated_connection_is_outside_the_pool(pg_url: str) -> None:
    store = open_postgresql(pg_url)
    await store.open()
    try:
        database = store.database
        assert isinstance(database, PostgresDatabase) and database.dialect == "postgresql"
        conn = await database.connect_dedicated()
        try:
            assert await conn.fetchval("SELECT pg_try_advisory_lock(42)") is True
        finally:
            await conn.close()
        async with database.write() as pooled:
            assert pooled.for_update(skip_locked=True) == " FOR UPDATE SKIP LOCKED"
            assert await pooled.execute("INSERT INTO meta (key, value) VALUES ('a', '1')") == 1
            assert await pooled.fetchone("SELECT value FROM meta WHERE key = ?", ("a",)) == ("1",)
    finally:
        await store.close()
