"""The facts file in use: hand edits are picked up, bad edits are refused, big files still fit.

The bot here reads a copy of data/show.toml (SHOW_DATA_PATH); the tests edit that copy in
order, so they share one bot and run top to bottom.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.serving import finish
from tests.fakediscord import FakeDiscord
from tests.fakediscord.interactions import InteractionResult
from tests.harness import PROJECT_ROOT, BotProcess, bot_environment

ORIGINAL = PROJECT_ROOT / "data" / "show.toml"
LOMON_PART = 'part = { en = "Back as Lee Su-hyeok", ko = "이수혁 역으로 돌아와요" }'
WATCH_DEADLINE_S = 7.5  # the file is polled every 5 s


@pytest.fixture(scope="module")
def show_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("facts") / "show.toml"
    shutil.copyfile(ORIGINAL, path)
    return path


@pytest.fixture(scope="module")
async def bot(
    fake: FakeDiscord, show_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BotProcess]:
    """conftest's bot, reading the copy of the facts file."""
    workdir = tmp_path_factory.mktemp("bot")
    env = bot_environment(fake, workdir / "bot.db", SHOW_DATA_PATH=str(show_file))
    process = BotProcess(env, workdir / "bot.log")
    await process.start()
    yield process
    await finish(process)


def save(path: Path, text: str) -> None:
    """Save as an editor does: the whole new file replaces the old one at once."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def read(path: Path) -> str:
    return path.read_text("utf-8")


def with_lomon_part(text: str, marker: str) -> str:
    """The file with Lomon's `part` (the first `part =` after his actor line) replaced."""
    start = text.index('actor = { en = "Lomon"')
    begin = text.index("\npart = ", start) + 1
    end = text.index("\n", begin)
    return text[:begin] + f'part = {{ en = "{marker}", ko = "{marker} (한국어)" }}' + text[end:]


async def lomon(fake: FakeDiscord) -> InteractionResult:
    result = await fake.invoke("cast", {"name": "Lomon"}, member=fake.guild.fan)
    assert not result.ephemeral and result.embeds, result.text
    return result


def unescaped(text: str) -> str:
    return text.replace("\\", "")


# ── (a) the watcher ───────────────────────────────────────────────────────────


async def test_an_edit_of_the_file_is_picked_up_by_itself(
    fake: FakeDiscord, bot: BotProcess, show_file: Path
) -> None:
    assert LOMON_PART in read(show_file)
    assert "Back as Lee Su-hyeok" in (await lomon(fake)).text
    marker = "Edited by hand: back as Lee Su-hyeok, older"
    save(show_file, with_lomon_part(read(show_file), marker))
    saved = time.monotonic()
    while marker not in (await lomon(fake)).text:
        assert time.monotonic() - saved < WATCH_DEADLINE_S, "the edit was not picked up"
        await asyncio.sleep(0.2)
    await bot.wait_for_log("show facts reloaded", timeout=2)
    korean = await fake.invoke("cast", {"name": "로몬"}, member=fake.guild.fan, locale="ko")
    assert f"{marker} (한국어)" in korean.text


# ── (b) /admin reload ─────────────────────────────────────────────────────────


async def test_admin_reload_applies_an_edit_at_once(
    fake: FakeDiscord, bot: BotProcess, show_file: Path
) -> None:
    refused = await fake.invoke("admin reload", member=fake.guild.fan)
    assert refused.ephemeral and "moderators" in refused.text, refused.text

    marker = "Reloaded by a moderator"
    save(show_file, with_lomon_part(read(show_file), marker))
    started = time.monotonic()
    result = await fake.invoke("admin reload", member=fake.guild.admin)
    assert result.ephemeral, result.text
    assert "reloaded" in result.text and "8 cast members" in result.text, result.text
    assert marker in (await lomon(fake)).text
    assert time.monotonic() - started < 2.0

    korean = await fake.invoke("admin reload", member=fake.guild.admin, locale="ko")
    assert korean.ephemeral and "다시 읽었어요" in korean.text, korean.text


# ── (c) a broken edit ─────────────────────────────────────────────────────────


async def test_a_broken_edit_is_refused_and_the_old_facts_stay(
    fake: FakeDiscord, bot: BotProcess, show_file: Path
) -> None:
    good = read(show_file)
    assert "Reloaded by a moderator" in good
    anchor = 'actor = { en = "Lomon", ko = "로몬" }'
    broken = good.replace(anchor, anchor + '\ncharcter = { en = "Lee Su-hyeok", ko = "이수혁" }')
    reported = bot.new_log().count("show facts not reloaded")
    save(show_file, broken)

    # The watcher refuses it on its own, says why in one log line, and keeps serving.
    await bot.wait_for_log("show facts not reloaded", count=reported + 1, timeout=WATCH_DEADLINE_S)
    line = next(ln for ln in bot.new_log().splitlines()[::-1] if "not reloaded" in ln)
    assert "show.toml: cast[3].charcter: unknown key" in line, line
    assert "Reloaded by a moderator" in (await lomon(fake)).text

    # A moderator asking for a reload is told the file, the key and the problem.
    result = await fake.invoke("admin reload", member=fake.guild.admin)
    assert result.ephemeral and result.response_type == 4, result.text
    text = unescaped(result.text)
    assert str(show_file.name) in text and "cast[3].charcter" in text, text
    assert "unknown key" in text and "previous" in text, text
    assert "Traceback" not in text
    korean = await fake.invoke("admin reload", member=fake.guild.admin, locale="ko")
    assert korean.ephemeral and "cast[3].charcter" in unescaped(korean.text), korean.text
    assert "이전 정보를 유지" in korean.text

    card = await lomon(fake)
    assert "Reloaded by a moderator" in card.text, "the previous facts stay in use"
    everyone = await fake.invoke("cast", member=fake.guild.fan)
    assert "Park Ji-hu" in everyone.text and "Yoon Ga-i" in everyone.text


# ── (d) an oversized file ─────────────────────────────────────────────────────

CONSONANTS, VOWELS = "bdgjlmns", "aiu"  # letters the name folding leaves alone
WORDS = ("Starlight", "Mountainside", "Evergreen", "Riverbank", "Wildflower", "Silverstone")


def code(i: int) -> str:
    """A distinct pronounceable tag per person: Baba, Daba, ... (no digits: names drop them)."""
    return (
        CONSONANTS[i % 8] + VOWELS[i // 8 % 3] + CONSONANTS[i // 24 % 8] + VOWELS[i // 192 % 3]
    ).title()


def hangul(i: int, length: int) -> str:
    return "".join(chr(0xAC00 + (i * 97 + j * 13) % 11172) for j in range(length))


def long_name(i: int, role: str) -> str:
    tag = code(i)
    return f"{tag} {role}" + "".join(f" {tag}{w.lower()}" for w in WORDS) + f" {tag}"


def sentence(seed: str, size: int) -> str:
    words = (f"{seed} zombie wave over Seoul university campus survivors running " * 100).split()
    text = ""
    for word in words:
        if len(text) + len(word) + 1 > size:
            break
        text = f"{text} {word}" if text else word
    return text + "."


def bilingual(seed: str, size: int, ko_size: int | None = None) -> dict[str, str]:
    korean = ("좀비 사태 속 대학 선배들 이야기 " * 200)[: (ko_size or size) - 1] + "."
    return {"en": sentence(seed, size), "ko": korean}


def paragraphs(seed: str, count: int, size: int) -> dict[str, str]:
    return {
        lang: "\n\n".join(bilingual(f"{seed}{n}", size)[lang] for n in range(count))
        for lang in ("en", "ko")
    }


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return str(value) if not isinstance(value, date) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def table(header: str, values: dict[str, Any]) -> str:
    return "\n".join([header, *(f"{k} = {toml_value(v)}" for k, v in values.items())]) + "\n"


def oversized_show() -> str:
    """data/show.toml's structure with every list and text far beyond Discord's limits."""
    blocks = [
        table(
            "[series]",
            {
                "title": {"en": "All of Us Are Dead " * 12, "ko": "지금 우리 학교는 " * 20},
                "short": "지우학",
                "genre": bilingual("genre", 300),
                "network": "Netflix",
            },
        ),
        table("[series.source]", {"kind": bilingual("kind", 200), "author": bilingual("a", 150)}),
        table(
            "[season1]",
            {
                "year": 2022,
                "viewing_hours": 560_780_000,
                "viewing_days": 28,
                "top10_countries": 90,
                "global_top10": bilingual("top10", 900),
            },
        ),
        table(
            "[season2]",
            {
                "status": bilingual("status", 1200),
                "announced": date(2025, 7, 23),
                "announcement": bilingual("announcement", 1500),
                "expected_year": 2026,
            },
        ),
        table(
            "[season2.writer]",
            {
                "name": "Chun Sung-il " * 10,
                "hangul": "천성일" * 30,
                "aliases": [f"Writer alias {code(n)} " * 5 for n in range(8)],
                "credits": bilingual("credits", 1000),
            },
        ),
        table(
            "[season2.production]",
            {
                "company": "FILM MONSTER Co., Ltd. " * 30,
                "co_producers": [f"Co-producer {code(n)} " * 6 for n in range(30)],
            },
        ),
        *(
            table(
                "[[season2.directors]]",
                {"name": f"Director {code(n)} " * 8, "aliases": [f"Dir {code(n)} alias " * 6]},
            )
            for n in range(12)
        ),
        table("[premise.spoiler_free]", paragraphs("free", 10, 900)),
        table("[premise.spoilers]", paragraphs("secret", 8, 1300)),
    ]
    for i in range(60):
        member: dict[str, Any] = {
            "actor": {"en": long_name(i, "Actor"), "ko": hangul(i, 70)},
            "character": {"en": long_name(i, "Character"), "ko": hangul(i + 1000, 70)},
            "status": "returning" if i % 3 == 0 else "new",
            "part": bilingual(f"part{i}", 1000),
            "aliases": [long_name(i, f"Alias{kind}") for kind in ("One", "Two", "Three")],
        }
        if i % 2:
            member["spoiler"] = bilingual(f"spoiler{i}", 1100)
        blocks.append(table("[[cast]]", member))
    for n in range(200):
        entry = {
            "date": date(2020, 1, 1) + timedelta(days=7 * n),
            "text": bilingual(f"update{n}", 700, 350),
            "source": sentence(f"source{n}", 250),
        }
        blocks.append(table("[[timeline]]", entry))
    return "\n".join(blocks)


def failed_callbacks(fake: FakeDiscord, since: int) -> list[str]:
    return [
        f"{r.method} {r.path.split('/')[1]} -> {r.status}: {r.response}"
        for r in fake.requests[since:]
        if r.path.startswith(("/interactions/", "/webhooks/")) and (r.status or 0) >= 400
    ]


async def test_an_oversized_file_still_fits_discords_limits(
    fake: FakeDiscord, bot: BotProcess, show_file: Path
) -> None:
    text = oversized_show()
    assert len(text.encode()) < 1_000_000, "stays under the loader's size cap"
    save(show_file, text)
    since, violations = len(fake.requests), len(fake.limit_violations)
    reloaded = await fake.invoke("admin reload", member=fake.guild.admin)
    assert reloaded.ephemeral and "60 cast members" in reloaded.text, reloaded.text

    asks = [
        ("cast", {}, "en-US"),
        ("cast", {}, "ko"),
        ("cast", {"name": long_name(59, "Actor")[:100]}, "en-US"),
        ("cast", {"name": hangul(1, 70)}, "ko"),
        ("plot", {}, "en-US"),
        ("plot", {"spoilers": True}, "en-US"),
        ("plot", {"spoilers": True}, "ko"),
        ("release", {}, "en-US"),
        ("release", {}, "ko"),
        ("about", {}, "en-US"),
        ("about", {}, "ko"),
    ]
    results = {}
    for command, options, locale in asks:
        result = await fake.invoke(command, options, member=fake.guild.fan, locale=locale)
        assert result.response_type == 4 and result.embeds, f"/{command} {options}: {result.text}"
        results[(command, bool(options), locale)] = result
    assert not failed_callbacks(fake, since), failed_callbacks(fake, since)
    assert len(fake.limit_violations) == violations, fake.limit_violations[violations:]

    listing = results[("cast", False, "en-US")]
    shown = sum(1 for i in range(60) if f"{code(i)} Actor" in listing.text)
    more = re.search(r"and (\d+) more", listing.text)
    assert shown >= 8 and more, listing.text[-300:]
    assert shown + int(more.group(1)) == 60, "the list says how many it left out"
    assert code(59) in results[("cast", True, "en-US")].embeds[0]["title"]
    assert hangul(1, 20) in results[("cast", True, "ko")].embeds[0]["title"]
    spoilers = results[("plot", True, "en-US")].text
    assert "secret0" in spoilers and spoilers.count("||") % 2 == 0
    assert "secret0" not in re.sub(r"\|\|.+?\|\|", "", spoilers, flags=re.DOTALL)
    release = results[("release", False, "en-US")]
    newest = (date(2020, 1, 1) + timedelta(days=7 * 199)).isoformat()
    assert newest in release.text and "<t:" not in release.text
    assert release.text.index(newest) < release.text.index(
        (date(2020, 1, 1) + timedelta(days=7 * 198)).isoformat()
    )

    choices = (
        await fake.autocomplete("cast", {"name": code(42)}, "name", member=fake.guild.fan)
    ).choices
    assert choices and len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)
    assert choices[0]["name"].startswith(code(42)), choices[0]
    picked = await fake.invoke("cast", {"name": choices[0]["value"]}, member=fake.guild.fan)
    assert picked.embeds and code(42) in picked.embeds[0]["title"], picked.text
