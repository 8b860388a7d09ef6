"""The numbered migrations shipped for each database: `migrations/<dialect>/NNNN_name.sql`.

Both dialects ship the same numbers and names, each file making the same change in its own
SQL, so a schema version means the same tables, columns and indexes in either database.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.store.errors import StoreError

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
DIALECTS = ("sqlite", "postgresql")
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def load_migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(number, file name, SQL) for every shipped migration of `dialect`, in order."""
    found = []
    for entry in (MIGRATIONS_DIR / dialect).iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"migrations must be numbered 1..N without gaps, got {numbers}")
    return found
