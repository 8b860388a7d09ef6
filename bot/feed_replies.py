"""How the answers of /admin feed read."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.discord_limits import FIELD_NAME, FIELD_VALUE, fit_embed, truncate
from bot.i18n import Lang, t
from bot.untrusted import quote
from bot.usecases.feeds import FeedAdded, FeedListing, failing

COLOR = discord.Colour(0x1F6F8B)
SHOWN = 10  # feeds on one page of the list
# Characters of feed fields on one page: with the title, the items waiting (one field) and the
# footer, a page stays well inside an embed's 6000.
PAGE_CHARS = 4500


@dataclass(frozen=True, slots=True)
class ListingPage:
    embed: discord.Embed
    page: int  # from 0: the one shown
    pages: int


def added_text(lang: Lang, added: FeedAdded) -> str:
    if added.not_well_formed:
        return t(lang, "feed.added_not_well_formed", kind=added.kind,
                 title=quote(added.title or added.url, 100), items=added.items,
                 matching=added.matching, complaint=quote(added.not_well_formed, 200))  # fmt: skip
    return t(lang, "feed.added", kind=added.kind, title=quote(added.title or added.url, 100),
             items=added.items, matching=added.matching)  # fmt: skip


def _when(ts: int | None, lang: Lang) -> str:
    return f"<t:{ts}:R>" if ts else t(lang, "feed.never")


def listing_page(lang: Lang, listing: FeedListing, now: int, page: int = 0) -> ListingPage:
    """One page of the list, every feed on one page or another (a page past the last, after
    feeds were removed, shows the last); the items waiting for review are on the first."""
    pages = _pages(_feed_fields(lang, listing, now))
    page = min(max(page, 0), len(pages) - 1)
    embed = discord.Embed(title=t(lang, "feed.list_title"), colour=COLOR)
    if not listing.feeds:
        embed.description = t(lang, "feed.none")
    for name, value in pages[page]:
        embed.add_field(name=name, value=value, inline=False)
    if listing.pending and page == 0:
        waiting = [f"• {quote(item.title, 150)}" for item in listing.pending]
        embed.add_field(name=t(lang, "feed.pending"), value="\n".join(waiting)[:FIELD_VALUE],
                        inline=False)  # fmt: skip
    if len(pages) > 1:
        embed.set_footer(text=t(lang, "feed.page", page=page + 1, pages=len(pages),
                                feeds=len(listing.feeds)))  # fmt: skip
    return ListingPage(fit_embed(embed), page, len(pages))


def _pages(fields: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The fields in order, SHOWN at most to a page and PAGE_CHARS at most (but one at least)."""
    pages: list[list[tuple[str, str]]] = [[]]
    size = 0
    for name, value in fields:
        length = len(name) + len(value)
        if pages[-1] and (len(pages[-1]) >= SHOWN or size + length > PAGE_CHARS):
            pages.append([])
            size = 0
        pages[-1].append((name, value))
        size += length
    return pages


def _feed_fields(lang: Lang, listing: FeedListing, now: int) -> list[tuple[str, str]]:
    fields = []
    for feed in listing.feeds:
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
        if len(feed.url) > FIELD_NAME:  # cut in the name: whole in the value
            lines.insert(0, feed.url)
        fields.append((truncate(feed.url, FIELD_NAME), "\n".join(lines)[:FIELD_VALUE].strip()))
    return fields
