"""Every aggregate's statements run, with the same results, on SQLite and PostgreSQL: one pass
through each call (the use-case tests cover what they mean)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.records import Audience, Followup, NewNotification
from tests.pgfixtures import BACKENDS, store_on

NOW = 1_800_000_000
BIG = 2**62 + 12345  # a Discord-sized id


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_on(request, tmp_path) as s:
        yield s


async def test_settings_subscriptions_and_audit(store: Store) -> None:
    old, new = await store.guilds.update(BIG, channel_id=BIG + 1, countdown_channel_id=5,
                                         discussion=True, review_channel_id=6, now=NOW)  # fmt: skip
    assert old.channel_id is None and new.discussion and new.review_channel_id == 6
    assert (await store.guilds.get(BIG)).discussion is True
    assert [g.guild_id for g in await store.guilds.with_countdown()] == [BIG]
    await store.subscriptions.put(BIG, BIG + 2, via="dm", user_name="a", locale="ko", now=NOW)
    await store.subscriptions.put(BIG, BIG + 2, via="both", user_name="b", locale="ko",
                                  now=NOW + 9, reminders="day")  # fmt: skip
    sub = await store.subscriptions.get(BIG, BIG + 2)
    assert sub is not None and (sub.via, sub.since, sub.reminders) == ("both", NOW, "day")
    assert await store.subscriptions.counts(BIG) == {"role": 0, "dm": 0, "both": 1}
    assert len(await store.subscriptions.list(BIG)) == 1
    assert (await store.subscriptions.remove(BIG, BIG + 2)) == sub
    assert await store.subscriptions.remove(BIG, BIG + 2) is None
    await store.audit.record(guild_id=None, user_id=1, action="x", old="a", new="b", now=NOW)
    assert [e.action for e in await store.audit.latest(BIG)] == ["x"]
    assert await store.meta.setdefault("k", "1") == "1"
    assert await store.meta.setdefault("k", "2") == "1"


async def test_premiere_events_countdown_and_dm_channels(store: Store) -> None:
    first = await store.premiere.put(starts_at=NOW, timezone="UTC", note=None, user_id=1, now=NOW)
    second = await store.premiere.put(starts_at=None, timezone=None, note=None, user_id=1,
                                      now=NOW, expected="2027")  # fmt: skip
    assert (first.revision, second.revision) == (1, 2)
    assert (await store.premiere.current()).expected == "2027"
    update = await store.premiere.add_update(text="t", source=None, user_id=1, now=NOW)
    assert [u.id for u in await store.premiere.updates()] == [update.id]
    await store.events.put(BIG, None, 2)
    await store.events.put(BIG, BIG, 3)
    assert (await store.events.get(BIG)).event_id == BIG
    assert (await store.events.get(1)).revision == 0
    await store.countdown.hold(7, NOW + 60)
    await store.countdown.renamed(7, asked="a", shown="a", now=NOW, premiere_revision=1)
    await store.countdown.hold(7, NOW + 120)
    state = (await store.countdown.states())[7]
    assert (state.asked, state.renamed_at, state.retry_at) == ("a", NOW, NOW + 120)
    assert (state.renamed_before, state.premiere_revision) == (0, 1)
    await store.countdown.renamed(7, asked="b", shown="b", now=NOW + 30, premiere_revision=2)
    await store.countdown.name_right_for(7, 3)
    state = (await store.countdown.states())[7]
    assert (state.asked, state.renamed_at, state.renamed_before) == ("b", NOW + 30, NOW)
    assert (state.retry_at, state.premiere_revision) == (0, 3)
    await store.dm_channels.remember(BIG, BIG + 1)
    await store.dm_channels.mark_closed(BIG, NOW)
    assert (await store.dm_channels.get(BIG)).closed
    await store.dm_channels.reopen(BIG)
    assert (await store.dm_channels.get(BIG)) == (await store.dm_channels.get(BIG))
    assert not (await store.dm_channels.get(BIG)).closed


async def test_feeds_and_items(store: Store) -> None:
    feed = await store.feeds.add(url="http://x/f", title="F", mode="review", keywords=["가", "b"],
                                 user_id=1, now=NOW, next_check_at=NOW + 5, etag=None,
                                 last_modified=None)  # fmt: skip
    assert feed is not None and feed.keywords == ("가", "b")
    assert await store.feeds.add(url="http://x/f", title="", mode="auto", keywords=[], user_id=1,
                                 now=NOW, next_check_at=NOW, etag=None,
                                 last_modified=None) is None  # fmt: skip
    assert await store.feeds.next_check() == NOW + 5
    assert [f.id for f in await store.feeds.due(NOW + 5)] == [feed.id]
    await store.feeds.checked(feed.id, now=NOW + 5, next_check_at=NOW + 99, etag="e",
                              last_modified=None, title=None, new_items=True)  # fmt: skip
    await store.feeds.failed(feed.id, now=NOW + 6, error="boom", next_check_at=NOW + 100)
    (after,) = await store.feeds.all()
    assert (after.title, after.last_item_at, after.failures) == ("F", NOW + 5, 1)
    item = await store.feeds.add_item(feed_id=feed.id, guid="g", link="l", url="u", title="T",
                                      summary="", source="s", published_at=None,
                                      state="pending", now=NOW)  # fmt: skip
    assert item is not None
    assert await store.feeds.add_item(feed_id=feed.id, guid="g", link=None, url=None, title="T",
                                      summary="", source="s", published_at=None, state="seen",
                                      now=NOW) is None  # fmt: skip
    assert await store.feeds.known("g", None) and not await store.feeds.known(None, "zz")
    assert await store.feeds.recent_titles(NOW) == ["T"]
    assert [i.id for i in await store.feeds.pending()] == [item]
    assert await store.feeds.decide(item, state="approved", user_id=1, now=NOW)
    assert not await store.feeds.decide(item, state="dismissed", user_id=1, now=NOW)
    found = await store.feeds.item(item)
    assert found is not None and found.state == "approved"
    assert await store.feeds.remove("http://x/f") and not await store.feeds.remove("http://x/f")


async def test_a_feed_marked_not_well_formed_until_a_well_formed_read(store: Store) -> None:
    feed = await store.feeds.add(url="http://x/b", title="B", mode="auto", keywords=["a"],
                                 user_id=1, now=NOW, next_check_at=NOW, etag=None,
                                 last_modified=None, not_well_formed="x" * 500)  # fmt: skip
    assert feed is not None and feed.not_well_formed == "x" * 300  # bounded

    async def check(read: bool = False, complaint: str | None = None) -> str | None:
        await store.feeds.checked(feed.id, now=NOW, next_check_at=NOW, etag=None,
                                  last_modified=None, title=None, new_items=False, read=read,
                                  not_well_formed=complaint)  # fmt: skip
        (after,) = await store.feeds.all()
        return after.not_well_formed

    complaint = "line 1, column 2: mismatched tag"
    assert await check(read=True, complaint=complaint) == complaint
    assert await check() == complaint  # a 304: nothing read, kept
    await store.feeds.failed(feed.id, now=NOW, error="HTTP 500", next_check_at=NOW)
    assert (await store.feeds.all())[0].not_well_formed is not None  # a failure: kept too
    assert await check(read=True) is None  # well-formed again: cleared


async def test_outbox_lanes_followups_and_reports(store: Store) -> None:
    await store.guilds.update(1, channel_id=10, role_id=100, review_channel_id=11, now=NOW)
    await store.subscriptions.put(1, 7, via="both", user_name="u", locale="en-US", now=NOW)
    to_member = NewNotification("welcome", {}, NOW, NOW + 60, audience=Audience.member(1, 7))
    member = await store.outbox.add(to_member, NOW)
    to_review = NewNotification("review", {}, NOW, NOW + 60, audience=Audience.review(1))
    review = await store.outbox.add(to_review, NOW)
    broadcast = await store.outbox.add(NewNotification("update", {"text": "é"}, NOW, NOW + 60,
                                                       series="s"), NOW)  # fmt: skip
    await store.outbox.add(NewNotification("update", {}, NOW + 50, NOW + 60, series="s"), NOW)
    assert [p.kind for p in await store.outbox.upcoming()] == ["update", "update"]  # broadcasts
    assert await store.outbox.next_wakeup() == NOW
    assert await store.outbox.next_wakeup(urgent=True) == NOW
    assert await store.outbox.expand_due(NOW, lambda kind: ("everyone", ["all"])) == 3
    urgent = await store.outbox.due(NOW, 10, urgent=True)
    assert sorted(d.target for d in urgent) == ["channel", "dm", "role"]
    assert all(d.urgent for d in urgent)
    broadcasts = await store.outbox.due(NOW, 10, urgent=False)
    assert sorted(d.target for d in broadcasts) == ["channel", "dm"]
    assert not any(d.urgent for d in broadcasts)
    assert await store.outbox.next_wakeup(urgent=False) == NOW
    await store.outbox.claim([d.id for d in broadcasts], NOW, NOW + 20)
    post = next(d for d in broadcasts if d.target == "channel")
    await store.outbox.mark_sent_many([(post.id, BIG)], NOW)
    assert await store.outbox.post_of(broadcast, 1) == ("sent", BIG)
    dm = next(d for d in broadcasts if d.target == "dm")
    await store.outbox.retry_later(dm.id, "later", NOW + 30)
    assert await store.outbox.next_wakeup(urgent=False) == NOW + 30
    await store.outbox.claim([dm.id, urgent[0].id], NOW + 30, NOW + 50)
    await store.outbox.mark_failed(dm.id, "x" * 900)
    await store.outbox.mark_missed(urgent[0].id, "late")
    assert await store.outbox.cancel_for_member(1, 7) >= 1
    assert await store.outbox.fail_pending_dms(7, "closed") == 0
    progress = await store.outbox.progress(broadcast)
    assert progress is not None and (progress.sent, progress.failed) == (1, 1)
    assert [p.notification_id for p in await store.outbox.latest_fan_outs()] == [broadcast]
    stats = await store.outbox.stats()
    assert (stats.sent, stats.failed) == (1, 1)
    assert {p.state for p in await store.outbox.problems(1)} >= {"failed"}
    assert await store.outbox.retire_series("s") == 1  # the one not yet due
    followup = Followup(member, BIG, "token", "en-US", "progress", NOW + 900)
    await store.followups.add(followup)
    await store.followups.add(followup)
    assert await store.followups.get(member, NOW) == followup
    assert await store.followups.watching(NOW) == [followup]
    await store.followups.finish(member)
    assert await store.followups.watching(NOW) == []
    assert review


async def test_settings_changed_at_once_keep_every_field(store: Store) -> None:
    """Two changes to one server's settings at the same moment lose neither."""
    await asyncio.gather(
        store.guilds.update(7, channel_id=70, now=1),
        store.guilds.update(7, role_id=700, now=1),
        store.guilds.update(7, mod_role_id=7000, now=1),
        store.guilds.update(7, countdown_channel_id=71, now=1),
        store.guilds.update(7, review_channel_id=72, now=1),
    )
    got = await store.guilds.get(7)
    assert (got.channel_id, got.role_id, got.mod_role_id) == (70, 700, 7000)
    assert (got.countdown_channel_id, got.review_channel_id) == (71, 72)
