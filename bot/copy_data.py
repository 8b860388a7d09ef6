"""`python -m bot copy-data TARGET_URL`: the SQLite file at DATABASE_PATH copied into the
PostgreSQL database at TARGET_URL (see `bot.store.copy`), ending with one line: what it copied,
or why it could not. Needs no DISCORD_TOKEN; never shows the URL's password."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.logs import setup_logging
from bot.settings import SettingsError, load_settings, read_environment
from bot.store.copy import copy_to_postgresql
from bot.store.database_url import passwords, scrub, url_problem
from bot.store.errors import StoreError


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot copy-data",
        description="Copy the bot's SQLite file (DATABASE_PATH) into an empty PostgreSQL"
        " database, migrating it first. Stop the bot before.",
    )
    parser.add_argument(
        "target_url", metavar="TARGET_URL", help="postgresql://user:password@host:port/dbname"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    target: str = args.target_url.strip()
    problem = url_problem(target, "TARGET_URL")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        settings = load_settings(read_environment(), need_token=False)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    own_url = settings.database_url.reveal() if settings.database_url else ""
    # Only warnings reach the output (the one line is the command's); never a password.
    level = "DEBUG" if settings.log_level == "DEBUG" else "WARNING"
    setup_logging(level, [*passwords(target), *passwords(own_url)])
    try:
        report = asyncio.run(copy_to_postgresql(settings.database_path, target))
    except StoreError as exc:
        print(f"error: {scrub(str(exc), target)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: copy-data interrupted: nothing was copied", file=sys.stderr)
        return 1
    except Exception as exc:  # one line whatever happens, never a traceback or a password
        detail = scrub(" ".join(f"{type(exc).__name__}: {exc}".split()), target)
        print(f"error: copy-data failed: {detail}; nothing was copied", file=sys.stderr)
        return 1
    print(report.summary())
    return 0
