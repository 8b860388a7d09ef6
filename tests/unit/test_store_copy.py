"""`copy-data` on a real PostgreSQL: every table the migrations create arrives with its ids and
values, the sequences continue past them, and each refusal (a target holding the bot's data, a
file a bot is using, a value that does not fit, a row that did not arrive) changes nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import bot.store.copy as copy_module
import bot.store.postgresql as postgresql_module
import bot.store.sqlite as sqlite_module
from bot.store import open_postgresql, open_sqlite
from bot.store.copy import CopyRefused, bot_tables, copy_to_postgresql
from bot.store.errors import StoreError
from bot.store.migrate import load_migrations
from bot.store.sqlite import SqliteDatabase

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bot-v2.db"
GUILD, USER, OTHER = 1_100_000_000_000_000_001, 1_200_000_000_000_000_002, 987_654_321_098_765_432
NOW = 1_790_000_000

# A row or more in every table the migrations create, ids with gaps, 64-bit snowflakes, Hangul.
ROWS: dict[str, list[str]] = {
    "meta": [
        "INSERT INTO meta VALUES ('install_id', 'a1b2c3d4')",
        "INSERT INTO meta VALUES ('sync:global', 'f00d')",
    ],
    "guild_settings": [
        f"INSERT INTO guild_settings (guild_id, channel_id, role_id, mod_role_id, locale,"
        f" updated_at, countdown_channel_id, discussion, review_channel_id)"
        f" VALUES ({GUILD}, {OTHER}, {OTHER + 1}, NULL, 'ko', {NOW}, {OTHER + 2}, 1, NULL)",
    ],
    "audit_log": [
        f"INSERT INTO audit_log VALUES (3, {GUILD}, {USER}, 'setup', NULL, '{{}}', {NOW})",
        f"INSERT INTO audit_log VALUES (41, NULL, {USER}, 'release', 'a', '지금 우리 학교는',"
        f" {NOW})",
    ],
    "subscriptions": [
        f"INSERT INTO subscriptions VALUES ({GUILD}, {USER}, 'dm', '남온조', 'ko', {NOW}, 'day')",
        f"INSERT INTO subscriptions VALUES ({GUILD}, {OTHER}, 'role', 'fan 🧟', 'en-US', {NOW},"
        " 'all')",
    ],
    "dm_channels": [f"INSERT INTO dm_channels VALUES ({USER}, {OTHER + 9}, NULL)"],
    "premiere": [
        f"INSERT INTO premiere VALUES (1, {NOW + 8 * 86400}, 'Asia/Seoul', 'note', 4, {USER},"
        f" {NOW}, NULL)",
    ],
    "updates": [f"INSERT INTO updates VALUES (7, 'Filming wrapped.', NULL, {USER}, {NOW})"],
    "notifications": [
        f"INSERT INTO notifications (id, kind, payload, series, audience, due_at, expires_at,"
        f" state, created_at) VALUES (12, 'reminder_1d', '{{\"revision\": 4}}', 'premiere',"
        f" 'broadcast', {NOW + 7 * 86400}, {NOW + 8 * 86400}, 'scheduled', {NOW})",
        f"INSERT INTO notifications (id, kind, payload, series, audience, due_at, expires_at,"
        f" state, created_at) VALUES (30, 'update', '{{\"text\": \"x\"}}', NULL, 'broadcast',"
        f" {NOW}, {NOW + 86400}, 'expanded', {NOW})",
    ],
    "deliveries": [
        f"INSERT INTO deliveries (id, notification_id, target, guild_id, channel_id, role_id,"
        f" user_id, locale, state, attempts, attempt_started_at, next_attempt_at, last_error,"
        f" message_id, sent_at, lease_owner, lease_until) VALUES (500, 30, 'dm', {GUILD}, NULL,"
        f" NULL, {USER}, 'ko', 'sent', 1, {NOW}, {NOW}, NULL, {OTHER + 5}, {NOW}, NULL, NULL)",
        f"INSERT INTO deliveries (id, notification_id, target, guild_id, channel_id, role_id,"
        f" user_id, locale, state, attempts, attempt_started_at, next_attempt_at, last_error,"
        f" message_id, sent_at, lease_owner, lease_until) VALUES (4000, 30, 'channel', {GUILD},"
        f" {OTHER}, {OTHER + 1}, NULL, 'en-US', 'pending', 2, NULL, {NOW}, '503', NULL, NULL,"
        f" 'host:12:abc', {NOW + 10})",
    ],
    "scheduled_events": [f"INSERT INTO scheduled_events VALUES ({GUILD}, {OTHER + 7}, 4)"],
    "followups": [
        f"INSERT INTO followups VALUES (30, {OTHER + 3}, 'interaction-token', 'ko', 'progress',"
        f" {NOW + 900}, 1)",
    ],
    "countdown_channels": [
        f"INSERT INTO countdown_channels VALUES ({OTHER + 2}, '⏳ S2 in 8 days', '⏳ S2 in 8 days',"
        f" {NOW}, 0, {NOW - 60}, 3)",
    ],
    "feeds": [
        f"INSERT INTO feeds VALUES (2, 'https://example.com/rss', 'Example', 'review',"
        f" '[\"지우학\"]', {USER}, {NOW}, 'W/\"e\"', NULL, {NOW}, {NOW + 600}, NULL, NULL, NULL,"
        " 0, 'line 1, column 5: not well-formed')",
    ],
    "feed_items": [
        f"INSERT INTO feed_items VALUES (9, 2, 'guid-1', 'example.com/a', 'https://example.com/a',"
        f" 'Season 2 teaser', '', 'Example', {NOW}, {NOW}, 'pending', NULL, NULL)",
    ],
    "processes": [
        f"INSERT INTO processes VALUES ('host:12:abc', 'host', 12, 'all', 1, {NOW}, {NOW + 5},"
        f" 1, '[]')",
    ],
    "episode_count": [f"INSERT INTO episode_count VALUES (1, 8, {USER}, {NOW})"],
    "episode_servers": [
        f"INSERT INTO episode_servers VALUES ({GUILD}, 1, {OTHER + 20}, 'ko', {NOW})"
    ],
    "episode_rooms": [
        f"INSERT INTO episode_rooms VALUES ({GUILD}, 1, {OTHER + 21}, {OTHER + 22},"
        f" {OTHER + 23}, 1)",
        f"INSERT INTO episode_rooms VALUES ({GUILD}, 8, {OTHER + 24}, {OTHER + 25}, NULL, 0)",
    ],
    "episode_progress": [
        f"INSERT INTO episode_progress VALUES ({GUILD}, {USER}, 3, '[\"{OTHER + 1}\"]', 2, {NOW})",
    ],
    "trivia_settings": [f"INSERT INTO trivia_settings VALUES ({GUILD}, {OTHER + 4}, 9, {NOW})"],
    "trivia_games": [
        f"INSERT INTO trivia_games VALUES (5, {GUILD}, {OTHER}, {USER}, 'host:12:abc', 'ko', 3,"
        f" 20, 'running', {NOW}, NULL, 'mine.yaml')",
    ],
    "trivia_questions": [
        f"INSERT INTO trivia_questions VALUES (70, {GUILD}, {OTHER}, 5, 1, NULL, 'facts:author',"
        f' \'ko\', \'원작 웹툰 작가는?\', \'["주동근", "천성일", "이재규", "로몬"]\', 0, {NOW},'
        f" {NOW + 20}, 'revealed', {OTHER + 6}, 1, 2, NULL)",
    ],
    "trivia_answers": [
        f"INSERT INTO trivia_answers VALUES (70, {USER}, 0, 1, {NOW})",
        f"INSERT INTO trivia_answers VALUES (70, {OTHER}, 3, 0, {NOW})",
    ],
    "trivia_points": [f"INSERT INTO trivia_points VALUES ({GUILD}, {USER}, 1, {NOW})"],
}
SEQUENCES = {"audit_log": 41, "updates": 7, "notifications": 30, "deliveries": 4000, "feeds": 2,
             "feed_items": 9, "trivia_games": 5, "trivia_questions": 70}  # fmt: skip


def fill(db: Path, rows: dict[str, list[str]] = ROWS) -> None:
    with sqlite3.connect(db) as conn:
        for statements in rows.values():
            for sql in statements:
                conn.execute(sql)


async def new_file(path: Path) -> Path:
    """A SQLite file at the latest schema, as the bot leaves it."""
    store = open_sqlite(path)
    await store.open()
    await store.close()
    return path


def sqlite_rows(db: Path, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        cols = ", ".join(columns)
        return sorted(conn.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)


async def pg_rows(url: str, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    conn = await asyncpg.connect(url)
    try:
        cols = ", ".join(columns)
        return sorted((tuple(r) for r in await conn.fetch(f"SELECT {cols} FROM {table}")), key=repr)
    finally:
        await conn.close()


async def snapshot(url: str) -> dict[str, Any]:
    """Every table of the target with its rows, and where each sequence stands."""
    conn = await asyncpg.connect(url)
    try:
        tables = [r[0] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )]  # fmt: skip
        state: dict[str, Any] = {t: sorted(map(tuple, await conn.fetch(f"SELECT * FROM {t}")),
                                           key=repr) for t in tables}  # fmt: skip
        state["sequences"] = sorted(map(tuple, await conn.fetch(
            "SELECT sequencename, last_value FROM pg_sequences"
        )))  # fmt: skip
    finally:
        await conn.close()
    return state


def files_in(directory: Path) -> list[Path]:
    return list(directory.iterdir())


def columns_of(db: Path, table: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))


async def test_every_table_arrives_with_its_ids_and_the_sequences_go_on(
    tmp_path: Path, pg_url: str
) -> None:
    assert sorted(ROWS) == bot_tables(), "give every table the migrations create a row here"
    db = await new_file(tmp_path / "bot.db")
    fill(db)

    report = await copy_to_postgresql(db, pg_url)

    assert report.rows == {t: len(ROWS[t]) for t in report.rows}
    assert sorted(report.rows) == bot_tables()
    order = list(report.rows)  # a table after those its foreign keys refer to
    assert order.index("notifications") < order.index("deliveries")
    assert order.index("notifications") < order.index("followups")
    assert report.sequences == len(SEQUENCES)
    line = report.summary()
    assert line.startswith(f"copied {len(ROWS)} tables, {sum(map(len, ROWS.values()))} rows")
    assert "\n" not in line
    for table in ROWS:  # every column of every row, as it was
        columns = columns_of(db, table)
        assert await pg_rows(pg_url, table, columns) == sqlite_rows(db, table, columns), table

    store = open_postgresql(pg_url)  # the bot reads it as its own, and new rows get new ids
    await store.open()
    try:
        assert await store.meta.get("install_id") == "a1b2c3d4"  # so the nonces stay the same
        async with store.database.write() as conn:
            for table, highest in SEQUENCES.items():
                row = await conn.fetchone(
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"
                )
                assert row is not None and row[0] == highest + 1, table
    finally:
        await store.close()


async def test_an_older_file_is_brought_up_to_date_and_copied_whole(
    tmp_path: Path, pg_url: str
) -> None:
    db = tmp_path / "bot.db"
    shutil.copy(FIXTURE, db)  # written by the bot at schema version 2
    report = await copy_to_postgresql(db, pg_url)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(load_migrations()),)
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in report.rows}
    assert report.rows == counts and report.total > 40
    for table in report.rows:
        columns = columns_of(db, table)
        assert await pg_rows(pg_url, table, columns) == sqlite_rows(db, table, columns), table


async def test_a_second_copy_is_refused_and_changes_nothing(tmp_path: Path, pg_url: str) -> None:
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    await copy_to_postgresql(db, pg_url)
    before = await snapshot(pg_url)
    with sqlite3.connect(db) as conn:  # the file moved on meanwhile: still refused
        conn.execute(f"INSERT INTO audit_log VALUES (99, NULL, {USER}, 'x', NULL, NULL, {NOW})")

    with pytest.raises(CopyRefused, match="already holds the bot's data") as refused:
        await copy_to_postgresql(db, pg_url)

    assert "audit_log" in str(refused.value) and "nothing was copied" in str(refused.value)
    assert await snapshot(pg_url) == before


async def test_a_target_a_bot_has_started_on_is_refused(tmp_path: Path, pg_url: str) -> None:
    """A bot started on the target before the copy leaves its install id there."""
    store = open_postgresql(pg_url)
    await store.open()
    await store.meta.setdefault("install_id", "ffff0000")
    await store.close()
    before = await snapshot(pg_url)
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    with pytest.raises(CopyRefused, match=r"rows in meta\)"):
        await copy_to_postgresql(db, pg_url)
    assert await snapshot(pg_url) == before


async def test_an_empty_but_migrated_target_is_taken(tmp_path: Path, pg_url: str) -> None:
    store = open_postgresql(pg_url)
    await store.open()  # migrated, no rows: nothing of the bot's yet
    await store.close()
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    report = await copy_to_postgresql(db, pg_url)
    assert report.total == sum(map(len, ROWS.values()))


async def test_a_file_a_bot_is_using_is_refused_and_nothing_changes(
    tmp_path: Path, pg_url: str
) -> None:
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    running = SqliteDatabase(db)  # as the bot holds it while it runs
    await running.open()
    try:
        with pytest.raises(CopyRefused, match="in use by a running bot") as refused:
            await copy_to_postgresql(db, pg_url)
        assert "stop the bot first" in str(refused.value)
        assert await snapshot(pg_url) == {"sequences": []}  # not even migrated
        with pytest.raises(StoreError, match="in use by a running bot"):  # nor a second bot
            await SqliteDatabase(db).open()
    finally:
        await running.close()
    report = await copy_to_postgresql(db, pg_url)  # stopped: the copy goes ahead
    assert report.total == sum(map(len, ROWS.values()))


async def test_a_missing_file_is_refused_and_not_created(tmp_path: Path, pg_url: str) -> None:
    with pytest.raises(CopyRefused, match="there is no file"):
        await copy_to_postgresql(tmp_path / "nothing.db", pg_url)
    assert files_in(tmp_path) == []  # no file made, not even a lock
    assert await snapshot(pg_url) == {"sequences": []}


async def test_a_value_that_does_not_fit_is_refused_without_showing_it(
    tmp_path: Path, pg_url: str
) -> None:
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    with sqlite3.connect(db) as conn:  # SQLite keeps text in an INTEGER column
        conn.execute("UPDATE subscriptions SET since = 'private-value' WHERE user_id = ?", (USER,))
    with pytest.raises(CopyRefused, match=r"subscriptions\.since: a str value") as refused:
        await copy_to_postgresql(db, pg_url)
    assert "private-value" not in str(refused.value)
    assert await snapshot(pg_url) == {"sequences": []}


async def test_a_row_that_did_not_arrive_is_caught_and_nothing_lands(
    tmp_path: Path, pg_url: str
) -> None:
    store = open_postgresql(pg_url)
    await store.open()
    await store.close()
    conn = await asyncpg.connect(pg_url)
    try:  # a trigger that silently drops one row, as a faulty target might
        await conn.execute(
            "CREATE FUNCTION drop_one() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN IF NEW.id = 41 THEN RETURN NULL; END IF; RETURN NEW; END $$;"
            " CREATE TRIGGER drop_one BEFORE INSERT ON audit_log"
            " FOR EACH ROW EXECUTE FUNCTION drop_one()"
        )
    finally:
        await conn.close()
    before = await snapshot(pg_url)
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    with pytest.raises(StoreError, match="audit_log: 2 rows in the file, 2 read, 1 in the target"):
        await copy_to_postgresql(db, pg_url)
    assert await snapshot(pg_url) == before


async def test_columns_that_differ_are_refused(tmp_path: Path, pg_url: str) -> None:
    db = await new_file(tmp_path / "bot.db")
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE meta ADD COLUMN extra TEXT")
    with pytest.raises(CopyRefused, match=r"columns differ: meta \(extra\)"):
        await copy_to_postgresql(db, pg_url)
    assert await snapshot(pg_url) == {"sequences": []}


def with_migration(number: int, sqlite_sql: str, postgresql_sql: str) -> Callable[..., Any]:
    """The shipped migrations and one more, as a later version of the bot would ship."""

    def load(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
        sql = sqlite_sql if dialect == "sqlite" else postgresql_sql
        return [*load_migrations(dialect), (number, f"{number:04d}_later.sql", sql)]

    return load


async def test_a_table_a_later_migration_adds_is_copied_with_its_types(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing in the copy names a table: a new one arrives, its SQLite integers turned into
    the booleans and timestamps, and its text into the JSON, that PostgreSQL declares."""
    load = with_migration(
        len(load_migrations()) + 1,
        "CREATE TABLE later (id INTEGER PRIMARY KEY, seen INTEGER NOT NULL, at INTEGER,"
        " data TEXT, score REAL, day TEXT, note TEXT, blob BLOB);",
        "CREATE TABLE later (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
        " seen BOOLEAN NOT NULL, at TIMESTAMPTZ, data JSONB, score DOUBLE PRECISION, day DATE,"
        " note VARCHAR(20), blob BYTEA);",
    )
    for module in (copy_module, sqlite_module, postgresql_module):
        monkeypatch.setattr(module, "load_migrations", load)
    db = await new_file(tmp_path / "bot.db")
    fill(db)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO later VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(5, 1, NOW, '{"a": [1, "지"]}', 2.5, "2026-09-18", "n", b"\x00\x01"),
             (6, 0, None, None, 3, None, None, None)],
        )  # fmt: skip
        conn.execute("CREATE TABLE mine (x INTEGER)")  # an operator's own: not the bot's

    report = await copy_to_postgresql(db, pg_url)

    assert report.rows["later"] == 2 and report.left_out == ("mine",)
    assert "left out, as no migration creates them: mine" in report.summary()
    conn = await asyncpg.connect(pg_url)
    try:
        rows = await conn.fetch("SELECT * FROM later ORDER BY id")
        assert [tuple(r) for r in rows] == [
            (5, True, datetime.fromtimestamp(NOW, UTC), '{"a": [1, "지"]}', 2.5,
             datetime(2026, 9, 18).date(), "n", b"\x00\x01"),
            (6, False, None, None, 3.0, None, None, None),
        ]  # fmt: skip
        assert json.loads(rows[0]["data"]) == {"a": [1, "지"]}
        assert await conn.fetchval("SELECT nextval(pg_get_serial_sequence('later', 'id'))") == 7
    finally:
        await conn.close()


async def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    db = await new_file(tmp_path / "bot.db")
    url = "postgresql://aoad:Very-Secret-1@127.0.0.1:1/aoad"
    with pytest.raises(StoreError) as failed:
        await copy_to_postgresql(db, url)
    message = str(failed.value)
    assert message.startswith("TARGET_URL: cannot use postgresql://aoad:***@127.0.0.1:1/aoad: ")
    assert "Very-Secret-1" not in message and "\n" not in message
    assert message.endswith("nothing was copied")
