"""Per-server settings: announcement channel, notification role, moderator role, language,
countdown channel and the premiere's discussion thread."""

from __future__ import annotations

from typing import TypeVar

from bot.store.connection import Row, Scope
from bot.store.records import GuildSettings

T = TypeVar("T")

COLUMNS = (
    "guild_id, channel_id, role_id, mod_role_id, locale, countdown_channel_id, discussion,"
    " review_channel_id"
)


def _settings(row: Row) -> GuildSettings:
    return GuildSettings(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7])


def _given(value: T | None, old: T) -> T:
    """None means "not given": the old value stays."""
    return old if value is None else value


class GuildSettingsStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def get(self, guild_id: int) -> GuildSettings:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                f"SELECT {COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
        return _settings(row) if row else GuildSettings(guild_id)

    async def with_countdown(self) -> list[GuildSettings]:
        """Every server that has a countdown channel."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {COLUMNS} FROM guild_settings WHERE countdown_channel_id IS NOT NULL"
            )
        return [_settings(row) for row in rows]

    async def update(
        self,
        guild_id: int,
        *,
        channel_id: int | None = None,
        role_id: int | None = None,
        mod_role_id: int | None = None,
        locale: str | None = None,
        countdown_channel_id: int | None = None,
        discussion: bool | None = None,
        review_channel_id: int | None = None,
        now: int,
    ) -> tuple[GuildSettings, GuildSettings]:
        """Change the given fields (None leaves one as it is); returns (old, new)."""
        async with self._scope.write() as conn:
            # The row exists and is locked before it is read, so that two changes at once
            # (PostgreSQL's transactions may overlap) never lose one another's fields.
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, ?)"
                " ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, now),
            )
            lock = conn.for_update()
            row = await conn.fetchone(
                f"SELECT {COLUMNS} FROM guild_settings WHERE guild_id = ?{lock}", (guild_id,)
            )
            old = _settings(row) if row else GuildSettings(guild_id)
            new = GuildSettings(
                guild_id,
                _given(channel_id, old.channel_id),
                _given(role_id, old.role_id),
                _given(mod_role_id, old.mod_role_id),
                _given(locale, old.locale),
                _given(countdown_channel_id, old.countdown_channel_id),
                _given(discussion, old.discussion),
                _given(review_channel_id, old.review_channel_id),
            )
            await conn.execute(
                f"INSERT INTO guild_settings ({COLUMNS}, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " role_id = excluded.role_id, mod_role_id = excluded.mod_role_id,"
                " locale = excluded.locale, countdown_channel_id = excluded.countdown_channel_id,"
                " discussion = excluded.discussion,"
                " review_channel_id = excluded.review_channel_id, updated_at = excluded.updated_at",
                (guild_id, new.channel_id, new.role_id, new.mod_role_id, new.locale,
                 new.countdown_channel_id, int(new.discussion), new.review_channel_id, now),
            )  # fmt: skip
        return old, new
