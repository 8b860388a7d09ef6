"""Every admin action: who, what, when, old and new value."""

from __future__ import annotations

from bot.store.connection import Scope
from bot.store.records import AuditEntry


class AuditStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def record(
        self, *, guild_id: int | None, user_id: int, action: str, old: str | None,
        new: str | None, now: int,
    ) -> None:  # fmt: skip
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO audit_log (guild_id, user_id, action, old_value, new_value, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, user_id, action, old, new, now),
            )

    async def latest(self, guild_id: int, limit: int = 5) -> list[AuditEntry]:
        """This server's entries and the show-wide ones (guild_id NULL), newest first."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT user_id, action, old_value, new_value, at FROM audit_log"
                " WHERE guild_id = ? OR guild_id IS NULL ORDER BY id DESC LIMIT ?",
                (guild_id, limit),
            )
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4]) for r in rows]
