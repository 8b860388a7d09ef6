"""HTTP plumbing: recorded requests, JSON replies with Discord's exact content type, routing."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

JSON_TYPE = "application/json"  # discord.py only parses JSON when the header is exactly this


@dataclass
class RecordedRequest:
    method: str
    path: str  # after /api/v10
    query: dict[str, str]
    json: Any  # parsed body, or the parsed payload_json of a multipart request
    files: list[tuple[str, bytes]]
    headers: dict[str, str]  # Authorization removed
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised by handlers; becomes a Discord-style JSON error reply."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.reply = Reply(status, {"code": code, "message": message})
        if errors is not None:
            self.reply.body["errors"] = errors


def not_found(code: int, what: str) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def to_response(reply: Reply) -> web.Response:
    if reply.body is None:
        return web.Response(status=reply.status, headers=reply.headers)
    body = json.dumps(reply.body).encode()
    return web.Response(
        status=reply.status, body=body, headers={**reply.headers, "Content-Type": JSON_TYPE}
    )


@dataclass
class Call:
    """One incoming API call as handlers see it."""

    request: RecordedRequest
    params: dict[str, str]

    @property
    def body(self) -> Any:
        return self.request.json

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(404, 0, "404: Not Found") from None


Handler = Callable[[Call], Awaitable[Reply]]


class Router:
    """``{name}`` placeholders match one path segment (``@me``/``@original`` are literal)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/@]+)", re.escape(template))
        self._routes.append((method, re.compile(pattern), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for route_method, regex, handler in self._routes:
            found = regex.fullmatch(path)
            if found and route_method == method:
                return handler, found.groupdict()
        return None


async def read_body(request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
    """JSON body, or multipart ``payload_json`` + ``files[n]`` parts."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[tuple[str, bytes]] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.filename is not None:
                files.append((part.filename, bytes(data)))
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from None
