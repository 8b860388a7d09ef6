"""Text from members, moderators and feeds, shown on Discord: bounded, without markdown, and
never a mention."""

from __future__ import annotations

import discord

from bot.untrusted import clean_input


def quote(text: str, limit: int = 100) -> str:
    """User text echoed back: no markdown, no mentions, bounded."""
    shown = clean_input(text, limit)
    return discord.utils.escape_mentions(discord.utils.escape_markdown(shown)) or "…"
