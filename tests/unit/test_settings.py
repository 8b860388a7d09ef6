from pathlib import Path

import pytest

from bot.settings import DEFAULT_DATABASE, SettingsError, load_settings

BASE = {"DISCORD_TOKEN": "abc.def.ghi"}


def test_defaults() -> None:
    settings = load_settings(BASE)
    assert settings.database_path == DEFAULT_DATABASE
    assert settings.home_guild_id is None and settings.dev_guild_id is None
    assert settings.log_level == "INFO"
    assert settings.api_base_url == "https://discord.com/api/v10"
    assert settings.gateway_url.startswith("wss://")


def test_token_never_in_repr() -> None:
    settings = load_settings(BASE)
    assert "abc.def.ghi" not in repr(settings)
    assert "abc.def.ghi" not in f"{settings.token}"
    assert settings.token.reveal() == "abc.def.ghi"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "  "}, "DISCORD_TOKEN"),
        (BASE | {"HOME_GUILD_ID": "12ab"}, "HOME_GUILD_ID"),
        (BASE | {"DEV_GUILD_ID": "-5"}, "DEV_GUILD_ID"),
        (BASE | {"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        (BASE | {"SHOW_DATA_PATH": "/nonexistent/show.toml"}, "SHOW_DATA_PATH"),
        (BASE | {"TRIVIA_PATH": "/nonexistent/trivia"}, "TRIVIA_PATH"),
        (BASE | {"TRIVIA_PATH": __file__}, "TRIVIA_PATH"),  # a file, not a folder
        (BASE | {"DISCORD_API_BASE_URL": "ftp://x"}, "DISCORD_API_BASE_URL"),
        (BASE | {"DISCORD_GATEWAY_URL": "ws://h/gateway?v=10"}, "DISCORD_GATEWAY_URL"),
        (BASE | {"BOT_CLOCK_OFFSET": "soon"}, "BOT_CLOCK_OFFSET"),
        (BASE | {"METRICS_PORT": "http"}, "METRICS_PORT"),
        (BASE | {"METRICS_PORT": "0"}, "METRICS_PORT"),
        (BASE | {"METRICS_PORT": "65536"}, "METRICS_PORT"),
        (BASE | {"METRICS_HOST": "http://0.0.0.0"}, "METRICS_HOST"),
        (BASE | {"METRICS_HOST": "two words"}, "METRICS_HOST"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    message = str(info.value)
    assert message.startswith(variable) and "\n" not in message


def test_values_are_parsed(tmp_path: Path) -> None:
    settings = load_settings(
        BASE
        | {
            "DATABASE_PATH": str(tmp_path / "x.db"),
            "HOME_GUILD_ID": "123456789012345678",
            "LOG_LEVEL": "debug",
            "DISCORD_API_BASE_URL": "http://127.0.0.1:8080/api/v10/",
        }
    )
    assert settings.database_path == tmp_path / "x.db"
    assert settings.home_guild_id == 123456789012345678
    assert settings.log_level == "DEBUG"
    assert settings.api_base_url == "http://127.0.0.1:8080/api/v10"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        (BASE | {"SHARD_COUNT": "two"}, "SHARD_COUNT"),
        (BASE | {"SHARD_COUNT": "0"}, "SHARD_COUNT"),
        (BASE | {"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        (BASE | {"SHARD_COUNT": "2", "SHARD_IDS": "0"}, "SHARD_IDS names only some shards"),
        (BASE | {"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS names shard 2"),
        (BASE | {"SHARD_COUNT": "4", "SHARD_IDS": "3-1"}, "SHARD_IDS must look like"),
        (BASE | {"SHARD_COUNT": "4", "SHARD_IDS": "a,b"}, "SHARD_IDS must look like"),
        (BASE | {"DATABASE_URL": "mysql://u:hunter2@h/db"}, "DATABASE_URL must look like"),
        (BASE | {"DATABASE_URL": "postgresql://u:hunter2@h:xx/db"}, "DATABASE_URL has a port"),
        (BASE | {"DATABASE_URL": "postgresql://u:hunter2@h:5432/"}, "DATABASE_URL must look like"),
    ],
)
def test_bad_shards_and_database_urls_say_one_line(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env)
    message = str(info.value)
    assert message.startswith(variable) and "\n" not in message
    assert "hunter2" not in message  # a database URL's password is never echoed


def test_shards_and_a_shared_database() -> None:
    env = BASE | {"DATABASE_URL": "postgresql://bot:hunter2@db:5432/aoad"}
    settings = load_settings(env | {"SHARD_COUNT": "6", "SHARD_IDS": "0-1, 4"})
    assert settings.shard_count == 6 and settings.shard_ids == (0, 1, 4)
    assert settings.database_url is not None and "hunter2" not in repr(settings)
    assert load_settings(BASE | {"SHARD_COUNT": "2", "SHARD_IDS": "0-1"}).shard_ids == (0, 1)
    assert load_settings(BASE | {"SHARD_COUNT": "3"}).shard_ids is None
    assert load_settings(BASE).database_url is None


def test_metrics_are_served_only_when_asked_and_on_loopback_by_default() -> None:
    settings = load_settings(BASE)
    assert settings.metrics_port is None and settings.metrics_host == "127.0.0.1"
    settings = load_settings(BASE | {"METRICS_PORT": " 9464 ", "METRICS_HOST": "0.0.0.0"})
    assert (settings.metrics_port, settings.metrics_host) == (9464, "0.0.0.0")
    assert load_settings(BASE | {"METRICS_HOST": "[::1]"}).metrics_host == "::1"
    assert load_settings(BASE | {"METRICS_HOST": "bot-1.internal"}).metrics_host == "bot-1.internal"
