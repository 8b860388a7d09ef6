"""The notification kinds of news feeds: an item waiting in the home server's review channel
(with Approve and Dismiss buttons), and an item announced to every server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import discord

from bot.discord_limits import fit_embed, truncate
from bot.i18n import Lang, lang_of, t
from bot.notify.plan import announcement_expiry
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery
from bot.untrusted import quote

NEWS = "news"
REVIEW = "feed_review"
COLOR = discord.Colour(0x1F6F8B)
REVIEW_EXPIRES_S = 7 * 86400
BUTTON, PRIMARY, DANGER = 2, 3, 4  # component type, button styles (success, danger)


def review_audience(guild_id: int) -> str:
    return f"review:{guild_id}"


def domain(link: str | None) -> str:
    host = urlsplit(link).hostname if link else None
    return host.removeprefix("www.") if host else ""


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
    return Rendered(t(lang, "news.headline"), embed, discord.AllowedMentions.none())


def render_review(delivery: Delivery) -> Rendered:
    lang = lang_of(delivery.locale)
    embed = item_embed(lang, delivery.payload)
    return Rendered(t(lang, "news.review"), embed, discord.AllowedMentions.none())


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
