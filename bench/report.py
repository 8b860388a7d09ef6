"""The results as markdown."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime

import discord

from bench.compare import COMMANDS, STARTS, WARMUP, Profile
from bench.fanout import GLOBAL_LIMIT, FanOut

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


def fan_out(runs: Sequence[FanOut], subscribers: int) -> str:
    rows = [
        [
            r.label,
            str(r.dms),
            f"{r.requests} ({r.dm_opens} DM opens)",
            f"{r.seconds:.2f}",
            f"{r.per_second:.1f}",
            f"{r.of_limit:.0%}",
            str(r.too_many),
        ]
        for r in runs
    ]
    header = ["run", "DMs", "requests", "to last DM (s)", "req/s", f"of {GLOBAL_LIMIT}/s", "429s"]
    notes = (
        f"{subscribers} DM subscribers plus the announcement channel; the fake enforces a "
        f"global limit of {GLOBAL_LIMIT} requests/s. Requests: `POST /channels/*/messages` and "
        "`POST /users/@me/channels`; time and rate from sending `/admin update` to the last "
        "DM reaching the fake. `/notify on` already opens (and remembers) each DM channel with "
        "its welcome DM, so for the 1st update the bench deletes the remembered channels from "
        "the bot's database, making every DM open its channel again."
    )
    return table(header, rows) + "\n\n" + notes


def document(
    ours: Profile,
    bare: Profile,
    runs: Sequence[FanOut],
    subscribers: int,
    autocomplete: str,
    elapsed_s: float,
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
            "## Notification fan-out (our bot)",
            "",
            fan_out(runs, subscribers),
            "",
            "## Name autocomplete (`python -m bench.bench_autocomplete`)",
            "",
            "```",
            autocomplete.rstrip(),
            "```",
            "",
        ]
    )
