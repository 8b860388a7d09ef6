"""A feed's bytes made safe for feedparser: one encoding (UTF-8), no entity declarations (a
feed declaring some is refused), and no more markup than can be read in a few seconds.

Python's expat refuses a "billion laughs" document, but feedparser then retries with its lenient
parser, which expands the entities it collected itself: one 10 KB entity used 100 000 times
(300 KB of feed) would become a gigabyte. So a DOCTYPE that declares entities is refused; HTML's
named entities (&nbsp;) still read as HTML's.

The conversion comes first, with feedparser's own detection (BOM, XML declaration, fallbacks),
so that a declaration hidden in UTF-16 or EBCDIC is seen too; feedparser's second conversion of
the UTF-8 result changes nothing.

feedparser spends some 40 µs on each tag or entity and 0.3 ms on each item, so a 5 MB feed of
nothing but tags would take over a minute: the counts are bounded before it starts.
"""

from __future__ import annotations

import codecs
import re
from typing import Any, Final

from bot.feeds.errors import FeedError

# As if served as application/xml: the XML declaration's encoding counts, UTF-8 by default.
HEADERS: Final = {"content-type": "application/xml"}
MAX_MARKUP = 100_000  # "<" and "&": ten times a big feed's, about 4 s of feedparser at worst
MAX_ITEMS = 1_000

_FIRST_ELEMENT = re.compile(rb"<\w")
_DECLARATION = re.compile(rb"<!ENTITY[^>]*>")
_ITEM = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
# UTF-32 before UTF-16: the one's byte-order mark begins with the other's
_BOMS = (codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF8, codecs.BOM_UTF16_BE,
         codecs.BOM_UTF16_LE)  # fmt: skip


def defuse(body: bytes) -> bytes:
    """`body` in UTF-8 without entity declarations, or FeedError("too_large") when reading it
    would take too long."""
    from feedparser.encodings import convert_to_utf8  # imported with the first feed, see parse

    result: dict[str, Any] = {}
    data: bytes = convert_to_utf8(dict(HEADERS), body, result)
    _bound_work(data)
    start = _FIRST_ELEMENT.search(data)
    if start is None:  # no element at all: nothing for feedparser to collect either
        return data
    if _DECLARATION.search(data[: start.start()]):  # no feed needs entities of its own
        raise FeedError("not_a_feed", "it declares XML entities of its own (an entity bomb?)")
    return data


def _bound_work(data: bytes) -> None:
    markup = data.count(b"<") + data.count(b"&")
    if markup > MAX_MARKUP:
        raise FeedError("too_large", f"{markup} tags and entities, at most {MAX_MARKUP}")
    items = len(_ITEM.findall(data))
    if items > MAX_ITEMS:
        raise FeedError("too_large", f"{items} items, at most {MAX_ITEMS}")


def lines_added(body: bytes) -> int:
    """Lines the conversion to UTF-8 put before the document: an XML declaration on a line of
    its own when it had none. A parser's line numbers less these are the feed's own."""
    from feedparser import encodings  # imported with the first feed, see parse

    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    declared = (
        b"<?xm",
        encodings.EBCDIC_MARKER,
        encodings.UTF16BE_MARKER,
        encodings.UTF16LE_MARKER,
        encodings.UTF32BE_MARKER,
        encodings.UTF32LE_MARKER,
    )
    return 0 if body[:4] in declared else 1
