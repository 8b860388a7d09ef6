"""Korean localization: command names/descriptions for Discord, and the bot's own replies."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

Lang = Literal["en", "ko"]


def lang_of(locale: discord.Locale | str | None) -> Lang:
    """Korean for Korean clients, English for everyone else."""
    return "ko" if str(locale or "").startswith("ko") else "en"


# English source string -> Korean. Command and option names must stay lowercase, no spaces.
COMMAND_STRINGS_KO: dict[str, str] = {}


def register_ko(strings: dict[str, str]) -> None:
    """Cogs register their own command translations next to the commands they describe."""
    for english, korean in strings.items():
        known = COMMAND_STRINGS_KO.setdefault(english, korean)
        if known != korean:
            raise ValueError(f"conflicting Korean for {english!r}: {known!r} vs {korean!r}")


class Translator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.korean:
            return None
        return COMMAND_STRINGS_KO.get(string.message)


# Replies shared across cogs. Cog-specific replies live with their cog.
MESSAGES: dict[str, dict[Lang, str]] = {
    "error.internal": {
        "en": "Something went wrong on our side. The moderators can find it in the log "
        "under reference `{ref}`.",
        "ko": "봇 내부에서 문제가 생겼어요. 관리자는 로그에서 참조 번호 `{ref}`로 찾을 수 있어요.",
    },
    "error.guild_only": {
        "en": "This command works in servers only.",
        "ko": "이 명령어는 서버에서만 쓸 수 있어요.",
    },
    "error.not_allowed": {
        "en": "You can't use this command here.",
        "ko": "여기에서는 이 명령어를 쓸 수 없어요.",
    },
    "error.cooldown": {
        "en": "Slow down a little: try again {when}.",
        "ko": "조금만 천천히요: {when}에 다시 시도해 주세요.",
    },
}


def t(lang: Lang, key: str, **values: object) -> str:
    """The reply `key` in `lang`, English when a Korean text is missing."""
    texts = MESSAGES[key]
    return (texts.get(lang) or texts["en"]).format(**values)


def add_messages(messages: dict[str, dict[Lang, str]]) -> None:
    for key, texts in messages.items():
        if key in MESSAGES and MESSAGES[key] != texts:
            raise ValueError(f"message key {key!r} defined twice")
        MESSAGES[key] = texts
