"""News feeds: watch one, stop, list them; check the due ones; decide on reviewed items.

A story is new once: an item whose GUID, canonical link or near-identical title was seen
before (in any feed) is only remembered. Adding a feed remembers everything already in it, so
nothing old is announced; an item dated from before the feed was added never is. A matching
new item waits in the home server's review channel, or (mode `auto`) is announced at once:
announced, it goes through the outbox like `/admin update` and joins the `/release` timeline.
A feed whose document is not well-formed XML is read leniently but never announced from
automatically: its new items wait for review whatever its mode, until it is well-formed again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from bot.clock import Clock
from bot.errors import InputError
from bot.feeds import FEEDS, NEWS, REVIEW
from bot.feeds.errors import FeedError
from bot.feeds.fetch import FetchResult
from bot.feeds.match import (
    KeywordError,
    canonical_link,
    default_keywords,
    domain,
    matches,
    parse_keywords,
    same_story,
)
from bot.outbox import Outbox
from bot.settings import Settings
from bot.store import Store, Tx
from bot.store.records import Audience, Feed, FeedItem
from bot.usecases.ports import Announce, Fetcher

if TYPE_CHECKING:
    from bot.feeds.parse import FeedItem as ParsedItem
    from bot.feeds.parse import ParsedFeed

log = logging.getLogger(__name__)


def _parse(body: bytes, url: str) -> ParsedFeed:
    """Read a fetched feed (in a worker thread). The reader and its HTML and XML helpers are
    imported at the first feed read, not at start-up, which they cost ~4 ms."""
    from bot.feeds.parse import parse

    return parse(body, url)


MODES = ("review", "auto")
DAY = 86400
SAME_STORY_DAYS = 30  # titles compared against what came in this long
OLD_ITEM_GRACE = DAY  # an item dated before the feed was added (less this) is old news
MAX_BACKOFF = DAY
FAILING_AFTER = DAY  # a feed failing this long is reported as failing


class FeedAdded(NamedTuple):
    url: str
    kind: str  # 'RSS 2.0', 'Atom 1.0', …
    title: str
    items: int
    matching: int
    not_well_formed: str | None = None  # the parser's first complaint, if it had one


class FeedListing(NamedTuple):
    feeds: list[Feed]
    pending: list[FeedItem]  # items waiting for a decision


class Decision(NamedTuple):
    item: FeedItem | None  # None: no such item
    decided_now: bool  # False: someone had decided it already


def failing(feed: Feed, now: int) -> bool:
    return feed.failing_since is not None and now - feed.failing_since >= FAILING_AFTER


class FeedUseCases:
    def __init__(
        self, store: Store, outbox: Outbox, clock: Clock, settings: Settings, fetcher: Fetcher,
        announce: Announce,
    ) -> None:  # fmt: skip
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.fetcher = fetcher
        self.announce = announce

    async def add(self, *, url: str, keywords: str | None, mode: str | None, user_id: int
                  ) -> FeedAdded:  # fmt: skip
        """Fetch the feed once, remember all it holds now (announcing none of it)."""
        url, mode = url.strip(), mode or "review"
        if mode not in MODES:
            raise InputError("feed.bad_mode", value=mode)
        try:
            words = parse_keywords(keywords) if keywords else default_keywords()
        except KeywordError as exc:
            raise InputError(f"feed.keywords_{exc.reason}") from None
        if not words:
            raise InputError("feed.no_keywords")
        try:
            fetched = await self.fetcher(url, None, None)
            parsed = await asyncio.to_thread(_parse, fetched.body, fetched.url)
        except FeedError as exc:
            raise InputError(f"feed.error.{exc.reason_key}", limit=200, value=url) from None
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            feed = await tx.feeds.add(
                url=url, title=parsed.title, mode=mode, keywords=words, user_id=user_id,
                now=now, next_check_at=self._next_check(now, fetched, parsed),
                etag=fetched.etag, last_modified=fetched.last_modified,
                not_well_formed=parsed.not_well_formed,
            )  # fmt: skip
            if feed is None:
                raise InputError("feed.exists", value=url)
            for item in parsed.items:
                await self._remember(tx, feed, item, "seen", now)
            await tx.audit.record(guild_id=None, user_id=user_id, action="feed.add", old=None,
                                  new=f"{url} {mode}", now=now)  # fmt: skip
        matching = sum(1 for i in parsed.items if matches(words, i.title, i.summary))
        self.announce(FEEDS)
        return FeedAdded(url, parsed.kind, parsed.title, len(parsed.items), matching,
                         parsed.not_well_formed)  # fmt: skip

    async def remove(self, *, url: str, user_id: int) -> bool:
        async with self.store.transaction() as tx:
            removed = await tx.feeds.remove(url.strip())
            if removed:
                await tx.audit.record(guild_id=None, user_id=user_id, action="feed.remove",
                                      old=url, new=None, now=self.clock.seconds())  # fmt: skip
        return removed

    async def listing(self) -> FeedListing:
        return FeedListing(await self.store.feeds.all(), await self.store.feeds.pending())

    async def urls(self, typed: str) -> list[str]:
        """For autocomplete: the watched URLs containing what was typed."""
        needle = typed.strip().casefold()
        return [f.url for f in await self.store.feeds.all() if needle in f.url.casefold()][:25]

    # --- checking ----------------------------------------------------------------------

    async def next_check(self) -> int | None:
        return await self.store.feeds.next_check()

    async def check_due(self) -> int:
        """Check every feed that is due; how many new items came in."""
        new = 0
        for feed in await self.store.feeds.due(self.clock.seconds()):
            new += await self.check(feed)
        return new

    async def check(self, feed: Feed) -> int:
        now = self.clock.seconds()
        try:
            fetched = await self.fetcher(feed.url, feed.etag, feed.last_modified)
            parsed = None
            if fetched.status != "not_modified":  # a 304 costs no parsing
                parsed = await asyncio.to_thread(_parse, fetched.body, feed.url)
        except FeedError as exc:
            wait = self._backoff(feed.failures + 1, exc.retry_after_s)
            log.warning("feed %s failed (%s); next check in %ds", feed.url, exc, wait)
            await self.store.feeds.failed(
                feed.id, now=now, error=str(exc), next_check_at=now + wait
            )
            return 0
        if parsed and parsed.not_well_formed != feed.not_well_formed:
            if parsed.not_well_formed:
                log.warning("feed %s is not well-formed XML (%s): read leniently, its new items"
                            " wait for review", feed.url, parsed.not_well_formed)  # fmt: skip
            else:
                log.info("feed %s is well-formed XML again", feed.url)
        new = await self._take(feed, parsed, now) if parsed else 0
        await self.store.feeds.checked(
            feed.id, now=now, next_check_at=self._next_check(now, fetched, parsed),
            etag=fetched.etag or feed.etag,
            last_modified=fetched.last_modified or feed.last_modified,
            title=parsed.title if parsed else None, new_items=new > 0,
            read=parsed is not None, not_well_formed=parsed.not_well_formed if parsed else None,
        )  # fmt: skip
        return new

    async def _take(self, feed: Feed, parsed: ParsedFeed, now: int) -> int:
        new = 0
        titles = await self.store.feeds.recent_titles(now - SAME_STORY_DAYS * DAY)
        held = parsed.not_well_formed is not None  # for review, whatever the feed's mode
        for item in parsed.items:
            link = canonical_link(item.link) if item.link else None
            if await self.store.feeds.known(item.guid, link):
                continue
            state = self._verdict(feed, item, titles, held=held)
            async with self.store.transaction() as tx:
                item_id = await self._remember(tx, feed, item, state, now)
                if item_id is not None and state != "seen":
                    await self._forward(tx, feed, item_id, item, state, now)
                    new += 1
            titles.append(item.title)
        return new

    def _verdict(self, feed: Feed, item: ParsedItem, titles: Sequence[str], *, held: bool
                 ) -> str:  # fmt: skip
        """'seen' (remembered only), 'pending' (to review) or 'announced' (auto and not
        `held` for review)."""
        if any(same_story(item.title, title) for title in titles):
            return "seen"
        if item.published is not None and item.published < feed.added_at - OLD_ITEM_GRACE:
            return "seen"
        if not matches(feed.keywords, item.title, item.summary):
            return "seen"
        return "pending" if feed.mode == "review" or held else "announced"

    async def _remember(self, tx: Tx, feed: Feed, item: ParsedItem, state: str, now: int
                        ) -> int | None:  # fmt: skip
        return await tx.feeds.add_item(
            feed_id=feed.id, guid=item.guid, link=canonical_link(item.link) if item.link else None,
            url=item.link or None, title=item.title, summary=item.summary,
            source=feed.title or domain(feed.url),
            published_at=item.published, state=state, now=now,
        )  # fmt: skip

    async def _forward(self, tx: Tx, feed: Feed, item_id: int, item: ParsedItem, state: str,
                       now: int) -> None:  # fmt: skip
        payload = {"item_id": item_id, "title": item.title, "summary": item.summary,
                   "link": item.link, "source": feed.title or domain(feed.url)}  # fmt: skip
        if state == "announced":
            await self._announce(tx, payload, now)
            return
        home = self.settings.home_guild_id
        if home is not None:  # no home server: the item waits in /admin feed list
            await self.outbox.schedule(tx, REVIEW, payload, due_at=now, now=now,
                                       audience=Audience.review(home))  # fmt: skip

    async def _announce(self, tx: Tx, payload: dict[str, object], now: int) -> None:
        """To every server, exactly once, and into the /release timeline with its source."""
        site = domain(str(payload.get("link") or ""))
        source = f"{payload['source']} ({site})" if site else str(payload["source"])
        await tx.premiere.add_update(text=str(payload["title"]), source=source, user_id=0, now=now)
        await self.outbox.schedule(tx, NEWS, payload, due_at=now, now=now)

    # --- review ------------------------------------------------------------------------

    async def decide(self, item_id: int, *, approve: bool, user_id: int) -> Decision:
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            state = "approved" if approve else "dismissed"
            decided = await tx.feeds.decide(item_id, state=state, user_id=user_id, now=now)
            item = await tx.feeds.item(item_id)
            if decided and approve and item is not None:
                payload = {"item_id": item.id, "title": item.title, "summary": item.summary,
                           "link": item.url, "source": item.source}  # fmt: skip
                await self._announce(tx, payload, now)
            if decided:
                title = item.title if item else None
                await tx.audit.record(guild_id=None, user_id=user_id, action=f"feed.{state}",
                                      old=None, new=title, now=now)  # fmt: skip
        return Decision(item, decided)

    # --- timing ------------------------------------------------------------------------

    def _next_check(self, now: int, fetched: FetchResult, parsed: ParsedFeed | None) -> int:
        """Every FEED_POLL_SECONDS, never sooner than the feed's ttl or Cache-Control asks,
        spread by a little jitter so feeds added together don't stay in step."""
        base = float(self.settings.feed_poll_seconds)
        asked = max(fetched.min_interval_s or 0.0, float(parsed.ttl_s or 0) if parsed else 0.0)
        interval = max(base, asked) * random.uniform(1.0, 1.1)
        return now + max(1, round(interval))

    def _backoff(self, failures: int, retry_after: float | None) -> int:
        wait = min(self.settings.feed_poll_seconds * 2 ** min(failures, 16), MAX_BACKOFF)
        return int(max(wait, retry_after or 0))
