"""A feed's bytes as plain, bounded items: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0, any encoding.

feedparser only ever gets bytes in memory (a str or bytes it is handed may be read as a URL or a
file name), after bot.feeds.xml_guard. It takes a while on a big feed: call parse() through
asyncio.to_thread, never on the event loop.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import xml.sax
from collections.abc import Mapping
from typing import Any, NamedTuple

from bot import discord_limits
from bot.feeds import hints, html_text, xml_guard
from bot.feeds.errors import FeedError
from bot.untrusted import clean_input

TITLE = discord_limits.TITLE
SUMMARY = 1000
MAX_LINK = 2048  # a longer link is dropped, not cut: half a URL leads nowhere
MAX_GUID = 512  # a longer id is kept as its hash
MAX_COMPLAINT = 200

_KINDS = {
    "rss090": "RSS 0.90",
    "rss091n": "RSS 0.91",
    "rss091u": "RSS 0.91",
    "rss092": "RSS 0.92",
    "rss093": "RSS 0.93",
    "rss094": "RSS 0.94",
    "rss10": "RSS 1.0",
    "rss20": "RSS 2.0",
    "rss": "RSS",
    "atom01": "Atom 0.1",
    "atom02": "Atom 0.2",
    "atom03": "Atom 0.3",
    "atom10": "Atom 1.0",
    "atom": "Atom",
    "cdf": "CDF",
}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class FeedItem(NamedTuple):
    guid: str  # the item's id, else its link, else a hash of its text
    title: str
    link: str  # http(s) or ""
    summary: str  # plain text, links as "text (domain)"
    published: int | None  # epoch seconds


class ParsedFeed(NamedTuple):
    title: str
    kind: str  # "RSS 2.0", "Atom 1.0" ...
    ttl_s: int | None  # RSS <ttl>, in seconds
    items: tuple[FeedItem, ...]
    # Not well-formed XML, read leniently: the parser's first complaint. None: well-formed.
    not_well_formed: str | None = None


def parse(body: bytes, url: str) -> ParsedFeed:
    """The feed in `body` (fetched from `url`), or FeedError("not_a_feed" or "too_large").

    A malformed feed feedparser still reads items of is fine; one with no readable item, or no
    feed in it at all, is refused."""
    import feedparser  # here, not at start-up: 60 ms of import for the first feed only

    raw = feedparser.parse(
        io.BytesIO(xml_guard.defuse(body)),
        response_headers={**xml_guard.HEADERS, "content-location": url},
        # The HTML is turned into plain text here (bot.feeds.html_text), never shown as HTML:
        # feedparser's sanitizing and link resolving would parse every item's HTML twice more
        # for nothing (a relative link is resolved against the item's link instead).
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    version = raw.get("version") or ""
    entries = raw.get("entries") or []
    if not version and not entries:
        raise FeedError("not_a_feed", _why(raw))
    feed = raw.get("feed") or {}
    items = tuple(item for entry in entries if (item := _item(entry, url)) is not None)
    if raw.get("bozo") and not items:  # broken, and nothing could be read of it
        raise FeedError("not_a_feed", _why(raw))
    return ParsedFeed(
        title=_text(feed.get("title_detail"), TITLE, url) or html_text.domain(url),
        kind=_KINDS.get(version, version or "unknown"),
        ttl_s=hints.ttl_seconds(feed.get("ttl")),
        items=items,
        not_well_formed=_not_well_formed(raw, body),
    )


def _why(raw: Mapping[str, Any]) -> str:
    error = raw.get("bozo_exception")
    return clean_input(str(error), 200) if error else "no feed elements"


def _not_well_formed(raw: Mapping[str, Any], body: bytes) -> str | None:
    """The XML parser's first complaint when the document is not well-formed (feedparser's
    strict parser gave up and its lenient one read the feed), bounded; else None. An encoding
    feedparser had to guess is no such complaint."""
    from feedparser.exceptions import ThingsNobodyCaresAboutButMe

    error = raw.get("bozo_exception")
    if not raw.get("bozo") or error is None or isinstance(error, ThingsNobodyCaresAboutButMe):
        return None
    if isinstance(error, xml.sax.SAXParseException):
        line = max((error.getLineNumber() or 1) - xml_guard.lines_added(body), 1)
        column = (error.getColumnNumber() or 0) + 1  # expat counts from 0
        text = f"line {line}, column {column}: {error.getMessage()}"
    else:
        text = str(error)
    return clean_input(text, MAX_COMPLAINT) or type(error).__name__


def _item(entry: Mapping[str, Any], feed_url: str) -> FeedItem | None:
    link = _link(entry.get("link"))
    base = link or feed_url
    title = _text(entry.get("title_detail"), TITLE, base)
    contents = entry.get("content") or [None]
    summary = _text(entry.get("summary_detail") or contents[0], SUMMARY, base)
    if not (title or summary or link):
        return None
    return FeedItem(
        guid=_guid(entry.get("id"), link, title, summary),
        title=title,
        link=link,
        summary=summary,
        published=_timestamp(entry.get("published_parsed") or entry.get("updated_parsed")),
    )


def _text(detail: Mapping[str, Any] | None, limit: int, base: str) -> str:
    """A title or summary as one line of plain text, at most `limit` characters."""
    if not detail:
        return ""
    value = str(detail.get("value") or "")
    # Text called plain may hold markup all the same (an escaped <img …/>, a press feed's <b>
    # highlights): no tag, attribute or script of it is shown.
    plain = detail.get("type") not in _HTML_TYPES
    text = html_text.to_text(value, base, plain=plain)
    return discord_limits.truncate(clean_input(text, limit * 2), limit)


def _link(value: object) -> str:
    link = clean_input(str(value or ""), MAX_LINK + 1)
    return link if len(link) <= MAX_LINK and html_text.domain(link) else ""


def _guid(given: object, link: str, title: str, summary: str) -> str:
    guid = clean_input(str(given or ""), MAX_GUID + 1) or link
    if guid and len(guid) <= MAX_GUID:
        return guid
    text = guid or f"{title}\n{summary}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _timestamp(parsed: Any) -> int | None:
    """feedparser's UTC struct_time as epoch seconds."""
    if not parsed:
        return None
    try:
        return calendar.timegm(parsed)
    except (TypeError, ValueError, OverflowError):
        return None
