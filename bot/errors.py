"""The error that carries a message meant for the member who ran the command."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input found by a use case: `key` names the catalogue text to show, `values` fill it
    (echoed input: escaped and bounded when shown), `safe` too (our own mentions, shown as is).

    Plain (no Discord types), so use cases raise it; the command tree answers it ephemerally."""

    def __init__(
        self, key: str, safe: dict[str, str] | None = None, *, limit: int = 64, **values: str
    ) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.safe = safe or {}
        self.limit = limit  # how much of each echoed value is shown
