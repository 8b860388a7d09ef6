"""PostgreSQL for the tests: one server per test process (the one in TEST_DATABASE_URL, as
`./dev test` starts, or else a throwaway cluster of this process's own), and a fresh empty
database on it for each test that asks.

`store_on(request, tmp_path)` opens a store on the backend a test is parametrized with
(`BACKENDS`), so that one test body checks both databases.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.store import Store, open_postgresql, open_sqlite
from tests import pgserver

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a PostgreSQL server whose databases the tests may create and drop."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    directory = Path(tempfile.mkdtemp(prefix="aoad-pg-"))
    try:
        yield pgserver.start(directory)
    finally:
        pgserver.stop(directory)


def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def create_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    name = f"t_{uuid.uuid4().hex}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(server_url, name)


async def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(database_url(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url)
    try:
        yield url
    finally:
        await drop_database(url)


@pytest.fixture
async def pg_url(pg_server: str) -> AsyncIterator[str]:
    """A fresh empty database for this test, dropped afterwards."""
    async with fresh_database(pg_server) as url:
        yield url


@asynccontextmanager
async def store_on(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open store on the test's backend (`request.param`): a new SQLite file, or a new
    PostgreSQL database; closed (and dropped) afterwards."""
    backend = request.param
    if backend == "sqlite":
        store = open_sqlite(tmp_path / "bot.db")
        await store.open()
        try:
            yield store
        finally:
            await store.close()
        return
    assert backend == "postgresql", backend
    async with fresh_database(request.getfixturevalue("pg_server")) as url:
        store = open_postgresql(url)
        await store.open()
        try:
            yield store
        finally:
            await store.close()
