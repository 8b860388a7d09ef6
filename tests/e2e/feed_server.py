"""A news site on 127.0.0.1 for the feed tests: RSS and Atom feeds whose items the test edits,
with ETag and Last-Modified, and the hostile cases (huge, malformed, an entity bomb, slow)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from xml.sax.saxutils import escape

from aiohttp import web


@dataclass
class Item:
    guid: str
    title: str
    link: str
    summary: str = ""
    published: float = 0.0  # epoch seconds


@dataclass
class Feed:
    title: str
    items: list[Item] = field(default_factory=list)
    atom: bool = False
    broken: bool = False  # RSS that is not well-formed: a bare &, mismatched tags, no </item>
    status: int = 200
    served: int = 0  # requests answered
    not_modified: int = 0  # of them, 304s

    def body(self) -> bytes:
        return (_atom(self) if self.atom else _rss(self)).encode("utf-8")


def _rss(feed: Feed) -> str:
    items = "".join(
        f"<item><guid>{escape(i.guid)}</guid><title>{escape(i.title)}</title>"
        f"<link>{escape(i.link)}</link><description>{escape(i.summary)}</description>"
        f"<pubDate>{formatdate(i.published, usegmt=True)}</pubDate></item>"
        for i in feed.items
    )
    about = "news"
    if feed.broken:  # as careless feeds are: a bare &, a tag left open, the last item unended
        about = "news & views, <b>daily</i>"
        items = items.removesuffix("</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(feed.title)}</title><link>http://news.example/</link>"
        f"<description>{about}</description>{items}</channel></rss>"
    )


def _atom(feed: Feed) -> str:
    def stamp(ts: float) -> str:
        from datetime import UTC, datetime

        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    entries = "".join(
        f"<entry><id>{escape(i.guid)}</id><title>{escape(i.title)}</title>"
        f'<link href="{escape(i.link)}"/><summary>{escape(i.summary)}</summary>'
        f"<updated>{stamp(i.published)}</updated></entry>"
        for i in feed.items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(feed.title)}</title><id>urn:feed</id><updated>2026-01-01T00:00:00Z"
        f"</updated>{entries}</feed>"
    )


BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title>'
    "<item><title>All of Us Are Dead &lol9;</title></item></channel></rss>"
)


class FeedSite:
    def __init__(self) -> None:
        self.feeds: dict[str, Feed] = {}
        self.app = web.Application()
        self.app.router.add_get("/huge", self._huge)
        self.app.router.add_get("/slow", self._slow)
        self.app.router.add_get("/bomb", _fixed(BOMB))
        self.app.router.add_get("/malformed", _fixed("<rss><channel><item><title>"))
        self.app.router.add_get("/{name}", self._feed)
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        feed = self.feeds.get(request.match_info["name"])
        if feed is None:
            return web.Response(status=404)
        feed.served += 1
        if feed.status != 200:
            return web.Response(status=feed.status, headers={"Retry-After": "1"})
        body = feed.body()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            feed.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/rss+xml",
                            headers={"ETag": etag})  # fmt: skip

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """100 MB, produced as it is read: the bot must stop reading long before the end."""
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        chunk = b"<item><title>All of Us Are Dead</title></item>" * 1024
        sent = 0
        try:
            while sent < 100 * 1024 * 1024:
                await response.write(chunk)
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        try:
            for _ in range(120):
                await response.write(b" ")
                await asyncio.sleep(1)
        except (ConnectionResetError, RuntimeError):
            pass
        return response


def _fixed(body: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(_request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="application/rss+xml")

    return handler
