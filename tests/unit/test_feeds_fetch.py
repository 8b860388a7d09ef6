"""Fetching a feed: conditional requests, cache hints, HTTP errors, and every refusal (private
addresses on every hop, oversized and trickling bodies, redirect loops, other schemes), against a
real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.feeds import addresses, hints
from bot.feeds.errors import REASONS, FeedError
from bot.feeds.fetch import USER_AGENT, FetchResult, fetch

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Server:
    base: str  # http://127.0.0.1:<port>
    routes: dict[str, Handler] = field(default_factory=dict)
    seen: list[web.Request] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)  # bytes a streaming route sent

    def url(self, path: str) -> str:
        return self.base + path


@asynccontextmanager
async def serving(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[Server]:
    box: list[Server] = []

    async def dispatch(request: web.Request) -> web.StreamResponse:
        srv = box[0]
        srv.seen.append(request)
        handler = srv.routes.get(request.path)
        return await handler(request) if handler else web.Response(status=404)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", dispatch)
    runner = web.AppRunner(app, shutdown_timeout=0.2, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    box.append(Server(f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"))
    try:
        yield box[0]
    finally:
        await runner.cleanup()


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    async with serving() as srv:
        yield srv


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def get(session: aiohttp.ClientSession, url: str, **kw: object) -> FetchResult:
    args: dict[str, object] = {"etag": None, "last_modified": None, "allow_private": True}
    args.update(kw)
    return await fetch(session, url, **args)  # type: ignore[arg-type]


async def refused(session: aiohttp.ClientSession, url: str, **kw: object) -> FeedError:
    with pytest.raises(FeedError) as caught:
        await get(session, url, **kw)
    assert caught.value.reason_key in REASONS
    return caught.value


# --- the happy path and conditional requests -------------------------------------------------


async def test_etag_and_last_modified_round_trip_to_a_304(
    server: Server, session: aiohttp.ClientSession
) -> None:
    async def feed(request: web.Request) -> web.Response:
        tag, date = '"v1"', "Wed, 01 May 2024 10:00:00 GMT"
        if request.headers.get("If-None-Match") == tag:
            return web.Response(status=304)  # no validators repeated: the sent ones hold
        headers = {"ETag": tag, "Last-Modified": date, "Content-Type": "application/rss+xml"}
        return web.Response(body=RSS, headers=headers)

    server.routes["/feed"] = feed
    first = await get(session, server.url("/feed"))
    assert first.status == "ok" and first.body == RSS
    assert (first.etag, first.last_modified) == ('"v1"', "Wed, 01 May 2024 10:00:00 GMT")
    assert first.url == server.url("/feed")

    second = await get(
        session, server.url("/feed"), etag=first.etag, last_modified=first.last_modified
    )
    assert second.status == "not_modified" and second.body == b""
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    asked = server.seen[-1].headers
    assert asked["If-None-Match"] == '"v1"'
    assert asked["If-Modified-Since"] == "Wed, 01 May 2024 10:00:00 GMT"
    assert asked["User-Agent"] == USER_AGENT
    assert "If-None-Match" not in server.seen[0].headers  # nothing sent when nothing known


async def test_the_checked_address_is_used_with_the_name_as_host(
    server: Server, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int) -> list[addresses.IPAddress]:
        assert host == "feeds.example"
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(addresses, "resolve", resolve)
    server.routes["/feed"] = lambda r: _ok(RSS)
    port = server.base.rsplit(":", 1)[1]
    result = await get(session, f"http://feeds.example:{port}/feed#top")
    assert result.body == RSS
    assert result.url == f"http://feeds.example:{port}/feed"  # the name, not the address
    assert server.seen[-1].headers["Host"] == f"feeds.example:{port}"


async def test_cache_control_max_age_and_ttl_give_the_minimum_interval(
    server: Server, session: aiohttp.ClientSession
) -> None:
    server.routes["/cached"] = lambda r: _ok(RSS, {"Cache-Control": "public, max-age=1800"})
    server.routes["/plain"] = lambda r: _ok(RSS)
    cached = await get(session, server.url("/cached"))
    assert cached.min_interval_s == 1800
    assert cached.with_ttl(3600).min_interval_s == 3600  # the stricter wish wins
    assert cached.with_ttl(60).min_interval_s == 1800
    assert cached.with_ttl(None).min_interval_s == 1800
    plain = await get(session, server.url("/plain"))
    assert plain.min_interval_s is None and plain.with_ttl(600).min_interval_s == 600


async def test_validators_unsafe_to_send_back_are_dropped(
    server: Server, session: aiohttp.ClientSession
) -> None:
    server.routes["/feed"] = lambda r: _ok(RSS, {"ETag": "x" * 600, "Last-Modified": "é"})
    result = await get(session, server.url("/feed"))
    assert result.etag is None and result.last_modified is None


# --- HTTP errors -----------------------------------------------------------------------------


async def test_server_error_and_rate_limit_carry_status_and_retry_after(
    server: Server, session: aiohttp.ClientSession
) -> None:
    server.routes["/500"] = lambda r: _ok(b"oops", status=500)
    server.routes["/429"] = lambda r: _ok(b"slow down", {"Retry-After": "120"}, status=429)
    server.routes["/503"] = lambda r: _ok(
        b"", {"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}, status=503
    )
    error = await refused(session, server.url("/500"))
    assert (error.reason_key, error.status, error.retry_after_s) == ("http_status", 500, None)
    error = await refused(session, server.url("/429"))
    assert (error.reason_key, error.status, error.retry_after_s) == ("http_status", 429, 120)
    error = await refused(session, server.url("/503"))
    assert error.status == 503 and error.retry_after_s == 24 * 3600  # a far date is capped
    error = await refused(session, server.url("/missing"))
    assert error.status == 404


async def test_an_image_is_not_a_feed(server: Server, session: aiohttp.ClientSession) -> None:
    server.routes["/logo"] = lambda r: _ok(b"\x89PNG....", {"Content-Type": "image/png"})
    assert (await refused(session, server.url("/logo"))).reason_key == "not_a_feed"


def test_hints_read_only_what_they_understand() -> None:
    assert hints.max_age('no-cache, max-age="600"') == 600
    assert [hints.max_age(v) for v in (None, "", "no-store", "max-age=-5", "max-age=1e9")] == [
        None
    ] * 5
    assert hints.max_age("max-age=99999999999") == hints.MAX_HINT_S
    assert hints.retry_after("Wed, 01 May 2024 10:01:40 GMT", now=1714557600) == 100
    assert hints.retry_after("Wed, 01 May 2024 09:00:00 GMT", now=1714557600) == 0  # past
    assert hints.retry_after("soon") is None and hints.retry_after(None) is None
    assert (hints.ttl_seconds("60"), hints.ttl_seconds(" 5 ")) == (3600, 300)
    assert [hints.ttl_seconds(v) for v in (None, "", "abc", "-1", "²")] == [None] * 5
    assert hints.ttl_seconds("999999999") == hints.MAX_HINT_S


# --- size and time ---------------------------------------------------------------------------


async def test_a_lazy_100_mb_body_is_refused_early_without_being_held(
    server: Server, session: aiohttp.ClientSession
) -> None:
    chunk = b"<item>" + b"x" * (64 * 1024 - 6)

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)  # chunked: no Content-Length to refuse at once
        server.written["/huge"] = 0
        for _ in range(100 * 1024 * 1024 // len(chunk)):
            await response.write(chunk)
            server.written["/huge"] += len(chunk)
        return response

    server.routes["/huge"] = huge
    start = time.monotonic()
    error = await refused(session, server.url("/huge"), max_bytes=5 * 1024 * 1024)
    elapsed = time.monotonic() - start
    assert error.reason_key == "too_large"
    assert elapsed < 2.0, elapsed
    await asyncio.sleep(0.05)  # let the server notice the closed connection
    assert server.written["/huge"] < 20 * 1024 * 1024  # the client stopped reading early
    print(f"100 MB body refused in {elapsed:.3f} s after {server.written['/huge']} bytes sent")


async def test_an_oversized_content_length_is_refused_before_reading(
    server: Server, session: aiohttp.ClientSession
) -> None:
    async def declared(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(100 * 1024 * 1024)})
        await response.prepare(request)
        await response.write(b"<rss>")
        await asyncio.sleep(10)  # never finishes: only the header can end this quickly
        return response

    server.routes["/declared"] = declared
    start = time.monotonic()
    error = await refused(session, server.url("/declared"), timeout_s=5)
    assert error.reason_key == "too_large" and time.monotonic() - start < 1.0


async def test_a_gzip_bomb_is_refused_by_its_unpacked_size(
    server: Server, session: aiohttp.ClientSession
) -> None:
    packed = gzip.compress(b" " * (10 * 1024 * 1024))  # 10 MB of spaces in about 10 KB
    server.routes["/bomb"] = lambda r: _ok(packed, {"Content-Encoding": "gzip"})
    error = await refused(session, server.url("/bomb"), max_bytes=1024 * 1024)
    assert error.reason_key == "too_large"


async def test_a_trickle_of_a_byte_a_second_is_refused_by_the_timeout(
    server: Server, session: aiohttp.ClientSession
) -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        for byte in RSS:
            await response.write(bytes([byte]))
            await asyncio.sleep(1)
        return response

    server.routes["/trickle"] = trickle
    start = time.monotonic()
    error = await refused(session, server.url("/trickle"), timeout_s=1.0)
    elapsed = time.monotonic() - start
    assert error.reason_key == "timeout"
    assert 0.9 < elapsed < 1.6, elapsed
    print(f"trickle refused after {elapsed:.3f} s")


# --- redirects and addresses -----------------------------------------------------------------


async def test_redirects_are_followed_to_the_final_url(
    server: Server, session: aiohttp.ClientSession
) -> None:
    server.routes["/old"] = lambda r: _redirect("/new", 301)
    server.routes["/new"] = lambda r: _redirect(server.url("/feed"), 307)
    server.routes["/feed"] = lambda r: _ok(RSS)
    result = await get(session, server.url("/old"), etag='"e"')
    assert result.body == RSS and result.url == server.url("/feed")
    assert [r.path for r in server.seen] == ["/old", "/new", "/feed"]
    assert all(r.headers["If-None-Match"] == '"e"' for r in server.seen)


async def test_a_redirect_loop_and_a_long_chain_are_refused(
    server: Server, session: aiohttp.ClientSession
) -> None:
    server.routes["/a"] = lambda r: _redirect("/b", 302)
    server.routes["/b"] = lambda r: _redirect("/a", 302)
    error = await refused(session, server.url("/a"))
    assert error.reason_key == "too_many_redirects"
    assert len(server.seen) == 6  # the first request and five redirects, no more
    server.routes["/c"] = lambda r: _redirect("/d", 302)
    server.routes["/d"] = lambda r: _ok(RSS)
    error = await refused(session, server.url("/c"), max_redirects=0)
    assert error.reason_key == "too_many_redirects"


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/", "javascript:alert(1)"],
)
async def test_other_schemes_are_refused_without_a_request(
    session: aiohttp.ClientSession, url: str
) -> None:
    assert (await refused(session, url)).reason_key == "not_http"


async def test_a_url_without_a_host_is_refused(session: aiohttp.ClientSession) -> None:
    assert (await refused(session, "http:///feed")).reason_key == "bad_url"
    assert (await refused(session, "not a url")).reason_key in {"bad_url", "not_http"}


async def test_a_redirect_to_another_scheme_is_refused(
    server: Server, session: aiohttp.ClientSession
) -> None:
    server.routes["/to-file"] = lambda r: _redirect("file:///etc/passwd", 302)
    assert (await refused(session, server.url("/to-file"))).reason_key == "not_http"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433"])
async def test_loopback_is_refused_unless_private_addresses_are_allowed(
    server: Server, session: aiohttp.ClientSession, host: str
) -> None:
    server.routes["/feed"] = lambda r: _ok(RSS)
    url = server.url("/feed").replace("127.0.0.1", host)
    error = await refused(session, url, allow_private=False)
    assert error.reason_key == "private_address"
    assert server.seen == []  # refused before any connection
    if host in ("127.0.0.1", "localhost"):
        assert (await get(session, url, allow_private=True)).body == RSS


async def test_every_redirect_hop_is_checked(
    server: Server, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public name redirecting inward is refused at the hop that goes inward. The test server
    is on loopback, so its one address is treated as public here; every other address goes
    through the real check."""
    real_forbidden = addresses.forbidden
    real_resolve = addresses.resolve
    pretend_public = ipaddress.ip_address("127.0.0.1")

    async def resolve(host: str, port: int) -> list[addresses.IPAddress]:
        fake = {"news.example": "127.0.0.1", "intranet.example": "192.168.1.10"}
        if host in fake:
            return [ipaddress.ip_address(fake[host])]
        return await real_resolve(host, port)

    monkeypatch.setattr(addresses, "resolve", resolve)
    monkeypatch.setattr(
        addresses, "forbidden", lambda ip: ip != pretend_public and real_forbidden(ip)
    )
    port = server.base.rsplit(":", 1)[1]
    inward = [
        f"http://127.0.0.2:{port}/feed",
        "http://10.1.2.3/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://intranet.example/feed",
        "https://[fd00::1]/feed",
    ]
    server.routes["/feed"] = lambda r: _ok(RSS)
    assert (await get(session, f"http://news.example:{port}/feed", allow_private=False)).body
    for target in inward:
        server.routes["/go"] = lambda r, t=target: _redirect(t, 302)  # type: ignore[misc]
        server.seen.clear()
        start = time.monotonic()
        error = await refused(session, f"http://news.example:{port}/go", allow_private=False)
        assert error.reason_key == "private_address", target
        assert [r.path for r in server.seen] == ["/go"]  # the inward hop was never made
        assert time.monotonic() - start < 1.0  # refused, not left to time out


def test_forbidden_addresses() -> None:
    bad = [
        "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "::1", "::",
        "fe80::1", "fc00::1", "ff02::1", "ff0e::1", "::ffff:10.0.0.1", "2002:c0a8:0101::1",
        "64:ff9b::a00:1", "2001:db8::1",
    ]  # fmt: skip
    good = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"]
    assert [a for a in bad if not addresses.forbidden(ipaddress.ip_address(a))] == []
    assert [a for a in good if addresses.forbidden(ipaddress.ip_address(a))] == []


async def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    mixed = [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.5")]
    with pytest.raises(FeedError) as caught:
        addresses.check("mixed.example", mixed, allow_private=False)
    assert caught.value.reason_key == "private_address"
    addresses.check("mixed.example", mixed, allow_private=True)  # allowed: no error


async def test_an_unknown_name_is_unreachable(session: aiohttp.ClientSession) -> None:
    error = await refused(session, "http://no-such-host.invalid/feed", allow_private=False)
    assert error.reason_key == "unreachable"


async def test_a_closed_port_is_unreachable(session: aiohttp.ClientSession) -> None:
    assert (await refused(session, "http://127.0.0.1:1/feed")).reason_key == "unreachable"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for feeds.example, and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = (
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        f" -subj /CN=feeds.example -addext subjectAltName=DNS:feeds.example"
        f" -keyout {key} -out {cert}"
    )
    subprocess.run(command.split(), check=True, capture_output=True)
    return cert, key


async def test_https_goes_to_the_checked_address_and_verifies_the_name(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent to an address, the request still names the host for TLS: the certificate must be
    the host's, not the address's."""
    cert, key = certificate
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=str(cert))

    async def resolve(host: str, port: int) -> list[addresses.IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(addresses, "resolve", resolve)
    async with (
        serving(server_side) as srv,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=trusting)) as session,
    ):
        srv.routes["/feed"] = lambda r: _ok(RSS)
        port = srv.base.rsplit(":", 1)[1]
        result = await get(session, f"https://feeds.example:{port}/feed")
        assert result.body == RSS and result.url == f"https://feeds.example:{port}/feed"
        assert srv.seen[-1].headers["Host"] == f"feeds.example:{port}"
        error = await refused(session, f"https://impostor.example:{port}/feed")
        assert error.reason_key == "unreachable"  # the certificate is not impostor.example's


# --- helpers ---------------------------------------------------------------------------------


async def _ok(
    body: bytes, headers: dict[str, str] | None = None, *, status: int = 200
) -> web.Response:
    return web.Response(body=body, status=status, headers=headers)


async def _redirect(location: str, status: int) -> web.Response:
    return web.Response(status=status, headers={"Location": location})
