"""Discord's size limits for messages and embeds, and helpers that keep content inside them.

Discord rejects an oversized embed with a 400 and the user sees nothing, so everything we build
from editable data is cut to size here rather than trusted to be short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the limits alone are read where discord.py is not wanted (feed parsing)
    import discord

CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000  # per embed, and also for all embeds of one message together
MESSAGE_EMBEDS = 10

ELLIPSIS = "…"
BLANK = "\u200b"  # Discord refuses empty field names and values


def truncate(text: str, limit: int) -> str:
    """`text` if it fits, else cut to `limit` characters ending in "…" (at a word if near)."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.8:  # don't chop a word if a nearby space lets us avoid it
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Enforce every embed limit in place (and return the embed).

    Whole trailing fields are dropped before the description is shortened: a missing field
    is less confusing than a half one.
    """
    if embed.title:
        embed.title = truncate(embed.title, TITLE)
    if embed.description:
        embed.description = truncate(embed.description, DESCRIPTION)
    _fit_fields(embed)
    if embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name:
        author = embed.author
        embed.set_author(
            name=truncate(author.name or "", AUTHOR), url=author.url, icon_url=author.icon_url
        )
    while len(embed) > EMBED_TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    overflow = len(embed) - EMBED_TOTAL
    if overflow > 0 and embed.description:
        embed.description = truncate(embed.description, len(embed.description) - overflow)
    return embed


def _fit_fields(embed: discord.Embed) -> None:
    fields = [(f.name, f.value, bool(f.inline)) for f in embed.fields[:FIELDS]]
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(
            name=truncate((name or "").strip(), FIELD_NAME) or BLANK,
            value=truncate((value or "").strip(), FIELD_VALUE) or BLANK,
            inline=inline,
        )
