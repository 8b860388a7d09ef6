"""Every benchmark, one after the other; the markdown goes to stdout and bench/results.md."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from bench.cluster import measure as measure_cluster
from bench.cluster import section as cluster_section
from bench.compare import compare, progress
from bench.metrics_cost import measure as measure_metrics_cost
from bench.metrics_cost import section as metrics_cost_section
from bench.process import BARE, OURS
from bench.report import document
from bench.scale import markdown as scale_markdown
from bench.scale import measure as measure_scale
from tests.harness import PROJECT_ROOT

RESULTS = Path(__file__).resolve().parent / "results.md"


def autocomplete_table() -> str:
    """bench_autocomplete's own table, run in its own process (it is CPU-bound)."""
    progress("name autocomplete")
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_autocomplete"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


async def collect() -> str:
    started = time.monotonic()
    profiles = await compare((OURS, BARE))
    scale = scale_markdown(await measure_scale())
    cluster = cluster_section(await measure_cluster())
    metrics = metrics_cost_section(await measure_metrics_cost())
    autocomplete = autocomplete_table()
    elapsed = time.monotonic() - started
    return document(profiles[OURS], profiles[BARE], scale, cluster, autocomplete, elapsed,
                    metrics)  # fmt: skip


def sections(markdown: str) -> dict[str, str]:
    """Each `## ` section of a results document, by its heading line."""
    parts = markdown.split("\n## ")[1:]
    return {"## " + part.split("\n", 1)[0]: "## " + part.rstrip() + "\n" for part in parts}


def keep_others(markdown: str, old: str) -> str:
    """`markdown`, followed by the sections of the old results that this run does not write
    (the bursts of `bench.rooms` and `bench.trivia`, run on their own)."""
    written = sections(markdown)
    kept = [text for heading, text in sections(old).items() if heading not in written]
    return "\n".join([markdown.rstrip() + "\n", *kept])


def main() -> int:
    markdown = asyncio.run(collect())
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(keep_others(markdown, old), encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
