"""Episode rooms: season 2's episode count, each server's rooms and progress roles, and each
member's progress (what they asked for, and what Discord was last given)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from bot.store.connection import Scope

# The servers whose episode rooms are on and made, as a filter of `guild_settings` rows: the
# announcement channels a notification of reach 'rooms' goes to.
WITH_ROOMS = (
    " AND guild_id IN (SELECT s.guild_id FROM episode_servers s WHERE s.enabled = 1"
    " AND EXISTS (SELECT 1 FROM episode_rooms r WHERE r.guild_id = s.guild_id"
    " AND r.channel_id IS NOT NULL))"
)


class RoomServer(NamedTuple):
    guild_id: int
    enabled: bool
    category_id: int | None
    locale: str


class Room(NamedTuple):
    guild_id: int
    episode: int
    channel_id: int | None
    role_id: int | None
    message_id: int | None  # the pinned rule
    has_button: bool  # the rule carries its "I finished episode k+1" button


class MemberProgress(NamedTuple):
    guild_id: int
    user_id: int
    wanted: int  # the episode the member says they have watched up to (0: none)
    roles: tuple[int, ...]  # their other roles, as their last interaction showed them
    applied: int | None  # what Discord was last given (None: nothing yet, or to be redone)


def _room(row: Sequence[object]) -> Room:
    g, e, c, r, m, b = row
    return Room(int(str(g)), int(str(e)), _id(c), _id(r), _id(m), bool(b))


def _id(value: object) -> int | None:
    return None if value is None else int(str(value))


class RoomStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # --- the episode count (show-wide) ---------------------------------------------------

    async def episode_count(self) -> int | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone("SELECT count FROM episode_count WHERE id = 1")
        return int(row[0]) if row else None

    async def set_episode_count(self, count: int, user_id: int, now: int) -> int | None:
        """Store the count; the one before (None: none)."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                f"SELECT count FROM episode_count WHERE id = 1{conn.for_update()}"
            )
            await conn.execute(
                "INSERT INTO episode_count (id, count, set_by, updated_at) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET count = excluded.count,"
                " set_by = excluded.set_by, updated_at = excluded.updated_at",
                (count, user_id, now),
            )
        return int(row[0]) if row else None

    # --- servers and their rooms ---------------------------------------------------------

    async def server(self, guild_id: int) -> RoomServer:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT enabled, category_id, locale FROM episode_servers WHERE guild_id = ?",
                (guild_id,),
            )
        if row is None:
            return RoomServer(guild_id, False, None, "en-US")
        return RoomServer(guild_id, bool(row[0]), _id(row[1]), str(row[2]))

    async def enabled_servers(self) -> list[int]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall("SELECT guild_id FROM episode_servers WHERE enabled = 1")
        return [int(r[0]) for r in rows]

    async def any_rooms(self) -> bool:
        """Whether any server has rooms (then the count may only grow)."""
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT COUNT(*) FROM episode_rooms WHERE channel_id IS NOT NULL"
            )
        return bool(row and int(row[0]))

    async def set_enabled(self, guild_id: int, enabled: bool, locale: str, now: int) -> bool:
        """Rooms on or off in a server; whether they were on."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                f"SELECT enabled FROM episode_servers WHERE guild_id = ?{conn.for_update()}",
                (guild_id,),
            )
            await conn.execute(
                "INSERT INTO episode_servers (guild_id, enabled, locale, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " enabled = excluded.enabled, locale = excluded.locale,"
                " updated_at = excluded.updated_at",
                (guild_id, int(enabled), locale, now),
            )
        return bool(row and row[0])

    async def set_category(self, guild_id: int, category_id: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE episode_servers SET category_id = ? WHERE guild_id = ?",
                (category_id, guild_id),
            )

    async def rooms(self, guild_id: int) -> dict[int, Room]:
        """The server's rooms by episode."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT guild_id, episode, channel_id, role_id, message_id, has_button"
                " FROM episode_rooms WHERE guild_id = ? ORDER BY episode",
                (guild_id,),
            )
        return {room.episode: room for room in map(_room, rows)}

    async def put_room(self, room: Room) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO episode_rooms"
                " (guild_id, episode, channel_id, role_id, message_id, has_button)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, episode) DO UPDATE SET"
                " channel_id = excluded.channel_id, role_id = excluded.role_id,"
                " message_id = excluded.message_id, has_button = excluded.has_button",
                (
                    room.guild_id,
                    room.episode,
                    room.channel_id,
                    room.role_id,
                    room.message_id,
                    int(room.has_button),
                ),
            )

    # --- members' progress ---------------------------------------------------------------

    async def want(
        self, guild_id: int, user_id: int, episode: int, roles: Sequence[int], now: int
    ) -> None:
        """The member's progress as they now say it, and their other roles."""
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO episode_progress (guild_id, user_id, wanted, roles, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
                " wanted = excluded.wanted, roles = excluded.roles,"
                " updated_at = excluded.updated_at",
                (guild_id, user_id, episode, json.dumps([str(r) for r in roles]), now),
            )

    async def progress(self, guild_id: int, user_id: int) -> MemberProgress | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT wanted, roles, applied FROM episode_progress"
                " WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        if row is None:
            return None
        roles = tuple(int(r) for r in json.loads(str(row[1])))
        return MemberProgress(guild_id, user_id, int(row[0]), roles, _id(row[2]))

    async def applied(self, guild_id: int, user_id: int, episode: int) -> None:
        """Discord now has the member at `episode`."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE episode_progress SET applied = ? WHERE guild_id = ? AND user_id = ?",
                (episode, guild_id, user_id),
            )

    async def members_at(self, guild_id: int, episode: int) -> list[int]:
        """Members whose progress is `episode` (to give a remade role back)."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT user_id FROM episode_progress WHERE guild_id = ? AND wanted = ?",
                (guild_id, episode),
            )
        return [int(r[0]) for r in rows]

    async def forget_applied(self, guild_id: int, user_ids: Sequence[int]) -> None:
        async with self._scope.write() as conn:
            for user_id in user_ids:
                await conn.execute(
                    "UPDATE episode_progress SET applied = NULL WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id),
                )

    async def counts(self, guild_id: int) -> dict[int, int]:
        """How many members are at each episode (as they asked; 0: none open)."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT wanted, COUNT(*) FROM episode_progress WHERE guild_id = ?"
                " GROUP BY wanted ORDER BY wanted",
                (guild_id,),
            )
        return {int(r[0]): int(r[1]) for r in rows}
