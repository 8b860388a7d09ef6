"""The gateway websocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME.

Frames are sent as plain JSON text (discord.py only inflates binary frames). Every
dispatch gets the session's next sequence number and is buffered so a RESUME can replay
what the client missed, as Discord does.
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


@dataclass
class _Session:
    session_id: str
    intents: int
    seq: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    conn: _Connection | None = None


class Gateway:
    def __init__(self, fake: FakeDiscord) -> None:
        self._fake = fake
        self.session: _Session | None = None
        self.identify_count = 0
        self.resume_count = 0
        self.connections = 0
        self._live: set[_Connection] = set()

    @property
    def connected(self) -> bool:
        return self.session is not None and self.session.conn is not None

    # -- sending --
    def dispatch(self, event: str, data: dict[str, Any], intent: int | None = None) -> None:
        """Send (or buffer, while disconnected) a dispatch; ``intent`` = required intent bit."""
        session = self.session
        if session is None:
            return
        if intent is not None and not session.intents & (1 << intent):
            return
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.conn is not None:
            session.conn.send(frame)

    async def drop(self, code: int = 4000) -> None:
        """Close the bot's websocket; discord.py then RESUMEs on resume_gateway_url."""
        session = self.session
        if session is None or session.conn is None:
            raise AssertionError("drop_gateway(): the bot is not connected to the gateway")
        conn, session.conn = session.conn, None
        await conn.ws.close(code=code, message=b"dropped by FakeDiscord")

    async def wait(self, *, after: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.identify_count + self.resume_count <= after or not self.connected:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"gateway not (re)connected within {timeout}s: identify_count="
                    f"{self.identify_count}, resume_count={self.resume_count}, wanted > {after}"
                )
            await asyncio.sleep(0.01)

    async def close_all(self) -> None:
        for conn in list(self._live):
            with contextlib.suppress(TimeoutError):  # an unresponsive client must not hang stop()
                await asyncio.wait_for(conn.ws.close(code=1001), 2)
            await conn.close()

    # -- receiving --
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
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
            if self.session is not None and self.session.conn is conn:
                self.session.conn = None
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
        old = self.session
        self.session = _Session(uuid.uuid4().hex, int(data.get("intents") or 0), conn=conn)
        if old is not None and old.conn is not None and old.conn is not conn:
            await old.conn.ws.close(code=4009)
        self.identify_count += 1
        fake = self._fake
        guilds = fake.guilds
        self.dispatch(
            "READY",
            {
                "v": 10,
                "user": fake.bot_user_payload(),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": self.session.session_id,
                "resume_gateway_url": fake.gateway_url,
                "session_type": "normal",
                "shard": [0, 1],
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
            self.dispatch("GUILD_CREATE", fake.guild_create_payload(guild))

    def _resume(self, conn: _Connection, data: dict[str, Any]) -> None:
        session = self.session
        if session is None or data.get("session_id") != session.session_id:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return
        self.resume_count += 1
        session.conn = conn
        since = data.get("seq") or 0
        for frame in session.sent:
            if frame["s"] > since:
                conn.send(frame)
        self.dispatch("RESUMED", {"_trace": ["fake-discord"]})

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
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
