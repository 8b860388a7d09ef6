"""The results as markdown."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime

import discord

from bench.compare import COMMANDS, STARTS, WARMUP, Profile
from bench.scale import BURST_LIMIT, FAN_OUT_LIMIT

REPRODUCE = "`make bench` (= `./dev bench`, which runs `.venv/bin/python -m bench`)"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"discord.py {discord.__version__}"
    )


def comparison(ours: Profile, bare: Profile) -> str:
    inherited = f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE') or 'unset'}"

    def row(label: str, a: float, b: float, unit_format: str) -> list[str]:
        return [label, format(a, unit_format), format(b, unit_format), f"{a / b:.2f}"]

    rows = [
        row("/about latency, median (ms)", ours.median_ms, bare.median_ms, ".2f"),
        row("/about latency, p95 (ms)", ours.p95_ms, bare.p95_ms, ".2f"),
        row("start-up: spawn → first /about answered (s)", ours.first_answer_s,
            bare.first_answer_s, ".2f"),
        row("start-up: spawn → `ready` log line (s)", ours.ready_line_s, bare.ready_line_s,
            ".2f"),
        row(f"start-up: spawn → first /about, {inherited} (s)", ours.first_answer_inherited_s,
            bare.first_answer_inherited_s, ".2f"),
        row("RSS after start-up (MiB)", ours.rss_started_mib, bare.rss_started_mib, ".1f"),
        row(f"RSS after {COMMANDS} commands (MiB)", ours.rss_after_commands_mib,
            bare.rss_after_commands_mib, ".1f"),
    ]  # fmt: skip
    notes = (
        f"Latency: {COMMANDS} sequential `/about` per bot after {WARMUP} warm-up ones, the two "
        "bots (each with its own fake) taking turns; the time from the fake sending "
        "INTERACTION_CREATE to the interaction callback arriving. "
        f"Start-up: median of {STARTS} starts, each with a fresh fake and an empty database "
        "(so both bots sync their commands); the first answered `/about` is the headline, "
        "since discord.py answers commands during its ~2 s wait for GUILD_CREATEs before "
        "`on_ready`. Bytecode is cached (in a temp dir, filled by an untimed start) as in a "
        f"normal deployment, except in the row marked {inherited}, which runs the bots with "
        "this shell's environment (with the variable set, our bot recompiles its own sources "
        "at each start; discord.py's bytecode comes with its install). "
        "RSS from /proc/PID/status (VmRSS), bytecode cached."
    )
    return table(["metric", "ours", "bare discord.py", "ours / bare"], rows) + "\n\n" + notes


SCALE_NOTES = (
    "Fan-out: the fake and the bot both at a global limit of "
    f"{FAN_OUT_LIMIT} requests/s (`DISCORD_RATE_LIMIT`); subscribers written into the bot's "
    "database with their DM channels remembered, then one `/admin update`. Requests: "
    "`POST /channels/*/messages` and DM opens, from the update to the last DM; a duplicate is "
    "a member with the update twice. RSS from /proc (VmRSS) before the update and after the "
    "last DM. `/cast` latency: sequential `/cast name:` from the fake, idle before the update "
    "and during the 10,000-DM fan-out. Role ping: an update with only role subscribers. "
    f"Burst: 1,000 members run `/notify on via:dm` at the same moment, limit {BURST_LIMIT}/s; "
    "the final answer is the one the member reads (the initial response, or the followup "
    "after a deferral)."
)


def document(
    ours: Profile,
    bare: Profile,
    scale: str,
    cluster: str,
    autocomplete: str,
    elapsed_s: float,
    metrics: str,
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "# Benchmarks",
            "",
            f"- date: {now}",
            f"- machine: {machine()}",
            f"- reproduce: {REPRODUCE}; took {elapsed_s:.0f} s",
            "- against the fake Discord of `tests/fakediscord` on 127.0.0.1",
            "",
            "## Our bot against a bare discord.py bot",
            "",
            comparison(ours, bare),
            "",
            "## At scale (our bot): fan-out, memory, commands during it, a subscription burst",
            "",
            scale,
            "",
            SCALE_NOTES,
            "",
            cluster,
            "",
            metrics,
            "",
            "## Name autocomplete (`python -m bench.bench_autocomplete`)",
            "",
            "```",
            autocomplete.rstrip(),
            "```",
            "",
        ]
    )
