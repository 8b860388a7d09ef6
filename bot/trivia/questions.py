"""Trivia questions made from the show's facts, in English and Korean.

Every right answer is a fact of data/show.toml in its own wording (as /cast and /about show
it); every wrong choice is of the same kind (another actor, another character, another number)
and is never right as well. Nothing /plot hides as a spoiler is asked or offered: a question
or a choice with a spoiler-only phrase (`bot.show.spoilers`) is left out.
"""

from __future__ import annotations

import datetime
import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from bot.i18n import LANGS, Lang, t
from bot.show.labels import count
from bot.show.model import CastMember, Credit, ShowData
from bot.show.normalize import loose_key
from bot.show.spoilers import spoiler_phrases, spoils

CHOICES = 4  # one right answer and three wrong ones: four buttons
WRONG = CHOICES - 1

_NOT_ALNUM = re.compile(r"[\W_]+")


class Question(NamedTuple):
    """One question in one language; `key` is the same in both (and across restarts)."""

    key: str
    lang: Lang
    prompt: str
    answer: str  # shown as the right answer
    accepted: tuple[str, ...]  # the answer and its other spellings: never a wrong choice
    wrong: tuple[str, ...]  # wrong choices to draw from, at least three
    source: str  # 'facts', or the pack's file name

    def choices(self, rng: random.Random) -> tuple[list[str], int]:
        """Four choices in a random order, and where the right one is."""
        choices = [self.answer, *rng.sample(self.wrong, WRONG)]
        rng.shuffle(choices)
        return choices, choices.index(self.answer)


def same_answer(a: str, b: str) -> bool:
    """Two spellings of one answer: equal but for case, spacing and punctuation, or (names)
    the same loosely romanized name."""
    plain_a, plain_b = _plain(a), _plain(b)
    if plain_a == plain_b:
        return True
    if any(ch.isdigit() for ch in plain_a + plain_b):
        return False
    key_a, key_b = loose_key(a), loose_key(b)
    return bool(key_a) and key_a == key_b


def _plain(text: str) -> str:
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def make(
    key: str, lang: Lang, prompt: str, answer: str, wrong: Iterable[str], *,
    accepted: Sequence[str] = (), source: str = "facts",
) -> Question | None:  # fmt: skip
    """A question, with the wrong choices that are really wrong (each once); None when fewer
    than three are left."""
    accepted_all = (answer, *accepted)
    kept: list[str] = []
    for choice in wrong:
        choice = choice.strip()
        if not choice or any(same_answer(choice, a) for a in accepted_all):
            continue
        if any(same_answer(choice, k) for k in kept):
            continue
        kept.append(choice)
    if len(kept) < WRONG:
        return None
    return Question(key, lang, prompt, answer, tuple(accepted_all), tuple(kept), source)


# ── from the facts ───────────────────────────────────────────────────────────


def _name(credit: Credit, lang: Lang) -> str:
    """A crew member as /about names them: Hangul for Korean when the sources give it."""
    return credit.hangul if lang == "ko" and credit.hangul else credit.name


def _cast_questions(show: ShowData, lang: Lang) -> list[Question | None]:
    cast = show.cast
    out: list[Question | None] = []
    for m in cast:
        actor, character = m.actor.get(lang), m.character.get(lang)
        others = [o for o in cast if o is not m]
        out.append(
            make(
                f"facts:plays:{m.actor.en}",
                lang,
                t(lang, "trivia.q.plays", actor=actor),
                character,
                [o.character.get(lang) for o in others],
            )
        )
        out.append(
            make(
                f"facts:played_by:{m.character.en}",
                lang,
                t(lang, "trivia.q.played_by", character=character),
                actor,
                [o.actor.get(lang) for o in others],
                accepted=m.aliases,
            )
        )
    out += _status_questions(show.new, show.returning, lang)
    return out


def _status_questions(
    new: Sequence[CastMember], returning: Sequence[CastMember], lang: Lang
) -> list[Question | None]:
    """Which of these is new (the others return), which of these returns (the others are new)."""
    out: list[Question | None] = []
    for m in new:
        prompt = t(lang, "trivia.q.new_character")
        wrong = [r.character.get(lang) for r in returning]
        key = f"facts:new:{m.character.en}"
        out.append(make(key, lang, prompt, m.character.get(lang), wrong))
    for m in returning:
        prompt = t(lang, "trivia.q.returning_actor")
        wrong = [n.actor.get(lang) for n in new]
        key = f"facts:returning:{m.actor.en}"
        out.append(make(key, lang, prompt, m.actor.get(lang), wrong, accepted=m.aliases))
    return out


def _crew_questions(show: ShowData, lang: Lang) -> list[Question | None]:
    s2 = show.season2
    author = show.series.source_author.get(lang)
    writer = _name(s2.writer, lang)
    directors = [_name(d, lang) for d in s2.directors]
    actors = [m.actor.get(lang) for m in show.cast]
    out = [
        make(
            "facts:author", lang, t(lang, "trivia.q.author"), author,
            [*directors, writer, *actors], accepted=[show.series.source_author.en],
        ),
        make(
            "facts:writer", lang, t(lang, "trivia.q.writer"), writer,
            [*directors, author, *actors], accepted=[s2.writer.name, *s2.writer.aliases],
        ),
    ]  # fmt: skip
    for director, name in zip(s2.directors, directors, strict=True):
        accepted = [d for other in s2.directors for d in (_name(other, lang), other.name)]
        accepted += [a for other in s2.directors for a in other.aliases]
        out.append(
            make(
                f"facts:director:{director.name}",
                lang,
                t(lang, "trivia.q.director"),
                name,
                [writer, author, *actors],
                accepted=[a for a in accepted if a != name],
            )
        )
    out.append(
        make(
            "facts:production",
            lang,
            t(lang, "trivia.q.production"),
            s2.production,
            s2.co_producers,
        )
    )
    return out


def _around(value: int, steps: Iterable[int]) -> list[int]:
    return [value + step for step in steps if value + step > 0]


def _record_questions(show: ShowData, lang: Lang) -> list[Question | None]:
    s1, s2 = show.season1, show.season2
    hours = [count(lang, int(s1.viewing_hours * f)) for f in (0.5, 1.5, 2, 3)]
    day = s2.announced
    dates = [day + datetime.timedelta(days=d) for d in (-365, -90, -30, 30, 90)]
    out = [
        make(
            "facts:s1_year", lang, t(lang, "trivia.q.s1_year"), str(s1.year),
            [str(y) for y in _around(s1.year, (-3, -2, -1, 1))],
        ),
        make(
            "facts:s1_hours", lang, t(lang, "trivia.q.s1_hours", days=s1.viewing_days),
            count(lang, s1.viewing_hours), hours,
        ),
        make(
            "facts:s1_countries", lang, t(lang, "trivia.q.s1_countries"),
            str(s1.top10_countries),
            # only more: "in more than 50 countries" would be true as well
            [str(n) for n in _around(s1.top10_countries, (30, 60, 100))],
        ),
        make(
            "facts:s1_days", lang,
            t(lang, "trivia.q.s1_days", hours=count(lang, s1.viewing_hours)),
            str(s1.viewing_days), [str(n) for n in (7, 14, 60, 90) if n != s1.viewing_days],
        ),
        make(
            "facts:announced", lang, t(lang, "trivia.q.announced"), day.isoformat(),
            [d.isoformat() for d in dates],
        ),
    ]  # fmt: skip
    if s2.expected_year is not None:
        out.append(
            make(
                "facts:expected_year",
                lang,
                t(lang, "trivia.q.expected_year"),
                str(s2.expected_year),
                [str(y) for y in _around(s2.expected_year, (-1, 1, 2))],
            )
        )
    return out


def without_spoilers(
    questions: Iterable[Question | None], phrases: frozenset[str]
) -> list[Question]:
    """The questions that neither ask nor offer a spoiler-only phrase (wrong choices that
    would are dropped; a question left with fewer than three is dropped)."""
    kept = []
    for q in questions:
        if q is None or spoils(q.prompt, phrases) or spoils(q.answer, phrases):
            continue
        clean = make(
            q.key, q.lang, q.prompt, q.answer, [w for w in q.wrong if not spoils(w, phrases)],
            accepted=q.accepted[1:], source=q.source,
        )  # fmt: skip
        if clean is not None:
            kept.append(clean)
    return kept


def from_facts(show: ShowData) -> list[Question]:
    """Every question the facts make, in both languages."""
    made: list[Question | None] = []
    for lang in LANGS:
        made += _cast_questions(show, lang)
        made += _crew_questions(show, lang)
        made += _record_questions(show, lang)
    return without_spoilers(made, spoiler_phrases(show))
