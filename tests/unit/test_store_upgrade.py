"""A database file made by the bot before the generic outbox upgrades in place, losing nothing.

It goes through every later migration too: the generic outbox, member deliveries, then the
countdown channel and discussion settings.

`tests/fixtures/bot-v2.db` was written by that version of the bot running against the local
Discord: two servers, subscriptions of every kind, a closed DM, an update, a date set and moved.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from bot.store import open_sqlite
from bot.store.migrate import load_migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "bot-v2.db"
KEPT = ["meta", "guild_settings", "audit_log", "subscriptions", "dm_channels", "premiere",
        "updates", "deliveries", "scheduled_events", "notifications"]  # fmt: skip


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


async def test_version_2_file_upgrades_in_place_with_every_row(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    shutil.copy(FIXTURE, db)
    before = {table: rows(db, f"SELECT * FROM {table} ORDER BY 1") for table in KEPT}
    old_columns = {t: [c[1] for c in rows(db, f"PRAGMA table_info({t})")] for t in KEPT}
    old_notifications = rows(
        db, "SELECT n.id, n.kind, n.revision, n.starts_at, n.note, u.text, u.source, n.due_at,"
        " n.expires_at, n.state FROM notifications n LEFT JOIN updates u ON u.id = n.update_id",
    )  # fmt: skip
    assert rows(db, "PRAGMA user_version") == [(2,)]

    store = open_sqlite(db)
    await store.open()
    try:
        upcoming = await store.outbox.upcoming(limit=10)
        premiere = await store.premiere.current()
        sent = (await store.outbox.stats()).sent
        event = await store.events.get(int(before["scheduled_events"][0][0]))  # type: ignore[call-overload]
    finally:
        await store.close()

    assert rows(db, "PRAGMA user_version") == [(len(load_migrations()),)]
    for table in KEPT[:-2]:  # every row as it was, in the columns it had (some were added)
        columns = ", ".join(old_columns[table])
        assert rows(db, f"SELECT {columns} FROM {table} ORDER BY 1") == before[table], table
    assert rows(db, "SELECT DISTINCT attempt_started_at FROM deliveries") == [(None,)]
    assert rows(db, "SELECT DISTINCT countdown_channel_id, discussion FROM guild_settings") == [
        (None, 0)
    ]
    assert rows(db, "PRAGMA foreign_key_check") == []
    new = {r[0]: r for r in rows(db, "SELECT id, kind, payload, series, due_at, expires_at,"
                                     " state FROM notifications")}  # fmt: skip
    assert len(new) == len(old_notifications) == 11
    for old in old_notifications:
        nid, kind, revision, starts_at, note, text, source, due, expires, state = old
        _, new_kind, payload, series, new_due, new_expires, new_state = new[nid]
        assert (new_kind, new_due, new_expires, new_state) == (kind, due, expires, state)
        if kind == "update":
            assert json.loads(payload)["text"] == text and json.loads(payload)["source"] == source
            assert series is None
        else:
            assert json.loads(payload) == {"revision": revision, "starts_at": starts_at,
                                           "note": note}  # fmt: skip
            assert series == "premiere"
    assert [p.kind for p in upcoming] == ["reminder_7d", "reminder_1d", "reminder_1h", "premiere"]
    assert premiere.revision == 2 and premiere.starts_at == 1909155600
    assert sent == len(before["deliveries"])
    assert event.event_id is not None and event.revision == premiere.revision
