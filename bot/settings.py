"""Typed settings, read once at start-up from the environment and `.env`."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from bot.shards import parse_shard_ids

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = PROJECT_ROOT / "data" / "bot.db"
DEFAULT_SHOW_DATA = PROJECT_ROOT / "data" / "show.toml"
DEFAULT_TRIVIA = PROJECT_ROOT / "data" / "trivia"
DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY = "wss://gateway.discord.gg/"


class SettingsError(Exception):
    """A missing or bad setting; the message is one line naming the variable."""


class Secret:
    """A string that never shows itself in a repr, a format or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)


class Settings(NamedTuple):
    token: Secret
    database_path: Path = DEFAULT_DATABASE
    show_data_path: Path = DEFAULT_SHOW_DATA
    home_guild_id: int | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    api_base_url: str = DEFAULT_API_BASE
    gateway_url: str = DEFAULT_GATEWAY
    # Testing aid: shifts the bot's clock so a 7-day reminder can be tested in seconds.
    clock_offset: float = 0.0
    # The bot's global REST limit (Discord's default: 50 a second; big bots are granted more).
    rate_limit: int = 50
    # How often each news feed is checked (a feed's own ttl or Cache-Control may make it rarer).
    feed_poll_seconds: int = 600
    # Feeds on loopback and private addresses (self-hosted feeds, tests) are allowed.
    feeds_allow_private: bool = False
    # Testing aid: more extensions to load after the cogs (e.g. one registering a new kind).
    test_extensions: tuple[str, ...] = ()
    # PostgreSQL instead of SQLite, shared by several processes (the URL holds the password).
    database_url: Secret | None = None
    # Gateway shards: the total across processes, and this process's (None: all of them).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # The folder of trivia question packs (YAML, Red-DiscordBot's trivia-list format).
    trivia_path: Path = DEFAULT_TRIVIA
    # /livez, /readyz and /metrics over HTTP on this port (None: not served), on this address.
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"


def _guild_id(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 15 <= len(raw) <= 21:
        raise SettingsError(f"{name} must be a Discord server id (digits only), got {raw!r}")
    return int(raw)


def _log_level(env: Mapping[str, str]) -> str:
    raw = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if raw not in logging.getLevelNamesMapping():
        choices = "DEBUG, INFO, WARNING, ERROR, CRITICAL"
        raise SettingsError(f"LOG_LEVEL must be one of {choices}, got {raw!r}")
    return raw


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in schemes or not parts.netloc:
        raise SettingsError(f"{name} must be a {' or '.join(schemes)} URL, got {raw!r}")
    if parts.query:
        raise SettingsError(f"{name} must not have a query string (the bot adds its own)")
    return raw.rstrip("/") if name == "DISCORD_API_BASE_URL" else raw


def _show_data(env: Mapping[str, str]) -> Path:
    raw = env.get("SHOW_DATA_PATH", "").strip()
    path = Path(raw).expanduser() if raw else DEFAULT_SHOW_DATA
    if not path.is_file() or not os.access(path, os.R_OK):
        raise SettingsError(f"SHOW_DATA_PATH: cannot read the show's facts file {str(path)!r}")
    return path


def _trivia(env: Mapping[str, str]) -> Path:
    raw = env.get("TRIVIA_PATH", "").strip()
    path = Path(raw).expanduser() if raw else DEFAULT_TRIVIA
    if not path.is_dir() or not os.access(path, os.R_OK | os.X_OK):
        raise SettingsError(f"TRIVIA_PATH: cannot read the folder of trivia packs {str(path)!r}")
    return path


def _database(env: Mapping[str, str]) -> Path:
    raw = env.get("DATABASE_PATH", "").strip()
    path = Path(raw).expanduser() if raw else DEFAULT_DATABASE
    if path.exists() and path.is_dir():
        raise SettingsError(f"DATABASE_PATH must be a file, {str(path)!r} is a directory")
    return path


def _token(env: Mapping[str, str]) -> Secret:
    raw = env.get("DISCORD_TOKEN", "").strip()
    if not raw:
        raise SettingsError(
            "DISCORD_TOKEN is not set: put your bot token in .env "
            "(copy .env.example) or in the environment"
        )
    return Secret(raw)


def _clock_offset(env: Mapping[str, str]) -> float:
    raw = env.get("BOT_CLOCK_OFFSET", "").strip()
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        raise SettingsError(f"BOT_CLOCK_OFFSET must be a number of seconds, got {raw!r}") from None


def _rate_limit(env: Mapping[str, str]) -> int:
    raw = env.get("DISCORD_RATE_LIMIT", "").strip()
    if not raw:
        return 50
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise SettingsError(
            f"DISCORD_RATE_LIMIT must be requests per second, a whole number from 1, got {raw!r}"
        )
    return int(raw)


def _feed_poll(env: Mapping[str, str]) -> int:
    raw = env.get("FEED_POLL_SECONDS", "").strip()
    if not raw:
        return 600
    if not raw.isdigit() or not 1 <= int(raw) <= 7 * 86400:
        raise SettingsError(f"FEED_POLL_SECONDS must be seconds, from 1 to a week, got {raw!r}")
    return int(raw)


def _allow_private(env: Mapping[str, str]) -> bool:
    raw = env.get("FEEDS_ALLOW_PRIVATE", "").strip()
    if raw not in ("", "0", "1"):
        raise SettingsError(f"FEEDS_ALLOW_PRIVATE must be 1 or unset, got {raw!r}")
    return raw == "1"


def _test_extensions(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("BOT_TEST_EXTENSIONS", "").strip()
    names = tuple(name.strip() for name in raw.split(",") if name.strip())
    for name in names:
        if not all(part.isidentifier() for part in name.split(".")):
            raise SettingsError(f"BOT_TEST_EXTENSIONS must list module names, got {name!r}")
    return names


def _database_url(env: Mapping[str, str]) -> Secret | None:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not parts.path[1:]:
        # never echoed back: the URL may hold a password
        raise SettingsError(
            "DATABASE_URL must look like postgresql://user:password@host:port/dbname"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise SettingsError("DATABASE_URL has a port that is not a number") from None
    return Secret(raw)


MAX_SHARDS = 10_000


def _shard_count(env: Mapping[str, str]) -> int | None:
    raw = env.get("SHARD_COUNT", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SHARDS:
        raise SettingsError(f"SHARD_COUNT must be a whole number from 1, got {raw!r}")
    return int(raw)


def _shard_ids(env: Mapping[str, str], count: int | None, shared: bool) -> tuple[int, ...] | None:
    """`0-3` or `0,2,5`; only with SHARD_COUNT, and only some of them only with PostgreSQL."""
    raw = env.get("SHARD_IDS", "").strip()
    if not raw:
        return None
    if count is None:
        raise SettingsError("SHARD_IDS needs SHARD_COUNT (the total number of shards)")
    try:
        ids = parse_shard_ids(raw)
    except ValueError:
        raise SettingsError(f"SHARD_IDS must look like 0-3 or 0,2,5, got {raw!r}") from None
    if max(ids) >= count:
        raise SettingsError(f"SHARD_IDS names shard {max(ids)}, but SHARD_COUNT is {count}")
    if len(ids) < count and not shared:
        raise SettingsError(
            "SHARD_IDS names only some shards: the others' processes need DATABASE_URL "
            "(PostgreSQL), since processes cannot share a SQLite file"
        )
    return tuple(sorted(ids))


def _metrics_port(env: Mapping[str, str]) -> int | None:
    raw = env.get("METRICS_PORT", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"METRICS_PORT must be a TCP port, from 1 to 65535, got {raw!r}")
    return int(raw)


_HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?")


def _metrics_host(env: Mapping[str, str]) -> str:
    raw = env.get("METRICS_HOST", "").strip()
    if not raw:
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(raw.strip("[]")))
    except ValueError:
        if len(raw) <= 253 and _HOST_NAME.fullmatch(raw):
            return raw
    raise SettingsError(
        f"METRICS_HOST must be an address or host name to listen on (127.0.0.1, 0.0.0.0, ::),"
        f" got {raw!r}"
    )


def read_environment(dotenv_path: Path | None = None) -> dict[str, str]:
    """The `.env` file's values overlaid by the process environment (which wins)."""
    path = dotenv_path or PROJECT_ROOT / ".env"
    if not path.is_file():  # as dotenv reads it; without one (systemd, containers), no import
        return dict(os.environ)
    from dotenv import dotenv_values

    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None}
    return from_file | dict(os.environ)


def load_settings(env: Mapping[str, str], *, need_token: bool = True) -> Settings:
    """Validate everything, so a bad value stops start-up with one clear line."""
    database_url = _database_url(env)
    shard_count = _shard_count(env)
    return Settings(
        token=_token(env) if need_token else Secret(env.get("DISCORD_TOKEN", "")),
        database_path=_database(env),
        show_data_path=_show_data(env),
        home_guild_id=_guild_id(env, "HOME_GUILD_ID"),
        dev_guild_id=_guild_id(env, "DEV_GUILD_ID"),
        log_level=_log_level(env),
        api_base_url=_url(env, "DISCORD_API_BASE_URL", DEFAULT_API_BASE, ("https", "http")),
        gateway_url=_url(env, "DISCORD_GATEWAY_URL", DEFAULT_GATEWAY, ("wss", "ws")),
        clock_offset=_clock_offset(env),
        rate_limit=_rate_limit(env),
        feed_poll_seconds=_feed_poll(env),
        feeds_allow_private=_allow_private(env),
        test_extensions=_test_extensions(env),
        database_url=database_url,
        shard_count=shard_count,
        shard_ids=_shard_ids(env, shard_count, database_url is not None),
        trivia_path=_trivia(env),
        metrics_port=_metrics_port(env),
        metrics_host=_metrics_host(env),
    )
