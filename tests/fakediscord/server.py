"""FakeDiscord: one aiohttp app serving Discord's REST API (/api/v10) and gateway (/gateway).

Point discord.py at it with ``discord.http.Route.BASE = fake.api_base`` and
``DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from .faults import GlobalRateLimit, InjectedFailure, RenameLimit
from .gateway import IDENTIFY_WINDOW_S, Gateway, pacing_violations, shard_of
from .interactions import DEFAULT, InteractionResult, Interactions
from .limits import Violation, invalid_form_body
from .messages import MessageStore, snapshot
from .models import DM_CHANNEL, FakeChannel, FakeGuild, FakeMember, new_id, new_id_on_shard
from .openapi import SpecValidator
from .rest_app import AppRoutes
from .rest_channels import ChannelRoutes
from .rest_guilds import GuildRoutes
from .rest_interactions import InteractionRoutes
from .rest_manage import ManageRoutes, RouteLimit
from .rest_threads import FakeThread, ThreadRoutes
from .transport import ApiError, Call, RecordedRequest, Reply, Router, read_body, to_response

# Webhook-style endpoints are not subject to the global rate limit (as on Discord)
# and don't take the bot token.
_WEBHOOK_PATHS = ("/interactions/", "/webhooks/")


@dataclass
class _Stall:
    method: str
    path: re.Pattern[str]
    seconds: float
    count: int


class FakeDiscord:
    """Discord for one test module: state (guilds, members, messages, commands, events),
    what the bot did (``requests``, ``channel_messages``, ``spec_violations``, ...), fault
    switches, and drivers that play a user (``invoke``, ``autocomplete``, ``press_button``).
    """

    def __init__(
        self,
        *,
        spec_path: str | Path | None = None,
        global_rate_limit: int | None = 50,
        recommended_shards: int = 1,
        max_concurrency: int = 1,
    ) -> None:
        self.token: str | None = None  # None: accept any "Bot ..." token
        # GET /gateway/bot: "shards" and session_start_limit.max_concurrency
        self.recommended_shards = recommended_shards
        self.max_concurrency = max_concurrency
        self.identify_window = IDENTIFY_WINDOW_S  # seconds per IDENTIFY per bucket
        self.application_id = new_id()
        self.application_flags = 0
        self.interaction_token_ttl = 3.0  # seconds to answer an interaction, as on Discord
        self.bot_user = FakeMember(new_id(), "FakeBot", bot=True)
        self.bot_user_id = self.bot_user.id
        self.guilds: list[FakeGuild] = []
        self.guild = self.add_guild("Fake Fan Server")
        self.owner: FakeMember = self.guild.add_member("app-owner")

        self.requests: list[RecordedRequest] = []
        self.spec_violations: list[str] = []
        self.limit_violations: list[str] = []
        self.invalid_request_count = 0
        self.internal_errors: list[str] = []  # exceptions inside the fake (should stay empty)
        self.validator = SpecValidator(spec_path) if spec_path is not None else None

        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}  # guild id/None -> name
        self.events: dict[int, dict[int, dict[str, Any]]] = {}  # guild id -> event id -> event
        self.dm_channels: dict[int, FakeChannel] = {}  # user id -> DM channel
        self._dm_by_id: dict[int, FakeChannel] = {}
        self.threads: dict[int, FakeThread] = {}  # thread id (= its starter message's) -> thread
        self.messages = MessageStore(self._attachment_url)
        self.gateway = Gateway(self)
        self.interactions = Interactions(self)
        self._global_limit = GlobalRateLimit(global_rate_limit)
        self.rename_limit = RenameLimit()
        # PATCH /guilds/{id}/members/{id}: one bucket per guild (Discord's member edits allow
        # about 10 per 10 s; tests that need a burst through raise it)
        self.member_edit_limit = RouteLimit("fake-member-edit", 10, 10.0)
        # Moves the fake's clock for time-based limits (channel renames), so that a test
        # that moves the bot's clock (BOT_CLOCK_OFFSET) can move Discord's along with it.
        self.time_offset = 0.0
        self._failures: list[InjectedFailure] = []
        self._stalls: list[_Stall] = []

        self._router = Router()
        for routes in (
            AppRoutes,
            ChannelRoutes,
            GuildRoutes,
            ManageRoutes,
            InteractionRoutes,
            ThreadRoutes,
        ):
            routes(self).register(self._router)
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/api/v10/{tail:.*}", self._handle_api)
        self.app.router.add_get("/gateway", self.gateway.handle)
        self.app.router.add_get("/gateway/", self.gateway.handle)
        self.app.router.add_get("/attachments/{channel}/{attachment}/{name}", self._attachment)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --
    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- world --
    def add_guild(self, name: str, *, shard: tuple[int, int] | None = None) -> FakeGuild:
        """A guild the bot is in. ``shard=(shard_id, num_shards)`` picks an id that lives on
        that shard (``(id >> 22) % num_shards == shard_id``); otherwise the id is a plain
        new snowflake (on shard 0 of 1, anywhere of more)."""
        guild_id = new_id_on_shard(*shard) if shard is not None else None
        guild = FakeGuild(name, bot_user=self.bot_user, guild_id=guild_id)
        guild._listener = functools.partial(self._guild_event, guild.id)
        self.guilds.append(guild)
        if hasattr(self, "gateway"):  # joined while running: a live GUILD_CREATE
            payload = self.guild_create_payload(guild)
            del payload["unavailable"]  # absent = newly joined (discord.py: guild_join)
            self.gateway.dispatch("GUILD_CREATE", payload, guild_id=guild.id)
        return guild

    def _guild_event(self, guild_id: int, event: str, data: dict[str, Any], intent: int) -> None:
        if hasattr(self, "gateway"):
            self.gateway.dispatch(event, data, intent, guild_id=guild_id)

    def shard_of(self, guild_id: int, num_shards: int | None = None) -> int:
        """The shard of a guild; ``num_shards`` None: the connected sessions' count."""
        return shard_of(guild_id, num_shards or self.gateway.num_shards)

    def guild_by_id(self, guild_id: int) -> FakeGuild | None:
        return next((g for g in self.guilds if g.id == guild_id), None)

    def user_by_id(self, user_id: int) -> FakeMember | None:
        if user_id == self.bot_user_id:
            return self.bot_user
        for guild in self.guilds:
            if user_id in guild.members:
                return guild.members[user_id]
        return None

    def channel_by_id(self, channel_id: int) -> FakeChannel | None:
        for guild in self.guilds:
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return self._dm_by_id.get(channel_id) or self.threads.get(channel_id)

    def dm_channel_for(self, user: FakeMember) -> FakeChannel:
        if user.id not in self.dm_channels:
            channel = FakeChannel(new_id(), "", DM_CHANNEL, None, recipient=user)
            self.dm_channels[user.id] = channel
            self._dm_by_id[channel.id] = channel
        return self.dm_channels[user.id]

    def now(self) -> float:
        """The fake's notion of now, for time-based limits: real time plus `time_offset`."""
        return time.time() + self.time_offset

    def rename(self, channel: FakeChannel, name: str) -> Reply | None:
        """Rename a guild channel within Discord's limit (CHANNEL_UPDATE follows); the 429
        when the limit is used up."""
        limited = self.rename_limit.check(channel.id, self.now())
        if limited is not None:
            return limited
        channel.rename(name)
        self.rename_limit.record(channel.id, channel.name, self.now())
        guild = self.guild_by_id(channel.guild_id or 0)
        if guild is not None:
            guild.channel_updated(channel)
        return None

    def rename_channel(self, channel_id: int, name: str) -> None:
        """A moderator renames a channel in their Discord client (counts towards the limit)."""
        channel = self.channel_by_id(channel_id)
        assert channel is not None and channel.guild_id is not None, f"no channel {channel_id}"
        if self.rename(channel, name) is not None:
            raise AssertionError(f"renaming {channel_id}: Discord's rename limit is used up")

    def renames(self, channel_id: int) -> list[tuple[float, str]]:
        """Every rename of a channel: (when on the fake's clock, the name it got)."""
        return list(self.rename_limit.renames.get(channel_id, []))

    def bot_user_payload(self) -> dict[str, Any]:
        return {
            **self.bot_user.user_payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "flags": 0,
            "locale": "en-US",
        }

    def guild_create_payload(self, guild: FakeGuild) -> dict[str, Any]:
        return guild.create_payload(list(self.events.get(guild.id, {}).values()))

    # -- what the bot did --
    def requests_to(self, method: str, path_regex: str) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method.upper() and re.fullmatch(path_regex, r.path)
        ]

    async def wait_for_request(
        self, method: str, path_regex: str, *, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedRequest]:
        """Wait until ``count`` matching requests were answered; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.requests_to(method, path_regex) if r.status]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{count} x {method} {path_regex} not seen within {timeout}s (saw {len(found)})"
                )
            await asyncio.sleep(0.01)

    def channel_messages(
        self, channel_id: int, *, include_interactions: bool = False
    ) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel, oldest first (+ "_pinged", "_files")."""
        sources = ("channel", "interaction", "followup") if include_interactions else ("channel",)
        return [snapshot(m) for m in self.messages.in_channel(channel_id, sources=sources)]

    def dm_messages(
        self, user_id: int, *, include_interactions: bool = False
    ) -> list[dict[str, Any]]:
        channel = self.dm_channels.get(user_id)
        if channel is None:
            return []
        return self.channel_messages(channel.id, include_interactions=include_interactions)

    def scheduled_events(self, guild: FakeGuild | None = None) -> list[dict[str, Any]]:
        guild = guild or self.guild
        return copy.deepcopy(list(self.events.get(guild.id, {}).values()))

    def set_member_edit_limit(self, limit: int, window_s: float) -> None:
        """The per-route limit of member edits (PATCH /guilds/{id}/members/{id}), per guild."""
        self.member_edit_limit = RouteLimit("fake-member-edit", limit, window_s)

    # -- faults --
    def set_global_rate_limit(self, per_second: int | None) -> None:
        self._global_limit = GlobalRateLimit(per_second)

    def inject_failures(
        self, method: str, path_regex: str, status: int, count: int, *, retry_after: float = 0.2
    ) -> None:
        assert status in (429, 500, 502, 503, 504), f"unsupported injected status {status}"
        self._failures.append(InjectedFailure(method, path_regex, status, count, retry_after))

    def stall_answers(self, method: str, path_regex: str, seconds: float, count: int) -> None:
        """The next `count` matching requests are carried out at once but answered only
        after `seconds`: the bot cannot know whether they landed if it dies meanwhile."""
        self._stalls.append(_Stall(method.upper(), re.compile(path_regex), seconds, count))

    async def drop_gateway(self, code: int = 4000, *, shard_id: int = 0) -> None:
        await self.gateway.drop(code, shard_id=shard_id)

    @property
    def identify_count(self) -> int:
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        return self.gateway.resume_count

    @property
    def identifies(self) -> list[tuple[float, int, int]]:
        """Every accepted IDENTIFY: (time.monotonic(), shard_id, num_shards)."""
        return self.gateway.identifies

    @property
    def identify_pacing_violations(self) -> int:
        """IDENTIFYs sooner than `identify_window` after the previous one of their bucket
        (shard_id % max_concurrency): Discord allows one per bucket per 5 s."""
        return pacing_violations(self.identifies, self.max_concurrency, self.identify_window)

    async def wait_for_gateway(
        self,
        *,
        resumed_or_identified_after: int = 0,
        timeout: float = 10,
        shard_id: int | None = None,
    ) -> None:
        """Until more than `resumed_or_identified_after` IDENTIFYs + RESUMEs (all shards)
        happened and shard `shard_id` (None: every shard) is connected."""
        await self.gateway.wait(
            after=resumed_or_identified_after, timeout=timeout, shard_id=shard_id
        )

    # -- interactions --
    async def invoke(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        member: FakeMember,
        guild: FakeGuild | None = DEFAULT,
        channel_id: int | None = None,
        locale: str | None = None,  # None: member.locale (default "en-US")
        timeout: float = 5.0,
        stale_client: bool = False,
    ) -> InteractionResult:
        """Run a slash command as `member`. With `stale_client`, the member's Discord still
        has an older command list: choices and contexts are not checked, as Discord doesn't."""
        return await self.interactions.invoke(
            command,
            options,
            member=member,
            guild=guild,
            channel_id=channel_id,
            locale=locale,
            timeout=timeout,
            stale_client=stale_client,
        )

    def plant_bot_message(self, channel_id: int, content: str, custom_id: str) -> dict[str, Any]:
        """A message the bot posted long ago (an older version, say) with one button, whose
        custom id today's bot may not know."""
        channel = self.channel_by_id(channel_id)
        assert channel is not None, f"no channel {channel_id}"
        button = {"type": 2, "style": 1, "label": "Old button", "custom_id": custom_id}
        body = {"content": content, "components": [{"type": 1, "components": [button]}]}
        return self.messages.create(
            channel_id=channel_id, author=self.bot_user, body=body, files=[], source="channel",
            guild_id=channel.guild_id,
        )  # fmt: skip

    async def autocomplete(
        self,
        command: str,
        options: dict[str, Any],
        focused: str,
        *,
        member: FakeMember,
        guild: FakeGuild | None = DEFAULT,
        channel_id: int | None = None,
        locale: str | None = None,  # None: member.locale (default "en-US")
        timeout: float = 5.0,
    ) -> InteractionResult:
        return await self.interactions.autocomplete(
            command,
            options,
            focused,
            member=member,
            guild=guild,
            channel_id=channel_id,
            locale=locale,
            timeout=timeout,
        )

    async def press_button(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        member: FakeMember,
        guild: FakeGuild | None = DEFAULT,
        locale: str | None = None,  # None: member.locale (default "en-US")
        timeout: float = 5.0,
        values: list[str] | None = None,
        expect_edit: bool = True,
    ) -> InteractionResult:
        """Click a button (or choose select ``values``) on a message the bot posted.

        ``guild`` defaults to the guild of the message's channel (None for a DM). With
        ``expect_edit=False`` a deferred update (type 6) alone completes the interaction.
        """
        return await self.interactions.press_button(
            message,
            custom_id,
            member=member,
            guild=guild,
            locale=locale,
            timeout=timeout,
            values=values,
            expect_edit=expect_edit,
        )

    # -- HTTP pipeline --
    def reject(self, call: Call, violations: list[Violation]) -> None:
        """Answer 400 50035 like Discord and remember readable lines in limit_violations."""
        where = f"{call.request.method} {call.request.path}"
        self.limit_violations += [f"{where}: {v.describe()}" for v in violations]
        body = invalid_form_body(violations)
        raise ApiError(400, 50035, body["message"], errors=body["errors"])

    async def _handle_api(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        record = RecordedRequest(
            request.method, "/" + request.match_info["tail"], dict(request.query), None, [], headers
        )
        self.requests.append(record)
        try:
            record.json, record.files = await read_body(request)
            reply = await self._process(record, request.headers.get("Authorization"))
            await self._maybe_stall(record)
        except ApiError as error:
            reply = error.reply
        except Exception as error:  # a bug in the fake: answer JSON, keep it for the test
            self.internal_errors.append(f"{record.method} {record.path}: {error!r}")
            reply = Reply(500, {"message": f"FakeDiscord internal error: {error!r}", "code": 0})
        record.status, record.response = reply.status, reply.body
        if reply.status in (401, 403, 429):
            self.invalid_request_count += 1
        return to_response(reply)

    async def _process(self, record: RecordedRequest, auth: str | None) -> Reply:
        if self.validator is not None and record.json is not None:
            for problem in self.validator.validate(record.method, record.path, record.json):
                if problem not in self.spec_violations:
                    self.spec_violations.append(problem)
        webhook = record.path.startswith(_WEBHOOK_PATHS)
        if not webhook and not self._authorized(auth):
            return Reply(401, {"message": "401: Unauthorized", "code": 0})
        for failure in self._failures:
            injected = failure.take(record.method, record.path)
            if injected is not None:
                return injected
        if not webhook and (limited := self._global_limit.check()) is not None:
            return limited
        match = self._router.match(record.method, record.path)
        if match is None:
            return Reply(404, {"message": "404: Not Found", "code": 0})
        handler, params = match
        return await handler(Call(record, params))

    async def _maybe_stall(self, record: RecordedRequest) -> None:
        for stall in self._stalls:
            if (
                stall.count > 0
                and record.method == stall.method
                and stall.path.fullmatch(record.path)
            ):
                stall.count -= 1
                await asyncio.sleep(stall.seconds)
                return

    def _authorized(self, auth: str | None) -> bool:
        if not auth or not auth.startswith("Bot ") or len(auth) <= 4:
            return False
        return self.token is None or auth == f"Bot {self.token}"

    def _attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        return f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.messages.attachments.get(int(request.match_info["attachment"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")
