"""Every test process reads the reply catalogues once, as the bot does at start-up."""

from __future__ import annotations

import pytest

from bot.i18n import load_texts

pytest_plugins = ["tests.pgfixtures"]  # pg_server, pg_url


@pytest.fixture(autouse=True, scope="session")
def texts_loaded() -> None:
    load_texts()
