"""Runs the real bot as a subprocess against the fake Discord, and reads its log."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from tests.fakediscord import FakeDiscord

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEST_TOKEN = "test.token-DO-NOT-LEAK.7f3a9c"


def bot_environment(fake: FakeDiscord, db_path: Path, **overrides: str) -> dict[str, str]:
    """Every variable of the interface set explicitly, so a developer's .env cannot leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BOT_"))}
    env.update(
        DISCORD_TOKEN=TEST_TOKEN,
        DATABASE_PATH=str(db_path),
        DATABASE_URL="",  # one process on SQLite unless a test says otherwise
        SHARD_COUNT="",
        SHARD_IDS="",
        SHOW_DATA_PATH="",
        TRIVIA_PATH="",
        HOME_GUILD_ID=str(fake.guild.id),
        DEV_GUILD_ID="",
        LOG_LEVEL="INFO",
        DISCORD_API_BASE_URL=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        BOT_CLOCK_OFFSET="0",
        BOT_TEST_EXTENSIONS="",
        METRICS_PORT="",
        METRICS_HOST="",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


class BotProcess:
    """One `python -m bot` process; its stdout and stderr go to a log file."""

    def __init__(self, env: dict[str, str], log_path: Path, args: tuple[str, ...] = ()) -> None:
        self.env = env
        self.log_path = log_path
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None
        self._log_offset = 0

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def new_log(self) -> str:
        """The log written since the last start."""
        return self.log[self._log_offset :]

    async def start(self, *, wait_ready: bool = True, timeout: float = 20.0) -> None:
        self._log_offset = len(self.log)
        with self.log_path.open("ab") as sink:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args,
                cwd=PROJECT_ROOT, env=self.env, stdout=sink, stderr=sink,
                stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        if wait_ready:
            await self.wait_for_log("ready: logged in as", timeout=timeout)

    async def wait_for_log(self, text: str, *, timeout: float = 10.0, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while self.new_log().count(text) < count:
            if self.proc is not None and self.proc.returncode is not None:
                raise AssertionError(f"bot exited ({self.proc.returncode}):\n{self.new_log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {text!r} in the bot's log:\n{self.new_log()[-4000:]}")
            await asyncio.sleep(0.05)

    async def wait(self, timeout: float = 20.0) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Signal the bot and wait for it to exit; its exit code."""
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(sig)
        try:
            return await self.wait(timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"bot did not stop in {timeout}s:\n{self.new_log()}") from None

    async def kill(self) -> None:
        await self.stop(signal.SIGKILL)

    async def restart(self, *, sig: int = signal.SIGTERM) -> None:
        await self.stop(sig)
        await self.start()
