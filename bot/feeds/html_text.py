"""HTML from a feed as one line of plain text, its links kept as "text (domain)"."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MAX_HTML = 50_000  # characters of markup read: far more than the text anyone keeps of it

_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title"})
# Tags that end a line: their words must not run into the next ones (inline tags add nothing,
# so "<b>Dead</b>," stays "Dead,").
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt"}
    | {"figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr"}
    | {"img", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th"}
    | {"tr", "ul"}
)
_URL_PREFIXES = ("http://", "https://", "www.")
# HTML's elements: in text a feed calls plain, these are still markup (an escaped <img …/>, a
# press feed's <b>), while "<All of Us Are Dead>" in a headline is the title in brackets.
_ELEMENTS = (
    _SKIP
    | _BLOCKS
    | {"a", "abbr", "acronym", "applet", "area", "audio", "b", "base", "basefont", "bdi", "bdo"}
    | {"big", "blink", "body", "button", "canvas", "caption", "center", "cite", "code", "col"}
    | {"colgroup", "data", "datalist", "del", "dfn", "dialog", "em", "embed", "fieldset"}
    | {"font", "form", "frame", "frameset", "html", "i", "iframe", "input", "ins", "kbd"}
    | {"label", "legend", "link", "map", "mark", "marquee", "math", "menu", "meta", "meter"}
    | {"nobr", "object", "optgroup", "option", "output", "param", "picture", "plaintext"}
    | {"progress", "q", "rp", "rt", "ruby", "s", "samp", "select", "slot", "small", "source"}
    | {"span", "strike", "strong", "sub", "sup", "svg", "tbody", "textarea", "tfoot", "thead"}
    | {"time", "track", "tt", "u", "var", "video", "wbr", "xmp"}
)


def domain(url: str) -> str:
    """The host of an http(s) URL without "www.", or "" (mailto:, javascript:, garbage)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.") if parts.scheme in ("http", "https") else ""


def to_text(html: str, base: str = "", *, plain: bool = False) -> str:
    """The text of `html`: tags dropped, entities decoded, whitespace collapsed; a relative
    link names the domain of `base`.

    `plain`: text a feed gave as plain, which may hold markup all the same: HTML's elements
    are dropped as in HTML, but anything else in angle brackets without attribute values
    ("<All of Us Are Dead>") is kept as written."""
    reader = _TextReader(base, plain)
    reader.feed(html[:MAX_HTML])
    reader.close()
    return collapse("".join(reader.parts))


def collapse(text: str) -> str:
    return " ".join(text.split())


def link_label(text: str, href: str) -> str:
    """How a link reads in plain text: "text (domain)", or the domain alone when the text is
    empty or the URL itself; javascript: and the like keep just their text."""
    where = domain(href)
    text = collapse(text)
    if not where:
        return text
    if not text or text.lower().startswith(_URL_PREFIXES):
        return where
    return text if where in text.casefold() else f"{text} ({where})"


class _TextReader(HTMLParser):
    def __init__(self, base: str, plain: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.plain = plain
        self.parts: list[str] = []
        self._skipping = 0
        self._link: tuple[str, int] | None = None  # href, where its text starts in parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._literal(tag, attrs):
            self.handle_data(self.get_starttag_text() or "")
        elif tag in _SKIP:
            self._skipping += 1
        elif tag == "a":
            self._end_link()  # links do not nest: a new one ends the last
            self._link = (dict(attrs).get("href") or "", len(self.parts))
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._literal(tag, attrs):
            self.handle_data(self.get_starttag_text() or "")
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._literal(tag, []):
            self.handle_data(f"</{tag}>")
        elif tag in _SKIP:
            self._skipping = max(self._skipping - 1, 0)
        elif tag == "a":
            self._end_link()
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def _literal(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        """Plain text's words in angle brackets, not markup."""
        return self.plain and tag not in _ELEMENTS and all(value is None for _, value in attrs)

    def close(self) -> None:
        super().close()
        self._end_link()

    def _end_link(self) -> None:
        if self._link is None:
            return
        href, start = self._link
        self._link = None
        try:
            href = urljoin(self.base, href.strip())
        except ValueError:
            href = ""
        text = "".join(self.parts[start:])
        lead = " " if text[:1].isspace() else ""  # the spaces around the words stay theirs
        trail = " " if text[-1:].isspace() else ""
        self.parts[start:] = [lead, link_label(text, href), trail]
