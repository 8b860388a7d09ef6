"""Reading a feed's bytes with feedparser (every format a reader is expected to read, in any
declared encoding) into plain, bounded items. It is given bytes, never a URL, so it fetches
nothing itself; HTML in an item becomes plain text that keeps its links' domains."""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import feedparser

from bot.feeds.errors import FeedError
from bot.untrusted import clean_input

# A feed has no use for entities of its own; an "entity bomb" declares them to expand into
# gigabytes. Refused before any parser sees it.
_DECLARES_ENTITIES = re.compile(rb"<!ENTITY", re.IGNORECASE)
MAX_TITLE = 256
MAX_SUMMARY = 1000
MAX_ITEMS = 200  # more than any news feed keeps; the rest are ignored
KINDS = {
    "rss090": "RSS 0.90", "rss091n": "RSS 0.91", "rss091u": "RSS 0.91", "rss092": "RSS 0.92",
    "rss093": "RSS 0.93", "rss094": "RSS 0.94", "rss20": "RSS 2.0", "rss10": "RSS 1.0",
    "rss": "RSS", "atom01": "Atom 0.1", "atom02": "Atom 0.2", "atom03": "Atom 0.3",
    "atom10": "Atom 1.0", "atom": "Atom", "cdf": "CDF",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParsedItem:
    guid: str | None
    title: str
    link: str | None
    summary: str
    published: int | None  # epoch seconds


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    kind: str
    ttl_s: int | None
    items: list[ParsedItem]


class _Text(HTMLParser):
    """HTML to plain text; a link keeps its domain: "text (domain)"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            host = urlsplit(self._href).hostname
            if host:
                self.parts.append(f" ({host.removeprefix('www.')})")
            self._href = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(text: str, limit: int) -> str:
    parser = _Text()
    parser.feed(html.unescape(text) if "&lt;" in text else text)
    parser.close()
    return clean_input(re.sub(r"\s+", " ", "".join(parser.parts)), limit)


def _timestamp(entry: Any) -> int | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return calendar.timegm(parsed) if parsed else None


def _item(entry: Any) -> ParsedItem | None:
    title = plain(str(entry.get("title") or ""), MAX_TITLE)
    if not title:
        return None
    link = str(entry.get("link") or "") or None
    guid = str(entry.get("id") or "") or link
    summary = plain(str(entry.get("summary") or ""), MAX_SUMMARY)
    return ParsedItem(guid[:500] if guid else None, title, link, summary, _timestamp(entry))


def _ttl(feed: Any) -> int | None:
    raw = str(feed.get("ttl") or "").strip()
    return int(raw) * 60 if raw.isdigit() else None


def parse(body: bytes, url: str) -> ParsedFeed:
    """Raises FeedError('not_a_feed') for what no reader would call a feed (`url` names it in
    the error)."""
    if _DECLARES_ENTITIES.search(body[:65536]):
        raise FeedError("not_a_feed", f"{url}: declares its own XML entities")
    try:
        result = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:  # feedparser reads anything; what it cannot is not a feed
        raise FeedError("not_a_feed", f"{url}: {type(exc).__name__}") from None
    version = str(result.get("version") or "")
    if not version:
        raise FeedError("not_a_feed", "no RSS or Atom in it")
    items = [i for e in result.entries[:MAX_ITEMS] if (i := _item(e)) is not None]
    if result.get("bozo") and not items:  # broken, and nothing could be read of it
        raise FeedError("not_a_feed", "malformed, with no item that could be read")
    title = plain(str(result.feed.get("title") or ""), MAX_TITLE)
    return ParsedFeed(title, KINDS.get(version, version), _ttl(result.feed), items)
