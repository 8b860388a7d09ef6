"""Text from members, moderators and feeds is untrusted: bounded, cleaned, escaped when shown."""

from __future__ import annotations

import re

import discord

_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_input(text: str, limit: int) -> str:
    """Trimmed, without invisible characters, at most `limit` characters."""
    return _INVISIBLE.sub("", text).strip()[:limit]


def quote(text: str, limit: int = 100) -> str:
    """User text echoed back: no markdown, no mentions, bounded."""
    shown = clean_input(text, limit)
    return discord.utils.escape_mentions(discord.utils.escape_markdown(shown)) or "…"
