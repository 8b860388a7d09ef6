"""The whole path: start, answer, resume, sync only when needed, shut down cleanly."""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.serving import (
    check_allowed_mentions,
    check_fake,
    message_bodies,
    spec_path,
)
from tests.fakediscord import FakeDiscord, RecordedRequest
from tests.harness import TEST_TOKEN, BotProcess, bot_environment

SYNC = r"/applications/\d+(/guilds/\d+)?/commands"


async def test_answers_about_from_the_data_file(fake: FakeDiscord, bot: BotProcess) -> None:
    result = await fake.invoke("about", member=fake.guild.fan)
    assert result.response_type == 4 and not result.ephemeral
    assert "Joo Dong-geun" in result.text and "560.78" in result.text
    assert "지금 우리 학교는" in result.text


async def test_resumes_after_the_gateway_drops(fake: FakeDiscord, bot: BotProcess) -> None:
    resumes = fake.resume_count
    await fake.drop_gateway()
    await fake.wait_for_gateway(resumed_or_identified_after=resumes, timeout=15)
    assert fake.resume_count == resumes + 1
    result = await fake.invoke("about", member=fake.guild.fan)
    assert "Joo Dong-geun" in result.text


async def test_every_body_is_checked_against_discords_spec(fake: FakeDiscord) -> None:
    if spec_path() is None:
        pytest.skip("the OpenAPI spec is not beside the project")
    assert fake.validator is not None  # so the fixture's no-violation check means something
    assert fake.requests_to("PUT", SYNC), "the bot synced its commands through the fake"


async def test_allowed_mentions_are_checked_on_real_messages(fake: FakeDiscord) -> None:
    """The teardown's allowed_mentions check has messages to look at, and can fail."""
    bodies = message_bodies(fake)
    assert bodies and all("allowed_mentions" in body for body in bodies)
    unsafe = RecordedRequest("POST", "/channels/1/messages", {}, {"content": "@everyone"}, [], {})
    fake.requests.append(unsafe)  # as if the bot had sent this
    try:
        with pytest.raises(AssertionError, match="without allowed_mentions"):
            check_allowed_mentions(fake)
    finally:
        fake.requests.remove(unsafe)


@pytest.fixture
async def fresh(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, Path]]:
    server = FakeDiscord(spec_path=spec_path())
    await server.start()
    yield server, tmp_path
    await server.stop()
    check_fake(server)


async def test_syncs_only_when_the_commands_changed(fresh: tuple[FakeDiscord, Path]) -> None:
    fake, tmp = fresh
    db = tmp / "bot.db"
    bot = BotProcess(bot_environment(fake, db), tmp / "bot.log")
    await bot.start()
    assert len(fake.requests_to("PUT", SYNC)) == 1
    await bot.restart()
    assert len(fake.requests_to("PUT", SYNC)) == 1, "a restart re-synced unchanged commands"
    assert "commands unchanged" in bot.new_log()

    await bot.stop()
    with sqlite3.connect(db) as conn:  # as if a new release changed a command's definition
        conn.execute("UPDATE meta SET value = 'stale' WHERE key LIKE 'sync:%'")
    await bot.start()
    assert len(fake.requests_to("PUT", SYNC)) == 2

    await bot.stop()
    bot.env["DEV_GUILD_ID"] = str(fake.guild.id)  # a development server syncs on its own
    await bot.start()
    guild_syncs = fake.requests_to("PUT", rf"/applications/\d+/guilds/{fake.guild.id}/commands")
    assert len(guild_syncs) == 1
    await bot.stop()

    forced = BotProcess(bot.env, tmp / "sync.log", args=("sync",))
    await forced.start(wait_ready=False)
    assert await forced.wait() == 0
    assert len(fake.requests_to("PUT", SYNC)) == 4, "python -m bot sync always syncs"
    assert TEST_TOKEN not in bot.log + forced.log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_shuts_down_cleanly(fresh: tuple[FakeDiscord, Path], sig: int) -> None:
    fake, tmp = fresh
    bot = BotProcess(bot_environment(fake, tmp / "bot.db"), tmp / "bot.log")
    await bot.start()
    assert await bot.stop(sig) == 0
    assert "shut down cleanly" in bot.log
    with sqlite3.connect(tmp / "bot.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_an_error_in_a_command_is_answered_and_logged_once(
    fresh: tuple[FakeDiscord, Path],
) -> None:
    """The database locked by another process for longer than the busy timeout."""
    fake, tmp = fresh
    db = tmp / "bot.db"
    bot = BotProcess(bot_environment(fake, db), tmp / "bot.log")
    await bot.start()
    blocker = sqlite3.connect(db, timeout=1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        result = await fake.invoke("notify on", {"via": "dm"}, member=fake.guild.fan, timeout=15)
    finally:
        blocker.rollback()
        blocker.close()
    replies = [result.content or "", *(f.get("content") or "" for f in result.followups)]
    answer = "\n".join(replies)
    assert "Something went wrong" in answer
    assert all(f.get("flags", 0) & 64 for f in result.followups) or result.ephemeral
    assert "Traceback" not in answer and "database is locked" not in answer
    log = bot.new_log()
    assert log.count("Traceback") == 1
    interaction_id = answer.split("`")[1]
    assert f"interaction {interaction_id}" in log

    again = await fake.invoke("notify on", {"via": "dm"}, member=fake.guild.fan)
    assert "subscribed" in again.text  # the bot kept serving
    assert await bot.stop() == 0
