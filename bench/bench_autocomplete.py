"""Latency of `NameIndex.autocomplete` (and `match`) for the real cast and a 1,000-person cast.

    .venv/bin/python -m bench.bench_autocomplete [--calls N]

Queries are what a fan produces while typing: every prefix of real names (Latin and Hangul),
plus typos and junk, so prefix, fuzzy and no-hit paths are all measured.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.show.loader import load_show
from bot.show.model import CastMember, Text
from bot.show.names import NameIndex

DATA = Path(__file__).resolve().parents[1] / "data" / "show.toml"


def _pairs(text: str) -> list[tuple[str, str]]:
    """ "Kim 김, Lee 이" -> [("Kim", "김"), ("Lee", "이")]"""
    return [(en, ko) for en, ko in (pair.split() for pair in text.split(","))]


SURNAMES = _pairs(
    "Kim 김, Lee 이, Park 박, Choi 최, Jung 정, Kang 강, Cho 조, Yoon 윤, Jang 장, Lim 임,"
    "Han 한, Oh 오, Seo 서, Shin 신, Kwon 권"
)
SYLLABLES = _pairs(
    "Min 민, Ji 지, Seo 서, Hyun 현, Woo 우, Jin 진, Ha 하, Yeon 연, Soo 수, Eun 은,"
    "Tae 태, Kyung 경, Ho 호, Young 영, Joon 준, Hee 희, Sung 성, Da 다, Bin 빈, Na 나"
)


def _person(rng: random.Random) -> tuple[str, str]:
    (sur_en, sur_ko), (a_en, a_ko), (b_en, b_ko) = (
        rng.choice(SURNAMES),
        rng.choice(SYLLABLES),
        rng.choice(SYLLABLES),
    )
    return f"{sur_en} {a_en}-{b_en.lower()}", f"{sur_ko}{a_ko}{b_ko}"


def synthetic_cast(n: int, seed: int = 7) -> list[CastMember]:
    rng = random.Random(seed)
    cast = []
    for i in range(n):
        actor, character = _person(rng), _person(rng)
        cast.append(
            CastMember(
                actor=Text(*actor),
                character=Text(*character),
                status="new" if i % 2 else "returning",
                part=Text("-", "-"),
            )
        )
    return cast


def queries_for(cast: Sequence[CastMember], count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < count:
        member = rng.choice(cast)
        name = rng.choice([member.actor.en, member.character.en, member.actor.ko])
        kind = rng.random()
        if kind < 0.7:  # typing in progress
            out.append(name[: rng.randint(1, len(name))])
        elif kind < 0.85:  # a typo
            i = rng.randrange(len(name))
            out.append(name[:i] + rng.choice("aeiouxz") + name[i + 1 :])
        else:  # junk or someone else
            out.append(rng.choice(["zombie", "asdf", "Gong Yoo", "12345", "Netflix", "q"]))
    return out


def measure(call: Callable[[str], object], queries: list[str]) -> tuple[float, float, float]:
    """(median, p99, max) in microseconds."""
    for query in queries[:200]:  # warm-up
        call(query)
    times = []
    for query in queries:
        start = time.perf_counter_ns()
        call(query)
        times.append((time.perf_counter_ns() - start) / 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, times[-1]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000, help="queries per row")
    args = parser.parse_args(argv)
    casts = {"real (8)": list(load_show(DATA).cast), "synthetic (1000)": synthetic_cast(1000)}
    header = ("cast", "call", "build ms", "median µs", "p99 µs", "max µs")
    print("{:<18} {:<13} {:>9} {:>10} {:>9} {:>9}".format(*header))
    for label, cast in casts.items():
        start = time.perf_counter()
        index = NameIndex(cast)
        build_ms = (time.perf_counter() - start) * 1000
        queries = queries_for(cast, args.calls)
        for name, call in (("autocomplete", index.autocomplete), ("match", index.match)):
            median, p99, worst = measure(call, queries)
            row = f"{label:<18} {name:<13} {build_ms:>9.1f} {median:>10.1f} {p99:>9.1f}"
            print(f"{row} {worst:>9.1f}")


if __name__ == "__main__":
    main()
