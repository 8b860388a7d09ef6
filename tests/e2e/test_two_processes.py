"""Two bot processes on one PostgreSQL, one shard each: each server answered by its shard's
process, logins paced, commands synced once, one sender, the premiere's scheduled event made
and its countdown channel renamed once per server, the SIGKILL of the sender mid-fan-out (of
each process in turn) losing and repeating nothing, and a news feed's story announced once;
exactly one daily trivia question per server per day when the sender is killed at its hour."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.e2e.delivery_support import set_release, welcomed
from tests.e2e.feed_server import Feed, FeedSite, Item
from tests.e2e.helpers import busiest_second, kinds, set_up_guild, wait_until
from tests.e2e.serving import check_fake, finish, spec_path
from tests.e2e.test_trivia import closed_post, daily_posts, day_of, embed_text
from tests.fakediscord import FakeDiscord, FakeGuild, FakeMember
from tests.harness import BotProcess, bot_environment
from tests.pgfixtures import fresh_database, owned_by_new_role, sender_pid

RATE = 12  # the bot's REST limit: low, so a fan-out is slow enough to be killed half-way
FANS = 24  # DM subscribers in each server
pytestmark = pytest.mark.long  # about 45 s, and 40 s

TEASER = "All of Us Are Dead season 2 teaser"
PASSWORD = f"pg-secret-{uuid.uuid4().hex[:12]}"


@dataclass
class Cluster:
    fake: FakeDiscord
    other: FakeGuild  # the server on the other shard than the home server
    bots: list[BotProcess]  # bots[k] runs shard k of 2
    database_url: str
    site: FeedSite


@asynccontextmanager
async def running_cluster(
    pg_server: str, tmp_path: Path, rate: int = RATE, **env: str
) -> AsyncIterator[Cluster]:
    """Two bot processes, shards 0 and 1 of 2, on a fresh database, one server on each."""
    fake = FakeDiscord(spec_path=spec_path(), max_concurrency=1)
    other = fake.add_guild("Second fan server", shard=(1 - fake.shard_of(fake.guild.id, 2), 2))
    await fake.start()
    site = FeedSite()
    await site.start()
    async with fresh_database(pg_server) as admin_url:
        url = await owned_by_new_role(admin_url, PASSWORD)
        bots = [
            BotProcess(bot_environment(
                fake, tmp_path / "unused.db", DATABASE_URL=url, SHARD_COUNT="2",
                SHARD_IDS=str(shard), DISCORD_RATE_LIMIT=str(rate), FEEDS_ALLOW_PRIVATE="1",
                FEED_POLL_SECONDS="1", **env,
            ), tmp_path / f"bot-{shard}.log")
            for shard in (0, 1)
        ]  # fmt: skip
        try:
            for bot in bots:
                await bot.start(wait_ready=False)
            for bot in bots:
                await bot.wait_for_log("ready: logged in as", timeout=30)
            yield Cluster(fake, other, bots, admin_url, site)
            for bot in bots:
                await finish(bot)
                assert PASSWORD not in bot.log  # the database password is never logged
                assert "are also run by" not in bot.log  # each knows the other's shards
            check_fake(fake)
        finally:
            for bot in bots:
                await bot.stop()
            await site.stop()
            await fake.stop()


@pytest.fixture
async def cluster(pg_server: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(pg_server, tmp_path) as c:
        yield c


async def sender_of(c: Cluster) -> BotProcess:
    pid = await sender_pid(c.database_url)
    return next(bot for bot in c.bots if bot.proc is not None and bot.proc.pid == pid)


async def subscribe(fake: FakeDiscord, guild: FakeGuild, prefix: str) -> list[FakeMember]:
    fans = [guild.add_member(f"{prefix}-{i}") for i in range(FANS)]
    for fan in fans:
        result = await fake.invoke("notify on", {"via": "dm"}, member=fan, guild=guild)
        assert "subscribed" in result.text, result.text
    return fans


def teasers(messages: list[dict[str, Any]]) -> int:
    """The feed's story among these messages (its headline is an update's)."""
    return sum(TEASER in str(m.get("embeds")) for m in messages)


def updates(fake: FakeDiscord, fans: list[FakeMember]) -> list[int]:
    return [kinds(fake.dm_messages(f.id)).get("update", 0) for f in fans]


def posts(c: Cluster) -> list[int]:
    return [kinds(c.fake.channel_messages(g.announce_channel_id)).get("update", 0)
            for g in (c.fake.guild, c.other)]  # fmt: skip


async def fan_out_through_a_sigkill(c: Cluster, fans: list[FakeMember], number: int) -> None:
    """Update `number` goes out; its sender is killed half-way and restarted after."""
    fake, sender = c.fake, await sender_of(c)
    started = time.monotonic()
    result = await fake.invoke("admin update", {"text": f"Production news #{number}."},
                               member=fake.guild.admin)  # fmt: skip
    assert "Update added" in result.text
    await wait_until(lambda: sum(updates(fake, fans)) >= (number - 1) * len(fans) + 8,
                     timeout=20, what="some of the DMs")  # fmt: skip
    await sender.kill()
    killed_at, sent_before = time.monotonic(), sum(updates(fake, fans))
    assert sent_before < number * len(fans), "the fan-out finished before the kill"
    await wait_until(lambda: sum(updates(fake, fans)) > sent_before, timeout=30, what="takeover")
    takeover = time.monotonic() - killed_at
    await wait_until(lambda: updates(fake, fans) == [number] * len(fans), timeout=40,
                     what="every DM exactly once")  # fmt: skip
    assert posts(c) == [number, number]
    peak = busiest_second(fake, started)
    print(f"update {number}: next delivery {takeover:.2f}s after the SIGKILL of the sender; "
          f"busiest second {peak} requests of {RATE}")  # fmt: skip
    assert takeover < 30
    assert peak <= RATE  # both processes together kept within DISCORD_RATE_LIMIT
    assert await sender_of(c) is not sender
    await sender.start()  # its shard is back; it re-sends nothing


async def test_two_processes_behave_as_one_through_the_sigkill_of_either(
    cluster: Cluster,
) -> None:
    c, fake = cluster, cluster.fake
    # Logins were paced across the processes (Discord allows one IDENTIFY per 5 s here), and
    # the commands were synced once for both.
    assert sorted(shard for _, shard, _ in fake.identifies) == [0, 1]
    assert fake.identify_pacing_violations == 0
    assert len(fake.requests_to("PUT", r"/applications/\d+/commands")) == 1
    for guild in (fake.guild, c.other):  # each answered by the process holding its shard
        await set_up_guild(fake, guild)
    in_dm = await fake.invoke("about", member=fake.guild.fan, guild=None)  # shard 0's
    assert "지금 우리 학교는" in in_dm.text
    for guild in (fake.guild, c.other):  # countdown channels, left alone while no date is set
        setup = await fake.invoke("admin setup", {"countdown_channel": guild.voice_channel_id},
                                  member=guild.admin, guild=guild)  # fmt: skip
        assert "Countdown channel" in setup.text, setup.text
    # The premiere, set in the home server: each server's event is made, and its countdown
    # renamed, by its own process (the other one woken through the database).
    reply = await set_release(fake, datetime(2030, 6, 1, 12, 0, tzinfo=UTC))
    assert "Scheduled event updated in 2 server(s)" in reply  # the other process's one too
    await wait_until(
        lambda: all(len(fake.scheduled_events(g)) == 1 for g in (fake.guild, c.other)),
        timeout=15, what="a scheduled event in each server",
    )  # fmt: skip
    await wait_until(
        lambda: all(len(fake.renames(g.voice_channel_id)) == 1 for g in (fake.guild, c.other)),
        timeout=10, what="each countdown channel renamed",
    )  # fmt: skip
    assert all(fake.renames(g.voice_channel_id)[0][1].startswith("⏳ S2")
               for g in (fake.guild, c.other))  # fmt: skip
    # Members of both servers: their welcome DMs come from the one sender, woken at once.
    fans = await subscribe(fake, fake.guild, "home-fan") + await subscribe(fake, c.other, "far")
    await welcomed(fake, fans)

    first_sender = await sender_of(c)
    await fan_out_through_a_sigkill(c, fans, 1)
    await fan_out_through_a_sigkill(c, fans, 2)
    assert await sender_of(c) is first_sender  # each process was killed as the sender once

    for guild in (fake.guild, c.other):  # both shards answered again, the processes shown
        status = await fake.invoke("admin status", member=guild.admin, guild=guild)
        assert "Bot processes" in status.text, status.text
        assert status.text.count("(sends the notifications)") == 1
        assert "shards 0 of 2" in status.text and "shards 1 of 2" in status.text
    assert updates(fake, fans) == [2] * len(fans) and posts(c) == [2, 2]  # nothing re-sent
    assert all(len(fake.scheduled_events(g)) == 1 for g in (fake.guild, c.other))
    assert all(len(fake.renames(g.voice_channel_id)) == 1 for g in (fake.guild, c.other))

    # A news feed, polled by the sender alone: its story is announced once in each server.
    c.site.feeds["wire"] = Feed("Wire", items=[])
    added = await fake.invoke("admin feed add", {"url": c.site.url("wire"), "mode": "auto"},
                              member=fake.guild.admin, timeout=20)  # fmt: skip
    assert "Watching" in added.text, added.text
    c.site.feeds["wire"].items.append(Item(
        "w-1", TEASER, "http://wire.example/1",
        summary="A first look.", published=time.time()))  # fmt: skip
    for guild in (fake.guild, c.other):
        await wait_until(lambda g=guild: teasers(fake.channel_messages(g.announce_channel_id)) == 1,
                         timeout=15, what="the news post")  # fmt: skip
    await wait_until(lambda: all(teasers(fake.dm_messages(f.id)) for f in fans), timeout=20,
                     what="the news DMs")  # fmt: skip
    assert all(teasers(fake.dm_messages(f.id)) == 1 for f in fans)


async def daily_rows(database_url: str) -> list[tuple[int, str]]:
    """Every daily question made, as (server, day)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT guild_id, day FROM trivia_questions WHERE day IS NOT NULL ORDER BY 1, 2"
        )
    finally:
        await conn.close()
    return [(int(r[0]), str(r[1])) for r in rows]


async def test_one_daily_question_per_server_per_day_through_the_sigkill_of_the_sender(
    cluster: Cluster,
) -> None:
    c, fake = cluster, cluster.fake
    guilds = (fake.guild, c.other)  # each on its own process's shard
    hour = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    for guild in guilds:
        answer = await fake.invoke(
            "admin setup", {"trivia_channel": guild.general_channel_id, "trivia_hour": hour.hour},
            member=guild.admin, guild=guild,
        )  # fmt: skip
        assert f"<#{guild.general_channel_id}>" in answer.text, answer.text

    # Both processes' clocks moved to the next day, shortly before its hour, which comes at
    # `at` (real time): the first day's question, whose hour they slept through, is posted
    # late at once; the second day's is due at `at`, when the sender is killed.
    at = time.time() + 20
    offset = hour.timestamp() + 86400 - at
    for bot in c.bots:
        bot.env["BOT_CLOCK_OFFSET"] = str(offset)
        await bot.stop()
    for bot in c.bots:
        await bot.start(wait_ready=False)
    for bot in c.bots:
        await bot.wait_for_log("ready: logged in as", timeout=30)
    for guild in guilds:
        await wait_until(lambda g=guild: len(daily_posts(fake, g.general_channel_id)) == 1,
                         timeout=15, what="the first day's question, late")  # fmt: skip
    sender = await sender_of(c)
    assert at - time.time() > 1, "the processes took too long to start"
    await asyncio.sleep(at - time.time() + 0.05)  # the hour has just come on its clock
    await sender.kill()
    for guild in guilds:  # the other process took over, and posted the day's question
        await wait_until(lambda g=guild: len(daily_posts(fake, g.general_channel_id)) == 2,
                         timeout=30, what="the next day's question after the kill")  # fmt: skip
    await sender.start(wait_ready=False)
    await sender.wait_for_log("ready: logged in as", timeout=30)
    await asyncio.sleep(3)  # neither process makes or posts a day again

    days = [day_of(hour.timestamp()), day_of(hour.timestamp() + 86400)]
    assert await daily_rows(c.database_url) == [(g.id, d) for g in sorted(
        guilds, key=lambda g: g.id) for d in days]  # fmt: skip
    for guild in guilds:
        posts = daily_posts(fake, guild.general_channel_id)
        assert [days[k] in embed_text(m) for k, m in enumerate(posts)] == [True, True]
        await wait_until(closed_post(fake, posts[0], None, "0 of 0 got it right."), timeout=15,
                         what="the first day's post closed")  # fmt: skip
        assert len(posts[1]["components"]) == 1  # the day's question is open
