"""News feeds in process: adding remembers what is there, new matching items wait for review
(or are announced), the same story is new once, decisions are taken once."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from bot.errors import InputError
from bot.feeds.fetch import FetchResult
from bot.usecases.feeds import FeedUseCases
from tests.usecases.conftest import HOME, NOW, World

URL = "http://news.example/rss"


def rss(*items: tuple[str, str, str, float]) -> bytes:
    body = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>{link}</link>"
        f"<pubDate>{formatdate(at, usegmt=True)}</pubDate></item>"
        for g, t, link, at in items
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Press</title>{body}'
            "</channel></rss>").encode()  # fmt: skip


class Site:
    def __init__(self) -> None:
        self.body = rss()

    async def __call__(self, url: str, etag: str | None, modified: str | None) -> FetchResult:
        return FetchResult("ok", self.body, url, None, None)


@pytest.fixture
def site(world: World) -> Site:
    site = Site()
    uc = world.usecases
    uc.feeds = FeedUseCases(
        world.store, uc.release.outbox, world.clock, uc.servers.settings, site, world.wakes.append
    )
    return site


async def kinds_due(world: World) -> list[str]:
    await world.store.outbox.expand_due(NOW + 10)
    async with world.store.database.read() as conn:
        rows = await conn.fetchall("SELECT kind FROM notifications ORDER BY id")
    return sorted(n for (n,) in rows)


async def test_adding_remembers_all_and_announces_nothing(world: World, site: Site) -> None:
    site.body = rss(("a", "All of Us Are Dead season 2 news", "http://x/a", NOW),
                    ("b", "Weather", "http://x/b", NOW))  # fmt: skip
    added = await world.usecases.feeds.add(url=URL, keywords=None, mode=None, user_id=1)
    assert (added.kind, added.items, added.matching) == ("RSS 2.0", 2, 1)
    assert await world.usecases.feeds.check_due() == 0  # not due again before the interval
    assert await kinds_due(world) == []
    with pytest.raises(InputError):
        await world.usecases.feeds.add(url=URL, keywords=None, mode=None, user_id=1)


async def test_a_new_story_waits_once_and_is_announced_once(world: World, site: Site) -> None:
    await world.usecases.servers.set_up(HOME, user_id=1, channel_id=10, role_id=None,
                                        mod_role_id=None, locale="en-US",
                                        review_channel_id=30)  # fmt: skip
    await world.usecases.feeds.add(url=URL, keywords=None, mode="review", user_id=1)
    [feed] = await world.store.feeds.all()
    site.body = rss(
        ("n1", "All of Us Are Dead season 2 trailer", "http://x/t?utm_source=a", NOW),
        ("n2", "All of Us Are Dead Season 2 Trailer!", "http://x/t2", NOW),
        ("n3", "All of Us Are Dead in 2022", "http://x/o", NOW - 90 * 86400),
    )
    assert await world.usecases.feeds.check(feed) == 1  # one story; the old one never
    [pending] = await world.store.feeds.pending()
    assert pending.url == "http://x/t?utm_source=a"  # shown as given
    assert pending.link is not None and "utm_source" not in pending.link  # compared without
    assert await kinds_due(world) == ["feed_review"]
    first = await world.usecases.feeds.decide(pending.id, approve=True, user_id=7)
    again = await world.usecases.feeds.decide(pending.id, approve=False, user_id=8)
    assert first.decided_now and not again.decided_now
    assert again.item is not None and again.item.state == "approved" and again.item.decided_by == 7
    assert await kinds_due(world) == ["feed_review", "news"]
    [update] = await world.store.premiere.updates()
    assert "trailer" in update.text and "Press" in (update.source or "")


async def test_without_a_review_channel_items_wait_in_the_list(world: World, site: Site) -> None:
    await world.usecases.feeds.add(url=URL, keywords="trailer", mode="review", user_id=1)
    [feed] = await world.store.feeds.all()
    site.body = rss(("k1", "Season 2 trailer", "http://x/k1", NOW))
    assert await world.usecases.feeds.check(feed) == 1
    await world.store.outbox.expand_due(NOW + 10)
    assert await world.store.outbox.due(NOW + 10, 10) == []  # nowhere to post it yet
    listing = await world.usecases.feeds.listing()
    assert [i.title for i in listing.pending] == ["Season 2 trailer"]
    assert listing.feeds[0].keywords == ("trailer",)


async def test_a_feed_not_well_formed_is_held_for_review_until_it_is_again(
    world: World, site: Site
) -> None:
    """In `auto` mode too: its new items wait for review, never announced by themselves."""
    site.body = rss(("a0", "Tom & Jerry", "http://x/a0", NOW))  # a bare &
    added = await world.usecases.feeds.add(url=URL, keywords=None, mode="auto", user_id=1)
    assert added.not_well_formed is not None and "not well-formed" in added.not_well_formed
    [feed] = await world.store.feeds.all()
    assert feed.not_well_formed == added.not_well_formed
    site.body = rss(("b1", "All of Us Are Dead season 2 <b>filming</i> ends", "http://x/b1", NOW))
    assert await world.usecases.feeds.check(feed) == 1
    [pending] = await world.store.feeds.pending()
    assert pending.title == "All of Us Are Dead season 2 filming ends"
    assert await kinds_due(world) == ["feed_review"]  # to review, not announced
    [feed] = await world.store.feeds.all()
    assert feed.not_well_formed == "line 1, column 155: mismatched tag"

    site.body = rss(("b1", "All of Us Are Dead season 2 filming ends", "http://x/b1", NOW),
                    ("g2", "All of Us Are Dead: the trailer", "http://x/g2", NOW))  # fmt: skip
    assert await world.usecases.feeds.check(feed) == 1
    assert await kinds_due(world) == ["feed_review", "news"]  # well-formed: auto again
    [feed] = await world.store.feeds.all()
    assert feed.not_well_formed is None
