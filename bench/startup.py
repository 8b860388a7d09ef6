"""Start-up only, in one run: our bot against the bare discord.py bot (and, if given, earlier
checkouts of ours), spawn → first `/about` answered and spawn → `ready` line, the bots taking
turns start after start so that a slow moment of the machine hits all of them. Each start has a
fresh fake and an empty database, bytecode cached, as in `bench.compare`; more starts than its
three, since one start varies by ±0.1 s on a shared machine.

    .venv/bin/python -m bench.startup [--starts N] [EARLIER-CHECKOUT ...]

(an earlier checkout: `git worktree add /tmp/previous <commit>`, see `bench.versions`)
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.compare import Startup, measure_startup, progress
from bench.process import BARE, OURS


async def startups(modules: Sequence[str], starts: int) -> dict[str, list[Startup]]:
    for module in modules:
        progress(f"untimed start of {module}, to fill the bytecode cache")
        await measure_startup(module)
    measured: dict[str, list[Startup]] = {m: [] for m in modules}
    for i in range(starts):
        progress(f"start-up {i + 1}/{starts} of each bot")
        for module in modules:
            measured[module].append(await measure_startup(module))
    return measured


def table(measured: dict[str, list[Startup]]) -> str:
    bare = measured[BARE]
    first_bare = statistics.median(s.first_answer_s for s in bare)
    ready_bare = statistics.median(s.ready_line_s for s in bare)
    lines = [
        f"| bot (median of {len(bare)} starts) | spawn → first /about (s) | / bare"
        " | spawn → ready line (s) | / bare |",
        "| --- | --- | --- | --- | --- |",
    ]
    for module, runs in measured.items():
        first = statistics.median(s.first_answer_s for s in runs)
        ready = statistics.median(s.ready_line_s for s in runs)
        lines.append(
            f"| {module} | {first:.3f} | {first / first_bare:.2f} | {ready:.3f}"
            f" | {ready / ready_bare:.2f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=15, help="starts of each bot")
    parser.add_argument("earlier", nargs="*", help="checkouts of an earlier version")
    args = parser.parse_args(argv)
    for path in args.earlier:
        if not (Path(path) / "bot" / "__main__.py").is_file():
            parser.error(f"{path} is not a checkout of the bot")
    earlier = [f"{Path(p).resolve()}:{OURS}" for p in args.earlier]
    measured = asyncio.run(startups([OURS, *earlier, BARE], args.starts))
    print(table(measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
