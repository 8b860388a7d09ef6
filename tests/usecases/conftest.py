"""Use cases in process: a temporary SQLite store, a fixed clock, and a recording Discord port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.discord_actions import ActionFailed, ActionRefused
from bot.notify.notices import register_notices
from bot.outbox import Outbox
from bot.settings import DEFAULT_SHOW_DATA, Secret, Settings
from bot.show.loader import ShowStore
from bot.store import Store, open_sqlite
from bot.usecases import UseCases

NOW = 1_800_000_000
HOME = 111


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        super().__init__(0.0)
        self.now_value = now

    def timestamp(self) -> float:
        return self.now_value


@dataclass
class RecordingDiscord:
    """What the use cases asked of Discord; `refuse` and `fail` make it say no."""

    roles: set[tuple[int, int, int]] = field(default_factory=set)
    dms: list[tuple[int, str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 'role', 'dm'
    fail: set[str] = field(default_factory=set)
    refused_servers: list[str] = field(default_factory=list)

    def _check(self, what: str, reason: str) -> None:
        if what in self.refuse:
            raise ActionRefused(reason)
        if what in self.fail:
            raise ActionFailed("503")

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        self._check("role", "forbidden")
        self.roles.add((guild_id, user_id, role_id))

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> None:
        self.roles.discard((guild_id, user_id, role_id))

    async def send_dm(self, user_id: int, text: str) -> None:
        self._check("dm", "dm_closed")
        self.dms.append((user_id, text))

    def event_servers(self) -> tuple[list[int], list[str]]:
        return [HOME], self.refused_servers


@dataclass
class World:
    store: Store
    usecases: UseCases
    discord: RecordingDiscord
    clock: FixedClock
    wakes: list[str]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    register_notices()
    store = open_sqlite(tmp_path / "bot.db")
    await store.open()
    wakes: list[str] = []
    outbox = Outbox(lambda: wakes.append("dispatcher"))
    discord, clock = RecordingDiscord(), FixedClock(NOW)
    settings = Settings(token=Secret("x"), home_guild_id=HOME, database_path=tmp_path / "bot.db")
    usecases = UseCases(
        store=store, outbox=outbox, clock=clock, discord=discord, settings=settings,
        show=ShowStore(DEFAULT_SHOW_DATA), sync_events=lambda: wakes.append("events"),
    )  # fmt: skip
    yield World(store, usecases, discord, clock, wakes)
    await store.close()
