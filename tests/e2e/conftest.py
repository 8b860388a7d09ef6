"""Fixtures: a fake Discord per test module and the real bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.serving import check_fake, finish, serving, spec_path
from tests.fakediscord import FakeDiscord
from tests.harness import BotProcess, bot_environment


@pytest.fixture(scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(spec_path=spec_path())
    await server.start()
    yield server
    await server.stop()
    check_fake(server)


@pytest.fixture(scope="module")
async def bot(
    fake: FakeDiscord, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    workdir = tmp_path_factory.mktemp("bot")
    process = BotProcess(bot_environment(fake, workdir / "bot.db"), workdir / "bot.log")
    await process.start()
    yield process
    await finish(process)


@pytest.fixture
async def configured(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, BotProcess]]:
    """A fresh fake with its home server set up, and the bot: for tests that restart it."""
    async with serving(tmp_path) as world:
        yield world
