"""The audit log of admin actions."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.db.database import Database


@dataclass(frozen=True, slots=True)
class AuditEntry:
    user_id: int
    action: str
    old_value: str | None
    new_value: str | None
    at: int


async def record_audit(
    conn: aiosqlite.Connection,
    *,
    guild_id: int | None,
    user_id: int,
    action: str,
    old: str | None,
    new: str | None,
    now: int,
) -> None:
    """Written inside the caller's transaction, so the audit entry and the change land together."""
    await conn.execute(
        "INSERT INTO audit_log (guild_id, user_id, action, old_value, new_value, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, user_id, action, old, new, now),
    )


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self, *, guild_id: int | None, user_id: int, action: str, old: str | None,
        new: str | None, now: int,
    ) -> None:  # fmt: skip
        async with self.db.transaction() as conn:
            await record_audit(
                conn, guild_id=guild_id, user_id=user_id, action=action, old=old, new=new, now=now
            )

    async def latest(self, guild_id: int, limit: int = 5) -> list[AuditEntry]:
        """This server's entries and the show-wide ones (guild_id NULL), newest first."""
        rows = await self.db.fetchall(
            "SELECT user_id, action, old_value, new_value, at FROM audit_log"
            " WHERE guild_id = ? OR guild_id IS NULL ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4]) for r in rows]
