"""Moving from SQLite to PostgreSQL: `python -m bot copy-data TARGET_URL`.

Every table the shipped migrations create is copied: the list comes from applying them to an
in-memory database, so a table that a later migration adds is copied with no change here (the
schema test keeps the two dialects' migrations in step). Rows keep their ids, so deliveries keep
their nonces (made of the id and the `install_id` in `meta`, copied too), and every identity
or serial column's sequence is set past the copied ids.

All of it happens in one transaction on the target, which first migrates it: the copy lands
whole, each table's row count checked, or nothing changes. Refused, changing nothing:
- a SQLite file that a running bot uses: the bot holds its lock file while it runs (see
  `bot.store.sqlite.hold_lock`), and the copy takes the same lock, without waiting, for as long
  as it reads, so a bot cannot start on the file meanwhile either;
- a target that already holds some of the bot's rows (in any of its tables).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg

from bot.store.database_url import redact_url, scrub
from bot.store.errors import StoreError
from bot.store.migrate import load_migrations
from bot.store.postgresql import CONNECT_TIMEOUT, PostgresConn, migrate
from bot.store.sqlite import DatabaseInUse, SqliteDatabase

SETTING = "TARGET_URL"
BATCH = 5000  # rows read from SQLite and sent to PostgreSQL at a time
SCHEMA_BOOKKEEPING = frozenset({"schema_version"})  # PostgreSQL's; SQLite uses user_version
NOTHING = "nothing was copied"

_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class CopyRefused(StoreError):
    """The copy was not attempted, or undone: the message says why, in one line."""


@dataclass(frozen=True)
class CopyReport:
    source: Path
    target: str  # the URL without its password
    rows: dict[str, int]  # table -> rows copied, in the order they were copied
    sequences: int  # identity and serial columns set past the copied ids
    seconds: float
    left_out: tuple[str, ...] = ()  # tables in the file that no migration creates

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        """The one line the command ends with."""
        biggest = sorted(((n, t) for t, n in self.rows.items() if n), key=lambda r: (-r[0], r[1]))
        detail = ", ".join(f"{table} {n:,}" for n, table in biggest) or "every table empty"
        line = (
            f"copied {len(self.rows)} tables, {self.total:,} rows from {str(self.source)!r} to"
            f" {self.target} in {self.seconds:.2f} s; each table's row count checked,"
            f" {self.sequences} id sequences set past the copied ids ({detail})"
        )
        if self.left_out:
            line += f"; left out, as no migration creates them: {', '.join(self.left_out)}"
        return line


def bot_tables() -> list[str]:
    """The tables the shipped migrations create (but the schema-version bookkeeping)."""
    with contextlib.closing(sqlite3.connect(":memory:")) as db:
        for _number, _name, sql in load_migrations("sqlite"):
            db.executescript(sql)
        rows = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return sorted(name for (name,) in rows if name not in SCHEMA_BOOKKEEPING)


async def copy_to_postgresql(source_path: Path, target_url: str) -> CopyReport:
    """Copy the SQLite file at `source_path` into the PostgreSQL database at `target_url`.
    Raises StoreError (CopyRefused when it changed nothing on purpose) with one line."""
    started = time.monotonic()
    redacted = redact_url(target_url)
    _refuse_a_missing_file(source_path)  # not made empty by opening it
    tables = bot_tables()
    source = SqliteDatabase(source_path)
    try:
        await source.open(migrate=False)  # the lock first: is a bot running on it?
    except DatabaseInUse as exc:
        raise CopyRefused(f"{exc}: stop the bot first; {NOTHING}") from None
    try:
        target = await _connect(target_url, redacted)
        try:
            copy = _Copy(source, PostgresConn(target), tables, redacted)
            await copy.run(target_url)
        finally:
            with contextlib.suppress(*_FAILURES):
                await asyncio.wait_for(target.close(), CONNECT_TIMEOUT)
    finally:
        await source.close()
    return CopyReport(
        source_path, redacted, copy.rows, copy.sequences, time.monotonic() - started,
        copy.left_out,
    )  # fmt: skip


def _refuse_a_missing_file(path: Path) -> None:
    if not path.is_file():
        raise CopyRefused(f"DATABASE_PATH: there is no file {str(path)!r}; {NOTHING}")


async def _connect(url: str, redacted: str) -> Any:
    try:
        return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except (*_FAILURES, ValueError) as exc:
        detail = _detail(exc, url)
        raise StoreError(f"{SETTING}: cannot use {redacted}: {detail}; {NOTHING}") from None


def _detail(exc: BaseException, url: str) -> str:
    """An exception as one line, without the URL's password."""
    text = " ".join(str(exc).split()) or "no detail"
    return scrub(f"{type(exc).__name__}: {text}", url)


class _Copy:
    """One copy: the target's transaction, from its migration to the sequences."""

    def __init__(
        self, source: SqliteDatabase, target: PostgresConn, tables: list[str], redacted: str
    ) -> None:
        self.source = source
        self.target = target
        self.tables = tables
        self.redacted = redacted
        self.rows: dict[str, int] = {}
        self.sequences = 0
        self.left_out: tuple[str, ...] = ()

    async def run(self, url: str) -> None:
        transaction = self.target.raw.transaction()
        try:
            await transaction.start()
            await self._in_transaction()
        except BaseException as exc:
            with contextlib.suppress(*_FAILURES):
                await asyncio.shield(transaction.rollback())
            if isinstance(exc, StoreError):
                raise
            if isinstance(exc, (*_FAILURES, ValueError)):
                raise StoreError(
                    f"{SETTING}: cannot use {self.redacted}: {_detail(exc, url)}; {NOTHING}"
                ) from None
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"DATABASE_PATH: cannot read it: {exc}; {NOTHING}") from None
            raise
        try:
            await transaction.commit()
        except _FAILURES as exc:
            raise StoreError(
                f"{SETTING}: the copy's commit failed: {_detail(exc, url)}; look at the target"
                " before trying again"
            ) from None

    async def _in_transaction(self) -> None:
        await migrate(self.target, SETTING)
        columns = await self._target_columns()
        missing = [t for t in self.tables if t not in columns]
        if missing:
            raise CopyRefused(
                f"{SETTING}: {self.redacted} lacks tables the bot's migrations create"
                f" ({', '.join(missing)}); {NOTHING}"
            )
        holding = [t for t in self.tables if await self._has_rows(t)]
        if holding:
            raise CopyRefused(
                f"{SETTING}: {self.redacted} already holds the bot's data (rows in"
                f" {', '.join(holding)}): copy-data fills only a database that has none;"
                f" {NOTHING}"
            )
        await self._bring_source_up_to_date()
        raw = self.source.conn.raw
        await raw.execute("BEGIN")  # one snapshot of the file for every table
        try:
            await self._check_source_columns(columns)
            self.left_out = tuple(sorted(set(await self._source_tables()) - set(self.tables)))
            for table in await self._copy_order():
                self.rows[table] = await self._copy_table(table, columns[table])
            await self._set_sequences()
        finally:
            await raw.execute("ROLLBACK")  # it only read

    async def _bring_source_up_to_date(self) -> None:
        """A file of an older version is migrated first, as the bot would at its next start."""
        version = await self.source.schema_version()
        latest = len(load_migrations("sqlite"))
        if version > latest:
            raise CopyRefused(
                f"DATABASE_PATH: the file is at schema version {version}, newer than this bot"
                f" knows ({latest}): copy it with the bot that wrote it; {NOTHING}"
            )
        if version < latest:
            await self.source.migrate()

    async def _target_columns(self) -> dict[str, list[tuple[str, str]]]:
        """table -> its (column, data type) in order, generated columns left out."""
        rows = await self.target.fetchall(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            " JOIN information_schema.tables t ON t.table_schema = c.table_schema"
            " AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'"
            " WHERE c.table_schema = current_schema() AND c.is_generated = 'NEVER'"
            " ORDER BY c.table_name, c.ordinal_position"
        )
        found: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in rows:
            found.setdefault(str(table), []).append((str(column), str(data_type)))
        return found

    async def _has_rows(self, table: str) -> bool:
        row = await self.target.fetchone(f"SELECT EXISTS (SELECT 1 FROM {_quote(table)})")
        return bool(row and row[0])

    async def _source_tables(self) -> list[str]:
        rows = await self.source.conn.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return [str(r[0]) for r in rows]

    async def _check_source_columns(self, target: dict[str, list[tuple[str, str]]]) -> None:
        differences = []
        for table in self.tables:
            info = await self.source.conn.fetchall(f"PRAGMA table_info({_quote(table)})")
            mine = {str(r[1]) for r in info}
            theirs = {name for name, _ in target[table]}
            if mine != theirs:
                only = sorted(mine - theirs) + [f"-{c}" for c in sorted(theirs - mine)]
                differences.append(f"{table} ({', '.join(only)})")
        if differences:
            raise CopyRefused(
                f"the file's and the target's columns differ: {'; '.join(differences)}; {NOTHING}"
            )

    async def _copy_order(self) -> list[str]:
        """The tables, each after those its foreign keys refer to."""
        rows = await self.target.fetchall(
            "SELECT t.relname, r.relname FROM pg_constraint c"
            " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid"
            " WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace"
        )
        needs = {t: set[str]() for t in self.tables}
        for table, referred in rows:
            if table in needs and referred in needs and table != referred:
                needs[str(table)].add(str(referred))
        order: list[str] = []
        while needs:
            ready = sorted(t for t, before in needs.items() if not before - set(order))
            if not ready:
                raise CopyRefused(f"foreign keys refer in a circle among {sorted(needs)}")
            order += ready
            for table in ready:
                del needs[table]
        return order

    async def _copy_table(self, table: str, columns: list[tuple[str, str]]) -> int:
        names = [name for name, _ in columns]
        converters = [_converter(table, name, data_type) for name, data_type in columns]
        raw = self.source.conn.raw
        row = await self.source.conn.fetchone(f"SELECT COUNT(*) FROM {_quote(table)}")
        expected = int(row[0]) if row else 0
        copied = 0
        cursor = await raw.execute(f"SELECT {', '.join(map(_quote, names))} FROM {_quote(table)}")
        try:
            while batch := await cursor.fetchmany(BATCH):
                records = [
                    tuple(v if v is None else f(v) for f, v in zip(converters, r, strict=True))
                    for r in batch
                ]
                await self.target.raw.copy_records_to_table(table, records=records, columns=names)
                copied += len(records)
        finally:
            await cursor.close()
        row = await self.target.fetchone(f"SELECT COUNT(*) FROM {_quote(table)}")
        arrived = int(row[0]) if row else 0
        if not expected == copied == arrived:
            raise StoreError(
                f"{table}: {expected} rows in the file, {copied} read, {arrived} in the target;"
                f" {NOTHING}"
            )
        return arrived

    async def _set_sequences(self) -> None:
        """Every identity or serial column's sequence past the highest copied id (and past
        SQLite's own AUTOINCREMENT counter, if a table has one), so new rows get new ids."""
        rows = await self.target.fetchall(
            "SELECT table_name, column_name,"
            " pg_get_serial_sequence(quote_ident(table_name), column_name)"
            " FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
        )
        counters = await self._sqlite_counters()
        for table, column, sequence in rows:
            if table not in self.rows or sequence is None:
                continue
            row = await self.target.fetchone(f"SELECT MAX({_quote(column)}) FROM {_quote(table)}")
            highest = [int(v) for v in (row[0] if row else None, counters.get(table)) if v]
            if highest:
                await self.target.execute("SELECT setval(?::regclass, ?, true)",
                                          (sequence, max(highest)))  # fmt: skip
            else:  # an empty table: its first row gets the sequence's first value
                await self.target.execute(
                    "SELECT setval(?::regclass, seqstart, false) FROM pg_sequence"
                    " WHERE seqrelid = ?::regclass",
                    (sequence, sequence),
                )
            self.sequences += 1

    async def _sqlite_counters(self) -> dict[str, int]:
        exists = await self.source.conn.fetchone(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        )
        if not exists:
            return {}
        rows = await self.source.conn.fetchall("SELECT name, seq FROM sqlite_sequence")
        return {str(name): int(seq) for name, seq in rows if seq is not None}


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# -- values: what SQLite holds, as the PostgreSQL column's type wants it --

Convert = Callable[[Any], Any]


def _to_int(v: Any) -> int:
    if isinstance(v, int):  # bool too
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and v.strip().lstrip("+-").isdigit():
        return int(v)
    raise ValueError("not a whole number")


def _to_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, int | float):
        return str(v)
    raise ValueError("not text")


def _to_bool(v: Any) -> bool:
    """SQLite keeps booleans as 0/1 integers."""
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("0", "1", "true", "false", "t", "f"):
        return v.strip().lower() in ("1", "true", "t")
    raise ValueError("not 0 or 1")


def _to_json(v: Any) -> str:
    """JSON kept as text: checked, and handed over as text (json and jsonb take it so)."""
    text = _to_text(v)
    json.loads(text)
    return text


def _to_timestamp(v: Any, zone: Any) -> datetime:
    """Unix seconds (how SQLite keeps time here), or ISO 8601 text."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        moment = datetime.fromtimestamp(v, UTC)
    elif isinstance(v, str):
        moment = datetime.fromisoformat(v)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    else:
        raise ValueError("not unix seconds or ISO 8601 text")
    return moment if zone else moment.astimezone(UTC).replace(tzinfo=None)


def _to_date(v: Any) -> date:
    if isinstance(v, str):
        return date.fromisoformat(v)
    return _to_timestamp(v, UTC).date()


def _to_float(v: Any) -> float:
    if isinstance(v, int | float | str) and not isinstance(v, bool):
        return float(v)
    raise ValueError("not a number")


def _to_decimal(v: Any) -> Decimal:
    if isinstance(v, int | float | str) and not isinstance(v, bool):
        return Decimal(str(v))
    raise ValueError("not a number")


def _to_bytes(v: Any) -> bytes:
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    raise ValueError("not bytes")


CONVERTERS: dict[str, Convert] = {
    "bigint": _to_int,
    "integer": _to_int,
    "smallint": _to_int,
    "text": _to_text,
    "character varying": _to_text,
    "character": _to_text,
    "boolean": _to_bool,
    "json": _to_json,
    "jsonb": _to_json,
    "timestamp with time zone": lambda v: _to_timestamp(v, UTC),
    "timestamp without time zone": lambda v: _to_timestamp(v, None),
    "date": _to_date,
    "double precision": _to_float,
    "real": _to_float,
    "numeric": _to_decimal,
    "bytea": _to_bytes,
}


def _converter(table: str, column: str, data_type: str) -> Convert:
    """The conversion for one column; a type the copy does not know is refused up front,
    rather than guessed at."""
    convert = CONVERTERS.get(data_type)
    if convert is None:
        raise CopyRefused(
            f"{table}.{column} is of type {data_type}, which copy-data does not know how to"
            f" fill from SQLite (see bot/store/copy.py); {NOTHING}"
        )

    def checked(value: Any) -> Any:
        if type(value) is int and convert is _to_int:
            return value  # the common case, at no cost
        try:
            return convert(value)
        except (ValueError, TypeError, OverflowError) as exc:
            # the value itself is not shown: it may be private (a token, a name)
            raise CopyRefused(
                f"{table}.{column}: a {type(value).__name__} value that is not a {data_type}"
                f" ({exc}); {NOTHING}"
            ) from None

    return checked
