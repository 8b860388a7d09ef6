"""The one error a feed is refused with: a short machine key for the texts, and a detail."""

from __future__ import annotations

from typing import Final

# Every reason_key a FeedError may carry, so the texts can name each one.
REASONS: Final = frozenset(
    {
        "bad_url",  # not a URL with a host
        "not_http",  # a scheme other than http(s), first or after a redirect
        "private_address",  # the host is (or resolves to) a non-public address
        "unreachable",  # the name does not resolve or the connection fails
        "timeout",  # the whole fetch took longer than allowed
        "too_large",  # the body is over the size limit
        "http_status",  # a 4xx or 5xx answer (see status and retry_after_s)
        "too_many_redirects",  # a redirect loop or chain too long
        "not_a_feed",  # the body is no feed any reader knows
    }
)


class FeedError(Exception):
    """A feed that cannot be read; `status` and `retry_after_s` are set for HTTP errors."""

    def __init__(
        self,
        reason_key: str,
        detail: str = "",
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        assert reason_key in REASONS, reason_key
        super().__init__(f"{reason_key}: {detail}" if detail else reason_key)
        self.reason_key = reason_key
        self.detail = detail
        self.status = status
        self.retry_after_s = retry_after_s
