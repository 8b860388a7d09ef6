"""Fuzzy lookup of cast members by any name fans type, for `/cast name:` and its autocomplete.

Keys (see `normalize`) are precomputed per name: the full name, surname-last order and the
given name alone, for actor, character and aliases, in Latin and Hangul. A confident match needs
a key within a small edit budget (none for short names) and no other person as close; anything
weaker returns no one and at most three suggestions, so a wrong person is never shown.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.show.model import CastMember
from bot.show.normalize import Parsed, fold, is_surname, latin_key, parse, split_surname

MAX_SUGGESTIONS = 3
AUTOCOMPLETE_LIMIT = 25  # Discord's maximum number of choices
_SUGGEST_CUTOFF = 70.0  # fuzz.ratio a suggestion needs when it isn't a prefix match
_UNIQUE_PREFIX = 0.6  # share of a key a unique prefix must cover to count as a match


def edit_budget(length: int) -> int:
    """Typos tolerated in a key of this length: short names must be exact."""
    return 0 if length <= 4 else 1 if length <= 7 else 2 if length <= 11 else 3


_MAX_BUDGET = edit_budget(10_000)


@dataclass(frozen=True, slots=True)
class NameMatch:
    member: CastMember | None
    score: float  # 0-100 similarity of the best key; 100 = exact
    suggestions: list[CastMember] = field(default_factory=list)


def _name_keys(name: str) -> tuple[set[str], set[str]]:
    """(loose keys for matching, extra raw keys for prefix lookup) of one name."""
    parsed = parse(name)
    if parsed.hangul:
        keys = {parsed.jamo}
        if parsed.syllables == 3 and not parsed.tokens:  # 박지후 -> 지후 (one-syllable surname)
            keys.add(parse(name.strip()[1:]).jamo)
        return keys, set()
    tokens = parsed.tokens
    if len(tokens) < 2:
        return {latin_key(tokens)}, {"".join(tokens)}
    given = tokens[1:]  # Korean order: the surname comes first
    loose = {
        latin_key(tokens, last=False),
        latin_key((*given, tokens[0]), first=False),
        fold("".join(given)),
    }
    raw = {"".join(tokens), "".join(given) + tokens[0], "".join(given)}
    return loose, raw


def _query_keys(parsed: Parsed) -> list[str]:
    """Loose keys to try for a query; with and without surname folding when they differ."""
    if parsed.hangul:
        return [parsed.jamo]
    tokens = parsed.tokens
    if len(tokens) == 1:
        tokens = split_surname(tokens[0])
    keys = [latin_key(tokens), latin_key(parsed.tokens, first=False, last=False)]
    return list(dict.fromkeys(k for k in keys if k))


def _member_keys(member: CastMember) -> tuple[set[str], set[str], set[str]]:
    """(loose keys, raw prefix keys, loose surnames) of all of one member's names."""
    loose: set[str] = set()
    raw: set[str] = set()
    surnames: set[str] = set()
    names = (member.actor.en, member.actor.ko, member.character.en, member.character.ko)
    for name in (*names, *member.aliases):
        more_loose, more_raw = _name_keys(name)
        loose |= {k for k in more_loose if k}
        raw |= {k for k in more_raw if k}
        tokens = parse(name).tokens
        if len(tokens) >= 2:
            surnames.add(latin_key(tokens[:1]))
    return loose, raw, surnames


class NameIndex:
    """Built once per show data; lookups only touch precomputed keys."""

    def __init__(self, cast: Sequence[CastMember]) -> None:
        self._cast = tuple(cast)
        owners: dict[str, list[int]] = {}  # loose key -> cast positions (names can repeat)
        prefix: set[tuple[str, int]] = set()
        self._surnames: set[str] = set()
        for i, member in enumerate(self._cast):
            loose, raw, surnames = _member_keys(member)
            for key in sorted(loose):
                owners.setdefault(key, []).append(i)
            prefix |= {(key, i) for key in loose | raw}
            self._surnames |= surnames
        self._keys = list(owners)  # unique, for rapidfuzz.process
        self._owners = [tuple(owners[key]) for key in self._keys]
        self._prefix = sorted(prefix)  # (key, owner), for bisect

    @property
    def cast(self) -> tuple[CastMember, ...]:
        return self._cast

    # ── exact-ish lookup ──────────────────────────────────────────────────

    def match(self, query: str) -> NameMatch:
        parsed = parse(query)
        keys = _query_keys(parsed)
        if not keys or max(map(len, keys)) < 2:
            return NameMatch(None, 0.0)
        if self._bare_surname(parsed, keys):
            return NameMatch(None, 0.0, self._suggest(parsed, keys))
        member, score = self._closest(keys)
        if member is None:
            member, score = self._unique_prefix(keys)
        if member is not None:
            return NameMatch(self._cast[member], score)
        return NameMatch(None, score, self._suggest(parsed, keys))

    def _bare_surname(self, parsed: Parsed, keys: list[str]) -> bool:
        """ "Lee", "Kim", "이": a family name alone never picks one person."""
        if parsed.hangul:
            return parsed.syllables == 1
        return len(parsed.tokens) == 1 and (
            is_surname(parsed.tokens[0]) or keys[0] in self._surnames
        )

    def _closest(self, keys: list[str]) -> tuple[int | None, float]:
        """The one member with a key within its edit budget and strictly closer than others."""
        from rapidfuzz import process  # at first use: its import is 10-20 ms of start-up
        from rapidfuzz.distance import Levenshtein

        best: dict[int, tuple[int, float]] = {}  # owner -> (distance, similarity)
        for q in keys:
            hits = process.extract(
                q, self._keys, scorer=Levenshtein.distance, score_cutoff=_MAX_BUDGET, limit=None
            )
            for key, distance, idx in hits:
                if distance > edit_budget(len(key)):
                    continue
                similarity = 100.0 * (1 - distance / max(len(q), len(key)))
                for owner in self._owners[idx]:
                    if owner not in best or distance < best[owner][0]:
                        best[owner] = (int(distance), similarity)
        ranked = sorted(best.items(), key=lambda item: item[1][0])
        if not ranked:
            return None, 0.0
        (owner, (distance, similarity)), *others = ranked
        if others and others[0][1][0] == distance:
            return None, similarity  # two people equally close: don't guess
        return owner, similarity

    def _unique_prefix(self, keys: list[str]) -> tuple[int | None, float]:
        """ "박지", "Lomo", "Cheongs": a long enough start of exactly one person's name."""
        owners: set[int] = set()
        best = 0.0
        for q in (k for k in keys if len(k) >= 4):
            for key, owner in self._prefixed(q):
                owners.add(owner)
                best = max(best, len(q) / len(key))
        if len(owners) == 1 and best >= _UNIQUE_PREFIX:
            return owners.pop(), 100.0 * best
        return None, 0.0

    # ── ranked lookup ─────────────────────────────────────────────────────

    def autocomplete(self, query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[CastMember]:
        """Ranked choices: exact keys, then prefixes, then fuzzy; blank -> everyone in order."""
        limit = max(0, min(limit, AUTOCOMPLETE_LIMIT))
        if not query.strip():
            return list(self._cast[:limit])
        parsed = parse(query)
        return [self._cast[i] for i in self._rank(parsed, _query_keys(parsed), limit)]

    def _suggest(self, parsed: Parsed, keys: list[str]) -> list[CastMember]:
        return [self._cast[i] for i in self._rank(parsed, keys, MAX_SUGGESTIONS)]

    def _rank(self, parsed: Parsed, keys: list[str], limit: int) -> list[int]:
        scores: dict[int, tuple[int, float]] = {}  # owner -> (tier, score); higher is better

        def offer(owner: int, tier: int, score: float) -> None:
            if (tier, score) > scores.get(owner, (-1, 0.0)):
                scores[owner] = (tier, score)

        # Tiers: 3 exact key, 2 literal prefix (as typed, or Hangul), 1 folded prefix, 0 fuzzy.
        literal = parsed.jamo or "".join(parsed.tokens)
        for q in dict.fromkeys(k for k in (literal, *keys) if k):
            for key, owner in self._prefixed(q):
                tier = 3 if key == q else 2 if q == literal else 1
                offer(owner, tier, 100.0 * len(q) / len(key))
        if len(scores) < limit:  # fuzzy hits rank below every prefix hit: only fill up
            for q in keys:
                if len(q) >= 3:
                    for owner, score in self._fuzzy(q, limit * 4):
                        offer(owner, 0, score)
        ranked = sorted(scores, key=lambda o: (-scores[o][0], -scores[o][1], o))
        return ranked[:limit]

    def _prefixed(self, q: str) -> Iterable[tuple[str, int]]:
        entries = self._prefix
        i = bisect.bisect_left(entries, (q, -1))
        while i < len(entries) and entries[i][0].startswith(q):
            yield entries[i]
            i += 1

    def _fuzzy(self, q: str, limit: int) -> Iterable[tuple[int, float]]:
        from rapidfuzz import fuzz, process  # at first use, as in _closest

        hits = process.extract(
            q, self._keys, scorer=fuzz.ratio, score_cutoff=_SUGGEST_CUTOFF, limit=limit
        )
        for _key, score, idx in hits:
            for owner in self._owners[idx]:
                yield owner, float(score)
