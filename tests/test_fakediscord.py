"""Self-tests of the fake Discord, driven by a tiny in-process discord.py client."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands

from tests.fakediscord import FakeDiscord
from tests.fakediscord.mentions import pinged
from tests.fakediscord.models import MANAGE_CHANNELS, VIEW_CHANNEL

SPEC = Path("/work/shared/discord-api-spec/openapi.json")
HAVE_SPEC = SPEC.exists()
SHOWS = ["All of Us Are Dead", "Alice in Borderland", "Kingdom", "Sweet Home"]


class LikeView(discord.ui.View):
    @discord.ui.button(label="Like", custom_id="like")
    async def like(self, interaction: discord.Interaction, _: discord.ui.Button[LikeView]) -> None:
        await interaction.response.edit_message(content=f"liked by {interaction.user.name}")


class TinyBot(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self._add_commands()

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Echo a show name")
        async def echo(interaction: discord.Interaction, show: str) -> None:
            await interaction.response.send_message(f"You picked {show}", view=LikeView())

        @echo.autocomplete("show")
        async def shows(_: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            hits = [s for s in SHOWS if current.lower() in s.lower()]
            return [app_commands.Choice(name=s, value=s) for s in hits]

        @tree.command(description="Answer after thinking")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await asyncio.sleep(0.05)
            await interaction.followup.send(embed=discord.Embed(title="Done", description="ok"))

        @tree.command(description="Answer, then edit the answer")
        async def progress(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("working")
            await interaction.edit_original_response(content="finished")

        @tree.command(description="Who is this member")
        async def whois(interaction: discord.Interaction, member: discord.Member) -> None:
            manager = member.guild_permissions.manage_guild
            text = f"{member.name} manage_guild={manager} locale={interaction.locale.value}"
            await interaction.response.send_message(text)

        @tree.command(description="Answer too long")
        async def huge(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("x" * 2001)

        @tree.command(description="Too slow to answer")
        async def sleepy(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.4)
            await interaction.response.send_message("late")

        admin = app_commands.Group(name="admin", description="Admin commands")

        @admin.command(description="Release an episode")
        async def release(interaction: discord.Interaction, episode: int) -> None:
            await interaction.response.send_message(f"released {episode}", ephemeral=True)

        tree.add_command(admin)

    async def setup_hook(self) -> None:
        await self.tree.sync()


@pytest.fixture(scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(spec_path=SPEC if HAVE_SPEC else None)
    await server.start()
    yield server
    await server.stop()
    assert server.internal_errors == []


@pytest.fixture(scope="module")
async def bot(fake: FakeDiscord) -> AsyncIterator[TinyBot]:
    old_base, old_gateway = (
        discord.http.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    client = TinyBot()
    await client.login("fake-token")
    runner = asyncio.create_task(client.connect())
    await asyncio.wait_for(client.wait_until_ready(), 5)
    yield client
    await client.close()
    await runner
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = (
        old_base,
        old_gateway,
    )


def general(client: TinyBot, fake: FakeDiscord) -> discord.TextChannel:
    channel = client.get_channel(fake.guild.general_channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_login_ready_and_sync(fake: FakeDiscord, bot: TinyBot) -> None:
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None and guild.me.get_role(fake.guild.bot_role.id) is not None
    assert {c.name for c in guild.text_channels} == {"general", "announcements"}
    [sync] = fake.requests_to("PUT", rf"/applications/{fake.application_id}/commands")
    assert sync.status == 200 and {c["name"] for c in sync.response} >= {"echo", "admin"}
    assert all(c["id"] for c in sync.response)
    assert fake.identify_count == 1 and "Authorization" not in sync.headers


async def test_invoke_answer_and_button(fake: FakeDiscord, bot: TinyBot) -> None:
    result = await fake.invoke("echo", {"show": "Kingdom"}, member=fake.guild.fan)
    assert result.response_type == 4 and result.content == "You picked Kingdom"
    assert not result.ephemeral and result.latency < 1
    assert result.components[0]["components"][0]["custom_id"] == "like"
    assert result.message is not None
    pressed = await fake.press_button(result.message, "like", member=fake.guild.mod)
    assert pressed.response_type == 7 and pressed.content == "liked by mod"


async def test_deferred_followup_subcommand_and_dm(fake: FakeDiscord, bot: TinyBot) -> None:
    result = await fake.invoke("slow", member=fake.guild.fan)
    assert result.response_type == 5 and result.ephemeral
    assert [f["embeds"][0]["title"] for f in result.followups] == ["Done"]
    assert "Done\nok" in result.text
    edited = await fake.invoke("progress", member=fake.guild.fan)
    assert edited.response_type == 4 and edited.content == "finished"
    released = await fake.invoke("admin release", {"episode": 3}, member=fake.guild.admin)
    assert released.content == "released 3" and released.ephemeral
    dm = await fake.invoke("echo", {"show": "Kingdom"}, member=fake.guild.fan, guild=None)
    assert dm.content == "You picked Kingdom" and dm.message is not None
    assert dm.message["channel_id"] == str(fake.dm_channels[fake.guild.fan.id].id)
    liked = await fake.press_button(dm.message, "like", member=fake.guild.fan, guild=None)
    assert liked.content == "liked by fan"
    with pytest.raises(AssertionError, match="unknown option 'nope'"):
        await fake.invoke("echo", {"nope": 1}, member=fake.guild.fan)
    with pytest.raises(AssertionError, match="not synced"):
        await fake.invoke("missing", member=fake.guild.fan)


async def test_user_option_resolved_with_permissions(fake: FakeDiscord, bot: TinyBot) -> None:
    admin = await fake.invoke("whois", {"member": fake.guild.admin}, member=fake.guild.fan)
    assert admin.content == "admin manage_guild=True locale=en-US"
    fake.guild.fan.locale = "ko"
    try:
        fan = await fake.invoke("whois", {"member": fake.guild.fan.id}, member=fake.guild.fan)
    finally:
        fake.guild.fan.locale = "en-US"
    assert fan.content == "fan manage_guild=False locale=ko"
    mod = await fake.invoke("whois", {"member": fake.guild.mod}, member=fake.guild.fan, locale="de")
    assert mod.content == "mod manage_guild=False locale=de"
    with pytest.raises(AssertionError, match="no user 1"):
        await fake.invoke("whois", {"member": 1}, member=fake.guild.fan)


async def test_autocomplete(fake: FakeDiscord, bot: TinyBot) -> None:
    result = await fake.autocomplete("echo", {"show": "ali"}, "show", member=fake.guild.fan)
    assert result.response_type == 8
    assert result.choices == [{"name": "Alice in Borderland", "value": "Alice in Borderland"}]


async def test_double_ack_and_token_expiry(fake: FakeDiscord, bot: TinyBot) -> None:
    result = await fake.invoke("echo", {"show": "Kingdom"}, member=fake.guild.fan)
    token = fake.interactions.by_id[result.interaction_id].token
    url = f"{fake.api_base}/interactions/{result.interaction_id}/{token}/callback"
    async with aiohttp.ClientSession() as http, http.post(url, json={"type": 6}) as resp:
        assert resp.status == 400 and resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["code"] == 40060
    callbacks = r"/interactions/\d+/[^/]+/callback"
    answered = len(fake.requests_to("POST", callbacks))
    fake.interaction_token_ttl = 0.2
    try:
        with pytest.raises(AssertionError, match=r"callback \(Discord allows 0.2s\)"):
            await fake.invoke("sleepy", member=fake.guild.fan)
        late = await fake.wait_for_request("POST", callbacks, count=answered + 1)
        assert late[-1].status == 404 and late[-1].response["code"] == 10062
    finally:
        fake.interaction_token_ttl = 3.0


async def test_nonce_deduplication(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = general(bot, fake)
    first = await channel.send("once", nonce="premiere-42")
    second = await channel.send("once", nonce="premiere-42")
    assert first.id == second.id
    assert [m["content"] for m in fake.channel_messages(channel.id)].count("once") == 1
    with pytest.raises(discord.HTTPException) as error:
        await channel.send("long nonce", nonce="n" * 26)
    assert error.value.status == 400 and error.value.code == 50035


async def test_injected_429_then_success(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = general(bot, fake)
    fake.inject_failures("POST", r"/channels/\d+/messages", 429, 1, retry_after=0.05)
    message = await channel.send("after a 429")
    statuses = [r.status for r in fake.requests_to("POST", rf"/channels/{channel.id}/messages")]
    assert statuses[-2:] == [429, 200] and message.content == "after a 429"


async def test_server_errors(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = general(bot, fake)
    fake.inject_failures("POST", r"/channels/\d+/messages", 502, 1)
    assert (await channel.send("after a 502")).content == "after a 502"  # discord.py retries
    fake.inject_failures("POST", r"/channels/\d+/messages", 503, 1)
    with pytest.raises(discord.DiscordServerError):
        await channel.send("lost to a 503")
    assert "lost to a 503" not in [m["content"] for m in fake.channel_messages(channel.id)]


async def test_global_rate_limit_burst(fake: FakeDiscord, bot: TinyBot) -> None:
    before, start = fake.invalid_request_count, len(fake.requests)
    fake.set_global_rate_limit(10)
    try:
        users = await asyncio.gather(*(bot.fetch_user(fake.guild.fan.id) for _ in range(14)))
    finally:
        fake.set_global_rate_limit(50)
    assert all(u.id == fake.guild.fan.id for u in users)
    limited = [r for r in fake.requests[start:] if r.status == 429]
    assert limited and all(r.response["global"] is True for r in limited)
    assert fake.invalid_request_count - before == len(limited)


async def test_dm_closed_member(fake: FakeDiscord, bot: TinyBot) -> None:
    member = fake.guild.add_member("shy", dm_closed=True)
    user = await bot.fetch_user(member.id)
    with pytest.raises(discord.Forbidden) as error:
        await user.send("hello")
    assert error.value.code == 50007 and fake.dm_messages(member.id) == []
    member.dm_closed = False
    await user.send("hello again")
    assert [m["content"] for m in fake.dm_messages(member.id)] == ["hello again"]


async def test_gateway_drop_resumes(fake: FakeDiscord, bot: TinyBot) -> None:
    identified = fake.identify_count
    await fake.drop_gateway()
    # dispatched while the bot is reconnecting: buffered, then replayed after RESUME
    result = await fake.invoke("echo", {"show": "Sweet Home"}, member=fake.guild.fan)
    assert result.content == "You picked Sweet Home"
    assert fake.resume_count == 1 and fake.identify_count == identified
    await fake.wait_for_gateway(resumed_or_identified_after=identified)


async def test_add_guild_live(fake: FakeDiscord, bot: TinyBot) -> None:
    joined = asyncio.ensure_future(bot.wait_for("guild_join", timeout=5))
    second = fake.add_guild("Second Server")
    guild = await joined
    assert guild.id == second.id and guild.get_channel(second.general_channel_id) is not None
    result = await fake.invoke("echo", {"show": "Kingdom"}, member=second.fan, guild=second)
    assert result.content == "You picked Kingdom"


async def test_files_multipart(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = general(bot, fake)
    poster = discord.File(io.BytesIO(b"\x89PNG fake"), "poster.png")
    message = await channel.send("new poster", file=poster)
    request = fake.requests_to("POST", rf"/channels/{channel.id}/messages")[-1]
    assert request.json["content"] == "new poster"
    assert request.files == [("poster.png", b"\x89PNG fake")]
    assert fake.channel_messages(channel.id)[-1]["_files"] == [("poster.png", b"\x89PNG fake")]
    assert await message.attachments[0].read() == b"\x89PNG fake"


async def test_command_sync_limits(fake: FakeDiscord, bot: TinyBot) -> None:
    bad = {
        "name": "Bad Name",
        "description": "",
        "name_localizations": {"xx": "bad", "ko": "알림"},
        "options": [
            {"type": 3, "name": "later", "description": "optional"},
            {"type": 3, "name": "first", "description": "required", "required": True},
        ],
    }
    with pytest.raises(discord.HTTPException) as error:
        await bot.http.bulk_upsert_global_commands(fake.application_id, [bad])
    text = error.value.text
    for where in ("0.name:", "0.description:", "0.name_localizations.xx:", "0.options.1:"):
        assert f"In {where}" in text
    assert "ko" not in text  # Hangul names are valid
    assert "echo" in fake.commands[None]  # a rejected sync changes nothing


def test_pinged_rules() -> None:
    text = "<@1> <@!2> <@&3> @everyone"
    assert pinged(text, None) == {"everyone": True, "roles": [3], "users": [1, 2]}
    assert pinged(text, {"parse": []}) == {"everyone": False, "roles": [], "users": []}
    only_two = {"parse": ["everyone"], "users": ["2"]}
    assert pinged(text, only_two) == {"everyone": True, "roles": [], "users": [2]}
    assert pinged("thanks", {"replied_user": True}, replied_user_id=9)["users"] == [9]
    assert pinged("thanks", {}, replied_user_id=9)["users"] == []


async def test_payload_limits(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = general(bot, fake)
    with pytest.raises(discord.HTTPException) as error:
        await channel.send("x" * 2001)
    assert error.value.status == 400 and error.value.code == 50035
    assert "In content: Must be 2000 or fewer in length" in error.value.text
    embed = discord.Embed(title="t").add_field(name="n", value="v" * 1025)
    with pytest.raises(discord.HTTPException, match=r"embeds\.0\.fields\.0\.value"):
        await channel.send(embed=embed)
    assert any("embeds.0.fields.0.value" in v for v in fake.limit_violations)
    fake.interaction_token_ttl = 1.0  # the rejected bot can't answer; fail fast
    try:
        with pytest.raises(AssertionError, match=r"REJECTED: data\.content: Must be 2000"):
            await fake.invoke("huge", member=fake.guild.fan)
    finally:
        fake.interaction_token_ttl = 3.0


async def test_pinged_everyone(fake: FakeDiscord, bot: TinyBot) -> None:
    channel = general(bot, fake)
    role = fake.guild.notify_role
    await channel.send(f"@everyone <@&{role}> new episode!")
    await channel.send("@here hi", allowed_mentions=discord.AllowedMentions.none())
    await channel.send(
        f"@everyone <@&{role}>",
        allowed_mentions=discord.AllowedMentions(everyone=False, roles=[discord.Object(role)]),
    )
    *_, loud, quiet, roles_only = fake.channel_messages(channel.id)
    assert loud["_pinged"] == {"everyone": True, "roles": [role], "users": []}
    assert quiet["_pinged"] == {"everyone": False, "roles": [], "users": []}
    assert roles_only["_pinged"] == {"everyone": False, "roles": [role], "users": []}
    assert pinged("@here", None)["everyone"] is True


@pytest.mark.skipif(not HAVE_SPEC, reason="Discord OpenAPI spec not available")
async def test_spec_validation(fake: FakeDiscord, bot: TinyBot) -> None:
    validator = fake.validator
    assert validator is not None
    accepted = [r for r in fake.requests if r.status < 300 and r.json is not None]
    assert len(accepted) > 10
    for r in accepted:  # everything the fake accepted from discord.py matches the spec
        assert validator.validate(r.method, r.path, r.json) == [], (r.method, r.path, r.json)
    assert any("/nonce: length 26 violates maxLength 25" in v for v in fake.spec_violations)
    fake.spec_violations.clear()
    url = f"{fake.api_base}/channels/{fake.guild.general_channel_id}/messages"
    headers = {"Authorization": "Bot fake-token"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.post(url, json={"content": "valid"}) as ok:
            assert ok.status == 200
        assert fake.spec_violations == []
        async with http.post(url, json={"content": 5}) as bad:
            assert bad.status == 400
    [problem] = fake.spec_violations
    assert problem.startswith("POST /channels/") and "/content" in problem
    fake.spec_violations.clear()


async def test_roles_and_scheduled_events(fake: FakeDiscord, bot: TinyBot) -> None:
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None
    member = await guild.fetch_member(fake.guild.fan.id)
    await member.add_roles(discord.Object(fake.guild.notify_role))
    assert fake.guild.notify_role in fake.guild.fan.roles
    with pytest.raises(discord.Forbidden):  # above the bot's top role
        await member.add_roles(discord.Object(fake.guild.other_role))
    fake.guild.bot_can_manage_events = False
    start = discord.utils.utcnow().replace(microsecond=0) + __import__("datetime").timedelta(1)
    kwargs = {
        "name": "Premiere",
        "start_time": start,
        "end_time": start + __import__("datetime").timedelta(hours=1),
        "entity_type": discord.EntityType.external,
        "location": "Netflix",
        "privacy_level": discord.PrivacyLevel.guild_only,
    }
    with pytest.raises(discord.Forbidden):
        await guild.create_scheduled_event(**kwargs)
    fake.guild.bot_can_manage_events = True
    event = await guild.create_scheduled_event(**kwargs)
    assert [e["name"] for e in fake.scheduled_events()] == ["Premiere"]
    assert event.location == "Netflix" and event.start_time == start
    await event.edit(name="Premiere (moved)")
    assert fake.scheduled_events()[0]["name"] == "Premiere (moved)"
    await event.delete()
    assert fake.scheduled_events() == []


async def test_unknown_route_and_channel(fake: FakeDiscord, bot: TinyBot) -> None:
    with pytest.raises(discord.NotFound) as error:
        await bot.http.request(discord.http.Route("GET", "/nope/123"))
    assert error.value.code == 0
    with pytest.raises(discord.NotFound) as error:
        await bot.http.send_message(1, params=discord.http.handle_message_parameters("hi"))
    assert error.value.code == 10003
    assert time.monotonic() - fake.requests[0].at < 60


async def test_channel_renames_within_discords_limit(fake: FakeDiscord, bot: TinyBot) -> None:
    guild, voice = fake.guild, fake.guild.voice_channel_id
    updated = asyncio.ensure_future(bot.wait_for("guild_channel_update", timeout=5))
    answer = await bot.http.edit_channel(voice, name="⏳ S2 in 12 days")
    assert answer["name"] == "⏳ S2 in 12 days" and answer["type"] == 2
    before, after = await updated  # CHANNEL_UPDATE reached the gateway
    assert (before.name, after.name) == ("Watch Party", "⏳ S2 in 12 days")
    await bot.http.edit_channel(voice, name="⏳ S2 in 11 days")
    bot.http.max_ratelimit_timeout = 30.0  # raise instead of sleeping through a long 429
    try:
        with pytest.raises(discord.RateLimited) as limited:
            await bot.http.edit_channel(voice, name="⏳ S2 in 10 days")
    finally:
        bot.http.max_ratelimit_timeout = None
    third = fake.requests_to("PATCH", rf"/channels/{voice}")[-1]
    assert third.status == 429 and third.response["global"] is False
    assert 599 < third.response["retry_after"] <= 600 and limited.value.retry_after > 599
    assert [name for _, name in fake.renames(voice)] == ["⏳ S2 in 12 days", "⏳ S2 in 11 days"]
    assert guild.channels[voice].name == "⏳ S2 in 11 days"
    fake.time_offset = 601.0  # ten minutes later on Discord's clock, the window has room
    try:
        await bot.http.edit_channel(voice, name="⏳ S2 in 10 days")
        assert fake.renames(voice)[-1][0] - fake.renames(voice)[0][0] > 600
    finally:
        fake.time_offset = 0.0


async def test_channel_rename_rules(fake: FakeDiscord, bot: TinyBot) -> None:
    guild, text = fake.guild, fake.guild.announce_channel_id
    answer = await bot.http.edit_channel(text, name="  ⏳ S2   in 12 Days ")
    assert answer["name"] == "⏳-s2-in-12-days"  # a text channel's name, as Discord keeps it
    with pytest.raises(discord.HTTPException) as error:
        await bot.http.edit_channel(text, name="x" * 101)
    assert error.value.status == 400 and error.value.code == 50035
    guild.set_overwrite(text, guild.bot_role.id, deny=MANAGE_CHANNELS)
    with pytest.raises(discord.Forbidden) as refused:
        await bot.http.edit_channel(text, name="renamed")
    assert refused.value.code == 50013
    guild.set_overwrite(text, guild.bot_role.id, deny=VIEW_CHANNEL)
    with pytest.raises(discord.Forbidden) as refused:
        await bot.http.edit_channel(text, name="renamed")
    assert refused.value.code == 50001
    guild.set_overwrite(text, guild.bot_role.id, allow=MANAGE_CHANNELS)
    assert (await bot.http.edit_channel(text, name="announcements"))["name"] == "announcements"
    channel = bot.get_channel(text)
    assert isinstance(channel, discord.TextChannel)
    overwrite = channel.overwrites_for(discord.Object(guild.bot_role.id))
    assert overwrite.manage_channels is True  # the overwrite reached the gateway too
    guild.channels[text].overwrites.clear()
    guild.channel_updated(guild.channels[text])
    assert len(fake.renames(text)) == 2  # refused and invalid renames do not count


# -- sharding, with raw gateway clients --

RAW_INTENTS = (1 << 0) | (1 << 9) | (1 << 12)  # guilds, guild messages, direct messages


class RawShard:
    """One gateway connection, driven by hand: IDENTIFY (or RESUME), then read frames."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seq = 0
        self.session_id = ""

    @classmethod
    async def open(
        cls,
        http: aiohttp.ClientSession,
        fake: FakeDiscord,
        shard: list[int] | None,
        *,
        resume: RawShard | None = None,
    ) -> RawShard:
        ws = await http.ws_connect(fake.gateway_url)
        hello = await ws.receive_json(timeout=2)
        assert hello["op"] == 10
        raw = cls(ws)
        if resume is not None:
            raw.session_id, raw.seq = resume.session_id, resume.seq
            d = {"token": "fake-token", "session_id": raw.session_id, "seq": raw.seq}
            await ws.send_json({"op": 6, "d": d})
            return raw
        d = {"token": "fake-token", "intents": RAW_INTENTS, "properties": {}}
        if shard is not None:
            d["shard"] = shard
        await ws.send_json({"op": 2, "d": d})
        return raw

    async def frames(self, *, until: str | None = None, quiet: float = 0.3) -> list[dict[str, Any]]:
        """Dispatches ``[event, data]`` until event ``until`` (inclusive) or ``quiet``
        seconds without one."""
        got: list[dict[str, Any]] = []
        while True:
            try:
                msg = await self.ws.receive(timeout=2 if until else quiet)
            except TimeoutError:
                assert until is None, f"no {until} within 2s; got {[f['t'] for f in got]}"
                return got
            if msg.type is not aiohttp.WSMsgType.TEXT:
                assert until is None, f"closed ({self.ws.close_code}) before {until}"
                return got
            frame = json.loads(msg.data)
            if frame["op"] != 0:
                continue
            self.seq = frame["s"]
            if frame["t"] == "READY":
                self.session_id = frame["d"]["session_id"]
            got.append(frame)
            if frame["t"] == until:
                return got

    async def close_code(self) -> int | None:
        while not self.ws.closed:
            await self.ws.receive(timeout=2)
        return self.ws.close_code


def events(frames: list[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    return [f["d"] for f in frames if f["t"] == event]


@pytest.fixture
async def sharded() -> AsyncIterator[tuple[FakeDiscord, aiohttp.ClientSession]]:
    server = FakeDiscord(recommended_shards=2, max_concurrency=1)
    await server.start()
    async with aiohttp.ClientSession(headers={"Authorization": "Bot fake-token"}) as http:
        yield server, http
    await server.stop()
    assert server.internal_errors == []


async def answer_interactions(
    raw: RawShard, http: aiohttp.ClientSession, fake: FakeDiscord
) -> list[dict[str, Any]]:
    """Answer the next INTERACTION_CREATE with a message, as the bot would."""
    [interaction] = events(await raw.frames(until="INTERACTION_CREATE"), "INTERACTION_CREATE")
    url = f"{fake.api_base}/interactions/{interaction['id']}/{interaction['token']}/callback"
    async with http.post(url, json={"type": 4, "data": {"content": "pong"}}) as reply:
        assert reply.status in (200, 204)
    return [interaction]


async def post(http: aiohttp.ClientSession, fake: FakeDiscord, channel_id: int, text: str) -> None:
    url = f"{fake.api_base}/channels/{channel_id}/messages"
    async with http.post(url, json={"content": text}) as reply:
        assert reply.status == 200, await reply.text()


async def test_shards_get_only_their_guilds_and_events(
    sharded: tuple[FakeDiscord, aiohttp.ClientSession],
) -> None:
    fake, http = sharded
    on_0, on_1 = fake.add_guild("Zero", shard=(0, 2)), fake.add_guild("One", shard=(1, 2))
    assert (fake.shard_of(on_0.id, 2), fake.shard_of(on_1.id, 2)) == (0, 1)
    expected: dict[int, set[int]] = {0: set(), 1: set()}
    for guild in fake.guilds:
        expected[(guild.id >> 22) % 2].add(guild.id)
    async with http.get(f"{fake.api_base}/gateway/bot") as reply:
        gateway = await reply.json()
    assert gateway["shards"] == 2 and gateway["session_start_limit"]["max_concurrency"] == 1

    shards = [await RawShard.open(http, fake, [i, 2]) for i in (0, 1)]
    for i, raw in enumerate(shards):
        frames = await raw.frames()
        [ready] = events(frames, "READY")
        assert ready["shard"] == [i, 2]
        assert {int(g["id"]) for g in ready["guilds"]} == expected[i]
        assert {int(g["id"]) for g in events(frames, "GUILD_CREATE")} == expected[i]
    assert set(fake.gateway.sessions) == {0, 1} and fake.gateway.connected
    await fake.wait_for_gateway(timeout=1)
    assert fake.gateway.num_shards == 2 and fake.shard_of(on_1.id) == 1

    # an interaction in a shard-1 guild reaches shard 1 only
    body = [{"name": "ping", "description": "Ping", "type": 1}]
    commands = f"{fake.api_base}/applications/{fake.application_id}/commands"
    async with http.put(commands, json=body) as reply:
        assert reply.status == 200
    invoked = asyncio.ensure_future(fake.invoke("ping", member=on_1.fan, guild=on_1, timeout=3))
    [interaction] = await answer_interactions(shards[1], http, fake)
    assert interaction["guild_id"] == str(on_1.id)
    assert (await invoked).content == "pong"
    # a DM reaches shard 0 only, whichever guild the member is in
    dm = asyncio.ensure_future(fake.invoke("ping", member=on_1.fan, guild=None, timeout=3))
    [interaction] = await answer_interactions(shards[0], http, fake)
    assert "guild_id" not in interaction
    await dm
    opened = {"recipient_id": str(on_1.fan.id)}
    async with http.post(f"{fake.api_base}/users/@me/channels", json=opened) as reply:
        dm_channel = int((await reply.json())["id"])
    await post(http, fake, dm_channel, "a DM")
    await post(http, fake, on_1.general_channel_id, "in One")
    [dm_message] = events(await shards[0].frames(until="MESSAGE_CREATE"), "MESSAGE_CREATE")
    assert dm_message["content"] == "a DM" and "guild_id" not in dm_message
    [message] = events(await shards[1].frames(until="MESSAGE_CREATE"), "MESSAGE_CREATE")
    assert message["content"] == "in One" and message["guild_id"] == str(on_1.id)
    # a guild joined later: GUILD_CREATE on its shard only
    later = fake.add_guild("Later", shard=(1, 2))
    [created] = events(await shards[1].frames(until="GUILD_CREATE"), "GUILD_CREATE")
    assert created["id"] == str(later.id)
    assert await shards[0].frames() == []  # nothing of shard 1 leaked to shard 0

    # the same shard identifying again replaces its session (the old one gets 4009)
    again = await RawShard.open(http, fake, [1, 2])
    assert await shards[1].close_code() == 4009
    assert events(await again.frames(until="READY"), "READY")[0]["shard"] == [1, 2]
    # shard 1 without a session: an interaction there has no one to go to
    await again.ws.close()
    await asyncio.sleep(0.05)
    del fake.gateway.sessions[1]
    with pytest.raises(AssertionError, match="no process holds shard 1 of 2"):
        await fake.invoke("ping", member=on_1.fan, guild=on_1, timeout=1)


async def test_invalid_shards_close_4010(
    sharded: tuple[FakeDiscord, aiohttp.ClientSession],
) -> None:
    fake, http = sharded
    assert await (await RawShard.open(http, fake, [2, 2])).close_code() == 4010
    assert await (await RawShard.open(http, fake, [0, 0])).close_code() == 4010
    assert await (await RawShard.open(http, fake, [-1, 2])).close_code() == 4010
    first = await RawShard.open(http, fake, [0, 2])
    await first.frames(until="READY")
    assert await (await RawShard.open(http, fake, [1, 3])).close_code() == 4010
    assert fake.identifies and [s[1:] for s in fake.identifies] == [(0, 2)]
    # more shards than GET /gateway/bot recommends are fine
    fake.gateway.sessions.clear()
    await first.ws.close()
    wide = await RawShard.open(http, fake, [3, 4])
    assert events(await wide.frames(until="READY"), "READY")[0]["shard"] == [3, 4]


async def test_resume_replays_one_shard(
    sharded: tuple[FakeDiscord, aiohttp.ClientSession],
) -> None:
    fake, http = sharded
    on_0, on_1 = fake.add_guild("Zero", shard=(0, 2)), fake.add_guild("One", shard=(1, 2))
    shards = [await RawShard.open(http, fake, [i, 2]) for i in (0, 1)]
    for raw in shards:
        await raw.frames()
    await fake.drop_gateway(shard_id=1)
    assert await shards[1].close_code() == 4000
    assert fake.gateway.shard_connected(0) and not fake.gateway.connected
    await post(http, fake, on_1.general_channel_id, "missed on 1")
    await post(http, fake, on_0.general_channel_id, "live on 0")
    [live] = events(await shards[0].frames(until="MESSAGE_CREATE"), "MESSAGE_CREATE")
    assert live["content"] == "live on 0"
    before = fake.identify_count + fake.resume_count
    resumed = await RawShard.open(http, fake, None, resume=shards[1])
    replay = await resumed.frames(until="RESUMED")
    assert [f["t"] for f in replay] == ["MESSAGE_CREATE", "RESUMED"]
    assert replay[0]["d"]["content"] == "missed on 1"
    await fake.wait_for_gateway(resumed_or_identified_after=before, shard_id=1, timeout=1)
    assert fake.resume_count == 1 and fake.identify_count == 2
    assert await shards[0].frames() == []  # shard 0 saw nothing of shard 1's replay


async def test_identifies_recorded_with_pacing(
    sharded: tuple[FakeDiscord, aiohttp.ClientSession],
) -> None:
    fake, http = sharded
    start = time.monotonic()
    for i in (0, 1):
        await (await RawShard.open(http, fake, [i, 2])).frames(until="READY")
    assert [(s, n) for _, s, n in fake.identifies] == [(0, 2), (1, 2)]
    assert all(start <= t <= time.monotonic() for t, _, _ in fake.identifies)
    # one bucket (max_concurrency 1): the second IDENTIFY came too soon
    assert fake.identify_pacing_violations == 1
    fake.max_concurrency = 2  # two buckets: both may identify at once
    assert fake.identify_pacing_violations == 0
    fake.max_concurrency, fake.identify_window = 1, 0.0
    assert fake.identify_pacing_violations == 0


class ShardBot(discord.AutoShardedClient):
    """One process of a sharded bot: its own shards of ``shard_count``."""

    def __init__(self, shard_ids: list[int], shard_count: int) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            intents=intents, shard_ids=shard_ids, shard_count=shard_count, guild_ready_timeout=0.05
        )
        self.tree = app_commands.CommandTree(self)

        @self.tree.command(description="Which shard answers")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"pong from {shard_ids}")


async def test_discord_py_processes_each_hold_their_shards(
    sharded: tuple[FakeDiscord, aiohttp.ClientSession],
) -> None:
    fake, _ = sharded
    on_1 = fake.add_guild("One", shard=(1, 2))
    old = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    processes = [ShardBot([0], 2), ShardBot([1], 2)]
    runners = []
    try:
        for client in processes:
            await client.login("fake-token")
            runners.append(asyncio.create_task(client.connect()))
            await asyncio.wait_for(client.wait_until_ready(), 5)
        await processes[0].tree.sync()
        await fake.wait_for_gateway(timeout=2)
        for i, client in enumerate(processes):
            assert {g.id for g in client.guilds} == {
                g.id for g in fake.guilds if fake.shard_of(g.id) == i
            }
        result = await fake.invoke("ping", member=on_1.fan, guild=on_1)
        assert result.content == "pong from [1]"
        dm = await fake.invoke("ping", member=on_1.fan, guild=None)
        assert dm.content == "pong from [0]"
        # each process's first shard IDENTIFYs at once (discord.py paces only within a
        # process): with max_concurrency 1 the second one came too soon
        assert [s for _, s, _ in fake.identifies] == [0, 1]
        assert fake.identify_pacing_violations == 1
    finally:
        for client in processes:
            await client.close()
        await asyncio.gather(*runners, return_exceptions=True)
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old
