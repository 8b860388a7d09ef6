"""Download one feed: public addresses only, bounded in size and time, conditional requests.

Redirects are followed here, not by aiohttp, so that every hop is checked like the first; and
each request goes to the very address that was checked (the name is sent as Host and TLS server
name), so a name that resolves differently a moment later cannot slip past the check.
"""

from __future__ import annotations

import asyncio
from typing import Literal, NamedTuple

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from bot.feeds import addresses, hints
from bot.feeds.errors import FeedError

USER_AGENT = "aoad-bot/0.1 (All of Us Are Dead fan community Discord bot; news feed reader)"
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NOT_FEEDS = ("image/", "audio/", "video/", "font/")  # refused before their body is read
_CHUNK = 64 * 1024
_MAX_ADDRESSES = 4  # addresses of one name tried in turn when a connection fails
_MAX_VALIDATOR = 512  # an ETag or Last-Modified longer than this is not kept


class FetchResult(NamedTuple):
    status: Literal["ok", "not_modified"]
    body: bytes  # empty when not modified
    url: str  # after redirects
    etag: str | None
    last_modified: str | None
    min_interval_s: float | None = None  # the feed's own wish to be read less often

    def with_ttl(self, ttl_s: int | None) -> FetchResult:
        """This result with the feed's <ttl> (see parse) counted in min_interval_s."""
        return self._replace(min_interval_s=hints.longest(self.min_interval_s, ttl_s))


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    allow_private: bool,
    timeout_s: float = 15,
    max_bytes: int = 5 * 1024 * 1024,
    max_redirects: int = 5,
) -> FetchResult:
    """The feed at `url`, or FeedError saying why not (see bot.feeds.errors.REASONS)."""
    sent = {"etag": _validator(etag), "last_modified": _validator(last_modified)}
    headers = _request_headers(**sent)
    try:
        async with asyncio.timeout(timeout_s):
            target = _http_url(url)
            for _ in range(max_redirects + 1):
                response = await _open(session, target, headers, allow_private, timeout_s)
                async with response:
                    following = _redirect(response, target)
                    if following is None:
                        return await _result(response, target, sent, max_bytes)
                target = following
    except TimeoutError:
        raise FeedError("timeout", f"no complete answer within {timeout_s:g} s") from None
    except aiohttp.ClientError as error:
        raise FeedError("unreachable", type(error).__name__) from None
    raise FeedError("too_many_redirects", f"more than {max_redirects}")


def _http_url(text: str, base: URL | None = None) -> URL:
    try:
        url = base.join(URL(text)) if base is not None else URL(text.strip())
    except (ValueError, TypeError):
        raise FeedError("bad_url", text[:100]) from None
    if url.scheme not in ("http", "https"):
        raise FeedError("not_http", url.scheme or text[:100])
    if not url.raw_host:
        raise FeedError("bad_url", text[:100])
    return url.with_fragment(None)


def _request_headers(*, etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": _ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def _open(
    session: aiohttp.ClientSession,
    url: URL,
    headers: dict[str, str],
    allow_private: bool,
    timeout_s: float,
) -> aiohttp.ClientResponse:
    """The response from one of the host's checked addresses, tried in the resolver's order."""
    host, port = url.raw_host or "", url.port or 0
    found = await addresses.resolve(host, port)
    addresses.check(host, found, allow_private=allow_private)
    # A dead address (say IPv6 on a machine without it) must leave time to try the next.
    per_try = aiohttp.ClientTimeout(total=None, sock_connect=max(timeout_s / 3, 1.0))
    failure: Exception = FeedError("unreachable", host)
    for ip in found[:_MAX_ADDRESSES]:
        try:
            return await session.get(
                url.with_host(str(ip)),
                headers={**headers, "Host": _host_header(url)},
                allow_redirects=False,
                raise_for_status=False,
                server_hostname=host if url.scheme == "https" else None,
                timeout=per_try,
            )
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            failure = error
    raise failure


def _host_header(url: URL) -> str:
    host = url.raw_host or ""
    host = f"[{host}]" if ":" in host else host
    return host if url.is_default_port() else f"{host}:{url.port}"


def _redirect(response: aiohttp.ClientResponse, url: URL) -> URL | None:
    """Where a redirect points (checked like the first URL), or None for any other answer."""
    if response.status not in _REDIRECTS:
        return None
    location = response.headers.get("Location")
    if not location:
        status = response.status
        raise FeedError("http_status", f"HTTP {status} without Location", status=status)
    return _http_url(location, base=url)


async def _result(
    response: aiohttp.ClientResponse, url: URL, sent: dict[str, str | None], max_bytes: int
) -> FetchResult:
    status = response.status
    head = response.headers
    if status >= 300 and status != 304:
        retry = hints.retry_after(head.get("Retry-After"))
        raise FeedError("http_status", f"HTTP {status}", status=status, retry_after_s=retry)
    modified = status == 304
    if not modified:
        _refuse_media(head)
    return FetchResult(
        status="not_modified" if modified else "ok",
        body=b"" if modified else await _read(response, max_bytes),
        url=str(url),
        # A 304 may leave the validators out: the ones sent still hold.
        etag=_validator(head.get("ETag")) or (sent["etag"] if modified else None),
        last_modified=_validator(head.get("Last-Modified"))
        or (sent["last_modified"] if modified else None),
        min_interval_s=hints.max_age(head.get("Cache-Control")),
    )


def _refuse_media(head: CIMultiDictProxy[str]) -> None:
    kind = head.get("Content-Type", "").strip().lower()
    if kind.startswith(_NOT_FEEDS):
        raise FeedError("not_a_feed", kind[:100])


async def _read(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to be over `max_bytes` (never all held)."""
    too_large = FeedError("too_large", f"over {max_bytes} bytes")
    if response.content_length is not None and response.content_length > max_bytes:
        raise too_large
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise too_large
    return bytes(body)


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified safe to send back as a header, or None."""
    value = (value or "").strip()
    ok = 0 < len(value) <= _MAX_VALIDATOR and value.isascii() and value.isprintable()
    return value if ok else None


class FeedFetcher:
    """`fetch` with a session of its own, made at the first feed: never the session that
    holds the bot's token, and nothing paid at start-up by a bot without feeds."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, url: str, etag: str | None, modified: str | None) -> FetchResult:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return await fetch(self._session, url, etag=etag, last_modified=modified,
                           allow_private=self.allow_private)  # fmt: skip

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
