"""Fuzzy cast-name matching: the spellings fans use find the right person, nothing else does."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.show.loader import load_show
from bot.show.model import CastMember, Text
from bot.show.names import NameIndex

SHOW = load_show(Path(__file__).resolve().parents[2] / "data" / "show.toml")
INDEX = NameIndex(SHOW.cast)

# (what a fan types, the actor it must find)
SPELLINGS = [
    # Park Ji-hu / Nam On-jo
    ("Park Ji-hu", "Park Ji-hu"),
    ("park jihu", "Park Ji-hu"),
    ("parkjihu", "Park Ji-hu"),
    ("Park Ji Hu", "Park Ji-hu"),
    ("jihu park", "Park Ji-hu"),
    ("Park Ji-hoo", "Park Ji-hu"),
    ("Pak Jihu", "Park Ji-hu"),
    ("Bak Ji-hoo", "Park Ji-hu"),
    ("Park Jiu", "Park Ji-hu"),
    ("Jihu", "Park Ji-hu"),
    ("Onjo", "Park Ji-hu"),
    ("On-jo", "Park Ji-hu"),
    ("Nam On-jo", "Park Ji-hu"),
    ("nam onjo", "Park Ji-hu"),
    ("박지후", "Park Ji-hu"),
    ("지후", "Park Ji-hu"),
    ("온조", "Park Ji-hu"),
    ("남온조", "Park Ji-hu"),
    ("박지우", "Park Ji-hu"),  # one jamo off
    ("Ｐａｒｋ Ｊｉ－ｈｕ", "Park Ji-hu"),  # full-width
    # Yoon Chan-young / Lee Cheong-san
    ("Yoon Chan-young", "Yoon Chan-young"),
    ("Yun Chanyeong", "Yoon Chan-young"),
    ("Chanyoung", "Yoon Chan-young"),
    ("Cheongsan", "Yoon Chan-young"),
    ("Chungsan", "Yoon Chan-young"),
    ("Chung-san", "Yoon Chan-young"),
    ("Lee Cheong-san", "Yoon Chan-young"),
    ("Yi Chungsan", "Yoon Chan-young"),
    ("청산", "Yoon Chan-young"),
    ("이청산", "Yoon Chan-young"),
    ("윤찬영", "Yoon Chan-young"),
    # Cho Yi-hyun / Choi Nam-ra
    ("Cho Yi-hyun", "Cho Yi-hyun"),
    ("Jo Yi-hyun", "Cho Yi-hyun"),
    ("Cho Ee-hyun", "Cho Yi-hyun"),
    ("Yihyun", "Cho Yi-hyun"),
    ("Namra", "Cho Yi-hyun"),
    ("Nam-ra", "Cho Yi-hyun"),
    ("Choe Namra", "Cho Yi-hyun"),
    ("Nam-ra Choi", "Cho Yi-hyun"),
    ("남라", "Cho Yi-hyun"),
    ("조이현", "Cho Yi-hyun"),
    # Lomon / Lee Su-hyeok
    ("Lomon", "Lomon"),
    ("LOMON", "Lomon"),
    ("Romon", "Lomon"),
    ("Lomom", "Lomon"),
    ("Suhyeok", "Lomon"),
    ("Suhyuk", "Lomon"),
    ("Soo-hyuk", "Lomon"),
    ("Lee Su-hyeok", "Lomon"),
    ("Lee Soo Hyuk", "Lomon"),
    ("Suhyeok Lee", "Lomon"),
    ("로몬", "Lomon"),
    ("이수혁", "Lomon"),
    ("수혁", "Lomon"),
    # Lee Min-jae / Yong Ma-ru
    ("Lee Min-jae", "Lee Min-jae"),
    ("Yi Minjae", "Lee Min-jae"),
    ("Rhee Min Jae", "Lee Min-jae"),
    ("Minjae", "Lee Min-jae"),
    ("Maru", "Lee Min-jae"),
    ("Yong Ma-ru", "Lee Min-jae"),
    ("마루", "Lee Min-jae"),
    ("이민재", "Lee Min-jae"),
    # Kim Si-eun / So Ju-ran
    ("Kim Si-eun", "Kim Si-eun"),
    ("Kim Si Eun", "Kim Si-eun"),
    ("kimsieun", "Kim Si-eun"),
    ("Kim Si-wool", "Kim Si-eun"),
    ("Juran", "Kim Si-eun"),
    ("Joo-ran", "Kim Si-eun"),
    ("So Ju-ran", "Kim Si-eun"),
    ("주란", "Kim Si-eun"),
    ("김시은", "Kim Si-eun"),
    # Roh Jae-won / Han Du-seok
    ("Roh Jae-won", "Roh Jae-won"),
    ("Ro Jae-won", "Roh Jae-won"),
    ("No Jaewon", "Roh Jae-won"),
    ("Noh Jae Won", "Roh Jae-won"),
    ("Han Du-seok", "Roh Jae-won"),
    ("Han Doo-suk", "Roh Jae-won"),
    ("Dooseok", "Roh Jae-won"),
    ("한두석", "Roh Jae-won"),
    ("노재원", "Roh Jae-won"),
    # Yoon Ga-i / Lee Jong-a
    ("Yoon Ga-i", "Yoon Ga-i"),
    ("Yoon Ga-ee", "Yoon Ga-i"),
    ("Yun Gai", "Yoon Ga-i"),
    ("Jong-a", "Yoon Ga-i"),
    ("Jong-ah", "Yoon Ga-i"),
    ("Lee Jonga", "Yoon Ga-i"),
    ("종아", "Yoon Ga-i"),
    ("윤가이", "Yoon Ga-i"),
    # junk around a name
    ("**Park Ji-hu**", "Park Ji-hu"),
    ("<@123456789012345678> lomon", "Lomon"),
    ("Lo\u200bmon", "Lomon"),
    ("🧟 Lomon 🧟", "Lomon"),
    ("||`Su_hyeok`||", "Lomon"),
    ("  PARK    JI-HU  ", "Park Ji-hu"),
    ("> ~~온조~~", "Park Ji-hu"),
]

NOBODY = [
    "Gong Yoo",
    "Lee Jung-jae",
    "zombie",
    "asdfgh",
    "Son Heung-min",
    "Hyosan",
    "Netflix",
    "a",
    "12345",
    "Kim Soo-hyun",
    "Lee Min-ho",
    "Park Seo-joon",
    "Jung Ho-yeon",
    "Nam Joo-hyuk",
    "Lee JQ",  # a director, not cast
    "Joo Dong-geun",
    "공유",
    "효산",
    "",
    "   ",
    "@everyone",
    "!!!???",
    "🧟🧟🧟",
]


@pytest.mark.parametrize(("query", "actor"), SPELLINGS)
def test_spellings_find_the_right_person(query: str, actor: str) -> None:
    found = INDEX.match(query)
    assert found.member is not None, f"{query!r} matched no one"
    assert found.member.actor.en == actor
    assert 0 < found.score <= 100


def test_spellings_cover_every_cast_member() -> None:
    assert len(SPELLINGS) >= 30
    assert {actor for _, actor in SPELLINGS} == {m.actor.en for m in SHOW.cast}


@pytest.mark.parametrize("query", NOBODY)
def test_unrelated_names_match_no_one(query: str) -> None:
    found = INDEX.match(query)
    assert found.member is None
    assert len(found.suggestions) <= 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lee", {"Lee Min-jae", "Yoon Chan-young", "Lomon", "Yoon Ga-i"}),
        ("Kim", {"Kim Si-eun"}),
        ("Yoon", {"Yoon Chan-young", "Yoon Ga-i"}),
        ("yun", {"Yoon Chan-young", "Yoon Ga-i"}),
        ("이", {"Lee Min-jae", "Yoon Chan-young", "Lomon", "Yoon Ga-i", "Cho Yi-hyun"}),
    ],
)
def test_a_surname_alone_is_ambiguous(query: str, expected: set[str]) -> None:
    found = INDEX.match(query)
    assert found.member is None
    assert found.suggestions, "an ambiguous name should come with suggestions"
    assert len(found.suggestions) <= 3
    assert {m.actor.en for m in found.suggestions} <= expected


def test_both_yoons_are_suggested() -> None:
    names = {m.actor.en for m in INDEX.match("Yoon").suggestions}
    assert names == {"Yoon Chan-young", "Yoon Ga-i"}


def test_every_stored_name_finds_its_owner() -> None:
    for member in SHOW.cast:
        names = (member.actor.en, member.actor.ko, member.character.en, member.character.ko)
        for name in (*names, *member.aliases):
            assert INDEX.match(name).member is member, name
            assert INDEX.match(name).score == 100
            assert INDEX.autocomplete(name)[0] is member, name


@pytest.mark.parametrize(
    "query",
    [
        "x" * 100,
        "Lomon" * 20,
        "a" * 10_000,
        "**__~~||`>" * 10 + "<@&123456789012345678><#123>\u200b\u200d\ufeff\u2060" * 5,
        "\u200b" * 100,
        "\x00\n\t\r",
    ],
)
def test_hostile_input_is_handled(query: str) -> None:
    found = INDEX.match(query)
    assert found.member is None
    assert len(INDEX.autocomplete(query)) <= 25


def test_close_but_wrong_suggests_without_picking() -> None:
    found = INDEX.match("Lee Jong-suk")  # a real actor, close to Lee Jong-a
    assert found.member is None
    assert all(m.actor.en == "Yoon Ga-i" for m in found.suggestions)


# ── autocomplete ─────────────────────────────────────────────────────────────


def test_autocomplete_empty_lists_everyone_in_order() -> None:
    assert INDEX.autocomplete("") == list(SHOW.cast)
    assert INDEX.autocomplete("   ") == list(SHOW.cast)
    assert INDEX.autocomplete("", limit=3) == list(SHOW.cast[:3])


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("p", "Park Ji-hu"),
        ("par", "Park Ji-hu"),
        ("park j", "Park Ji-hu"),
        ("lo", "Lomon"),
        ("lomom", "Lomon"),
        ("suh", "Lomon"),
        ("이수", "Lomon"),
        ("박", "Park Ji-hu"),
        ("ㅂ", "Park Ji-hu"),  # a consonant typed alone in a Korean IME
        ("kim s", "Kim Si-eun"),
        ("roh", "Roh Jae-won"),
        ("yoon g", "Yoon Ga-i"),
        ("cheongs", "Yoon Chan-young"),
    ],
)
def test_autocomplete_ranks_prefix_first(query: str, first: str) -> None:
    assert INDEX.autocomplete(query)[0].actor.en == first


def test_autocomplete_lee_lists_the_lees_first() -> None:
    lees = {"Lee Min-jae", "Yoon Chan-young", "Lomon", "Yoon Ga-i"}
    ranked = [m.actor.en for m in INDEX.autocomplete("lee")]
    assert set(ranked[:4]) == lees


def test_autocomplete_junk_gives_nothing() -> None:
    assert INDEX.autocomplete("12345") == []
    assert INDEX.autocomplete("qqqqqq") == []


def _big_cast(n: int) -> list[CastMember]:
    syllables = [
        "min",
        "ji",
        "seo",
        "hyun",
        "woo",
        "jin",
        "ha",
        "yeon",
        "soo",
        "eun",
        "tae",
        "kyung",
    ]
    surnames = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
    cast = []
    for i in range(n):
        given = f"{syllables[i % 12].title()}-{syllables[(i // 12) % 12]}{i}"
        actor = f"{surnames[i % 10]} {given}"
        character = f"{surnames[(i + 3) % 10]} {syllables[(i * 7) % 12].title()}-{i}ra"
        cast.append(
            CastMember(
                actor=Text(actor, f"배우{i}"),
                character=Text(character, f"인물{i}"),
                status="new",
                part=Text("part", "역할"),
            )
        )
    return cast


def test_autocomplete_caps_at_25_on_a_big_cast() -> None:
    index = NameIndex(_big_cast(1000))
    assert len(index.autocomplete("")) == 25
    assert len(index.autocomplete("kim")) <= 25
    assert len(index.autocomplete("k", limit=100)) <= 25


def test_autocomplete_is_fast_enough_sanity() -> None:
    """Not a benchmark (see bench/): only catches an accidental quadratic blow-up."""
    index = NameIndex(_big_cast(1000))
    queries = ["k", "kim", "lee min", "park ji", "choi seo", "yoon", "jang hyun", "lim"]
    start = time.perf_counter()
    for _ in range(25):
        for query in queries:
            index.autocomplete(query)
    assert time.perf_counter() - start < 5.0  # ~1000x the measured time
