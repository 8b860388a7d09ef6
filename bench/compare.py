"""Our bot against the bare one: /about latency, start-up time and memory."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass

from bench.process import READY_LINE, ModuleProcess, fresh_world
from tests.fakediscord import FakeDiscord

WARMUP = 20
COMMANDS = 300
STARTS = 3
START_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Startup:
    first_answer_s: float  # spawn -> the first /about's callback reached the fake
    ready_line_s: float  # spawn -> "ready: logged in as" in the log


@dataclass(frozen=True)
class Profile:
    """Everything measured of one bot."""

    latency_ms: list[float]
    startups: list[Startup]  # bytecode cached
    startups_inherited: list[Startup]  # this process's environment as it is
    rss_started_mib: float
    rss_after_commands_mib: float

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latency_ms)

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latency_ms, n=100, method="inclusive")[94]

    @property
    def first_answer_s(self) -> float:
        return statistics.median(s.first_answer_s for s in self.startups)

    @property
    def ready_line_s(self) -> float:
        return statistics.median(s.ready_line_s for s in self.startups)

    @property
    def first_answer_inherited_s(self) -> float:
        return statistics.median(s.first_answer_s for s in self.startups_inherited)


def progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


async def _about_ms(fake: FakeDiscord) -> float:
    result = await fake.invoke("about", member=fake.guild.fan)
    assert result.embeds, f"/about answered without an embed: {result}"
    return result.latency * 1000


async def _first_answer(fake: FakeDiscord, bot: ModuleProcess, deadline: float) -> float:
    """When the first /about is answered: tried as soon as the bot is on the gateway and the
    command is synced."""
    while time.monotonic() < deadline:
        if not bot.alive:
            raise AssertionError(f"bot exited during start-up:\n{bot.new_log()[-3000:]}")
        if fake.gateway.connected and "about" in fake.commands.get(None, {}):
            sent = time.monotonic()
            try:
                result = await fake.invoke("about", member=fake.guild.fan)
            except AssertionError:  # not answered: not listening yet, try again
                continue
            return sent + result.latency
        await asyncio.sleep(0.002)
    raise AssertionError(f"no /about answered within {START_TIMEOUT_S}s:\n{bot.new_log()}")


async def _ready_line(bot: ModuleProcess, deadline: float) -> float:
    while READY_LINE not in bot.new_log():
        if time.monotonic() > deadline:
            raise AssertionError(f"no ready line within {START_TIMEOUT_S}s:\n{bot.new_log()}")
        await asyncio.sleep(0.005)
    return time.monotonic()


async def measure_startup(module: str, *, bytecode_cache: bool = True) -> Startup:
    """One start with a fresh fake and an empty database, so both bots sync their commands."""
    async with fresh_world(module, bytecode_cache=bytecode_cache) as (fake, bot):
        spawned = time.monotonic()
        await bot.start(wait_ready=False)
        deadline = spawned + START_TIMEOUT_S
        answered, ready = await asyncio.gather(
            _first_answer(fake, bot, deadline), _ready_line(bot, deadline)
        )
        return Startup(answered - spawned, ready - spawned)


@dataclass
class _Commands:
    latency_ms: list[float]
    rss_started_mib: float
    rss_after_mib: float = 0.0


async def measure_commands(modules: tuple[str, ...]) -> dict[str, _Commands]:
    """Both bots run at once, each against its own fake, and take turns answering, so that
    a slow moment of the machine hits both."""
    async with AsyncExitStack() as stack:
        worlds = {m: await stack.enter_async_context(fresh_world(m)) for m in modules}
        for _fake, bot in worlds.values():
            await bot.start()
        results = {m: _Commands([], bot.rss_mib()) for m, (_fake, bot) in worlds.items()}
        for i in range(WARMUP + COMMANDS):
            for module, (fake, _bot) in worlds.items():
                latency = await _about_ms(fake)
                if i >= WARMUP:
                    results[module].latency_ms.append(latency)
        for module, (_fake, bot) in worlds.items():
            results[module].rss_after_mib = bot.rss_mib()
        return results


async def _startups(modules: tuple[str, ...], *, bytecode_cache: bool) -> dict[str, list[Startup]]:
    """Alternating between the bots, so that a slow moment of the machine hits both."""
    startups: dict[str, list[Startup]] = {m: [] for m in modules}
    for i in range(STARTS):
        for module in modules:
            progress(f"start-up {i + 1}/{STARTS} of {module} (bytecode cache: {bytecode_cache})")
            startups[module].append(await measure_startup(module, bytecode_cache=bytecode_cache))
    return startups


async def compare(modules: tuple[str, ...]) -> dict[str, Profile]:
    for module in modules:
        progress(f"untimed start of {module}, to fill the bytecode cache")
        await measure_startup(module)
    cached = await _startups(modules, bytecode_cache=True)
    inherited = await _startups(modules, bytecode_cache=False)
    progress(f"{WARMUP} + {COMMANDS} x /about on each bot, taking turns")
    commands = await measure_commands(modules)
    return {
        m: Profile(c.latency_ms, cached[m], inherited[m], c.rss_started_mib, c.rss_after_mib)
        for m, c in commands.items()
    }
