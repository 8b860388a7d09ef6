"""A bot process of either kind (ours or the baseline) against its own fresh fake Discord."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.fakediscord import FakeDiscord
from tests.fakediscord import interactions as fake_interactions
from tests.harness import PROJECT_ROOT, BotProcess, bot_environment

OURS = "bot"
BARE = "bench.bare_bot"
READY_LINE = "ready: logged in as"
# After each answer the fake waits this long for late follow-ups (0.15 s in the tests). /about
# has none, so a shorter pause keeps 640 sequential commands within the time budget.
SETTLE_S = 0.02
# Bytecode of every module the bots import is cached here, outside the project, as a deployed
# bot would have it next to its sources: PYTHONDONTWRITEBYTECODE=1 (set in some shells and many
# container images) would otherwise make our bot recompile its own sources at every start.
PYCACHE = Path(tempfile.gettempdir()) / "aoad-bench-pycache"


class ModuleProcess(BotProcess):
    """`BotProcess`, but running `python -m <module>` instead of `python -m bot`. A module
    written `DIR:module` runs from another checkout (an earlier version of the bot)."""

    def __init__(self, module: str, env: dict[str, str], log_path: Path) -> None:
        super().__init__(env, log_path)
        root, _, name = module.rpartition(":")
        self.root = Path(root) if root else PROJECT_ROOT
        self.module = name

    async def start(self, *, wait_ready: bool = True, timeout: float = 20.0) -> None:
        self._log_offset = len(self.log)
        with self.log_path.open("ab") as sink:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module,
                cwd=self.root, env=self.env, stdout=sink, stderr=sink,
                stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        if wait_ready:
            await self.wait_for_log(READY_LINE, timeout=timeout)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def rss_mib(self) -> float:
        """Resident set size now, from /proc/PID/status."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS in /proc status")


def cache_bytecode(env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(PYCACHE)}


@asynccontextmanager
async def fresh_world(
    module: str, *, bytecode_cache: bool = True, **env_overrides: str
) -> AsyncIterator[tuple[FakeDiscord, ModuleProcess]]:
    """A new fake Discord (global limit 50 req/s) and a not yet started bot with an empty
    database; both are stopped on exit. Without `bytecode_cache` the bot inherits this
    process's environment as it is."""
    fake_interactions.SETTLE_S = SETTLE_S
    fake = FakeDiscord(global_rate_limit=50)
    await fake.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            env = bot_environment(fake, Path(tmp) / "bot.db", **env_overrides)
            env = cache_bytecode(env) if bytecode_cache else env
            bot = ModuleProcess(module, env, Path(tmp) / "bot.log")
            try:
                yield fake, bot
            finally:
                await bot.stop()
    finally:
        await fake.stop()
