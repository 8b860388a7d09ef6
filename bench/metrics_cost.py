"""What serving health and metrics costs a command: `/about` latency of our bot with
`METRICS_PORT` set, its /metrics scraped every 5 s (and /readyz read every 10 s, as the watchdog
does), against the same bot without, in one run.

In each round two fresh bots run at once, each against its own fake Discord, and take turns
(the first of each turn alternating), so that a slow moment of the machine hits both; the
ratio of their medians is the round's. The headline is the median of the rounds' ratios.
`--calibrate` runs the same rounds with neither bot serving metrics: the ratios it finds are
the noise of the machine, against which to read the others.

    .venv/bin/python -m bench.metrics_cost [--rounds N] [--commands N] [--calibrate]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bench.compare import _about_ms, progress
from bench.process import OURS, ModuleProcess, fresh_world
from tests.fakediscord import interactions as fake_interactions

ROUNDS = 6
COMMANDS = 800  # per bot and round
WARMUP = 50
SCRAPE_EVERY_S = 5.0
READYZ_EVERY_S = 10.0
# /about has no follow-up to wait for: a short pause after each answer fits more commands, and
# so more scrapes, in the same time
SETTLE_S = 0.005
BUDGET = 1.02  # the cost allowed: 2 %


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


@dataclass(frozen=True)
class Round:
    plain_ms: list[float]  # /about without METRICS_PORT
    metered_ms: list[float]  # /about with it, scraped (calibrating: also without)
    plain_cpu_s: float  # the bot process's CPU time over those commands
    metered_cpu_s: float

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.metered_ms) / statistics.median(self.plain_ms)

    @property
    def p95_ratio(self) -> float:
        return _p95(self.metered_ms) / _p95(self.plain_ms)


@dataclass(frozen=True)
class Cost:
    rounds: list[Round]
    scrape_ms: list[float]  # each GET /metrics, as the scraper saw it
    readyz_ms: list[float]
    elapsed_s: float
    calibration: bool

    @property
    def median_ratio(self) -> float:
        return statistics.median(r.median_ratio for r in self.rounds)

    @property
    def p95_ratio(self) -> float:
        return statistics.median(r.p95_ratio for r in self.rounds)

    def pooled(self, metered: bool) -> list[float]:
        return [ms for r in self.rounds for ms in (r.metered_ms if metered else r.plain_ms)]

    def cpu_us(self, metered: bool) -> float:
        """CPU time per command, all rounds."""
        seconds = sum(r.metered_cpu_s if metered else r.plain_cpu_s for r in self.rounds)
        return seconds / len(self.pooled(metered)) * 1e6


async def _every(
    seconds: float, session: aiohttp.ClientSession, url: str, check: Callable[[str], None],
    took: list[float],
) -> None:  # fmt: skip
    while True:
        await asyncio.sleep(seconds)
        started = time.perf_counter()
        async with session.get(url) as response:
            body = await response.text()
            assert response.status == 200, (url, response.status, body)
        took.append((time.perf_counter() - started) * 1000)
        check(body)


def _has_commands(body: str) -> None:
    names = {s.name for f in text_string_to_metric_families(body) for s in f.samples}
    assert "aoad_interactions_total" in names, "no command counted in /metrics"


def _ready(body: str) -> None:
    assert body == "ready\n", body


def _cpu_s(bot: ModuleProcess) -> float:
    """The process's user and system CPU time so far, from /proc/PID/stat."""
    assert bot.proc is not None
    fields = Path(f"/proc/{bot.proc.pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _round(commands: int, calibration: bool, scrape_ms: list[float],
                 readyz_ms: list[float], *, metered_first: bool) -> Round:  # fmt: skip
    """One round; `metered_first`: the metered bot's world is made and started first (the
    rounds alternate, as the first of two may be a little faster or slower)."""
    port = _free_port()
    metered_env = {} if calibration else {"METRICS_PORT": str(port)}
    async with AsyncExitStack() as stack:
        worlds = [fresh_world(OURS), fresh_world(OURS, **metered_env)]
        if metered_first:
            worlds.reverse()
        entered = [await stack.enter_async_context(world) for world in worlds]
        if metered_first:
            entered.reverse()
        (plain_fake, plain_bot), (metered_fake, metered_bot) = entered
        session = await stack.enter_async_context(
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        )
        fake_interactions.SETTLE_S = SETTLE_S
        for bot in (metered_bot, plain_bot) if metered_first else (plain_bot, metered_bot):
            await bot.start()
        base = f"http://127.0.0.1:{port}"
        background = [] if calibration else [
            asyncio.create_task(_every(SCRAPE_EVERY_S, session, f"{base}/metrics",
                                       _has_commands, scrape_ms)),
            asyncio.create_task(_every(READYZ_EVERY_S, session, f"{base}/readyz", _ready,
                                       readyz_ms)),
        ]  # fmt: skip
        plain: list[float] = []
        metered: list[float] = []
        turns: list[tuple[list[float], Callable[[], Awaitable[float]]]] = [
            (plain, lambda: _about_ms(plain_fake)),
            (metered, lambda: _about_ms(metered_fake)),
        ]
        cpu = {}
        try:
            for i in range(WARMUP + commands):
                if i == WARMUP:
                    cpu = {bot: _cpu_s(bot) for bot in (plain_bot, metered_bot)}
                for samples, about in turns if i % 2 == 0 else reversed(turns):
                    latency = await about()
                    if i >= WARMUP:
                        samples.append(latency)
                for task in background:
                    if task.done():
                        task.result()  # a failed scrape fails the benchmark
            cpu = {bot: _cpu_s(bot) - before for bot, before in cpu.items()}
        finally:
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
    return Round(plain, metered, cpu[plain_bot], cpu[metered_bot])


async def measure(
    rounds: int = ROUNDS, commands: int = COMMANDS, *, calibration: bool = False
) -> Cost:
    started = time.monotonic()
    scrape_ms: list[float] = []
    readyz_ms: list[float] = []
    done = []
    what = "neither bot serving metrics (calibration)" if calibration else "one of them scraped"
    for n in range(rounds):
        progress(f"metrics cost, round {n + 1}/{rounds}: {WARMUP} + {commands} x /about on"
                 f" each of two bots, {what}")  # fmt: skip
        done.append(await _round(commands, calibration, scrape_ms, readyz_ms,
                                 metered_first=n % 2 == 1))  # fmt: skip
    return Cost(done, scrape_ms, readyz_ms, time.monotonic() - started, calibration)


def section(cost: Cost) -> str:
    def ms(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} / {_p95(values):.2f}"

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.1f} / {max(values):.1f}" if values else "-"

    rounds, commands = len(cost.rounds), len(cost.rounds[0].plain_ms)
    ratios = ", ".join(f"{r.median_ratio:.3f}" for r in cost.rounds)
    second = "the same, also without" if cost.calibration else "with it, scraped"
    verdict = "within" if cost.median_ratio <= BUDGET else "over"
    flag = " --calibrate" if cost.calibration else ""
    lines = [
        "## Health and metrics: what serving and scraping them costs a command",
        "",
        f"(`python -m bench.metrics_cost --rounds {rounds} --commands {commands}{flag}`,"
        f" took {cost.elapsed_s:.0f} s)",
        "",
        f"| `/about` latency, median / p95 (ms) | without `METRICS_PORT` | {second} |"
        " ratio, median of the rounds |",
        "|---|---|---|---|",
        f"| {rounds} rounds of {commands} commands each | {ms(cost.pooled(False))} |"
        f" {ms(cost.pooled(True))} | {cost.median_ratio:.3f} / {cost.p95_ratio:.3f} |",
        f"| the bot's CPU time per command (µs) | {cost.cpu_us(False):.0f} |"
        f" {cost.cpu_us(True):.0f} | {cost.cpu_us(True) / cost.cpu_us(False):.3f} (all rounds) |",
        "",
        f"The rounds' ratios of the medians: {ratios}."
        + (
            " Neither bot serves metrics here: this is the noise of the machine."
            if cost.calibration
            else f" Cost: {(cost.median_ratio - 1) * 100:+.1f}% ({verdict} the 2% allowed)."
            f" {len(cost.scrape_ms)} scrapes of /metrics took {spread(cost.scrape_ms)} ms"
            f" (median / slowest), {len(cost.readyz_ms)} reads of /readyz"
            f" {spread(cost.readyz_ms)} ms."
        ),
        "",
        "In each round two fresh bots of ours, on SQLite, run at once, each against its own"
        " fake Discord (which of the two starts first alternating from round to round), and"
        " take turns (who goes first alternating) after"
        f" {WARMUP} warm-up commands each; one has `METRICS_PORT` set, its /metrics read every"
        f" {SCRAPE_EVERY_S:.0f} s (and parsed, as Prometheus would) and its /readyz every"
        f" {READYZ_EVERY_S:.0f} s, as the watchdog does. Latency as above: from the fake"
        " sending INTERACTION_CREATE to the callback arriving, but the fake waits"
        f" {SETTLE_S * 1000:.0f} ms after each answer, not 20 ms (which makes a command"
        " faster here than above). CPU time: the bot process's"
        " user and system time (/proc/PID/stat) over the measured commands, scrapes included.",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.metrics_cost",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--commands", type=int, default=COMMANDS, help="per bot and round")
    parser.add_argument("--calibrate", action="store_true", help="neither bot serves metrics")
    args = parser.parse_args(argv)
    cost = asyncio.run(measure(args.rounds, args.commands, calibration=args.calibrate))
    print(section(cost))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
