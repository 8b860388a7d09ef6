"""This checkout's bot against an earlier version of it, in the same run, with the bare
discord.py bot as the floor: did a change cost command latency, start-up or memory?

    git worktree add /tmp/previous <commit>
    .venv/bin/python -m bench.versions /tmp/previous
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bench.compare import Profile, compare
from bench.process import BARE, OURS


def table(now: Profile, before: Profile, bare: Profile) -> str:
    rows = [
        ("`/about` latency median (ms)", now.median_ms, before.median_ms, bare.median_ms),
        ("`/about` latency p95 (ms)", now.p95_ms, before.p95_ms, bare.p95_ms),
        ("start-up to first answer (s)", now.first_answer_s, before.first_answer_s,
         bare.first_answer_s),
        ("memory after commands (MiB)", now.rss_after_commands_mib,
         before.rss_after_commands_mib, bare.rss_after_commands_mib),
    ]  # fmt: skip
    lines = [
        "| metric | this checkout | previous | bare | this / previous |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, a, b, c in rows:
        lines.append(f"| {name} | {a:.3f} | {b:.3f} | {c:.3f} | {a / b:.3f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "bot" / "__main__.py").is_file():
        print("usage: python -m bench.versions PATH-TO-AN-EARLIER-CHECKOUT", file=sys.stderr)
        return 2
    previous = f"{Path(argv[0]).resolve()}:{OURS}"
    profiles = asyncio.run(compare((OURS, previous, BARE)))
    print(table(profiles[OURS], profiles[previous], profiles[BARE]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
