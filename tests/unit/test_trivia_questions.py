"""Every question the facts make, checked: its right answer is a fact of the facts file in its
wording, no wrong choice is right as well, nothing /plot hides is asked or offered, and each
exists in English and Korean. And the packs: Red's format read, a broken pack named with its
file and line and skipped, the others loaded."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bot.i18n import load_texts
from bot.show.labels import count
from bot.show.loader import ShowStore, load_show
from bot.show.model import ShowData
from bot.show.spoilers import spoiler_phrases, spoils
from bot.trivia.bank import QuestionBank
from bot.trivia.packs import PackError, load_packs, parse_pack
from bot.trivia.questions import (
    CHOICES,
    Question,
    from_facts,
    make,
    same_answer,
    without_spoilers,
)

SHOW_FILE = Path(__file__).resolve().parents[2] / "data" / "show.toml"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def show() -> ShowData:
    load_texts()
    return load_show(SHOW_FILE)


@pytest.fixture(scope="module")
def questions(show: ShowData) -> list[Question]:
    return from_facts(show)


def facts(show: ShowData) -> set[str]:
    """Every value of the facts file, as /cast and /about word it, in both languages."""
    found: set[str] = set()
    for m in show.cast:
        found |= {m.actor.en, m.actor.ko, m.character.en, m.character.ko, *m.aliases}
    s1, s2 = show.season1, show.season2
    for credit in (*s2.directors, s2.writer):
        found |= {credit.name, *credit.aliases, *([credit.hangul] if credit.hangul else [])}
    found |= {show.series.source_author.en, show.series.source_author.ko}
    found |= {s2.production, *s2.co_producers, s2.announced.isoformat()}
    found |= {str(s1.year), str(s1.top10_countries), str(s1.viewing_days)}
    found |= {count("en", s1.viewing_hours), count("ko", s1.viewing_hours)}
    if s2.expected_year is not None:
        found.add(str(s2.expected_year))
    return found


def all_right(show: ShowData, q: Question) -> set[str]:
    """Every choice that would be a right answer to `q` (the facts say so)."""
    kind, _, name = q.key.removeprefix("facts:").partition(":")
    cast, s2 = show.cast, show.season2
    if kind == "plays":
        return {m.character.get(q.lang) for m in cast if m.actor.en == name}
    if kind == "played_by":
        return {
            a for m in cast if m.character.en == name for a in (m.actor.get(q.lang), *m.aliases)
        }
    if kind == "new":
        return {m.character.get(q.lang) for m in show.new}
    if kind == "returning":
        return {a for m in show.returning for a in (m.actor.get(q.lang), *m.aliases)}
    if kind == "director":
        return {n for d in s2.directors for n in (d.name, d.hangul or d.name, *d.aliases)}
    if kind == "writer":
        w = s2.writer
        return {w.name, w.hangul or w.name, *w.aliases}
    if kind == "author":
        return {show.series.source_author.en, show.series.source_author.ko}
    if kind == "production":
        return {s2.production}
    return {q.answer}  # a number or a date: one right value


def test_the_facts_make_many_questions_in_both_languages(questions: list[Question]) -> None:
    keys = {lang: {q.key for q in questions if q.lang == lang} for lang in ("en", "ko")}
    assert keys["en"] == keys["ko"]
    assert len(keys["en"]) >= 30
    kinds = {q.key.split(":")[1] for q in questions}
    assert kinds >= {"plays", "played_by", "new", "returning", "author", "writer", "director"}
    assert kinds >= {"production", "s1_year", "s1_hours", "s1_countries", "announced"}
    for q in questions:
        if q.lang == "ko":
            assert HANGUL.search(q.prompt), q.prompt


def test_every_right_answer_is_a_fact_in_its_wording(
    show: ShowData, questions: list[Question]
) -> None:
    known = facts(show)
    for q in questions:
        assert q.answer in known, (q.key, q.answer)


def test_no_wrong_choice_is_right(show: ShowData, questions: list[Question]) -> None:
    for q in questions:
        right = all_right(show, q)
        assert q.answer in right or q.answer in {a for a in right}, q.key
        assert len(q.wrong) >= CHOICES - 1, q.key
        for wrong in q.wrong:
            assert not any(same_answer(wrong, r) for r in right), (q.key, wrong)
        choices, correct = q.choices(random.Random(7))
        assert len(choices) == CHOICES == len(set(choices)) and choices[correct] == q.answer


def test_nothing_plot_hides_is_asked_or_offered(show: ShowData, questions: list[Question]) -> None:
    phrases = spoiler_phrases(show)
    hidden = [m.spoiler for m in show.cast if m.spoiler is not None]
    for q in questions:
        for text in (q.prompt, q.answer, *q.wrong):
            assert spoils(text, phrases) is None, (q.key, text)
            for secret in hidden:  # nor any card's spoiler, whole
                assert secret.en not in text and secret.ko not in text


def test_a_question_or_a_choice_with_a_spoiler_is_left_out(show: ShowData) -> None:
    phrases = spoiler_phrases(show)
    asks = make("x:1", "en", "Who is the team leader from the National Intelligence Service?",
                "Han Du-seok", ["Lee Su-hyeok", "Yong Ma-ru", "Nam On-jo"])  # fmt: skip
    offers = make("x:2", "en", "Who plays Choi Nam-ra?", "Cho Yi-hyun",
                  ["Lomon", "Park Ji-hu", "Yoon Ga-i", "a halbie"])  # fmt: skip
    kept = without_spoilers([asks, offers], phrases)
    assert [q.key for q in kept] == ["x:2"] and "a halbie" not in kept[0].wrong


# ── packs ────────────────────────────────────────────────────────────────────

VALID = """\
AUTHOR: Tester
CONFIG:
  bot_plays: false
Which school is On-jo's in season 1?:
- Hyosan High
- Hyosan
Where does On-jo study in season 2?:
- Seoul
Who is the zombie in the lab?:
- Nobody
What kind of story is it?:
- Webtoon
How many episodes had season 1?:
- 12
"""


def test_a_red_pack_is_read_with_its_other_answers_as_wrong_choices(tmp_path: Path) -> None:
    pack = parse_pack(VALID, tmp_path / "mine.yaml")
    assert pack.author == "Tester" and pack.lang == "en" and len(pack.questions) == 5
    made = {q.prompt: q for q in pack.to_questions()}
    school = made["Which school is On-jo's in season 1?"]
    assert school.answer == "Hyosan High" and school.accepted == ("Hyosan High", "Hyosan")
    assert set(school.wrong) == {"Seoul", "Nobody", "Webtoon"}  # words, not the number
    assert "How many episodes had season 1?" not in made  # no three numbers to choose from


def test_a_broken_pack_is_named_with_its_line_and_the_others_load(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(VALID, "utf-8")
    (tmp_path / "bad.yaml").write_text("AUTHOR: x\nQuestion?:\n- a\n  - b: [\n", "utf-8")
    (tmp_path / "shape.yml").write_text("AUTHOR: x\nQuestion one?: just text\n", "utf-8")
    (tmp_path / "notes.txt").write_text("not a pack", "utf-8")
    packs, errors = load_packs(tmp_path)
    assert [p.name for p in packs] == ["good.yaml"]
    lines = sorted(str(e) for e in errors)
    assert lines[0].startswith(f"{tmp_path / 'bad.yaml'}:4: not valid YAML"), lines
    assert (
        lines[1]
        == f"{tmp_path / 'shape.yml'}:2: the answers must be a list: [answer, other spellings…]"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a\n- b\n", ":1: expected a mapping"),
        ("A?: [x]\nA?: [y]\n", ":2: the question 'A?' is there twice"),
        ("LANGUAGE: fr\nA?: [x]\n", ":1: LANGUAGE must be en or ko"),
        ("A?: [x]\nWRONG_CHOICES:\n  B?: [y]\n", ":3: WRONG_CHOICES names no question"),
        ("A?: [x, y]\nWRONG_CHOICES:\n  A?: [Y, z]\n", ":3: a wrong choice is an accepted"),
        ("AUTHOR: x\n", ": no questions"),
    ],
)
def test_pack_mistakes_are_named(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(PackError) as info:
        parse_pack(text, tmp_path / "p.yaml")
    assert problem in str(info.value) and "\n" not in str(info.value)


def test_the_shipped_pack_and_the_bank(show: ShowData) -> None:
    folder = Path(__file__).resolve().parents[2] / "data" / "trivia"
    packs, errors = load_packs(folder)
    assert not errors and {p.lang for p in packs} == {"en", "ko"}
    bank = QuestionBank(ShowStore(SHOW_FILE), folder)
    assert bank.questions("en") and not any(q.source != "facts" for q in bank.questions("en"))
    assert bank.reload_packs().packs == len(packs)
    for lang in ("en", "ko"):
        pool = bank.questions(lang)
        assert any(q.source != "facts" for q in pool) and any(q.source == "facts" for q in pool)
        picked = bank.pick(lang, 30, random.Random(1))
        assert len(picked) == 30 and len({q.key for q in picked}) == 30  # no repeat while enough
    for q in bank.questions("ko"):
        assert HANGUL.search(q.prompt), q.prompt
