"""Starting the fake Discord and the bot together, and the checks every run ends with."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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


MESSAGE_WRITES = re.compile(
    r"/channels/\d+/messages(/\d+)?|/interactions/\d+/[^/]+/callback|/webhooks/\d+/[^/]+(/.*)?"
)


def message_bodies(fake: FakeDiscord) -> list[dict[str, Any]]:
    """The message part of every request by which the bot wrote a message."""
    bodies = []
    for request in fake.requests:
        if request.method not in ("POST", "PATCH") or not MESSAGE_WRITES.fullmatch(request.path):
            continue
        body = request.json if isinstance(request.json, dict) else {}
        message = body.get("data") if "/callback" in request.path else body
        if isinstance(message, dict) and ("content" in message or "embeds" in message):
            bodies.append(message)
    return bodies


def check_allowed_mentions(fake: FakeDiscord) -> None:
    """Every message the bot writes says what it may ping: at most a notification role."""
    roles = {int(guild.notify_role.id) for guild in fake.guilds}
    for body in message_bodies(fake):
        allowed = body.get("allowed_mentions")
        assert allowed is not None, f"a message without allowed_mentions: {body}"
        assert allowed.get("parse", []) == [], allowed
        assert not allowed.get("users"), allowed
        assert {int(r) for r in allowed.get("roles", [])} <= roles, allowed


def check_fake(fake: FakeDiscord) -> None:
    """Nothing the bot sent broke Discord's spec or pinged more than the notification role."""
    assert not fake.spec_violations, "\n".join(fake.spec_violations)
    only_the_role_pinged(fake, all_messages(fake))
    check_allowed_mentions(fake)


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
