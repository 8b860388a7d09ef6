"""What counts as a spoiler: whatever the facts file shows only inside spoiler tags (the
premise's `spoilers` part and each cast member's `spoiler`) and nowhere in the open text.

`/plot`, `/cast` and trivia share this one definition: a phrase of the hidden text that the
open text does not contain is spoiler-only, and must never appear outside spoiler tags.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from bot.show.model import ShowData, Text

_WORD = re.compile(r"[\w'-]+")
MIN_WORD = 6  # a single word shorter than this ("adds", "team") is no spoiler by itself
# Words that make no phrase a spoiler ("to the", "is still").
_COMMON = frozenset(
    """a an the to of for and or is are was be has have her his its their that this with
    from in on at as by own still also now""".split()  # noqa: SIM905 - a list of words
)


def _words(text: str) -> list[str]:
    return [w.strip("'-") for w in _WORD.findall(text.casefold()) if w.strip("'-")]


def _phrases(text: str) -> set[str]:
    """Its longer words, and every two words in a row."""
    words = _words(text)
    pairs = {
        f"{a} {b}" for a, b in itertools.pairwise(words) if a not in _COMMON and b not in _COMMON
    }
    return {w for w in words if len(w) >= MIN_WORD} | pairs


def _both(texts: Iterable[Text | None]) -> Iterator[str]:
    for text in texts:
        if text is not None:
            yield text.en
            yield text.ko


def open_texts(show: ShowData) -> list[str]:
    """Everything the bot shows without spoiler tags."""
    s1, s2, series = show.season1, show.season2, show.series
    texts = list(
        _both(
            [series.title, series.genre, series.source_kind, series.source_author, s1.global_top10]
        )
    )
    texts += _both([s2.status, s2.announcement, show.premise.spoiler_free])
    texts += _both(e.text for e in show.timeline)
    for member in show.cast:
        texts += _both([member.actor, member.character, member.part])
        texts += member.aliases
    for credit in (*s2.directors, s2.writer):
        texts += [credit.name, credit.hangul or "", *credit.aliases]
        texts += _both([credit.credits])
    texts += [series.short, series.network, s2.production, *s2.co_producers]
    return texts


def hidden_texts(show: ShowData) -> list[str]:
    """What the bot shows only inside spoiler tags."""
    return list(_both([show.premise.spoilers, *(m.spoiler for m in show.cast)]))


def spoiler_phrases(show: ShowData) -> frozenset[str]:
    """The phrases only the hidden text has (casefolded words and pairs of words)."""
    shown: set[str] = set()
    for text in open_texts(show):
        shown |= _phrases(text)
    hidden: set[str] = set()
    for text in hidden_texts(show):
        hidden |= _phrases(text)
    return frozenset(hidden - shown)


def leaks(show: ShowData) -> list[str]:
    """Open text that tells what the hidden text hides: a cast member's part or a timeline
    entry with a phrase of the hidden text that neither the spoiler-free premise nor a name
    has. Empty when `/cast`, `/release` and `/plot` agree on what is a spoiler."""
    base: set[str] = set()
    names = [*_both([show.premise.spoiler_free, show.series.title])]
    for member in show.cast:
        names += [*_both([member.actor, member.character]), *member.aliases]
    for name in names:
        base |= _phrases(name)
    hidden: set[str] = set()
    for secret_text in hidden_texts(show):
        hidden |= _phrases(secret_text)
    secret = frozenset(hidden - base)
    found = []
    places = [(f"cast[{i}].part", m.part) for i, m in enumerate(show.cast)]
    places += [(f"timeline[{i}].text", e.text) for i, e in enumerate(show.timeline)]
    for where, open_text in places:
        for lang, value in (("en", open_text.en), ("ko", open_text.ko)):
            phrase = spoils(value, secret)
            if phrase is not None:
                found.append(f"{where}.{lang}: {phrase!r}")
    return found


def spoils(text: str, phrases: frozenset[str]) -> str | None:
    """The first spoiler-only phrase `text` contains, or None."""
    for phrase in sorted(_phrases(text)):
        if phrase in phrases:
            return phrase
    return None
