"""Per-server settings: announcement channel, notification role, moderator role, language."""

from __future__ import annotations

from bot.store.connection import Row, Scope
from bot.store.records import GuildSettings

COLUMNS = "guild_id, channel_id, role_id, mod_role_id, locale"


def _settings(row: Row) -> GuildSettings:
    return GuildSettings(row[0], row[1], row[2], row[3], row[4])


class GuildSettingsStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def get(self, guild_id: int) -> GuildSettings:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                f"SELECT {COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
        return _settings(row) if row else GuildSettings(guild_id)

    async def update(
        self,
        guild_id: int,
        *,
        channel_id: int | None = None,
        role_id: int | None = None,
        mod_role_id: int | None = None,
        locale: str | None = None,
        now: int,
    ) -> tuple[GuildSettings, GuildSettings]:
        """Change the given fields (None leaves one as it is); returns (old, new)."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                f"SELECT {COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)
            )
            old = _settings(row) if row else GuildSettings(guild_id)
            new = GuildSettings(
                guild_id,
                channel_id if channel_id is not None else old.channel_id,
                role_id if role_id is not None else old.role_id,
                mod_role_id if mod_role_id is not None else old.mod_role_id,
                locale if locale is not None else old.locale,
            )
            await conn.execute(
                f"INSERT INTO guild_settings ({COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id,"
                " role_id = excluded.role_id, mod_role_id = excluded.mod_role_id,"
                " locale = excluded.locale, updated_at = excluded.updated_at",
                (guild_id, new.channel_id, new.role_id, new.mod_role_id, new.locale, now),
            )
        return old, new
