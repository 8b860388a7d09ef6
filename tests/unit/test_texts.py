"""The catalogues: every key the code uses exists in English and Korean, and a bad catalogue
is refused at load with the file and key named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import LANGS, TextsError, catalogue, read_catalogue
from bot.notify.plan import BROADCASTS, KINDS
from bot.store.records import REMINDERS, VIAS
from bot.ui.notify import register_notices
from bot.usecases.rooms import PROGRESS, ROOMS_OPEN

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("cogs").glob("*.py")])
# A literal key: t(lang, "key"), label(lang, "key"), InputError("key"), ….
LITERAL = re.compile(
    r"""\b(?:t|label|InputError|PremiereInputError)\(\s*(?:[\w.()]+,\s*)?["']([a-z_0-9]+\.[a-z_0-9.]+)["']"""
)
# A key built at run time: t(lang, f"prefix.{…}").
BUILT = re.compile(r"""\b(?:t|label)\(\s*[\w.()]+,\s*f["']([a-z_0-9.]+)\{""")
# Every prefix built at run time, and every value it is built with.
BUILT_VALUES: dict[str, tuple[str, ...]] = {
    "kind.": (*KINDS, PROGRESS, ROOMS_OPEN),
    "notice.": BROADCASTS,
    "via.": VIAS,
    "notify.role_": ("forbidden",),
    "status.": ("returning", "new"),
    "reminders.": REMINDERS,
    "rooms.missing.": ("manage_channels", "manage_roles", "role_above"),
    "news.": ("approved", "dismissed", "announced", "seen", "pending", "approve", "dismiss"),
}


def source_text() -> str:
    return "\n".join(path.read_text("utf-8") for path in SOURCES)


def test_every_literal_key_exists_in_both_languages() -> None:
    used = set(LITERAL.findall(source_text()))
    assert len(used) > 50, "the pattern stopped finding keys"
    messages = catalogue().messages
    missing = sorted(key for key in used if key not in messages)
    assert not missing, f"keys used in the code but missing from bot/texts/: {missing}"
    assert all(set(messages[key]) == set(LANGS) for key in used)


def test_every_key_built_at_run_time_exists() -> None:
    register_notices()
    prefixes = set(BUILT.findall(source_text()))
    assert prefixes == set(BUILT_VALUES), "a new built key: list its values in BUILT_VALUES"
    messages = catalogue().messages
    missing = [p + v for p, values in BUILT_VALUES.items() for v in values if p + v not in messages]
    assert not missing, missing


def test_every_command_string_has_korean() -> None:
    strings = set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", source_text()))
    assert len(strings) > 40
    missing = sorted(s for s in strings if s not in catalogue().commands_ko)
    assert not missing, missing


def write(directory: Path, name: str, text: str) -> None:
    directory.joinpath(name).write_text(text, "utf-8")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('["a.b"]\nen = "x"\n', "needs exactly the texts en, ko"),
        ('["a.b"]\nen = "{n} left"\nko = "남음"\n', "en and ko use different {placeholders}"),
        ('["a.b"]\nen = ""\nko = "x"\n', "every text must be a non-empty string"),
    ],
)
def test_a_bad_catalogue_is_refused_naming_the_key(
    tmp_path: Path, entry: str, problem: str
) -> None:
    write(tmp_path, "commands.toml", "[ko]\n")
    write(tmp_path, "feature.toml", entry)
    with pytest.raises(TextsError, match=re.escape(f"feature.toml: a.b: {problem}")):
        read_catalogue(tmp_path)


def test_a_key_in_two_catalogues_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "commands.toml", "[ko]\n")
    for name in ("one.toml", "two.toml"):
        write(tmp_path, name, '["a.b"]\nen = "x"\nko = "y"\n')
    with pytest.raises(TextsError, match=re.escape("two.toml: a.b: defined twice")):
        read_catalogue(tmp_path)
