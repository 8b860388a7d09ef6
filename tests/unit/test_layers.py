"""The floors point down: importing a use case brings in neither discord.py nor the sender,
and the news-feed package neither Discord nor the database. Each check runs in a fresh
interpreter, so what an earlier test imported does not count."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness import PROJECT_ROOT


def imported_by(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


USE_CASES = ["bot.usecases", "bot.usecases.feed_poller", "bot.usecases.ports"]
FEEDS = ["bot.feeds", "bot.feeds.fetch", "bot.feeds.parse", "bot.feeds.match"]


@pytest.mark.parametrize(
    ("modules", "forbidden"),
    [
        (USE_CASES, ["discord", "bot.outbox.sender", "bot.outbox.dispatcher", "bot.ui"]),
        (FEEDS, ["discord", "bot.store", "bot.usecases"]),
    ],
)
def test_lower_floors_do_not_import_higher_ones(modules: list[str], forbidden: list[str]) -> None:
    loaded = imported_by(modules)
    assert set(modules) <= loaded  # the check itself imported what it names
    leaks = sorted(m for m in loaded if any(m == f or m.startswith(f + ".") for f in forbidden))
    assert leaks == []
