"""Start-up failures: one clear line naming the variable, a non-zero exit, no traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import PROJECT_ROOT, TEST_TOKEN


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "BOT_"))}
    # Empty values win over a developer's .env, so the test sees only what it sets.
    blank = dict.fromkeys(
        [
            "DISCORD_TOKEN",
            "HOME_GUILD_ID",
            "DEV_GUILD_ID",
            "SHOW_DATA_PATH",
            "DATABASE_PATH",
            "DATABASE_URL",
            "SHARD_COUNT",
            "SHARD_IDS",
            "METRICS_PORT",
            "METRICS_HOST",
        ],
        "",
    )
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=base | blank | env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_without_token_one_line_names_the_variable() -> None:
    result = run_bot({})
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "DISCORD_TOKEN" in lines[0] and ".env.example" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"HOME_GUILD_ID": "not-a-number"}, "HOME_GUILD_ID"),
        ({"DEV_GUILD_ID": "12"}, "DEV_GUILD_ID"),
        ({"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        ({"SHOW_DATA_PATH": "/no/such/show.toml"}, "SHOW_DATA_PATH"),
        ({"METRICS_PORT": "ninety"}, "METRICS_PORT"),
    ],
)
def test_bad_value_one_line_names_the_variable(env: dict[str, str], variable: str) -> None:
    result = run_bot({"DISCORD_TOKEN": TEST_TOKEN} | env)
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], lines
    assert TEST_TOKEN not in result.stdout + result.stderr


def test_invalid_show_file_names_variable_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "show.toml"
    original = (PROJECT_ROOT / "data" / "show.toml").read_text("utf-8")
    bad.write_text(original.replace("\n[series]\n", "\n[seriess]\n", 1), "utf-8")
    result = run_bot(
        {
            "DISCORD_TOKEN": TEST_TOKEN,
            "SHOW_DATA_PATH": str(bad),
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",
        }
    )
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert "SHOW_DATA_PATH" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_discord_is_one_clear_line(tmp_path: Path) -> None:
    result = run_bot(
        {
            "DISCORD_TOKEN": TEST_TOKEN,
            "DATABASE_PATH": str(tmp_path / "bot.db"),
            "DISCORD_API_BASE_URL": "http://127.0.0.1:9/api/v10",  # nothing listens on port 9
        }
    )
    assert result.returncode != 0
    assert "cannot reach Discord" in result.stderr
    assert "Traceback" not in result.stderr
    assert TEST_TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, "SHARD_IDS names only some shards"),
        ({"SHARD_COUNT": "-1"}, "SHARD_COUNT"),
        # nothing listens on port 9: the server cannot be reached
        ({"DATABASE_URL": "postgresql://bot:hunter2-secret@127.0.0.1:9/aoad"}, "DATABASE_URL"),
    ],
)
def test_bad_shards_or_database_stop_start_up_with_one_line(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    result = run_bot({"DISCORD_TOKEN": TEST_TOKEN} | env)
    assert result.returncode == 2
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {variable}"), lines
    assert "hunter2-secret" not in result.stdout + result.stderr


def test_a_metrics_port_in_use_stops_start_up_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"DISCORD_TOKEN": TEST_TOKEN, "DATABASE_PATH": str(tmp_path / "bot.db")}
        result = run_bot(env | {"METRICS_PORT": str(port)})
    assert result.returncode == 2
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: METRICS_PORT: cannot listen on"), lines
    assert str(port) in lines[0] and "Traceback" not in result.stderr
