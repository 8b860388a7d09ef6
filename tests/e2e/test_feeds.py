"""News feeds through the real bot: a new matching item waits once in the review channel,
approved it is announced once in every server and joins /release; the same story from another
feed, an edited item and a restart announce nothing more; fans can't decide; auto mode; a
failing feed backs off visibly; hostile feeds are refused and the bot keeps answering."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.feed_server import Feed, FeedSite, Item
from tests.e2e.helpers import set_up_guild, wait_until
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord
from tests.harness import BotProcess

World = tuple[FakeDiscord, BotProcess, FeedSite]
ENV = {"FEEDS_ALLOW_PRIVATE": "1", "FEED_POLL_SECONDS": "1"}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    site = FeedSite()
    await site.start()
    try:
        async with serving(tmp_path, extra_guilds=["Second fan server"], **ENV) as (fake, bot):
            await set_up_guild(fake, fake.guilds[1])
            setup = await fake.invoke("admin setup",
                                      {"review_channel": fake.guild.general_channel_id},
                                      member=fake.guild.admin)  # fmt: skip
            assert "saved" in setup.text and "Review channel" in setup.text, setup.text
            yield fake, bot, site
    finally:
        await site.stop()


def reviews(fake: FakeDiscord) -> list[dict[str, Any]]:
    """Review posts, decided or not: the ones with Approve/Dismiss buttons."""
    return [m for m in fake.channel_messages(fake.guild.general_channel_id)
            if "aoad:feed:" in str(m.get("components"))]  # fmt: skip


def announced(fake: FakeDiscord, guild_index: int) -> list[dict[str, Any]]:
    channel = fake.guilds[guild_index].announce_channel_id
    return [m for m in fake.channel_messages(channel)
            if "News about All of Us Are Dead" in (m.get("content") or "")]  # fmt: skip


def item(guid: str, title: str, link: str, ago: float = 0.0) -> Item:
    return Item(guid, title, link, summary=f"{title}. More soon.", published=time.time() - ago)


async def add_feed(fake: FakeDiscord, url: str, **options: str) -> str:
    result = await fake.invoke("admin feed add", {"url": url, **options},
                               member=fake.guild.admin, timeout=20)  # fmt: skip
    assert result.ephemeral
    return result.text


async def test_review_approve_announce_once(world: World) -> None:
    fake, bot, site = world
    site.feeds["press"] = Feed("Korea Press", [
        item("old-1", "All of Us Are Dead season 2 cast announced", "http://news.example/a"),
        item("old-2", "Weather in Seoul", "http://news.example/w"),
    ])  # fmt: skip
    answer = await add_feed(fake, site.url("press"))
    assert "a valid RSS 2.0 feed" in answer and "2 items, 1 of them matching" in answer, answer
    site.feeds["press"].items += [
        item("new-1", "All of Us Are Dead season 2 trailer drops", "http://news.example/t?utm_source=x"),
        item("new-2", "A cooking show returns", "http://news.example/c"),
        item("ancient", "All of Us Are Dead: a look back", "http://news.example/o", ago=90 * 86400),
    ]  # fmt: skip
    await wait_until(lambda: len(reviews(fake)) == 1, timeout=15, what="the review post")
    [post] = reviews(fake)
    assert "trailer drops" in str(post["embeds"]) and "news.example" in str(post["embeds"])
    buttons = post["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["Approve", "Dismiss"]

    # the same story from another feed (Atom, tracking parameters on its link), an edit of
    # the item, and a restart between polls: nothing new comes of any of them
    site.feeds["wire"] = Feed("Wire", atom=True, items=[
        item("wire-9", "All of Us Are Dead season 2 trailer drops!", "http://news.example/t"),
    ])  # fmt: skip
    await add_feed(fake, site.url("wire"), mode="auto")
    site.feeds["wire"].items.append(
        item("wire-10", "All of Us Are Dead Season 2 Trailer Drops", "http://news.example/t#top")
    )
    site.feeds["press"].items[2].title += " (updated)"
    await bot.restart()
    fan_press = await fake.press_button(post, buttons[0]["custom_id"], member=fake.guild.fan)
    assert fan_press.ephemeral and "Only the home server's moderators" in fan_press.text
    assert not announced(fake, 0)

    approved = await fake.press_button(post, buttons[0]["custom_id"], member=fake.guild.admin,
                                       expect_edit=False)  # fmt: skip
    edited = fake.messages.by_id[int(post["id"])]
    assert "Approved by" in edited["content"]
    assert all(b.get("disabled") for b in edited["components"][0]["components"])
    assert approved.response_type == 7
    for index in (0, 1):
        await wait_until(lambda i=index: len(announced(fake, i)) == 1, timeout=10,
                         what=f"the announcement in server {index}")  # fmt: skip
    with pytest.raises(AssertionError, match="disabled"):  # decided once: no second press
        await fake.press_button(edited, buttons[1]["custom_id"], member=fake.guild.admin)
    release = await fake.invoke("release", member=fake.guild.fan)
    assert "trailer drops" in release.text and "Korea Press" in release.text
    await wait_until(lambda: site.feeds["wire"].served >= 3, timeout=10, what="more polls")
    assert len(reviews(fake)) == 1 and [len(announced(fake, i)) for i in (0, 1)] == [1, 1]
    assert site.feeds["press"].not_modified + site.feeds["wire"].not_modified >= 1  # 304s
    posted = [m for m in announced(fake, 0) if m["_pinged"]["roles"]]
    assert posted == []  # news never pings


async def test_a_failing_feed_backs_off_visibly(world: World) -> None:
    fake, _bot, site = world
    site.feeds["flaky"] = Feed(
        "Flaky", [item("f1", "All of Us Are Dead news", "http://x.example/1")]
    )
    await add_feed(fake, site.url("flaky"))
    site.feeds["flaky"].status = 500
    served = site.feeds["flaky"].served
    await wait_until(lambda: site.feeds["flaky"].served >= served + 2, timeout=15, what="retries")
    listing = await fake.invoke("admin feed list", member=fake.guild.admin)
    assert "Last error" in listing.text and "HTTP 500" in listing.text
    later = site.feeds["flaky"].served
    time_before = time.monotonic()
    while time.monotonic() - time_before < 3:
        await fake.invoke("about", member=fake.guild.fan)  # commands answered meanwhile
    assert site.feeds["flaky"].served - later <= 2  # backing off: not every second any more


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("huge", "too large"),
        ("malformed", "isn't an RSS or Atom feed"),
        ("bomb", "isn't an RSS or Atom feed"),
    ],
)
async def test_hostile_feeds_are_refused_and_harm_nothing(
    world: World, path: str, expected: str
) -> None:
    fake, _bot, site = world
    started = time.monotonic()
    answer = await add_feed(fake, f"http://127.0.0.1:{site.port}/{path}")
    assert time.monotonic() - started < 10
    assert expected in answer, answer
    assert "lollol" not in answer and "Watching it" not in answer
    about = await fake.invoke("about", member=fake.guild.fan)
    assert about.latency < 1.0


async def test_only_moderators_of_the_home_server_add_feeds(world: World) -> None:
    fake, _bot, site = world
    site.feeds["p"] = Feed("P", [])
    refused = await fake.invoke("admin feed add", {"url": site.url("p")}, member=fake.guild.fan)
    assert refused.ephemeral and "Only moderators" in refused.text
    listing = await fake.invoke("admin feed list", member=fake.guild.admin)
    assert "No feed is watched yet" in listing.text
    not_http = await add_feed(fake, "ftp://news.example/feed")
    assert "isn't an http or https address" in not_http


async def test_auto_mode_announces_a_korean_item_at_once(world: World) -> None:
    fake, _bot, site = world
    site.feeds["kr"] = Feed("한국 연예", atom=True, items=[])
    await add_feed(fake, site.url("kr"), mode="auto", keywords="지우학, 지금 우리 학교는")
    site.feeds["kr"].items.append(
        item("kr-1", "‘지금 우리 학교는’ 시즌2 첫 예고편 공개 @everyone", "http://kr.example/1")
    )
    for index in (0, 1):
        await wait_until(lambda i=index: len(announced(fake, i)) == 1, timeout=15,
                         what=f"the announcement in server {index}")  # fmt: skip
    post = announced(fake, 0)[0]
    assert "첫 예고편 공개" in str(post["embeds"]) and "kr.example" in str(post["embeds"])
    assert post["_pinged"] == {"everyone": False, "roles": [], "users": []}  # text never pings
    assert reviews(fake) == []  # trusted source: no review


async def test_markup_in_a_title_is_posted_as_plain_text(world: World) -> None:
    """A title holding escaped HTML (an <img> with a script in an attribute, <b> highlights,
    a <script>) is announced as its words alone, in the post and in /release."""
    fake, _bot, site = world
    site.feeds["tabloid"] = Feed("Tabloid", items=[])
    await add_feed(fake, site.url("tabloid"), mode="auto")
    title = (
        '<img src="http://evil.example/x.png" onsubmit="location.href=\'http://evil.example/\';"'
        " /><b>All of Us Are Dead</b> season 2 <script>alert(1)</script>wraps filming"
    )
    site.feeds["tabloid"].items.append(item("m-1", title, "http://tabloid.example/1"))
    await wait_until(lambda: len(announced(fake, 0)) == 1, timeout=15, what="the announcement")
    [embed] = announced(fake, 0)[0]["embeds"]
    assert embed["title"] == "All of Us Are Dead season 2 wraps filming"
    release = await fake.invoke("release", member=fake.guild.fan)
    assert "wraps filming" in release.text
    for shown in (str(embed), release.text):
        for markup in ("<img", "<b>", "onsubmit", "location.href", "<script", "alert("):
            assert markup not in shown, (markup, shown)


async def test_a_feed_not_well_formed_is_marked_and_its_items_reviewed(world: World) -> None:
    """A bare &, mismatched tags and an unended item: read leniently, marked in the list with
    the parser's complaint, its new item sent to review though the feed is `auto`, and never
    announced; well-formed again, the mark clears and `auto` announces again."""
    fake, _bot, site = world
    site.feeds["shaky"] = Feed("Shaky", [item("s-0", "All of Us Are Dead: a first look",
                                              "http://shaky.example/0")])  # fmt: skip
    answer = await add_feed(fake, site.url("shaky"), mode="auto")
    assert "a valid RSS 2.0 feed" in answer, answer
    shaky = site.feeds["shaky"]
    shaky.broken = True
    shaky.items.append(item("s-1", "All of Us Are Dead season 2 wraps filming",
                            "http://shaky.example/1"))  # fmt: skip
    await wait_until(lambda: len(reviews(fake)) == 1, timeout=15, what="the review post")
    assert "wraps filming" in str(reviews(fake)[0]["embeds"])
    listing = await fake.invoke("admin feed list", member=fake.guild.admin)
    assert "Not well-formed XML (line 1, column " in listing.text, listing.text
    assert "not well-formed (invalid token)" in listing.text and "auto mode" in listing.text
    served = shaky.served
    await wait_until(lambda: shaky.served >= served + 2, timeout=10, what="more polls")
    assert [len(announced(fake, i)) for i in (0, 1)] == [0, 0]  # never announced by itself

    shaky.broken = False
    shaky.items.append(item("s-2", "Netflix dates All of Us Are Dead season 2",
                            "http://shaky.example/2"))  # fmt: skip
    await wait_until(lambda: len(announced(fake, 0)) == 1, timeout=15, what="the announcement")
    assert "Netflix dates" in str(announced(fake, 0)[0]["embeds"])
    listing = await fake.invoke("admin feed list", member=fake.guild.admin)
    assert "Not well-formed" not in listing.text, listing.text
    assert len(reviews(fake)) == 1

    site.feeds["sloppy"] = Feed("Sloppy", [item("y-1", "News", "http://sloppy.example/1")])
    site.feeds["sloppy"].broken = True
    answer = await add_feed(fake, site.url("sloppy"), mode="auto")
    assert "It is not well-formed XML (line 1, column " in answer, answer
    assert "wait for review, even in auto mode" in answer


async def test_every_one_of_sixty_feeds_is_reachable_from_the_list(tmp_path: Path) -> None:
    """/admin feed list shows a page at a time with Previous and Next, which edit the list in
    place and keep working after a restart: walked to the end, it has named every feed once."""
    site = FeedSite()
    await site.start()
    try:
        async with serving(tmp_path, **{**ENV, "FEED_POLL_SECONDS": "600"}) as (fake, bot):
            urls = []
            for n in range(60):
                site.feeds[f"f{n:02}"] = Feed(f"Feed {n}", [])
                urls.append(site.url(f"f{n:02}"))
                assert "Watching it" in await add_feed(fake, urls[-1])
            listing = await fake.invoke("admin feed list", member=fake.guild.admin)
            assert listing.ephemeral and listing.message is not None
            message = listing.message

            def page() -> tuple[list[str], str, dict[str, dict[str, Any]]]:
                [embed] = message["embeds"]
                buttons = {b["custom_id"].rsplit(":", 1)[1]: b
                           for b in message["components"][0]["components"]}  # fmt: skip
                return [f["name"] for f in embed["fields"]], embed["footer"]["text"], buttons

            async def press(step: str) -> dict[str, Any]:
                button = page()[2][step]
                pressed = await fake.press_button(message, button["custom_id"],
                                                  member=fake.guild.admin)  # fmt: skip
                assert pressed.response_type == 7 and pressed.message is not None  # edited
                assert pressed.ephemeral
                return pressed.message

            seen, footers = [], []
            while True:
                names, footer, buttons = page()
                seen += names
                footers.append(footer)
                assert buttons["prev"]["disabled"] is (len(footers) == 1)
                if buttons["next"].get("disabled"):
                    break
                message = await press("next")
                if len(footers) == 2:
                    await bot.restart()  # the buttons are the same after a restart
            assert seen == urls  # every feed, each once, in the order they were added
            assert footers == [f"Page {n} of 6 · 60 feeds" for n in range(1, 7)]
            message = await press("prev")
            assert page()[0] == urls[40:50] and page()[1] == "Page 5 of 6 · 60 feeds"
    finally:
        await site.stop()
