"""Starting the fake Discord and the bot together, and the checks every run ends with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from tests.e2e.helpers import all_messages, only_the_role_pinged, set_up_guild
from tests.fakediscord import FakeDiscord
from tests.harness import TEST_TOKEN, BotProcess, bot_environment

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"


def spec_path() -> Path | None:
    """Discord's OpenAPI spec when it is beside the project (CI has it)."""
    return SPEC_PATH if SPEC_PATH.is_file() else None


async def finish(bot: BotProcess) -> None:
    """Stop the bot and check it left nothing behind that it shouldn't have."""
    code = await bot.stop()
    assert code == 0, bot.log[-3000:]
    assert TEST_TOKEN not in bot.log, "the token leaked into the log"
    assert "Traceback" not in bot.log, bot.log[-3000:]


def check_fake(fake: FakeDiscord) -> None:
    """Nothing the bot sent broke Discord's spec or pinged more than the notification role."""
    assert not fake.spec_violations, "\n".join(fake.spec_violations)
    only_the_role_pinged(fake, all_messages(fake))


@asynccontextmanager
async def serving(
    workdir: Path, *, extra_guilds: Sequence[str] = (), set_up: bool = True, **env: str
) -> AsyncIterator[tuple[FakeDiscord, BotProcess]]:
    """A fake Discord (plus `extra_guilds`) and the bot on a fresh database in `workdir`;
    the home server is set up with `/admin setup` unless `set_up` is false."""
    fake = FakeDiscord(spec_path=spec_path())
    for name in extra_guilds:
        fake.add_guild(name)
    await fake.start()
    bot = BotProcess(bot_environment(fake, workdir / "bot.db", **env), workdir / "bot.log")
    try:
        await bot.start()
        if set_up:
            await set_up_guild(fake, fake.guild)
        yield fake, bot
        await finish(bot)
        check_fake(fake)
    finally:
        await bot.stop()
        await fake.stop()
