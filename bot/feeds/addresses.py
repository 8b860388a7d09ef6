"""Which network addresses a feed may live at, and the name lookup that finds them.

A feed URL is chosen by a moderator, so without this check it could point the bot at its own
machine, the local network or a cloud metadata service (server-side request forgery).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from bot.feeds.errors import FeedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv6-only networks reach IPv4 hosts through it


def forbidden(ip: IPAddress) -> bool:
    """True for anything but a public unicast address (loopback, private, link-local,
    shared, reserved, multicast, unspecified), also when hidden inside an IPv6 address."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return forbidden(embedded)
    return not ip.is_global or ip.is_multicast or ip.is_reserved


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` stands for, in the resolver's order (a literal is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise FeedError("unreachable", f"{host}: {error}") from None
    found = [ipaddress.ip_address(info[4][0]) for info in infos]
    return list(dict.fromkeys(found))


def check(host: str, found: list[IPAddress], *, allow_private: bool) -> None:
    """Refuse the host if any of its addresses is not public: one bad address is enough, since
    the connection could go to any of them."""
    if not found:
        raise FeedError("unreachable", f"{host}: no address")
    if allow_private:
        return
    for ip in found:
        if forbidden(ip):
            raise FeedError("private_address", f"{host} is {ip}")
