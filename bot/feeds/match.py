"""Which items concern the series (keywords, across case, spacing and hyphens, in English and
Korean), and when two items are the same story (a link without tracking, a near-identical
title)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rapidfuzz import fuzz

from bot.untrusted import clean_input

MAX_KEYWORDS = 20
MAX_KEYWORD = 50
SAME_TITLE = 90  # rapidfuzz ratio from which two titles are one story
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|igshid|mc_cid|mc_eid|ref|ref_src|spm|"
                      r"_ga|yclid|cmpid|ocid)$", re.IGNORECASE)  # fmt: skip
_NOT_WORD = re.compile(r"[\W_]+")


def default_keywords() -> tuple[str, ...]:
    return ("All of Us Are Dead", "지금 우리 학교는", "지금우리학교는", "지우학",
            "All of Us Are Dead season 2")  # fmt: skip


def normalize(text: str) -> str:
    """Case, width, spacing, hyphens and punctuation don't matter."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def parse_keywords(text: str) -> tuple[str, ...]:
    words = [clean_input(w, MAX_KEYWORD) for w in text.split(",")]
    unique = dict.fromkeys(w for w in words if normalize(w))
    return tuple(unique)[:MAX_KEYWORDS]


def matches(keywords: tuple[str, ...] | list[str], title: str, summary: str) -> bool:
    haystack = normalize(f"{title} {summary}")
    return any(normalize(k) in haystack for k in keywords if normalize(k))


def canonical_link(url: str) -> str:
    """The same page however it was shared: no fragment, no tracking parameters."""
    parts = urlsplit(url.strip())
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not TRACKING.match(k))  # fmt: skip
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def title_key(title: str) -> str:
    return normalize(title)


def same_story(a: str, b: str) -> bool:
    key_a, key_b = title_key(a), title_key(b)
    if not key_a or not key_b:
        return False
    return key_a == key_b or fuzz.ratio(key_a, key_b) >= SAME_TITLE
