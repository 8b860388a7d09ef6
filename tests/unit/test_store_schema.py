"""SQLite and PostgreSQL migrations in lock-step: the same files, and at the latest version the
same tables, columns (name, NOT NULL, default or not), primary keys and indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg

from bot.store import open_postgresql, open_sqlite
from bot.store.migrate import load_migrations

# table -> column -> (not null, has a default); a primary key's columns are NOT NULL
Columns = dict[str, dict[str, tuple[bool, bool]]]
Keys = dict[str, tuple[str, ...]]  # table -> its primary key's columns, sorted
Indexes = dict[str, tuple[str, bool]]  # index name -> (table, unique)


def test_both_dialects_ship_the_same_migration_files() -> None:
    sqlite = [(number, name) for number, name, _ in load_migrations("sqlite")]
    postgresql = [(number, name) for number, name, _ in load_migrations("postgresql")]
    assert sqlite == postgresql


def sqlite_schema(path: Path) -> tuple[Columns, Keys, Indexes]:
    columns: Columns = {}
    keys: Keys = {}
    indexes: Indexes = {}
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]  # fmt: skip
        for table in tables:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            columns[table] = {c[1]: (bool(c[3]) or c[5] > 0, c[4] is not None) for c in info}
            keys[table] = tuple(sorted(c[1] for c in info if c[5] > 0))
            for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
                if index[3] == "c":  # made by CREATE INDEX, not by a key or UNIQUE constraint
                    indexes[index[1]] = (table, bool(index[2]))
    return columns, keys, indexes


async def postgresql_schema(url: str) -> tuple[Columns, Keys, Indexes]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, is_nullable = 'NO',"
            " column_default IS NOT NULL FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name <> 'schema_version'"
        )
        columns: Columns = {}
        for table, column, not_null, has_default in rows:
            columns.setdefault(table, {})[column] = (not_null, has_default)
        rows = await conn.fetch(
            "SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
            " WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace"
        )
        found: dict[str, list[str]] = {}
        for table, column in rows:
            found.setdefault(table, []).append(column)
        keys = {table: tuple(sorted(cols)) for table, cols in found.items()}
        rows = await conn.fetch(
            "SELECT t.relname, i.relname, x.indisunique FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relnamespace = 'public'::regnamespace"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        )
        indexes = {name: (table, unique) for table, name, unique in rows}
    finally:
        await conn.close()
    for table in columns:
        keys.setdefault(table, ())
    return columns, keys, indexes


async def test_the_latest_schemas_match(tmp_path: Path, pg_url: str) -> None:
    sqlite_store = open_sqlite(tmp_path / "bot.db")
    await sqlite_store.open()
    await sqlite_store.close()
    pg_store = open_postgresql(pg_url)
    await pg_store.open()
    await pg_store.close()

    sqlite_columns, sqlite_keys, sqlite_indexes = sqlite_schema(tmp_path / "bot.db")
    pg_columns, pg_keys, pg_indexes = await postgresql_schema(pg_url)

    assert sorted(sqlite_columns) == sorted(pg_columns)
    for table, expected in sqlite_columns.items():
        assert pg_columns[table] == expected, table
    assert sqlite_keys == pg_keys
    assert sqlite_indexes == pg_indexes
    assert len(sqlite_indexes) >= 10  # the comparison saw them
