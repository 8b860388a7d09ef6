"""English and Korean: the reply catalogues and the slash-command translations.

Every text lives in `bot/texts/`: one TOML catalogue per feature, each key with its `en` and
`ko` text, and `commands.toml` for command names and descriptions. `load_texts()` reads them
all once at start-up and refuses a key defined twice, a missing language, or placeholders
that differ between the languages, so a bad edit stops the bot instead of a reply.
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from typing import Literal, NamedTuple

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")
TEXTS_DIR = Path(__file__).resolve().parent / "texts"
COMMANDS_FILE = "commands.toml"


class TextsError(Exception):
    """A catalogue that cannot be used; the message names the file and the key."""


def lang_of(locale: object) -> Lang:
    """Korean for Korean clients (a `discord.Locale` or its value), English for everyone else."""
    return "ko" if str(locale or "").startswith("ko") else "en"


class Catalogue(NamedTuple):
    messages: dict[str, dict[Lang, str]]
    commands_ko: dict[str, str]  # English source string of a command name/description -> Korean


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _read_messages(path: Path, into: dict[str, dict[Lang, str]]) -> None:
    for key, entry in tomllib.loads(path.read_text("utf-8")).items():
        where = f"{path.name}: {key}"
        if key in into:
            raise TextsError(f"{where}: defined twice")
        if not isinstance(entry, dict) or set(entry) != set(LANGS):
            raise TextsError(f"{where}: needs exactly the texts {', '.join(LANGS)}")
        texts = {lang: entry[lang] for lang in LANGS}
        if not all(isinstance(text, str) and text for text in texts.values()):
            raise TextsError(f"{where}: every text must be a non-empty string")
        if _placeholders(texts["en"]) != _placeholders(texts["ko"]):
            raise TextsError(f"{where}: en and ko use different {{placeholders}}")
        into[key] = texts


def _read_commands(path: Path) -> dict[str, str]:
    table = tomllib.loads(path.read_text("utf-8")).get("ko", {})
    if not all(isinstance(v, str) and v for v in table.values()):
        raise TextsError(f"{path.name}: every Korean command text must be a non-empty string")
    return dict(table)


def read_catalogue(directory: Path = TEXTS_DIR) -> Catalogue:
    messages: dict[str, dict[Lang, str]] = {}
    try:
        for path in sorted(directory.glob("*.toml")):
            if path.name != COMMANDS_FILE:
                _read_messages(path, messages)
        commands_ko = _read_commands(directory / COMMANDS_FILE)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TextsError(f"{directory}: {exc}") from exc
    return Catalogue(messages, commands_ko)


_loaded: Catalogue | None = None


def load_texts(directory: Path = TEXTS_DIR) -> Catalogue:
    """Read every catalogue (at start-up, before any reply or command sync)."""
    global _loaded
    _loaded = read_catalogue(directory)
    return _loaded


def catalogue() -> Catalogue:
    if _loaded is None:
        raise RuntimeError("texts are not loaded: call bot.i18n.load_texts() at start-up")
    return _loaded


def t(lang: Lang, key: str, **values: object) -> str:
    """The reply `key` in `lang`; a missing key is a bug, and the catalogue test catches it."""
    return catalogue().messages[key][lang].format(**values)
