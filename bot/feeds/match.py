"""Which feed items concern the show (keywords), and which are a story already seen (links
without their tracking parameters, near-identical titles)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from bot.untrusted import clean_input

MAX_KEYWORDS = 20
MAX_KEYWORD = 50  # characters

_DEFAULT_KEYWORDS = (
    "All of Us Are Dead",
    "All of Us Is Dead",  # a common slip
    "AOUAD",
    "지금 우리 학교는",
    "지우학",
    "Jigeum Uri Hakgyoneun",  # the Korean title romanized
    "Now at Our School",  # the webtoon's English title
)
_SEPARATORS = re.compile(r"[,，、\n]")  # NFKC turns the full-width comma into ","

# Query parameters that only say where a click came from.
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_TRACKING = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid"}
    | {"igshid", "igsh", "mc_cid", "mc_eid", "ref", "ref_src", "ref_url", "referrer", "_ga"}
    | {"_gl", "spm", "cmpid", "ocid", "s_cid", "li_fat_id", "mkt_tok"}
)
_PATH_SAFE = "/:@!$&'()*+,;=~"

_JOINERS = re.compile(r"[-‐‑‒–—'’`´]")  # Ji-hu = Jihu, don't = dont
_NUMBER = re.compile(r"\d+")
_MAX_ADDED_WORDS = 2  # "[단독]", "officially", "- Soompi": still the same story
_MIN_SHARED_WORDS = 3
_TYPO_RATIO = 96.0  # fuzz.ratio of two keys a letter or two apart; "trailer"/"teaser" is 94


class KeywordError(ValueError):
    """A moderator's keyword list over the limits: `reason` is "too_many" or "too_long"."""

    def __init__(self, reason: str, keyword: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.keyword = keyword


# --- keywords ------------------------------------------------------------------------------


def default_keywords() -> tuple[str, ...]:
    """The show's titles and short forms in English and Korean, as fans write them."""
    return _DEFAULT_KEYWORDS


def fold(text: str) -> str:
    """`text` reduced to what a keyword match compares: case, width, spaces, hyphens and
    punctuation gone (NFKC, casefold, letters and digits only)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def parse_keywords(text: str) -> tuple[str, ...]:
    """A moderator's comma-separated keywords, trimmed and without repeats (as folded); an
    entry with no letter or digit is dropped. KeywordError past MAX_KEYWORDS or MAX_KEYWORD."""
    found: dict[str, str] = {}
    for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        keyword = " ".join(clean_input(part, len(part)).split())
        if len(keyword) > MAX_KEYWORD:
            raise KeywordError("too_long", keyword[:MAX_KEYWORD])
        key = fold(keyword)
        if key and key not in found:
            found[key] = keyword
        if len(found) > MAX_KEYWORDS:
            raise KeywordError("too_many")
    return tuple(found.values())


def matches(keywords: tuple[str, ...], title: str, summary: str) -> bool:
    """Whether a keyword occurs in the title or the summary, however spaced, cased or
    hyphenated ("All-of-us-are-dead", "지금우리학교는"); no keywords match nothing."""
    keys = [key for key in map(fold, keywords) if key]
    texts = (fold(title), fold(summary))  # apart: the title's end and summary's start don't join
    return any(key in text for key in keys for text in texts)


# --- the same story ------------------------------------------------------------------------


def domain(link: str | None) -> str:
    """The site a link is on, as people say it (without `www.`)."""
    host = urlsplit(link).hostname if link else None
    return host.removeprefix("www.") if host else ""


def canonical_link(url: str) -> str:
    """A key two links to the same page share: scheme and "www." folded (http = https), no
    fragment, no tracking parameters, the rest sorted, no trailing slash. A key for comparing,
    not a URL to visit; anything but http(s) is returned trimmed."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").removeprefix("www.")
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not host:
        return url
    if port not in (None, 80, 443):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe=_PATH_SAFE).rstrip("/")
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _tracking(name)
    )
    return urlunsplit(("https", host, path, urlencode(query, quote_via=quote), ""))


def _tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING or name.startswith(_TRACKING_PREFIXES)


def title_key(title: str) -> str:
    """A title as words to compare: NFKC, casefold, hyphens and apostrophes joined, other
    punctuation a space, spaces collapsed."""
    text = _JOINERS.sub("", unicodedata.normalize("NFKC", title).casefold())
    text = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text)
    return " ".join(text.split())


def same_story(a_title: str, b_title: str) -> bool:
    """Whether two headlines are one story: the same words but for punctuation, a letter or
    two, or a word or two added; never when their numbers differ (season 2 is not season 3).

    Two headlines about the show share its long name, so a plain similarity threshold would
    take "trailer released" and "teaser released" for one story: a changed word counts only
    as a typo, an added word only when every other word is there too."""
    a, b = title_key(a_title), title_key(b_title)
    if not a or not b:
        return False
    if a == b:
        return True
    if sorted(_NUMBER.findall(a)) != sorted(_NUMBER.findall(b)):
        return False
    from rapidfuzz import fuzz  # at first use: its import is 10-20 ms of start-up

    return fuzz.ratio(a, b) >= _TYPO_RATIO or _words_added(a, b)


def _words_added(a: str, b: str) -> bool:
    fewer, more = sorted((set(a.split()), set(b.split())), key=len)
    return (
        fewer <= more and len(fewer) >= _MIN_SHARED_WORDS and len(more - fewer) <= _MAX_ADDED_WORDS
    )
