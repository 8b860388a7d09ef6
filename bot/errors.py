"""Errors that carry a message meant for the member who ran the command."""

from __future__ import annotations

from discord import app_commands


class UserError(app_commands.AppCommandError):
    """Bad input or a refused action: answered ephemerally with this text, not logged as a bug."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(app_commands.CheckFailure):
    """The member may not run this command."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
