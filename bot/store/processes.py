"""The bot's processes: who is up, with which shards, and which one sends (for /admin status)."""

from __future__ import annotations

import json

from bot.store.connection import Row, Scope
from bot.store.records import ProcessRecord

SILENT_AFTER = 60  # a process not heard of for this long is shown as silent, and not counted
FORGET_AFTER = 86400  # a process silent for a day is gone for good: its row is dropped
MAX_REFUSED = 25  # server names kept per process: a release reply names a few, not thousands


class ProcessStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    async def beat(self, process: ProcessRecord) -> None:
        """This process is alive (insert or refresh its row); long-silent ones are dropped."""
        p = process
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO processes (id, host, pid, shards, sender, started_at, heartbeat_at,"
                " event_servers, events_refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET shards = excluded.shards,"
                " sender = excluded.sender, heartbeat_at = excluded.heartbeat_at,"
                " event_servers = excluded.event_servers,"
                " events_refused = excluded.events_refused",
                (p.id, p.host, p.pid, p.shards, int(p.sender), p.started_at, p.heartbeat_at,
                 p.event_servers, json.dumps(list(p.events_refused[:MAX_REFUSED]))),
            )  # fmt: skip
            if p.sender:  # one sender at a time: a killed one's row no longer says it sends
                await conn.execute(
                    "UPDATE processes SET sender = 0 WHERE sender = 1 AND id <> ?", (p.id,)
                )
            await conn.execute(
                "DELETE FROM processes WHERE heartbeat_at < ?", (p.heartbeat_at - FORGET_AFTER,)
            )

    async def forget(self, process_id: str) -> None:
        """A clean shutdown: the process is gone, not silent."""
        async with self._scope.write() as conn:
            await conn.execute("DELETE FROM processes WHERE id = ?", (process_id,))

    async def all(self) -> list[ProcessRecord]:
        """Every known process, the sender first, then by start."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT id, host, pid, shards, sender, started_at, heartbeat_at, event_servers,"
                " events_refused FROM processes"
                " ORDER BY sender DESC, started_at, id"
            )
        return [_process(row) for row in rows]


def _process(r: Row) -> ProcessRecord:
    return ProcessRecord(
        str(r[0]),
        str(r[1]),
        int(r[2]),
        str(r[3]),
        bool(r[4]),
        int(r[5]),
        int(r[6]),
        int(r[7]),
        tuple(json.loads(r[8])),
    )
