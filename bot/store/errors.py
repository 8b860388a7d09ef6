"""The one error the store raises for a database it cannot use."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened, migrated or reached; the message names the setting."""
