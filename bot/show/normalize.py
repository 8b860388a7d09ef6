"""Names as fans type them -> comparable keys.

Every name and every query goes through the same pipeline, so a spelling variant only has to
land on the same key, not be "right":

* junk is dropped: mentions, custom emoji, markdown, zero-width and other format characters,
  emoji, digits, punctuation, case (NFKC/NFKD + casefold);
* Hangul becomes conjoining jamo (박 -> ᄇ ᅡ ᆨ), so one wrong jamo is one edit and a
  half-typed syllable is still a prefix;
* Latin becomes a "loose" key that folds Korean romanization variants together
  (eo/u, oo/u, ee/i, ae/e, ch/j, k/g, p/b, t/d, r/l, Lee/Yi/Rhee, Park/Pak/Bak, Roh/No ...).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

MAX_QUERY = 100  # characters kept from a query; Discord options are this short anyway

# Discord markup that carries no name: <@1>, <@!1>, <@&1>, <#1>, <:emoji:1>, <a:x:1>, <t:1:R>
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w*:|t:)[^<>\s]*>")
_LATIN = re.compile(r"[a-z]+")
_SYLLABLES = (0xAC00, 0xD7A3)
_DROP = {"Cf", "Mn", "Me"}  # zero-width/format characters, combining marks, variation selectors

# Common spellings of the surnames fans are likely to type -> one canonical spelling.
_SURNAMES: dict[str, str] = {}
for _canon, _variants in {
    "i": "lee yi rhee rhie ri li yee rie",
    "bak": "park pak bak bahk pahk",
    "gim": "kim gim ghim",
    "choe": "choi choe chwe choy",
    "jo": "cho jo joh jho",
    "yun": "yoon yun youn yune",
    "no": "roh ro noh no rho nho",
    "han": "han hahn",
    "so": "so soh",
    "nam": "nam nahm",
    "yong": "yong ryong lyong",
}.items():
    _SURNAMES.update(dict.fromkeys(_variants.split(), _canon))
# Surnames long enough to split off a query typed without spaces ("parkjihu").
_PREFIXES = sorted((s for s in _SURNAMES if len(s) >= 3), key=len, reverse=True)

# Applied in order to the joined lowercase Latin letters.
_FOLDS = (
    ("ch", "j"),
    ("sh", "s"),
    ("eo", "u"),
    ("eu", "u"),
    ("oo", "u"),
    ("ou", "u"),
    ("ee", "i"),
    ("ae", "e"),
    ("k", "g"),
    ("p", "b"),
    ("t", "d"),
    ("r", "l"),
)
_REPEATS = re.compile(r"(.)\1+")
_VOWELS = frozenset("aeiouwy")


class Parsed(NamedTuple):
    """A name or query after cleaning: its Hangul part (jamo) and its Latin tokens."""

    jamo: str
    syllables: int
    tokens: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.jamo and not self.tokens

    @property
    def hangul(self) -> bool:
        return bool(self.jamo)


def parse(text: str) -> Parsed:
    text = _DISCORD_MARKUP.sub(" ", text[: MAX_QUERY * 4])
    text = unicodedata.normalize("NFKC", text)[:MAX_QUERY]
    syllables = sum(1 for ch in text if _SYLLABLES[0] <= ord(ch) <= _SYLLABLES[1])
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROP)
    jamo = "".join(ch for ch in text if _is_jamo(ch))
    return Parsed(jamo=jamo, syllables=syllables, tokens=tuple(_LATIN.findall(text)))


def _is_jamo(ch: str) -> bool:
    return "\u1100" <= ch <= "\u11ff"


def fold(letters: str) -> str:
    """Romanization folding of lowercase a-z letters."""
    for old, new in _FOLDS:
        letters = letters.replace(old, new)
    return _REPEATS.sub(r"\1", letters)


def _strip_h(token: str) -> str:
    # "Roh", "Jong-ah": a final h after a vowel is silent in romanized Korean.
    if len(token) > 1 and token.endswith("h") and token[-2] in _VOWELS:
        return token[:-1]
    return token


def split_surname(token: str) -> tuple[str, ...]:
    """ "parkjihu" -> ("park", "jihu"); tokens without a known surname stay whole."""
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            return prefix, token[len(prefix) :]
    return (token,)


def latin_key(tokens: tuple[str, ...], *, first: bool = True, last: bool = True) -> str:
    """Loose key of Latin tokens; the surname at the `first`/`last` position is unified."""
    if not tokens:
        return ""
    parts = [_strip_h(t) for t in tokens]
    if first:
        parts[0] = _SURNAMES.get(parts[0], parts[0])
    if last:
        parts[-1] = _SURNAMES.get(parts[-1], parts[-1])
    return fold("".join(parts))


def is_surname(token: str) -> bool:
    return _strip_h(token) in _SURNAMES


def loose_key(name: str) -> str:
    """One key for a whole name (Hangul names give their jamo); used to spot duplicates."""
    parsed = parse(name)
    return parsed.jamo or latin_key(parsed.tokens)
