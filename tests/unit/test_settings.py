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
        (BASE | {"DISCORD_API_BASE_URL": "ftp://x"}, "DISCORD_API_BASE_URL"),
        (BASE | {"DISCORD_GATEWAY_URL": "ws://h/gateway?v=10"}, "DISCORD_GATEWAY_URL"),
        (BASE | {"BOT_CLOCK_OFFSET": "soon"}, "BOT_CLOCK_OFFSET"),
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
