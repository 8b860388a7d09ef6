"""PostgreSQL for the tests: one server per test process (the one in TEST_DATABASE_URL, as
`./dev test` starts, or else a throwaway cluster of this process's own), and a fresh empty
database on it for each test that asks.

`store_on(request, tmp_path)` opens a store on the backend a test is parametrized with
(`BACKENDS`), so that one test body checks both databases. Its PostgreSQL database is a copy
of one migrated once per process (a template), which costs a fraction of migrating anew.
"""

from __future__ import annotations

import asyncio
import os
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
    directory = pgserver.temp_dir()
    try:
        url = pgserver.start(directory)
        yield url
    finally:
        _templates.clear()  # they go with the server
        pgserver.stop(directory)


# The migrated template of each server, by server URL: made by the first test that needs it.
_templates: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    """The templates made on a server that outlives the tests are dropped at the end."""
    yield
    if _templates:
        urls = list(_templates.values())
        _templates.clear()
        asyncio.run(_drop_all(urls))


async def _drop_all(urls: list[str]) -> None:
    for url in urls:
        await drop_database(url)


def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def create_database(server_url: str, template: str | None = None) -> str:
    """A new database on the server, empty or a copy of `template` (a database's URL); its
    URL."""
    name = f"t_{uuid.uuid4().hex}"
    conn = await asyncpg.connect(server_url)
    try:
        sql = f'CREATE DATABASE "{name}"'
        if template is not None:
            sql += f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"'
            if conn.get_server_version().major >= 15:
                sql += " STRATEGY = FILE_COPY"  # faster for a small database
        await conn.execute(sql)
    finally:
        await conn.close()
    return database_url(server_url, name)


async def migrated_template(server_url: str) -> str:
    """A database at the latest schema on the server, to copy (nothing stays connected)."""
    if server_url not in _templates:
        url = await create_database(server_url)
        store = open_postgresql(url)
        await store.open()
        await store.close()
        _templates[server_url] = url
    return _templates[server_url]


async def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    conn = await asyncpg.connect(database_url(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_database(server_url: str, template: str | None = None) -> AsyncIterator[str]:
    url = await create_database(server_url, template)
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
    server = request.getfixturevalue("pg_server")
    async with fresh_database(server, await migrated_template(server)) as url:
        store = open_postgresql(url)
        await store.open()
        try:
            yield store
        finally:
            await store.close()


@asynccontextmanager
async def stores_sharing(server_url: str, *process_ids: str) -> AsyncIterator[list[Store]]:
    """Open stores on one new migrated database, one per process id, as several bot
    processes would have; closed and the database dropped afterwards."""
    async with fresh_database(server_url, await migrated_template(server_url)) as url:
        stores = [open_postgresql(url, process_id) for process_id in process_ids]
        try:
            for store in stores:
                await store.open()
            yield stores
        finally:
            for store in stores:
                await store.close()


async def sender_pid(database_url: str) -> int | None:
    """The pid of the process the database names as the sender."""
    conn = await asyncpg.connect(database_url)
    try:
        pid = await conn.fetchval("SELECT pid FROM processes WHERE sender = 1")
    finally:
        await conn.close()
    return int(pid) if pid is not None else None


async def owned_by_new_role(url: str, password: str) -> str:
    """The database's schema handed to a new role that logs in with `password`; the URL as
    that role (so a test can check the password never reaches a log)."""
    role = f"bot_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        await conn.execute(f"ALTER SCHEMA public OWNER TO {role}")
    finally:
        await conn.close()
    parts = urlsplit(url)
    netloc = f"{role}:{password}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
