"""News feeds and the items seen in them: what is watched, when it is checked next, how it
failed, and every story seen, so that each is new only once."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.store.connection import Row, Scope
from bot.store.records import Feed, FeedItem

MAX_COMPLAINT = 300  # characters kept of a parser's complaint
_FEED = (
    "id, url, title, mode, keywords, added_at, etag, last_modified, checked_at,"
    " next_check_at, last_item_at, last_error, failing_since, failures, not_well_formed"
)
_ITEM = (
    "id, feed_id, guid, link, url, title, summary, source, published_at, state, decided_by,"
    " decided_at"
)


def _feed(row: Row) -> Feed:
    return Feed(
        row[0], row[1], row[2], row[3], tuple(json.loads(row[4])), row[5], row[6], row[7],
        row[8], row[9], row[10], row[11], row[12], row[13], row[14],
    )  # fmt: skip


def _complaint(text: str | None) -> str | None:
    return text[:MAX_COMPLAINT] if text is not None else None


def _item(row: Row) -> FeedItem:
    return FeedItem(*row)


class FeedStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # --- feeds -----------------------------------------------------------------------------

    async def add(
        self, *, url: str, title: str, mode: str, keywords: Sequence[str], user_id: int,
        now: int, next_check_at: int, etag: str | None, last_modified: str | None,
        not_well_formed: str | None = None,
    ) -> Feed | None:  # fmt: skip
        """None when the URL is watched already."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO feeds (url, title, mode, keywords, added_by, added_at, etag,"
                " last_modified, checked_at, next_check_at, not_well_formed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                f" ON CONFLICT (url) DO NOTHING RETURNING {_FEED}",
                (url, title, mode, json.dumps(list(keywords), ensure_ascii=False), user_id, now,
                 etag, last_modified, now, next_check_at, _complaint(not_well_formed)),
            )  # fmt: skip
        return _feed(row) if row else None

    async def remove(self, url: str) -> bool:
        async with self._scope.write() as conn:
            return await conn.execute("DELETE FROM feeds WHERE url = ?", (url,)) > 0

    async def all(self) -> list[Feed]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(f"SELECT {_FEED} FROM feeds ORDER BY id")
        return [_feed(row) for row in rows]

    async def due(self, now: int) -> list[Feed]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_FEED} FROM feeds WHERE next_check_at <= ? ORDER BY next_check_at",
                (now,),
            )
        return [_feed(row) for row in rows]

    async def next_check(self) -> int | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone("SELECT MIN(next_check_at) FROM feeds")
        return int(row[0]) if row and row[0] is not None else None

    async def checked(
        self, feed_id: int, *, now: int, next_check_at: int, etag: str | None,
        last_modified: str | None, title: str | None, new_items: bool,
        read: bool = False, not_well_formed: str | None = None,
    ) -> None:  # fmt: skip
        """A good check: errors are forgotten. `read`: a document was read (not a 304), and
        `not_well_formed` says how well-formed it was (None: it was), replacing the last word."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE feeds SET checked_at = ?, next_check_at = ?, etag = ?,"
                " last_modified = ?, title = COALESCE(?, title), last_error = NULL,"
                " failing_since = NULL, failures = 0,"
                " last_item_at = CASE WHEN ? THEN ? ELSE last_item_at END,"
                " not_well_formed = CASE WHEN ? THEN ? ELSE not_well_formed END WHERE id = ?",
                (now, next_check_at, etag, last_modified, title, new_items, now, read,
                 _complaint(not_well_formed), feed_id),
            )  # fmt: skip

    async def failed(self, feed_id: int, *, now: int, error: str, next_check_at: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE feeds SET checked_at = ?, next_check_at = ?, last_error = ?,"
                " failing_since = COALESCE(failing_since, ?), failures = failures + 1"
                " WHERE id = ?",
                (now, next_check_at, error[:300], now, feed_id),
            )

    # --- items -----------------------------------------------------------------------------

    async def known(self, guid: str | None, link: str | None) -> bool:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT 1 FROM feed_items WHERE guid = ? OR link = ? LIMIT 1", (guid, link)
            )
        return row is not None

    async def recent_titles(self, since: int) -> list[str]:
        """Titles seen since `since`, to catch the same story under another link."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall("SELECT title FROM feed_items WHERE seen_at >= ?", (since,))
        return [str(row[0]) for row in rows]

    async def add_item(
        self, *, feed_id: int, guid: str | None, link: str | None, url: str | None,
        title: str, summary: str, source: str, published_at: int | None, state: str, now: int,
    ) -> int | None:  # fmt: skip
        """The new item's id; None when the same GUID or link was seen meanwhile."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO feed_items (feed_id, guid, link, url, title, summary, source,"
                " published_at, seen_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (feed_id, guid, link, url, title, summary, source, published_at, now, state),
            )
        return int(row[0]) if row else None

    async def item(self, item_id: int) -> FeedItem | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone(f"SELECT {_ITEM} FROM feed_items WHERE id = ?", (item_id,))
        return _item(row) if row else None

    async def pending(self, limit: int = 10) -> list[FeedItem]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_ITEM} FROM feed_items WHERE state = 'pending' ORDER BY id LIMIT ?",
                (limit,),
            )
        return [_item(row) for row in rows]

    async def decide(self, item_id: int, *, state: str, user_id: int, now: int) -> bool:
        """Only a pending item is decided, once: whether this call decided it."""
        async with self._scope.write() as conn:
            changed = await conn.execute(
                "UPDATE feed_items SET state = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ? AND state = 'pending'",
                (state, user_id, now, item_id),
            )
        return changed > 0
