"""Reading and validating data/show.toml, and hot-reloading it safely."""

from __future__ import annotations

import datetime
import os
import re
import threading
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, TypeVar

from bot.show.model import (
    CastMember,
    Credit,
    Premise,
    SeasonOne,
    SeasonTwo,
    Series,
    ShowData,
    Text,
    TimelineEntry,
)
from bot.show.names import NameIndex
from bot.show.normalize import loose_key

T = TypeVar("T")
_MAX_BYTES = 1_000_000  # a facts file is a few kB; anything huge is a mistake


class ShowDataError(Exception):
    """A bad facts file. str() is one line: `<file>: <key>: <problem>`."""

    def __init__(self, file: Path, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, " ".join(problem.split())
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(where + self.problem)


class _Table:
    """A TOML table being read: every getter names its dotted path in errors,
    and `close()` rejects keys nobody asked for (typos in hand edits)."""

    def __init__(self, raw: Mapping[str, object], path: str, file: Path) -> None:
        self._raw, self._path, self._file = raw, path, file
        self._seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def fail(self, name: str, problem: str) -> ShowDataError:
        return ShowDataError(self._file, self.key(name), problem)

    def _get(self, name: str, kind: type[T], what: str, *, optional: bool = False) -> T | None:
        self._seen.add(name)
        if name not in self._raw:
            if optional:
                return None
            raise self.fail(name, "missing key")
        value = self._raw[name]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(name, f"expected {what}, got {_describe(value)}")
        return value

    def string(self, name: str) -> str:
        return self._nonempty(name, self._get(name, str, "a string"))

    def opt_string(self, name: str) -> str | None:
        value = self._get(name, str, "a string", optional=True)
        return None if value is None else self._nonempty(name, value)

    def _nonempty(self, name: str, value: str | None) -> str:
        if value is None or not value.strip():
            raise self.fail(name, "empty text")
        return value.strip()

    def opt_integer(self, name: str) -> int | None:
        value = self._get(name, int, "a whole number", optional=True)
        if value is not None and value < 0:
            raise self.fail(name, "must not be negative")
        return value

    def integer(self, name: str) -> int:
        value = self.opt_integer(name)
        if value is None:
            raise self.fail(name, "missing key")
        return value

    def date(self, name: str) -> datetime.date:
        self._seen.add(name)
        if name not in self._raw:
            raise self.fail(name, "missing key")
        return _to_date(self._raw[name], lambda p: self.fail(name, p))

    def table(self, name: str) -> _Table:
        raw = self._get(name, dict, "a table")
        assert raw is not None
        return _Table(raw, self.key(name), self._file)

    def tables(self, name: str, *, optional: bool = False) -> list[_Table]:
        what = f"a list of tables ([[{name}]] blocks)"
        raw = self._get(name, list, what, optional=optional)
        if raw is None:
            return []
        if not raw and not optional:
            raise self.fail(name, "must have at least one entry")
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                raise ShowDataError(self._file, f"{self.key(name)}[{i}]", "expected a table")
            out.append(_Table(item, f"{self.key(name)}[{i}]", self._file))
        return out

    def strs(self, name: str) -> tuple[str, ...]:
        raw = self._get(name, list, "a list of strings", optional=True) or []
        out = []
        for i, item in enumerate(raw):
            where = f"{name}[{i}]"
            if not isinstance(item, str):
                raise self.fail(where, f"expected a string, got {_describe(item)}")
            out.append(self._nonempty(where, item))
        return tuple(out)

    def text(self, name: str) -> Text:
        raw = self._raw.get(name)
        if raw is not None and not isinstance(raw, dict):
            raise self.fail(name, f'expected {{ en = "…", ko = "…" }}, got {_describe(raw)}')
        table = self.table(name)
        result = Text(en=table.string("en"), ko=table.string("ko"))
        table.close()
        return result

    def opt_text(self, name: str) -> Text | None:
        return self.text(name) if name in self._raw else None

    def close(self) -> None:
        unknown = sorted(set(self._raw) - self._seen)
        if unknown:
            raise self.fail(unknown[0], "unknown key (a typo?)")


def _describe(value: object) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a decimal number", str: "a string"}
    names |= {dict: "a table", list: "a list", datetime.datetime: "a date with a time"}
    return names.get(type(value), "a date" if isinstance(value, datetime.date) else "a value")


def _to_date(value: object, fail: Callable[[str], ShowDataError]) -> datetime.date:
    # datetime is a subclass of date: reject it explicitly, a timeline day has no time.
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise fail(f"bad date {value!r}: write it as YYYY-MM-DD") from None
    raise fail(f"expected a date (YYYY-MM-DD), got {_describe(value)}")


# ── the file's sections ─────────────────────────────────────────────────────


def _series(t: _Table) -> Series:
    source = t.table("source")
    series = Series(
        title=t.text("title"),
        short=t.string("short"),
        genre=t.text("genre"),
        network=t.string("network"),
        source_kind=source.text("kind"),
        source_author=source.text("author"),
    )
    source.close()
    return series


def _season1(t: _Table) -> SeasonOne:
    return SeasonOne(
        year=t.integer("year"),
        viewing_hours=t.integer("viewing_hours"),
        viewing_days=t.integer("viewing_days"),
        top10_countries=t.integer("top10_countries"),
        global_top10=t.text("global_top10"),
    )


def _credit(t: _Table) -> Credit:
    return Credit(
        name=t.string("name"),
        hangul=t.opt_string("hangul"),
        aliases=t.strs("aliases"),
        credits=t.opt_text("credits"),
    )


def _season2(t: _Table) -> SeasonTwo:
    production, writer = t.table("production"), t.table("writer")
    directors = t.tables("directors")
    season = SeasonTwo(
        status=t.text("status"),
        announced=t.date("announced"),
        announcement=t.text("announcement"),
        expected_year=t.opt_integer("expected_year"),
        directors=tuple(_closed(d, _credit) for d in directors),
        writer=_closed(writer, _credit),
        production=production.string("company"),
        co_producers=production.strs("co_producers"),
    )
    production.close()
    return season


def _premise(t: _Table) -> Premise:
    return Premise(spoiler_free=t.text("spoiler_free"), spoilers=t.text("spoilers"))


def _member(t: _Table) -> CastMember:
    status = t.string("status")
    if status not in ("returning", "new"):
        raise t.fail("status", f'expected "returning" or "new", got {status!r}')
    return CastMember(
        actor=t.text("actor"),
        character=t.text("character"),
        status="returning" if status == "returning" else "new",
        part=t.text("part"),
        spoiler=t.opt_text("spoiler"),
        aliases=t.strs("aliases"),
    )


def _entry(t: _Table) -> TimelineEntry:
    return TimelineEntry(date=t.date("date"), text=t.text("text"), source=t.string("source"))


def _closed(t: _Table, build: Callable[[_Table], T]) -> T:
    value = build(t)
    t.close()
    return value


def _check_duplicates(cast: tuple[CastMember, ...], file: Path) -> None:
    """Two entries sharing a name would make `/cast name:` ambiguous forever."""
    owner: dict[str, int] = {}
    for i, member in enumerate(cast):
        names = {
            "actor.en": member.actor.en,
            "actor.ko": member.actor.ko,
            "character.en": member.character.en,
            "character.ko": member.character.ko,
        }
        names |= {f"aliases[{j}]": alias for j, alias in enumerate(member.aliases)}
        for where, name in names.items():
            first = owner.setdefault(loose_key(name), i)
            if first != i:
                problem = f"duplicate cast member: {name!r} is already cast[{first}]"
                raise ShowDataError(file, f"cast[{i}].{where}", problem)


def parse_show(raw: Mapping[str, object], file: Path) -> ShowData:
    root = _Table(raw, "", file)
    show = ShowData(
        series=_closed(root.table("series"), _series),
        season1=_closed(root.table("season1"), _season1),
        season2=_closed(root.table("season2"), _season2),
        premise=_closed(root.table("premise"), _premise),
        cast=tuple(_closed(t, _member) for t in root.tables("cast")),
        timeline=tuple(_closed(t, _entry) for t in root.tables("timeline", optional=True)),
    )
    root.close()
    _check_duplicates(show.cast, file)
    return show


def load_show(path: Path) -> ShowData:
    """Read and validate the facts file; any problem raises a one-line ShowDataError."""
    return parse_show(_read_toml(path), path)


def _read_toml(path: Path) -> dict[str, object]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ShowDataError(path, "", f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > _MAX_BYTES:
        raise ShowDataError(path, "", f"file is larger than {_MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ShowDataError(path, "", "not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ShowDataError(path, _key_at(text, str(exc)), f"not valid TOML: {exc}") from None


_AT_LINE = re.compile(r"at line (\d+)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([\w.-]+)\s*\]")
_ASSIGN = re.compile(r"^\s*([\w-]+)\s*=")


def _key_at(text: str, message: str) -> str:
    """Best-effort dotted key of the line a TOML syntax error points at ("" if unknown)."""
    found = _AT_LINE.search(message)
    if not found:
        return ""
    lines = text.splitlines()[: int(found.group(1))]
    table, counts = "", dict[str, int]()
    for line in lines[:-1]:
        header = _HEADER.match(line)
        if header and header.group(1) == "[[":
            counts[header.group(2)] = counts.get(header.group(2), -1) + 1
            table = f"{header.group(2)}[{counts[header.group(2)]}]"
        elif header:
            table = header.group(2)
    assign = _ASSIGN.match(lines[-1]) if lines else None
    if not assign:
        return ""
    return f"{table}.{assign.group(1)}" if table else assign.group(1)


# ── hot reload ──────────────────────────────────────────────────────────────


class ShowSnapshot(NamedTuple):
    """The data and its name index, always swapped together."""

    data: ShowData
    names: NameIndex


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class ShowStore:
    """The current facts. Reloads replace them only with a file that validates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # serializes reloads; readers never wait
        self._signature = _signature(path)
        self._snapshot = self._build()

    @property
    def snapshot(self) -> ShowSnapshot:
        return self._snapshot

    @property
    def data(self) -> ShowData:
        return self._snapshot.data

    @property
    def names(self) -> NameIndex:
        return self._snapshot.names

    def _build(self) -> ShowSnapshot:
        data = load_show(self.path)
        return ShowSnapshot(data=data, names=NameIndex(data.cast))

    def reload(self) -> ShowData:
        """Re-read the file; on ShowDataError the current data stays in place."""
        with self._lock:
            # Taken before reading: a save during the read shows up as a change next time.
            self._signature = _signature(self.path)
            self._snapshot = self._build()
            return self._snapshot.data

    def reload_if_changed(self) -> bool:
        """Cheap poll (one stat). True when new data was swapped in. A bad file raises
        ShowDataError once per change, not on every poll."""
        signature = _signature(self.path)
        if signature == self._signature:
            return False
        self.reload()
        return True
