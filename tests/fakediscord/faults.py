"""Faults: Discord's global rate limit, its limit on channel renames, and injected per-route
failures."""

from __future__ import annotations

import math
import re
import time
from collections import deque
from dataclasses import dataclass

from .transport import Reply

# discord.py treats a 429 without a Via header as a Cloudflare ban (no retry).
_VIA = {"Via": "1.1 google"}


def _rate_limit_headers(retry_after: float, scope: str) -> dict[str, str]:
    return {
        **_VIA,
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": scope,
    }


def global_429(retry_after: float) -> Reply:
    body = {
        "message": "You are being rate limited.",
        "retry_after": round(retry_after, 3),
        "global": True,
    }
    headers = {**_rate_limit_headers(retry_after, "global"), "X-RateLimit-Global": "true"}
    return Reply(429, body, headers)


def route_429(retry_after: float, bucket: str, limit: int = 5) -> Reply:
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": False,
    }
    headers = {
        **_rate_limit_headers(retry_after, "user"),
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }
    return Reply(429, body, headers)


def server_error(status: int) -> Reply:
    return Reply(status, {"message": f"{status}: Server Error (injected)", "code": 0})


class GlobalRateLimit:
    """At most ``per_second`` accepted requests in any sliding one-second window."""

    def __init__(self, per_second: int | None) -> None:
        self.per_second = per_second
        self._accepted: deque[float] = deque()

    def check(self) -> Reply | None:
        if self.per_second is None:
            return None
        now = time.monotonic()
        while self._accepted and now - self._accepted[0] >= 1.0:
            self._accepted.popleft()
        if len(self._accepted) >= self.per_second:
            return global_429(max(0.01, 1.0 - (now - self._accepted[0])))
        self._accepted.append(now)
        return None


class RenameLimit:
    """Discord lets a channel be renamed twice in ten minutes, by anyone. Times are on the
    fake's clock (`FakeDiscord.now()`), which tests move along with the bot's."""

    PER_WINDOW = 2
    WINDOW_S = 600.0

    def __init__(self) -> None:
        self.renames: dict[int, list[tuple[float, str]]] = {}  # channel id -> (at, new name)

    def check(self, channel_id: int, now: float) -> Reply | None:
        """A 429 when the channel's renames in the last ten minutes are used up."""
        recent = [at for at, _ in self.renames.get(channel_id, []) if now - at < self.WINDOW_S]
        if len(recent) < self.PER_WINDOW:
            return None
        retry_after = round(self.WINDOW_S - (now - recent[-self.PER_WINDOW]), 3)
        return route_429(retry_after, bucket="fake-channel-rename", limit=self.PER_WINDOW)

    def record(self, channel_id: int, name: str, now: float) -> None:
        self.renames.setdefault(channel_id, []).append((now, name))


@dataclass
class InjectedFailure:
    method: str
    path_regex: str
    status: int
    remaining: int
    retry_after: float

    def take(self, method: str, path: str) -> Reply | None:
        if self.remaining <= 0 or method != self.method.upper():
            return None
        if not re.fullmatch(self.path_regex, path):
            return None
        self.remaining -= 1
        if self.status == 429:
            return route_429(self.retry_after, bucket=f"injected-{abs(hash(self.path_regex))}")
        return server_error(self.status)
