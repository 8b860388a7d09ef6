"""How the answers of /admin feed read."""

from __future__ import annotations

import discord

from bot.discord_limits import FIELD_VALUE, fit_embed, truncate
from bot.i18n import Lang, t
from bot.untrusted import quote
from bot.usecases.feeds import FeedAdded, FeedListing, failing

COLOR = discord.Colour(0x1F6F8B)
SHOWN = 10


def added_text(lang: Lang, added: FeedAdded) -> str:
    if added.not_well_formed:
        return t(lang, "feed.added_not_well_formed", kind=added.kind,
                 title=quote(added.title or added.url, 100), items=added.items,
                 matching=added.matching, complaint=quote(added.not_well_formed, 200))  # fmt: skip
    return t(lang, "feed.added", kind=added.kind, title=quote(added.title or added.url, 100),
             items=added.items, matching=added.matching)  # fmt: skip


def _when(ts: int | None, lang: Lang) -> str:
    return f"<t:{ts}:R>" if ts else t(lang, "feed.never")


def listing_embed(lang: Lang, listing: FeedListing, now: int) -> discord.Embed:
    embed = discord.Embed(title=t(lang, "feed.list_title"), colour=COLOR)
    if not listing.feeds:
        embed.description = t(lang, "feed.none")
    for feed in listing.feeds[:SHOWN]:
        lines = [
            t(lang, "feed.line_mode", mode=feed.mode,
              keywords=quote(", ".join(feed.keywords), 200)),
            t(lang, "feed.line_times", checked=_when(feed.checked_at, lang),
              item=_when(feed.last_item_at, lang), next=_when(feed.next_check_at, lang)),
        ]  # fmt: skip
        if feed.not_well_formed:
            lines.append(t(lang, "feed.line_not_well_formed",
                           complaint=quote(feed.not_well_formed, 200)))  # fmt: skip
        if feed.last_error:
            key = "feed.line_failing" if failing(feed, now) else "feed.line_error"
            lines.append(t(lang, key, error=quote(feed.last_error, 200), since=_when(
                feed.failing_since, lang)))  # fmt: skip
        embed.add_field(name=truncate(feed.url, 256), value="\n".join(lines)[:FIELD_VALUE],
                        inline=False)  # fmt: skip
    if listing.pending:
        waiting = [f"• {quote(item.title, 150)}" for item in listing.pending]
        embed.add_field(name=t(lang, "feed.pending"), value="\n".join(waiting)[:FIELD_VALUE],
                        inline=False)  # fmt: skip
    return fit_embed(embed)
