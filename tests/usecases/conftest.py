"""Use cases in process: a temporary store (SQLite, then PostgreSQL), a fixed clock, and a
recording Discord port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.feeds.errors import FeedError
from bot.feeds.fetch import FetchResult
from bot.outbox import Outbox
from bot.settings import DEFAULT_SHOW_DATA, Secret, Settings
from bot.show.loader import ShowStore
from bot.store import Store
from bot.store.records import Followup
from bot.ui.feeds import register_feed_notices
from bot.ui.notify import register_notices
from bot.usecases import UseCases
from bot.usecases.ports import ActionFailed, ActionRefused
from tests.pgfixtures import BACKENDS, store_on

NOW = 1_800_000_000
HOME = 111


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        super().__init__(0.0)
        self.now_value = now

    def timestamp(self) -> float:
        return self.now_value

    async def sleep_until(self, timestamp: float) -> None:
        self.now_value = max(self.now_value, timestamp)  # time passes at once here


@dataclass
class RecordingDiscord:
    """What the use cases asked of Discord; `forbidden_roles` and `fail` make it say no."""

    roles_removed: list[tuple[int, int, int]] = field(default_factory=list)
    followups: list[tuple[str, str]] = field(default_factory=list)  # (token, text key)
    forbidden_roles: set[int] = field(default_factory=set)
    fail: set[str] = field(default_factory=set)  # 'role', 'followup'
    refused_servers: list[str] = field(default_factory=list)

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        if "role" in self.fail:
            raise ActionFailed("503")
        self.roles_removed.append((guild_id, user_id, role_id))

    def role_problem(self, guild_id: int, role_id: int) -> str | None:
        return "forbidden" if role_id in self.forbidden_roles else None

    async def tell(self, followup: Followup, key: str) -> None:
        if "followup" in self.fail:
            raise ActionRefused("forbidden")
        self.followups.append((followup.token, key))

    def event_servers(self) -> tuple[list[int], list[str]]:
        return [HOME], self.refused_servers


class NoRooms:
    """Episode rooms' port for use cases that don't make rooms: no server is known here."""

    def view(self, guild_id: int) -> None:
        return None


async def no_feeds(url: str, etag: str | None, modified: str | None) -> FetchResult:
    raise FeedError("unreachable", url)


@dataclass
class World:
    store: Store
    usecases: UseCases
    discord: RecordingDiscord
    clock: FixedClock
    wakes: list[str]


@pytest.fixture(params=BACKENDS)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    register_notices()
    register_feed_notices()
    async with store_on(request, tmp_path) as store:
        wakes: list[str] = []
        outbox = Outbox(lambda: wakes.append("dispatcher"))
        discord, clock = RecordingDiscord(), FixedClock(NOW)
        settings = Settings(
            token=Secret("x"), home_guild_id=HOME, database_path=tmp_path / "bot.db"
        )
        usecases = UseCases(
            store=store, outbox=outbox, clock=clock, discord=discord, settings=settings,
            show=ShowStore(DEFAULT_SHOW_DATA), fetcher=no_feeds, announce=wakes.append,
            rooms=NoRooms(),  # type: ignore[arg-type]
        )  # fmt: skip
        yield World(store, usecases, discord, clock, wakes)
