"""Every test process reads the reply catalogues once, as the bot does at start-up; the
longest files are handed out first, so that no worker starts one when the others are done."""

from __future__ import annotations

import pytest

from bot.i18n import load_texts

pytest_plugins = ["tests.pgfixtures"]  # pg_server, pg_url


@pytest.fixture(autouse=True, scope="session")
def texts_loaded() -> None:
    load_texts()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files marked `long` first (xdist's loadfile hands files out in this order)."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)  # a stable sort
