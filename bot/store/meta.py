"""Small key/value facts the bot keeps about itself (sync fingerprints, the install id)."""

from __future__ import annotations

from bot.store.connection import Scope


class MetaStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def get(self, key: str) -> str | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set(self, key: str, value: str) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    async def setdefault(self, key: str, value: str) -> str:
        """The stored value, storing `value` first if there is none (race-free)."""
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, value),
            )
            row = await conn.fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        assert row is not None
        return str(row[0])
