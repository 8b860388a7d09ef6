"""The bot behind a real REST proxy: @discordjs/proxy (`tests/proxy/proxy.mjs`, installed with
npm on first use) between the bot and the fake Discord, as the README suggests running it.

Through it: slash commands (autocomplete and a file upload too) are answered, the bot's token
reaches Discord unchanged, a DM fan-out reaches every subscriber exactly once while the bot's
own limiter keeps it within DISCORD_RATE_LIMIT, nonces and audit-log reasons arrive as sent,
and a 429 or a 5xx that the proxy waits out by itself still delivers the whole message once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.notify.events import REASON as EVENT_REASON
from tests.e2e.delivery_support import dm_kinds, dm_path, set_release, subscribe_dm, welcomed
from tests.e2e.helpers import busiest_second, kinds, query, set_up_guild, wait_until
from tests.e2e.serving import check_fake, finish, spec_path
from tests.fakediscord import FakeDiscord, FakeMember
from tests.harness import TEST_TOKEN, BotProcess, bot_environment
from tests.restproxy import ProxyUnavailable, RestProxy

pytestmark = pytest.mark.long  # about 25 s, a first npm install included
RATE = 20  # the bot's REST limit, and Discord's (the fake's) global limit
FANS = 60  # DM subscribers in the fan-out: three seconds of requests at RATE
PROXY_AGENT = "DiscordBot (https://discord.js.org"  # the User-Agent the proxy sends


@dataclass
class Behind:
    fake: FakeDiscord
    proxy: RestProxy
    bot: BotProcess


@pytest.fixture(scope="module")
async def behind(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Behind]:
    workdir = tmp_path_factory.mktemp("proxy")
    fake = FakeDiscord(spec_path=spec_path(), global_rate_limit=RATE)
    fake.token = TEST_TOKEN  # only the bot's own token is let in: it must pass the proxy as is
    await fake.start()
    proxy = RestProxy(f"{fake.base_url}/api", workdir / "proxy.log")
    try:
        await proxy.start()
    except ProxyUnavailable as exc:
        await fake.stop()
        pytest.fail(str(exc), pytrace=False)
    env = bot_environment(fake, workdir / "bot.db", DISCORD_API_BASE_URL=proxy.api_base,
                          DISCORD_RATE_LIMIT=str(RATE))  # fmt: skip
    bot = BotProcess(env, workdir / "bot.log")
    try:
        await bot.start()
        yield Behind(fake, proxy, bot)
        await finish(bot)
        check_fake(fake)
        assert "proxy error" not in proxy.log, proxy.log
        assert proxy.running, "the proxy ended"
    finally:
        await bot.stop()
        await proxy.stop()
        await fake.stop()


def updates(fake: FakeDiscord, fans: list[FakeMember]) -> list[int]:
    return [dm_kinds(fake, f).get("update", 0) for f in fans]


async def test_commands_are_answered_through_the_proxy(behind: Behind) -> None:
    fake = behind.fake
    await set_up_guild(fake, fake.guild)
    about = await fake.invoke("about", member=fake.guild.fan)
    assert "지금 우리 학교는" in about.text
    cast = await fake.invoke("cast", {"name": "Lomon"}, member=fake.guild.fan)
    assert "Lomon" in cast.text
    completed = await fake.autocomplete("cast", {"name": "onj"}, "name", member=fake.guild.fan)
    assert completed.choices and completed.choices[0]["name"].startswith("Park Ji-hu")
    in_dm = await fake.invoke("release", member=fake.guild.fan, guild=None)
    assert in_dm.text
    fan = fake.guild.add_member("proxied-fan")
    joined = await fake.invoke("notify on", {"via": "both"}, member=fan)
    assert "subscribed" in joined.text
    await welcomed(fake, [fan])
    listed = await fake.invoke("admin subscribers", member=fake.guild.admin)  # a file upload
    ((name, data),) = listed.files
    assert name == "subscribers.csv" and b"proxied-fan" in data

    assert len(fake.requests_to("PUT", r"/applications/\d+/commands")) == 1  # the sync too
    assert fake.requests and all(
        r.headers.get("User-Agent", "").startswith(PROXY_AGENT) for r in fake.requests
    ), "a request reached Discord without the proxy"
    assert not [r for r in fake.requests if r.status == 401]  # the token went through as is
    json_posts = [r for r in fake.requests if r.method == "POST" and r.json and not r.files]
    assert json_posts and all(r.headers["Content-Type"] == "application/json" for r in json_posts)


async def test_a_dm_fan_out_reaches_everyone_once_within_the_limit(behind: Behind) -> None:
    fake, proxy, bot = behind.fake, behind.proxy, behind.bot
    fans = await subscribe_dm(fake, FANS, "fan-out")
    await welcomed(fake, fans)
    started = time.monotonic()
    first = len(fake.requests)
    result = await fake.invoke("admin update", {"text": "Script reading done."},
                               member=fake.guild.admin)  # fmt: skip
    assert "Update added" in result.text
    await wait_until(lambda: updates(fake, fans) == [1] * FANS, timeout=30, what="the fan-out")
    took = time.monotonic() - started
    peak = busiest_second(fake, started)
    window = fake.requests[first:]
    refused = [r for r in fake.requests if r.status == 429]
    print(f"behind the proxy: {FANS} DMs in {took:.1f} s, busiest second {peak} requests of"
          f" {RATE}, 429s at Discord {len(refused)}, waited out by the proxy"
          f" {len(proxy.waited_out())}")  # fmt: skip
    assert peak <= RATE  # the bot's limiter still paces it: the proxy adds no burst
    # None of a route's. A global one only where the machine delayed a request past the
    # limiter's margin (see JITTER_S), which the proxy waits out: the DM still arrives once.
    assert all(r.response["global"] for r in refused), refused
    assert len(refused) == len(proxy.waited_out()) <= 2

    install_id = query(Path(bot.env["DATABASE_PATH"]),
                       "SELECT value FROM meta WHERE key = 'install_id'")[0][0]  # fmt: skip
    sends = [r for r in window if r.method == "POST" and r.path in {dm_path(fake, f) for f in fans}]
    assert len([r for r in sends if r.status == 200]) == FANS  # each DM once
    assert all(dm_kinds(fake, f) == {"update": 1} for f in fans)
    for send in sends:  # the nonce and its enforcement arrive as the bot sent them
        assert send.json["nonce"].startswith(f"{install_id}-") and send.json["enforce_nonce"]
        assert send.headers["Content-Type"] == "application/json"
    assert kinds(fake.channel_messages(fake.guild.announce_channel_id))["update"] == 1


async def test_what_the_proxy_waits_out_still_arrives_whole_and_once(behind: Behind) -> None:
    """@discordjs/rest retries a 429 or a 5xx itself: the retried request carries the whole
    body (proxy.mjs makes it readable twice), and the bot sees one success."""
    fake, proxy = behind.fake, behind.proxy
    seen = len(proxy.waited_out())  # the module's proxy: its log holds the earlier tests'
    fans = await subscribe_dm(fake, 4, "unlucky")
    await welcomed(fake, fans)
    fake.inject_failures("POST", dm_path(fake, fans[0]), 429, 1, retry_after=0.3)
    fake.inject_failures("POST", dm_path(fake, fans[1]), 503, 1)
    fake.inject_failures("POST", dm_path(fake, fans[2]), 429, 1, retry_after=0.3)
    fake.inject_failures("POST", dm_path(fake, fans[2]), 502, 1)
    result = await fake.invoke("admin update", {"text": "Second teaser."}, member=fake.guild.admin)
    assert "Update added" in result.text
    await wait_until(lambda: updates(fake, fans) == [1] * 4, timeout=30, what="the unlucky DMs")

    for fan, failures in zip(fans, (1, 1, 2, 0), strict=True):
        tries = [r for r in fake.requests_to("POST", dm_path(fake, fan)) if r.json]
        update_tries = [r for r in tries if "Second teaser" in str(r.json)]
        assert [r.status for r in update_tries][-1] == 200
        assert len(update_tries) == failures + 1
        assert len({str(r.json) for r in update_tries}) == 1  # the same body every time
    # the two injected 429s, each waited out by the proxy (the bot saw neither). On a loaded
    # machine the proxy may also meet the fake's global limit, which it waits out as well
    # ("global": true); only the routes' 429s are ours to count.
    waited = proxy.waited_out()[seen:]
    assert [w["route"] for w in waited if not w["global"]] == ["/channels/:id/messages"] * 2
    assert not [r for r in fake.requests if r.status == 400], "a request lost its body"
    assert all(dm_kinds(fake, f) == {"update": 1} for f in fans)

    # An audit-log reason goes through as discord.py wrote it: the scheduled event's.
    await set_release(fake, datetime(2031, 3, 1, 12, 0, tzinfo=UTC))
    events = r"/guilds/\d+/scheduled-events"
    # made: the proxy may have met the fake's global limit first (its own retries above are
    # more than the bot paced), and waits it out; the bot must not stop while it waits
    await wait_until(lambda: any(r.status == 200 for r in fake.requests_to("POST", events)),
                     timeout=10, what="the scheduled event")  # fmt: skip
    [created] = [r for r in fake.requests_to("POST", events) if r.status == 200]
    headers = {k.lower(): v for k, v in created.headers.items()}  # the proxy lowercases it
    assert headers["x-audit-log-reason"] == quote(EVENT_REASON, safe="/ ")
