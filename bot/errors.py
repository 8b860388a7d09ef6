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
