"""Acceptance of the knowledge commands (/cast /plot /about /release) through the real bot.

One bot serves the whole module. The tests that set the premiere date change its state, so
they come last (and withdraw the date again at the very end).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.interactions import InteractionResult
from tests.harness import BotProcess

HANGUL = re.compile(r"[\uac00-\ud7a3]")
SPOILER = re.compile(r"\|\|(.+?)\|\|", re.DOTALL)
LOCALES = ("en-US", "ko")
GLOBAL_SYNC = r"/applications/\d+/commands"

# (actor en, actor ko, character en, character ko) from FACTS.md, in the file's order.
CAST = (
    ("Park Ji-hu", "박지후", "Nam On-jo", "남온조"),
    ("Yoon Chan-young", "윤찬영", "Lee Cheong-san", "이청산"),
    ("Cho Yi-hyun", "조이현", "Choi Nam-ra", "최남라"),
    ("Lomon", "로몬", "Lee Su-hyeok", "이수혁"),
    ("Lee Min-jae", "이민재", "Yong Ma-ru", "마루"),
    ("Kim Si-eun", "김시은", "So Ju-ran", "주란"),
    ("Roh Jae-won", "노재원", "Han Du-seok", "한두석"),
    ("Yoon Ga-i", "윤가이", "Lee Jong-a", "종아"),
)
KOREAN_OF = {actor: ko for actor, ko, _, _ in CAST}
# Every romanized person's name FACTS.md knows (cast, aliases, crew, author).
KNOWN_NAMES = {name for row in CAST for name in (row[0], row[2])} | {
    "Park Ji-hoo",
    "Kim Si-wool",
    "Ro Jae-won",
    "Yoon Ga-ee",
    "Joo Dong-geun",
    "Lee Jae-kyu",
    "Kim Nam-su",
    "Kim Nam-soo",
    "Chun Sung-il",
    "Chon Song-il",
}
ROMANIZED_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+-[a-z]+\b")

# At least 30 spellings fans type, and whose card each must find (actor, in English).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "Park Ji-hu": (
        "Park Ji-hu",  # the actor, as written
        "park jihoo",  # no hyphen, oo/u, lower case
        "Park Ji-hoo",  # the press's other spelling
        "Jihu",  # given name alone
        "Prak Ji-hu",  # typo
        "박지후",  # Hangul, full
        "지후",  # Hangul given name
        "Nam On-jo",  # the character
        "On jo",  # character's given name with a space
        "온조",
    ),
    "Yoon Chan-young": (
        "Yoon Chan-young",
        "yun chanyoung",
        "Yoon Chan-yong",  # typo
        "Lee Cheong-san",
        "Chungsan",  # other romanization of the character's given name
        "Lee Chung san",
        "청산",
        "윤찬영",
    ),
    "Cho Yi-hyun": (
        "Cho Yi-hyun",
        "Jo Yi-hyun",
        "Cho Ee-hyun",
        "Yi-hyun",
        "Choi Nam-ra",
        "Namra",
        "최남라",
        "조이현",
    ),
    "Lomon": (
        "Lomon",
        "LOMON",
        "Romon",
        "Lee Su-hyeok",
        "Suhyuk",
        "Lee Soo-hyuk",
        "수혁",
        "로몬",
    ),
    "Lee Min-jae": (
        "Lee Min-jae",
        "Yi Min-jae",
        "Minjae",
        "Lee Mn-jae",  # typo
        "Yong Ma-ru",
        "Maru",
        "마루",
        "이민재",
    ),
    "Kim Si-eun": (
        "Kim Si-eun",
        "Kim Si-wool",
        "kim siwool",
        "Kim Shi-eun",
        "Sieun",
        "So Ju-ran",
        "Juran",
        "주란",
        "김시은",
    ),
    "Roh Jae-won": (
        "Roh Jae-won",
        "Ro Jae-won",
        "Noh Jaewon",
        "Roh Jea-won",  # typo
        "Jae-won",
        "Han Du-seok",
        "Han Doo-suk",
        "한두석",
        "노재원",
    ),
    "Yoon Ga-i": (
        "Yoon Ga-i",
        "Yoon Ga-ee",
        "Yoon Gai",
        "Yun Ga-i",
        "Lee Jong-a",
        "Jong-ah",
        "종아",
        "윤가이",
    ),
}
SPELLING_CASES = [
    (query, actor, LOCALES[i % 2])
    for i, (query, actor) in enumerate(
        (query, actor) for actor, queries in SPELLINGS.items() for query in queries
    )
]
NONSENSE = (
    "Gong Yoo",
    "zombie",
    "asdfgh",
    "Son Heung-min",
    "Netflix",
    "12345",
    "Lee Jung-jae",
    "이정재",
    "Squid Game",
    "Joo Dong-geun",  # the webtoon's author is not in the cast
    "Lee Jae-kyu",  # nor is the director
)

# The premise's spoiler part (data/show.toml): absent by default, only in ||…|| on request.
SPOILER_TERMS = {
    "en-US": ("halbie", "half-infected", "feelings", "National Intelligence Service"),
    "ko": ("반감염자", "마음을 품고", "국가정보원"),
}


def labels(result: InteractionResult) -> list[str]:
    """The fixed wording of an answer: field names and footers."""
    found = []
    for embed in result.embeds:
        found += [f["name"] for f in embed.get("fields") or []]
        if (embed.get("footer") or {}).get("text"):
            found.append(embed["footer"]["text"])
    return found


def outside_parentheses(text: str) -> str:
    return re.sub(r"\([^)]*\)", "", text)


def callback_statuses(fake: FakeDiscord, result: InteractionResult) -> list[int]:
    prefix = f"/interactions/{result.interaction_id}/"
    return [r.status for r in fake.requests if r.path.startswith(prefix)]


def assert_no_invented_facts(text: str, where: str) -> None:
    assert "<t:" not in text, f"{where}: a timestamp while no date is set"
    assert not re.search(r"https?://|www\.|\.com\b|\.kr\b", text), f"{where}: a link"
    assert set(re.findall(r"\d{4}-\d{2}-\d{2}", text)) <= {"2025-07-23"}, where
    years = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text))
    assert years <= {"2022", "2025", "2026"}, f"{where}: unknown years {years}"
    months = r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b|\d{1,2}월"
    assert not re.search(months, text), f"{where}: a guessed month or day"
    assert set(ROMANIZED_NAME.findall(text)) <= KNOWN_NAMES, f"{where}: an unknown name"
    assert "김남수" not in text, "Kim Nam-su's Hangul is unknown: it must not be guessed"


async def gather_limited(calls: Iterable[Any], limit: int = 12) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Any) -> Any:
        async with semaphore:
            return await call

    return await asyncio.gather(*(one(c) for c in calls), return_exceptions=True)


# ── every command, both languages ──────────────────────────────────────────────

COMMANDS = (
    ("cast", {}),
    ("cast", {"name": "Nam On-jo"}),
    ("plot", {}),
    ("plot", {"spoilers": True}),
    ("about", {}),
    ("release", {}),
)


@pytest.fixture(scope="module")
async def answers(fake: FakeDiscord, bot: BotProcess) -> dict[tuple[str, str, str], Any]:
    """Every command in both locales, asked once, concurrently: (command, options, locale)."""
    keys = [(cmd, repr(opts), loc) for cmd, opts in COMMANDS for loc in LOCALES]
    calls = [
        fake.invoke(cmd, opts, member=fake.guild.fan, locale=loc)
        for cmd, opts in COMMANDS
        for loc in LOCALES
    ]
    return dict(zip(keys, await gather_limited(calls), strict=True))


def answer(
    answers: dict[tuple[str, str, str], Any], key: tuple[str, str, str]
) -> InteractionResult:
    result = answers[key]
    if isinstance(result, BaseException):
        raise result
    return result


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("command", "options"), COMMANDS, ids=lambda v: str(v) or "-")
async def test_every_command_answers_in_the_members_language(
    answers: dict[tuple[str, str, str], Any], command: str, options: dict[str, Any], locale: str
) -> None:
    result = answer(answers, (command, repr(options), locale))
    assert result.response_type == 4 and not result.ephemeral, result.text
    assert result.embeds, "the show commands answer with an embed"
    fixed = labels(result)
    assert fixed, result.embeds
    titles = " ".join(e.get("title") or "" for e in result.embeds)
    if locale == "ko":
        assert any(HANGUL.search(label) for label in fixed), fixed
        assert HANGUL.search(outside_parentheses(titles)), titles
    else:
        assert not any(HANGUL.search(label) for label in fixed), fixed
        assert not HANGUL.search(outside_parentheses(titles)), titles
        assert re.search(r"[A-Za-z]{3}", outside_parentheses(titles)), titles
    assert_no_invented_facts(result.text, f"/{command} {options} ({locale})")


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_cast_list_is_exactly_the_announced_cast_in_both_scripts(
    answers: dict[tuple[str, str, str], Any], locale: str
) -> None:
    result = answer(answers, ("cast", "{}", locale))
    text = result.text
    for actor, actor_ko, character, character_ko in CAST:
        for name in (actor, actor_ko, character, character_ko):
            assert name in text, f"{name} missing from the /cast list ({locale})"
    bold = re.findall(r"\*\*(.+?)\*\*", text)
    expected = {ko for _, ko, _, _ in CAST} if locale == "ko" else {a for a, _, _, _ in CAST}
    assert sorted(bold) == sorted(expected), "the list shows exactly the eight announced actors"
    if locale == "ko":
        assert text.index("박지후") < text.index("윤가이")
    else:
        assert text.index("Park Ji-hu") < text.index("Yoon Ga-i")


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_card_shows_actor_and_character_in_both_scripts(
    answers: dict[tuple[str, str, str], Any], locale: str
) -> None:
    result = answer(answers, ("cast", repr({"name": "Nam On-jo"}), locale))
    assert len(result.embeds) == 1
    card = result.embeds[0]
    assert "Park Ji-hu" in card["title"] and "박지후" in card["title"]
    head = card["title"] + (card.get("description") or "")
    assert "Nam On-jo" in head and "남온조" in head
    first_script = "박지후" if locale == "ko" else "Park Ji-hu"
    assert card["title"].startswith(first_script), card["title"]
    others = [a for a, _, _, _ in CAST if a != "Park Ji-hu"]
    assert not any(name in result.text for name in others), "one person per card"


# ── the synced commands ────────────────────────────────────────────────────────


def walk(options: list[dict[str, Any]], path: str) -> Iterable[tuple[str, dict[str, Any]]]:
    for option in options:
        where = f"{path} {option['name']}"
        yield where, option
        yield from walk(option.get("options") or [], where)


async def test_synced_commands_are_localized_in_korean(fake: FakeDiscord, bot: BotProcess) -> None:
    syncs = fake.requests_to("PUT", GLOBAL_SYNC)
    assert syncs, "the bot synced its commands globally"
    commands = syncs[-1].json
    names = {c["name"] for c in commands}
    assert {"cast", "plot", "about", "release", "admin", "notify"} <= names, names
    checked = 0
    for command in commands:
        root = f"/{command['name']}"
        for where, item in [(root, command), *walk(command.get("options") or [], root)]:
            ko_name = (item.get("name_localizations") or {}).get("ko")
            ko_desc = (item.get("description_localizations") or {}).get("ko")
            assert ko_name and ko_desc, f"{where}: no Korean name or description"
            assert HANGUL.search(ko_name) and HANGUL.search(ko_desc), f"{where}: {ko_name!r}"
            assert re.fullmatch(r"[-_'\w]{1,32}", ko_name) and ko_name == ko_name.lower(), where
            assert len(ko_desc) <= 100, where
            for choice in item.get("choices") or []:
                ko_choice = (choice.get("name_localizations") or {}).get("ko")
                assert ko_choice, f"{where}: choice {choice} has no Korean name"
            checked += 1
    show = {c["name"]: c for c in commands}
    assert show["cast"]["name_localizations"]["ko"] == "출연진"
    assert [o["name"] for o in show["cast"]["options"]] == ["name"]
    assert show["cast"]["options"][0]["autocomplete"] is True
    assert show["cast"]["options"][0]["max_length"] == 100
    assert show["plot"]["options"][0]["type"] == 5  # spoilers: a boolean
    assert checked >= 20


# ── finding people by any spelling ─────────────────────────────────────────────


@pytest.fixture(scope="module")
async def cards(fake: FakeDiscord, bot: BotProcess) -> dict[tuple[str, str], Any]:
    """/cast name:<spelling> for every spelling at once (each ~tens of ms, run concurrently)."""
    calls = [
        fake.invoke("cast", {"name": query}, member=fake.guild.fan, locale=locale)
        for query, _, locale in SPELLING_CASES
    ]
    results = await gather_limited(calls)
    return {(q, loc): r for (q, _, loc), r in zip(SPELLING_CASES, results, strict=True)}


def test_there_are_enough_spellings() -> None:
    assert len(SPELLING_CASES) >= 30
    assert len({q for q, _, _ in SPELLING_CASES}) == len(SPELLING_CASES)
    assert set(SPELLINGS) == {a for a, _, _, _ in CAST}


@pytest.mark.parametrize(("query", "actor", "locale"), SPELLING_CASES)
async def test_a_spelling_finds_the_right_person(
    cards: dict[tuple[str, str], Any], query: str, actor: str, locale: str
) -> None:
    result = cards[(query, locale)]
    if isinstance(result, BaseException):
        raise result
    assert not result.ephemeral and len(result.embeds) == 1, f"{query!r}: {result.text}"
    title = result.embeds[0]["title"]
    assert actor in title and KOREAN_OF[actor] in title, f"{query!r} found {title!r}"
    assert_no_invented_facts(result.text, f"/cast name:{query}")


@pytest.mark.parametrize("query", NONSENSE)
async def test_an_unknown_name_finds_no_one(fake: FakeDiscord, bot: BotProcess, query: str) -> None:
    locale = "ko" if HANGUL.search(query) or query == "Netflix" else "en-US"
    result = await fake.invoke("cast", {"name": query}, member=fake.guild.fan, locale=locale)
    assert result.response_type == 4 and result.ephemeral, result.text
    assert not result.embeds, "no card for a name that isn't in the cast"
    said = "찾지 못했" if locale == "ko" else "couldn't find"
    assert said in result.text, result.text
    everyone = [n for row in CAST for n in row]
    assert not [n for n in everyone if n in result.text], f"{query!r}: {result.text}"


# ── hostile input ──────────────────────────────────────────────────────────────

HOSTILE = (
    "<@123> @everyone @here <@&456> <#789> **bold** __under__ ||spoil|| `code` "
    "[x](https://evil.example) \u200b\u200d\u2060\ufeff\u202e zombie"
)
LONG = ("@everyone " * 10)[:100]


@pytest.mark.parametrize(
    ("query", "locale"),
    [
        ("x" * 100, "en-US"),
        ("좀비" * 50, "ko"),
        (LONG, "en-US"),
        (HOSTILE[:100], "en-US"),
        (HOSTILE[:100], "ko"),
        ("\u200b\u200b\u200b", "en-US"),
    ],
    ids=["x100", "hangul100", "everyone100", "markup-en", "markup-ko", "invisible"],
)
async def test_a_hostile_name_is_answered_safely(
    fake: FakeDiscord, bot: BotProcess, query: str, locale: str
) -> None:
    assert len(query) <= 100
    violations = len(fake.limit_violations)
    result = await fake.invoke("cast", {"name": query}, member=fake.guild.fan, locale=locale)
    assert result.response_type == 4 and result.ephemeral and not result.embeds
    assert len(fake.limit_violations) == violations, fake.limit_violations[violations:]
    assert callback_statuses(fake, result) and all(s < 400 for s in callback_statuses(fake, result))
    message = result.message
    assert message is not None
    assert message["_pinged"] == {"everyone": False, "roles": [], "users": []}
    content = message["content"]
    assert 0 < len(content) <= 2000
    for live in ("@everyone", "@here", "<@123>", "<@&456>", "<#789>", "https://"):
        assert live not in content, f"{live!r} echoed live: {content!r}"
    assert not re.search(r"[\u200d\u2060\ufeff\u202e]", content), "invisible characters echoed"
    assert "**bold**" not in content and "||spoil||" not in content, "markdown echoed live"


@pytest.mark.parametrize("query", [HOSTILE[:100], "x" * 100, "\u200b"])
async def test_autocomplete_survives_hostile_text(
    fake: FakeDiscord, bot: BotProcess, query: str
) -> None:
    result = await fake.autocomplete("cast", {"name": query}, "name", member=fake.guild.fan)
    assert result.response_type == 8 and result.choices is not None
    assert len(result.choices) <= 25


# ── autocomplete ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("query", "locale", "first"),
    [
        ("onj", "en-US", "Park Ji-hu"),
        ("onj", "ko", "Park Ji-hu"),
        ("박", "ko", "Park Ji-hu"),
        ("par", "en-US", "Park Ji-hu"),
        ("Suhy", "en-US", "Lomon"),
        ("청산", "ko", "Yoon Chan-young"),
        ("Roh", "en-US", "Roh Jae-won"),
        ("종", "ko", "Yoon Ga-i"),
        ("kim si", "en-US", "Kim Si-eun"),
    ],
)
async def test_autocomplete_puts_the_relevant_person_first(
    fake: FakeDiscord, bot: BotProcess, query: str, locale: str, first: str
) -> None:
    result = await fake.autocomplete(
        "cast", {"name": query}, "name", member=fake.guild.fan, locale=locale
    )
    assert result.response_type == 8 and result.choices, result.choices
    assert 1 <= len(result.choices) <= 25
    assert result.choices[0]["value"] == first, result.choices
    top = result.choices[0]["name"]
    assert first in top and KOREAN_OF[first] in top, "the choice shows both scripts"
    for choice in result.choices:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100


@pytest.mark.parametrize("locale", LOCALES)
async def test_autocomplete_of_nothing_is_the_whole_cast(
    fake: FakeDiscord, bot: BotProcess, locale: str
) -> None:
    result = await fake.autocomplete("cast", {}, "name", member=fake.guild.fan, locale=locale)
    assert result.choices is not None
    assert [c["value"] for c in result.choices] == [a for a, _, _, _ in CAST]


async def test_an_autocomplete_choice_opens_that_card(fake: FakeDiscord, bot: BotProcess) -> None:
    choices = (
        await fake.autocomplete("cast", {"name": "한두"}, "name", member=fake.guild.fan)
    ).choices
    assert choices and choices[0]["value"] == "Roh Jae-won"
    result = await fake.invoke("cast", {"name": choices[0]["value"]}, member=fake.guild.fan)
    assert "Roh Jae-won" in result.embeds[0]["title"]


# ── spoilers ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("locale", LOCALES)
async def test_plot_hides_the_spoilers_unless_asked(
    answers: dict[tuple[str, str, str], Any], locale: str
) -> None:
    plain = answer(answers, ("plot", "{}", locale)).text
    shown = answer(answers, ("plot", repr({"spoilers": True}), locale)).text
    premise = "남온조" if locale == "ko" else "Nam On-jo"
    assert premise in plain and premise in shown
    assert "||" not in plain
    for term in SPOILER_TERMS[locale]:
        assert term not in plain, f"{term!r} shown without spoilers: true"
        assert term in shown, f"{term!r} missing with spoilers: true"
    assert shown.count("||") % 2 == 0
    hidden = " ".join(SPOILER.findall(shown))
    outside = SPOILER.sub("", shown)
    for term in SPOILER_TERMS[locale]:
        assert term in hidden and term not in outside, f"{term!r} outside the spoiler tags"


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("Cho Yi-hyun", "halbie"),
        ("Lomon", "feelings"),
        ("남라", "반감염자"),
        # /plot hides who Han Du-seok is: so does his card
        ("Roh Jae-won", "National Intelligence Service"),
        ("한두석", "국가정보원"),
    ],
)
async def test_a_cards_spoiler_is_only_inside_spoiler_tags(
    fake: FakeDiscord, bot: BotProcess, name: str, term: str
) -> None:
    locale = "ko" if HANGUL.search(name) else "en-US"
    result = await fake.invoke("cast", {"name": name}, member=fake.guild.fan, locale=locale)
    text = result.text
    assert term in " ".join(SPOILER.findall(text)), text
    assert term not in SPOILER.sub("", text), text


# ── /about: the facts of FACTS.md ──────────────────────────────────────────────

ABOUT_FACTS = {
    "en-US": (
        "Joo Dong-geun",
        "주동근",
        "webtoon",
        "2022",
        "560.78 million",
        "28 days",
        "more than 90 countries",
        "Lee JQ",
        "Lee Jae-kyu",
        "이재규",
        "Kim Nam-su",
        "Kim Nam-soo",
        "Chun Sung-il",
        "천성일",
        "Your Honor",
        "King The Land",
        "FILM MONSTER",
        "SLL Joongang",
        "KIMJONGHAK PRODUCTION",
        "NPIO Entertainment",
        "지금 우리 학교는",
        "지우학",
        "Netflix",
        "2025-07-23",
        "2026",
    ),
    "ko": (
        "주동근",
        "웹툰",
        "5억 6078만",
        "28일",
        "90개국",
        "이재규",
        "Lee JQ",
        "Kim Nam-su",
        "천성일",
        "FILM MONSTER",
        "SLL Joongang",
        "KIMJONGHAK PRODUCTION",
        "NPIO Entertainment",
        "지금 우리 학교는",
        "2026",
    ),
}


@pytest.mark.parametrize("locale", LOCALES)
async def test_about_has_the_facts(answers: dict[tuple[str, str, str], Any], locale: str) -> None:
    text = answer(answers, ("about", "{}", locale)).text
    missing = [fact for fact in ABOUT_FACTS[locale] if fact not in text]
    assert not missing, f"/about ({locale}) lacks {missing}:\n{text}"


# ── /release before any date is set ────────────────────────────────────────────


@pytest.mark.parametrize("locale", LOCALES)
async def test_release_without_a_date_says_what_is_known(
    answers: dict[tuple[str, str, str], Any], locale: str
) -> None:
    result = answer(answers, ("release", "{}", locale))
    text = result.text
    if locale == "ko":
        assert "발표되지 않았" in text and "2026년" in text, text
    else:
        assert "not announced" in text and "2026" in text, text
    assert "<t:" not in text
    dated = [
        f["name"] for e in result.embeds for f in e.get("fields") or [] if "2025-07-23" in f["name"]
    ]
    assert len(dated) == 2, "both timeline entries are listed with their date"


# ── state-changing: the premiere date is set (keep these last) ────────────────

PREMIERE = int(datetime(2027, 3, 5, 8, 0, tzinfo=UTC).timestamp())  # 17:00 KST


async def test_admin_sets_the_premiere_and_release_shows_it(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    assert PREMIERE == 1804233600
    options = {"date": "2027-03-05", "time": "17:00", "timezone": "Asia/Seoul"}
    result = await fake.invoke("admin release", options, member=fake.guild.admin, timeout=10)
    assert result.ephemeral or all(f["flags"] & 64 for f in result.followups), result.text
    assert f"<t:{PREMIERE}:F>" in result.text, result.text

    for locale in LOCALES:
        shown = await fake.invoke("release", member=fake.guild.fan, locale=locale)
        text = shown.text
        assert f"<t:{PREMIERE}:F>" in text and f"<t:{PREMIERE}:R>" in text, text
        assert len(set(re.findall(r"<t:(\d+):", text))) == 1, "one moment, the one set"
        assert "not announced" not in text and "발표되지 않았" not in text
        assert not shown.ephemeral


def dated_updates(result: InteractionResult) -> list[tuple[str, str]]:
    """(date, first line of the text) of every dated update field, top to bottom."""
    found = []
    for embed in result.embeds:
        for field in embed.get("fields") or []:
            day = re.search(r"\d{4}-\d{2}-\d{2}", field["name"])
            if day:
                found.append((day.group(), field["value"].splitlines()[0]))
    return found


async def post_updates(fake: FakeDiscord, *texts: str) -> None:
    for text in texts:
        posted = await fake.invoke("admin update", {"text": text}, member=fake.guild.admin)
        assert posted.ephemeral and "✅" in posted.text, posted.text


async def test_release_lists_the_latest_updates_newest_first(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    await post_updates(fake, "First production update")
    today = datetime.now(UTC).date().isoformat()
    for locale in LOCALES:
        result = await fake.invoke("release", member=fake.guild.fan, locale=locale)
        updates = dated_updates(result)
        dates = [day for day, _ in updates]
        assert dates == sorted(dates, reverse=True), dates
        assert updates[0] == (today, "First production update"), updates
        assert dates[-2:] == ["2025-07-23", "2025-07-23"], dates
        assert f"<t:{PREMIERE}:F>" in result.text, "the date stays shown"


async def test_two_updates_of_one_day_show_the_later_first(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    await post_updates(fake, "Earlier update of the day", "Later update of the day")
    result = await fake.invoke("release", member=fake.guild.fan)
    texts = [text for _, text in dated_updates(result)]
    assert texts[:2] == ["Later update of the day", "Earlier update of the day"], texts


async def test_withdrawing_the_date_brings_back_the_expected_year(
    fake: FakeDiscord, bot: BotProcess
) -> None:
    cleared = await fake.invoke("admin release", {"date": "clear"}, member=fake.guild.admin)
    assert "withdrawn" in cleared.text, cleared.text
    result = await fake.invoke("release", member=fake.guild.fan)
    assert "<t:" not in result.text and "2026" in result.text, result.text
