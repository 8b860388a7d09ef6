"""/admin feed list in pages: every feed on exactly one page, each page within Discord's embed
limits however long the feeds' URLs, keywords and errors, and Previous/Next ids that are
unique, persistent and answered by the bot."""

from __future__ import annotations

import pytest

from bot import discord_limits as limits
from bot.i18n import Lang
from bot.store.records import Feed, FeedItem
from bot.ui.feeds import FeedListPageButton, listing_page, page_buttons
from bot.usecases.feeds import FeedListing

NOW = 1_800_000_000


def feed(n: int, *, long: bool = False) -> Feed:
    url = f"https://press{n}.example/" + ("section/" * 40 if long else "rss")
    keywords = tuple(f"keyword number {k} of feed {n}" for k in range(20 if long else 2))
    return Feed(
        n, url, f"Feed {n}", "auto", keywords, NOW, None, None, NOW, NOW + 600, None,
        "HTTP 500 " * 40 if long else None, NOW - 90_000 if long else None, 3 if long else 0,
        "line 1, column 9: mismatched tag " * 10 if long else None,
    )  # fmt: skip


def waiting(n: int) -> FeedItem:
    return FeedItem(n, 1, f"g{n}", None, None, "All of Us Are Dead " * 10, "", "s", None, "pending")


def walk(listing: FeedListing, lang: Lang = "en") -> list[list[str]]:
    first = listing_page(lang, listing, NOW)
    pages = []
    for number in range(first.pages):
        shown = listing_page(lang, listing, NOW, number)
        assert shown.page == number and shown.pages == first.pages
        embed = shown.embed
        assert len(embed) <= limits.EMBED_TOTAL and len(embed.fields) <= limits.FIELDS
        assert all(len(f.value or "") <= limits.FIELD_VALUE for f in embed.fields)
        fields = [f for f in embed.fields if (f.name or "").startswith("https")]
        # a URL too long for a field's name is whole in its value
        pages.append([(f.value or "").split("\n")[0] if (f.name or "").endswith("…")
                      else f.name or "" for f in fields])  # fmt: skip
    return pages


@pytest.mark.parametrize("long", [False, True], ids=["short", "longest"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_feed_is_on_exactly_one_page_within_the_limits(long: bool, lang: Lang) -> None:
    feeds = [feed(n, long=long) for n in range(60)]
    listing = FeedListing(feeds, [waiting(n) for n in range(10)])
    pages = walk(listing, lang)
    assert [url for page in pages for url in page] == [f.url for f in feeds]
    assert all(1 <= len(page) <= 10 for page in pages)
    assert len(pages) == 6 or (long and len(pages) > 6)


def test_one_page_has_no_buttons_and_a_page_past_the_end_shows_the_last() -> None:
    few = FeedListing([feed(n) for n in range(3)], [])
    shown = listing_page("en", few, NOW, 5)
    assert (shown.page, shown.pages) == (0, 1) and page_buttons("en", shown) is None
    assert shown.embed.footer.text is None
    empty = listing_page("en", FeedListing([], []), NOW)
    assert empty.pages == 1 and empty.embed.description and not empty.embed.fields


def test_previous_and_next_lead_to_the_pages_beside_and_are_ours() -> None:
    listing = FeedListing([feed(n) for n in range(25)], [])
    ids = []
    for number in range(3):
        view = page_buttons("ko", listing_page("ko", listing, NOW, number))
        assert view is not None
        [previous, following] = [item.to_component_dict() for item in view.children]
        assert (previous["label"], following["label"]) == ("◀ 이전", "다음 ▶")
        assert previous.get("disabled", False) is (number == 0)
        assert following.get("disabled", False) is (number == 2)
        ids.append((previous["custom_id"], following["custom_id"]))
    assert ids == [
        ("aoad:feedlist:0:prev", "aoad:feedlist:1:next"),
        ("aoad:feedlist:0:prev", "aoad:feedlist:2:next"),
        ("aoad:feedlist:1:prev", "aoad:feedlist:2:next"),
    ]

    def is_ours(custom_id: str) -> bool:
        return bool(FeedListPageButton.__discord_ui_compiled_template__.fullmatch(custom_id))

    assert all(is_ours(custom_id) for pair in ids for custom_id in pair)
    assert not is_ours("aoad:feedlist:99999:next") and not is_ours("aoad:feedlist:1:up")
