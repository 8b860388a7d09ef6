"""How news feeds read: their two notification kinds (an item waiting in the home server's
review channel with Approve and Dismiss buttons, and an item announced to every server), those
buttons, and the answers of /admin feed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

import discord

from bot.discord_limits import FIELD_NAME, FIELD_VALUE, fit_embed, truncate
from bot.feeds import NEWS, REVIEW
from bot.feeds.match import domain
from bot.i18n import Lang, lang_of, t
from bot.notify.plan import announcement_expiry
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery
from bot.ui.escape import quote
from bot.ui.interactions import (
    NO_PINGS,
    clock_of,
    ephemeral,
    is_owner,
    manages_server,
    role_ids,
    usecases_of,
)
from bot.usecases.feeds import FeedAdded, FeedListing, failing

COLOR = discord.Colour(0x1F6F8B)
REVIEW_EXPIRES_S = 7 * 86400
BUTTON, PRIMARY, DANGER = 2, 3, 4  # component type, button styles (success, danger)


def item_embed(lang: Lang, payload: Mapping[str, Any]) -> discord.Embed:
    """Feed text is untrusted: escaped, bounded, and its link shown with its domain."""
    title = quote(str(payload.get("title") or ""), 250)
    embed = discord.Embed(title=title, colour=COLOR)
    summary = str(payload.get("summary") or "")
    if summary:
        embed.description = truncate(quote(summary, 1000), 1000)
    link = payload.get("link")
    source = quote(str(payload.get("source") or domain(link)), 100)
    if link:
        source = f"{source} · [{domain(link)}]({link})"
    embed.add_field(name=t(lang, "notice.source"), value=truncate(source, 1000), inline=False)
    return fit_embed(embed)


def render_news(delivery: Delivery) -> Rendered:
    """Announced in every server; news never pings (no server opted in to that)."""
    lang = lang_of(delivery.locale)
    embed = item_embed(lang, delivery.payload)
    return Rendered(t(lang, "news.headline"), embed, NO_PINGS)


def render_review(delivery: Delivery) -> Rendered:
    lang = lang_of(delivery.locale)
    embed = item_embed(lang, delivery.payload)
    return Rendered(t(lang, "news.review"), embed, NO_PINGS)


def review_components(delivery: Delivery) -> list[dict[str, Any]]:
    """Approve and Dismiss, for this item: dynamic buttons, so they work after a restart."""
    lang, item = lang_of(delivery.locale), int(delivery.payload["item_id"])
    return [review_row(lang, item)]


def review_row(lang: Lang, item_id: int) -> dict[str, Any]:
    buttons = [
        {"type": BUTTON, "style": PRIMARY, "label": t(lang, "news.approve"),
         "custom_id": f"aoad:feed:approve:{item_id}"},
        {"type": BUTTON, "style": DANGER, "label": t(lang, "news.dismiss"),
         "custom_id": f"aoad:feed:dismiss:{item_id}"},
    ]  # fmt: skip
    return {"type": 1, "components": buttons}


def _review_expiry(due_at: int, _payload: Mapping[str, Any]) -> int:
    return due_at + REVIEW_EXPIRES_S


def register_feed_notices() -> None:
    register(NotificationKind(NEWS, render_news, announcement_expiry))
    register(NotificationKind(REVIEW, render_review, _review_expiry, buttons=False,
                              components=review_components))  # fmt: skip


# --- Approve and Dismiss ----------------------------------------------------------------


class FeedReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:feed:(?P<action>approve|dismiss):(?P<item>\d+)",
):
    """Approve or Dismiss a news-feed item in the review channel: show-wide, so for the home
    server's moderators and the owner. The decided post keeps its buttons, disabled."""

    def __init__(self, action: str, item_id: int) -> None:
        self.action = action
        self.item_id = item_id
        super().__init__(discord.ui.Button(label=action, custom_id=f"aoad:feed:{action}:{item_id}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedReviewButton:
        return cls(match["action"], int(match["item"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        usecases = usecases_of(interaction)
        lang = lang_of(interaction.locale)
        allowed = await usecases.servers.may_change_show(
            interaction.guild_id, is_owner=await is_owner(interaction),
            manages_server=manages_server(interaction), role_ids=role_ids(interaction),
        )  # fmt: skip
        if not allowed:
            await ephemeral(interaction, t(lang, "news.not_allowed"))
            return
        decision = await usecases.feeds.decide(
            self.item_id, approve=self.action == "approve", user_id=interaction.user.id
        )
        item = decision.item
        if item is None:
            await ephemeral(interaction, t(lang, "news.gone"))
            return
        text = decided_text(lang, item.state, item.decided_by, item.decided_at)
        if not decision.decided_now:
            await ephemeral(interaction, text)
            return
        await interaction.response.edit_message(
            content=text, view=_decided_view(lang, self.item_id), allowed_mentions=NO_PINGS
        )


def decided_text(lang: Lang, state: str, by: int | None, at: int | None) -> str:
    return t(lang, f"news.{state}", by=f"<@{by}>", when=f"<t:{at}:R>")


def _decided_view(lang: Lang, item_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action, style in (("approve", discord.ButtonStyle.success),
                          ("dismiss", discord.ButtonStyle.danger)):  # fmt: skip
        view.add_item(discord.ui.Button(
            label=t(lang, f"news.{action}"), style=style, disabled=True,
            custom_id=f"aoad:feed:{action}:{item_id}",
        ))  # fmt: skip
    return view


# --- the answers of /admin feed -----------------------------------------------------------

SHOWN = 10  # feeds on one page of the list
# Characters of feed fields on one page: with the title, the items waiting (one field) and the
# footer, a page stays well inside an embed's 6000.
PAGE_CHARS = 4500


class ListingPage(NamedTuple):
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


# --- the pages of /admin feed list: Previous and Next, whose custom ids hold the page they
# lead to (so they keep working after a restart); a press edits the list in place, for a
# moderator, checked again on every press --------------------------------------------------

MAX_PAGE = 9999  # far beyond any list; a forged id past it matches no button of ours


class FeedListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:feedlist:(?P<page>\d{1,4}):(?P<step>prev|next)",
):
    """Shows page `page` (from 0) of the list; `step` keeps the two buttons' ids apart."""

    def __init__(self, page: int, step: str, label: str = "", disabled: bool = False) -> None:
        self.page = page
        self.step = step
        super().__init__(
            discord.ui.Button(
                label=label or step,
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"aoad:feedlist:{page}:{step}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedListPageButton:
        return cls(int(match["page"]), match["step"])

    async def callback(self, interaction: discord.Interaction) -> None:
        usecases = usecases_of(interaction)
        lang = lang_of(interaction.locale)
        allowed = await is_owner(interaction) or await usecases.servers.is_moderator(
            interaction.guild_id, manages_server=manages_server(interaction),
            role_ids=role_ids(interaction),
        )  # fmt: skip
        if not allowed:
            await ephemeral(interaction, t(lang, "admin.not_mod"))
            return
        listing = await usecases.feeds.listing()
        shown = listing_page(lang, listing, clock_of(interaction).seconds(), self.page)
        await interaction.response.edit_message(
            embed=shown.embed, view=page_buttons(lang, shown), allowed_mentions=NO_PINGS
        )


def page_buttons(lang: Lang, shown: ListingPage) -> discord.ui.View | None:
    """Previous and Next, when there is more than one page."""
    if shown.pages <= 1:
        return None
    last = min(shown.pages, MAX_PAGE + 1) - 1
    view = discord.ui.View(timeout=None)
    view.add_item(FeedListPageButton(max(shown.page - 1, 0), "prev", t(lang, "feed.previous"),
                                     disabled=shown.page <= 0))  # fmt: skip
    view.add_item(FeedListPageButton(min(shown.page + 1, last), "next", t(lang, "feed.next"),
                                     disabled=shown.page >= last))  # fmt: skip
    return view
