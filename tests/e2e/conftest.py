"""Fixtures: a fake Discord per test module and the real bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.helpers import all_messages, only_the_role_pinged, set_up_guild
from tests.fakediscord import FakeDiscord
from tests.harness import TEST_TOKEN, BotProcess, bot_environment

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"


def spec_path() -> Path | None:
    return SPEC_PATH if SPEC_PATH.is_file() else None


@pytest.fixture(scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(spec_path=spec_path())
    await server.start()
    yield server
    await server.stop()
    assert not server.spec_violations, "\n".join(server.spec_violations)


@pytest.fixture(scope="module")
async def bot(
    fake: FakeDiscord, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    workdir = tmp_path_factory.mktemp("bot")
    process = BotProcess(bot_environment(fake, workdir / "bot.db"), workdir / "bot.log")
    await process.start()
    yield process
    code = await process.stop()
    assert code == 0, process.log[-3000:]
    assert TEST_TOKEN not in process.log, "the token leaked into the log"
    assert "Traceback" not in process.log, process.log[-3000:]


@pytest.fixture
async def configured(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, BotProcess]]:
    """A fresh fake with its home server set up, and the bot: for tests that restart it."""
    fake = FakeDiscord(spec_path=spec_path())
    await fake.start()
    bot = BotProcess(bot_environment(fake, tmp_path / "bot.db"), tmp_path / "bot.log")
    await bot.start()
    await set_up_guild(fake, fake.guild)
    yield fake, bot
    only_the_role_pinged(fake, all_messages(fake))
    await bot.stop()
    await fake.stop()
    assert not fake.spec_violations, fake.spec_violations
