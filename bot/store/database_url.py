"""A PostgreSQL URL holds a password: how to show the URL, and what to hide from logs. Kept
apart from the driver, so start-up can redact without importing it."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit


def redact_url(url: str) -> str:
    """The URL with its password, in the user part or the query, shown as `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    userinfo, at, hosts = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.partition(':')[0]}:***@{hosts}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k == "password" else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def passwords(url: str) -> list[str]:
    """Every spelling of the URL's password that could show up in a message."""
    found = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]  # cannot tell where the password is: hide the whole URL
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        found.append(userinfo.partition(":")[2])
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k == "password"]
    spellings = {s for p in found if p for s in (p, unquote(p), quote(unquote(p), safe=""))}
    return sorted(spellings, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    for secret in passwords(url):
        text = text.replace(secret, "***")
    return text


def url_problem(url: str, name: str) -> str | None:
    """What is wrong with the form of a PostgreSQL URL set as `name`, in one line that never
    echoes the URL (it may hold a password); None when it looks right."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{name} has a port that is not a number, or is not a URL"
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not parts.path[1:]:
        return f"{name} must look like postgresql://user:password@host:port/dbname"
    return None
