"""How often a feed asks to be read: Cache-Control max-age, Retry-After and RSS <ttl>."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

# A feed may ask to be read less often, but not to be left alone for longer than a day: a
# hostile or mistaken header must not silence a source for good.
MAX_HINT_S = 24 * 3600.0


def _bounded(seconds: float) -> float:
    return min(max(seconds, 0.0), MAX_HINT_S)


def max_age(cache_control: str | None) -> float | None:
    """The max-age of a Cache-Control header, in seconds, or None."""
    for directive in (cache_control or "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            value = value.strip().strip('"')
            return _bounded(float(value)) if value.isdecimal() else None
    return None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now, or None."""
    value = (value or "").strip()
    if value.isdecimal():
        return _bounded(float(value))
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, OverflowError):
        return None
    return _bounded(when - (time.time() if now is None else now))


def ttl_seconds(minutes: str | None) -> int | None:
    """An RSS <ttl> (minutes) in seconds, or None when absent or not a number."""
    value = (minutes or "").strip()
    return int(_bounded(int(value) * 60.0)) if value.isdecimal() and len(value) < 10 else None


def longest(*hints: float | None) -> float | None:
    """The strictest of several minimum intervals (None when there is none)."""
    given = [h for h in hints if h is not None]
    return max(given) if given else None
