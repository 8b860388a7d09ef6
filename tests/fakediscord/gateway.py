"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME.

Frames are sent as plain JSON text (discord.py only inflates binary frames). Every
dispatch gets the session's next sequence number and is buffered so a RESUME can replay
what the client missed, as Discord does.

Sharding as on Discord: IDENTIFY's ``shard: [shard_id, num_shards]`` (absent = [0, 1])
opens one session per shard id; a guild belongs to shard ``(guild_id >> 22) % num_shards``
and its events go to that shard's session only, DMs to shard 0. A shard id out of range,
or a shard count other than the connected sessions', is closed with 4010.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeDiscord

HEARTBEAT_INTERVAL_MS = 41_250
GUILD_MEMBERS_INTENT = 1


class _Connection:
    """One websocket, with an ordered outbox drained by a writer task."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._writer = asyncio.create_task(self._write())

    def send(self, frame: dict[str, Any]) -> None:
        self._outbox.put_nowait(json.dumps(frame))

    async def _write(self) -> None:
        while True:
            text = await self._outbox.get()
            if self.ws.closed:
                return
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.send_str(text)

    async def close(self) -> None:
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer


IDENTIFY_WINDOW_S = 5.0  # Discord: one IDENTIFY per rate-limit bucket per 5 seconds
CLOSE_INVALID_SHARD = 4010
CLOSE_SESSION_INVALID = 4009


def shard_of(guild_id: int, num_shards: int) -> int:
    """The shard that owns a guild, by Discord's formula."""
    return (guild_id >> 22) % num_shards


def pacing_violations(
    identifies: list[tuple[float, int, int]], max_concurrency: int, window: float
) -> int:
    """IDENTIFYs sent sooner than ``window`` seconds after the previous one in the same
    bucket (``shard_id % max_concurrency``)."""
    last: dict[int, float] = {}
    violations = 0
    for when, shard_id, _ in sorted(identifies):
        bucket = shard_id % max(1, max_concurrency)
        if bucket in last and when - last[bucket] < window:
            violations += 1
        last[bucket] = when
    return violations


@dataclass
class _Session:
    session_id: str
    intents: int
    shard_id: int = 0
    num_shards: int = 1
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    conn: _Connection | None = None


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self.sessions: dict[int, _Session] = {}  # shard id -> its session
        self.identify_count = 0
        self.resume_count = 0
        self.connections = 0
        self.identifies: list[tuple[float, int, int]] = []  # (monotonic, shard id, count)
        self._live: set[_Connection] = set()
        self.refusing = False  # new connections answered 503, as when Discord's gateway is down
        self.refused = 0

    @property
    def session(self) -> _Session | None:
        """Shard 0's session (the only one of an unsharded bot)."""
        return self.sessions.get(0)

    @property
    def num_shards(self) -> int:
        """The shard count of the current sessions (1 before any IDENTIFY)."""
        counts = [s.num_shards for s in self.sessions.values()]
        return max(counts) if counts else 1

    @property
    def connected(self) -> bool:
        """Every shard of the current count has a connected session."""
        return all(self.shard_connected(i) for i in range(self.num_shards))

    def shard_connected(self, shard_id: int) -> bool:
        session = self.sessions.get(shard_id)
        return session is not None and session.conn is not None

    def shard_for(self, guild_id: int | None) -> int:
        """The shard that receives a guild's events; DMs (None) go to shard 0."""
        return 0 if guild_id is None else shard_of(guild_id, self.num_shards)

    def session_for(self, guild_id: int | None) -> _Session | None:
        return self.sessions.get(self.shard_for(guild_id))

    # -- sending --
    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        intent: int | None = None,
        *,
        guild_id: int | None,
    ) -> None:
        """Send (or buffer, while disconnected) a dispatch to the shard of ``guild_id``
        (None: a DM, shard 0); ``intent`` = required intent bit. Nothing is kept for a
        shard without a session."""
        session = self.session_for(guild_id)
        if session is None:
            return
        if intent is not None and not session.intents & (1 << intent):
            return
        self._send(session, event, data)

    def _send(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.conn is not None:
            session.conn.send(frame)

    async def drop(self, code: int = 4000, *, shard_id: int = 0) -> None:
        """Close one shard's websocket; discord.py then RESUMEs on resume_gateway_url."""
        session = self.sessions.get(shard_id)
        if session is None or session.conn is None:
            raise AssertionError(
                f"drop_gateway(): shard {shard_id} is not connected to the gateway"
                if self.sessions.keys() - {0}
                else "drop_gateway(): the bot is not connected to the gateway"
            )
        conn, session.conn = session.conn, None
        await conn.ws.close(code=code, message=b"dropped by FakeDiscord")

    async def wait(self, *, after: int, timeout: float, shard_id: int | None = None) -> None:
        """Until more than ``after`` IDENTIFYs + RESUMEs happened and the shard (None:
        every shard of the current count) is connected."""

        def ready() -> bool:
            if self.identify_count + self.resume_count <= after:
                return False
            return self.connected if shard_id is None else self.shard_connected(shard_id)

        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                which = "" if shard_id is None else f" (shard {shard_id})"
                raise AssertionError(
                    f"gateway{which} not (re)connected within {timeout}s: identify_count="
                    f"{self.identify_count}, resume_count={self.resume_count}, wanted > {after}"
                )
            await asyncio.sleep(0.01)

    async def close_all(self) -> None:
        for conn in list(self._live):
            with contextlib.suppress(TimeoutError):  # an unresponsive client must not hang stop()
                await asyncio.wait_for(conn.ws.close(code=1001), 2)
            await conn.close()

    async def refuse(self, *, drop: bool = True) -> None:
        """The gateway goes away: every shard's websocket is closed (4000, as Discord does
        when it restarts a node: the client tries to RESUME) and new connections are refused
        with a 503 until `accept()`."""
        self.refusing = True
        if drop:
            for shard_id, session in list(self.sessions.items()):
                if session.conn is not None:
                    await self.drop(4000, shard_id=shard_id)

    def accept(self) -> None:
        self.refusing = False

    # -- receiving --
    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refusing:
            self.refused += 1
            return web.Response(status=503, text="gateway unavailable (FakeDiscord)")
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Connection(ws)
        self._live.add(conn)
        self.connections += 1
        conn.send(
            {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
        finally:
            self._live.discard(conn)
            for session in self.sessions.values():
                if session.conn is conn:
                    session.conn = None
            await conn.close()
        return ws

    async def _on_frame(self, conn: _Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            await self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif op == 8:
            self._request_members(data or {})

    async def _identify(self, conn: _Connection, data: dict[str, Any]) -> None:
        token = self._fake.token
        if not data.get("token") or (token is not None and data["token"] != token):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard = self._shard_of_identify(conn, data.get("shard"))
        if shard is None:
            await conn.ws.close(code=CLOSE_INVALID_SHARD, message=b"Invalid shard.")
            return
        shard_id, num_shards = shard
        self.identifies.append((time.monotonic(), shard_id, num_shards))
        old = self.sessions.get(shard_id)
        for stale in [i for i, s in self.sessions.items() if s.num_shards != num_shards]:
            del self.sessions[stale]  # a new shard count: the old count's sessions are gone
        session = _Session(
            uuid.uuid4().hex, int(data.get("intents") or 0), shard_id, num_shards, conn=conn
        )
        self.sessions[shard_id] = session
        if old is not None and old.conn is not None and old.conn is not conn:
            await old.conn.ws.close(code=CLOSE_SESSION_INVALID)
        self.identify_count += 1
        fake = self._fake
        guilds = [g for g in fake.guilds if shard_of(g.id, num_shards) == shard_id]
        self._send(
            session,
            "READY",
            {
                "v": 10,
                "user": fake.bot_user_payload(),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.session_id,
                "resume_gateway_url": fake.gateway_url,
                "session_type": "normal",
                "shard": [shard_id, num_shards],
                "application": {"id": str(fake.application_id), "flags": fake.application_flags},
                "private_channels": [],
                "presences": [],
                "relationships": [],
                "guild_join_requests": [],
                "user_settings": {},
                "geo_ordered_rtc_regions": [],
                "_trace": ["fake-discord"],
            },
        )
        for guild in guilds:
            self._send(session, "GUILD_CREATE", fake.guild_create_payload(guild))

    def _shard_of_identify(self, conn: _Connection, shard: Any) -> tuple[int, int] | None:
        """IDENTIFY's [shard_id, num_shards]; None when Discord would answer 4010."""
        if shard is None:
            return 0, 1
        if (
            not isinstance(shard, list)
            or len(shard) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in shard)
        ):
            return None
        shard_id, num_shards = shard
        if num_shards < 1 or not 0 <= shard_id < num_shards:
            return None
        others = {
            s.num_shards
            for s in self.sessions.values()
            if s.conn is not None and s.conn is not conn and s.shard_id != shard_id
        }
        if others and others != {num_shards}:
            return None
        return shard_id, num_shards

    def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        session_id = data.get("session_id")
        session = next((s for s in self.sessions.values() if s.session_id == session_id), None)
        if session is None:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        self.resume_count += 1
        session.conn = conn
        since = data.get("seq") or 0
        for frame in session.sent:
            if frame["s"] > since:
                conn.send(frame)
        self._send(session, "RESUMED", {"_trace": ["fake-discord"]})

    def _request_members(self, data: dict[str, Any]) -> None:
        guild = self._fake.guild_by_id(int(data.get("guild_id") or 0))
        if guild is None:
            return
        members = list(guild.members.values())
        user_ids = data.get("user_ids")
        not_found: list[str] = []
        if user_ids is not None:
            wanted = {
                int(u) for u in ([user_ids] if isinstance(user_ids, (str, int)) else user_ids)
            }
            not_found = [str(u) for u in wanted if u not in guild.members]
            members = [m for m in members if m.id in wanted]
        elif data.get("query"):
            members = [m for m in members if m.name.lower().startswith(data["query"].lower())]
        if data.get("limit"):
            members = members[: data["limit"]]
        chunk: dict[str, Any] = {
            "guild_id": str(guild.id),
            "members": [m.member_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": not_found,
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk, guild_id=guild.id)
