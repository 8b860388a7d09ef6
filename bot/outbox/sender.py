"""Sends deliveries through Discord: a channel post, a DM through a remembered channel, or a
subscriber's notification role. Every request waits its turn in the REST limiter; those
addressed to one waiting member go first."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp
import discord
from discord.http import handle_message_parameters
from discord.utils import MISSING

from bot.clock import Clock
from bot.outbox.dispatcher import DeliveryFailed
from bot.outbox.kinds import NotificationKind, Rendered, kind
from bot.rest_limit import urgent
from bot.store import Store
from bot.store.records import Delivery

log = logging.getLogger(__name__)

DM_CLOSED = 50007  # "Cannot send messages to this user": the only sign of closed DMs
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # a day: the night and the morning after
LOOK_BACK_S = 60  # how far before an attempt's start its message may be dated
ROLE_REASON = "Subscribed to premiere notifications"
COMPONENT_CACHE = 4096  # (target, server, language) keys: servers times two, times two

ViewFactory = Callable[[Delivery], discord.ui.View | None]


def classify(exc: Exception) -> DeliveryFailed:
    """Which failures are worth another try: 429s and 5xx and network trouble are."""
    if isinstance(exc, discord.RateLimited):  # a 429 longer than max_ratelimit_timeout
        return DeliveryFailed(f"429: retry after {exc.retry_after:.0f}s", permanent=False)
    if isinstance(exc, discord.HTTPException):
        if exc.code == DM_CLOSED:
            return DeliveryFailed("dm_closed", permanent=True, dm_closed=True)
        reason = f"{exc.status} {exc.code}: {exc.text[:120]}"
        transient = exc.status == 429 or exc.status >= 500
        forbidden = isinstance(exc, discord.Forbidden)
        return DeliveryFailed(reason, permanent=not transient, forbidden=forbidden)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryFailed(f"network: {exc!r}"[:200], permanent=False)
    raise exc


def _same_message(found: dict[str, Any], rendered: Rendered) -> bool:
    """What Discord keeps of a message: its content and its embed's title and text."""
    if (found.get("content") or "") != rendered.content:
        return False
    embeds = found.get("embeds") or []
    if rendered.embed is None:
        return not embeds
    if not embeds:
        return False
    ours = rendered.embed.to_dict()
    return all(embeds[0].get(key) == ours.get(key) for key in ("title", "description"))


class DiscordSender:
    def __init__(
        self,
        client: discord.Client,
        store: Store,
        install_id: str,
        make_view: ViewFactory = lambda _: None,
        clock: Clock | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.dm_channels = store.dm_channels
        self.install_id = install_id
        self.make_view = make_view
        self.clock = clock or Clock(0.0)
        self._component_cache: dict[tuple[str, int, str], list[dict[str, Any]]] = {}

    async def dm_channel(self, user_id: int) -> int:
        """The user's DM channel id: asked of Discord once, then remembered."""
        known = (await self.dm_channels.get(user_id)).channel_id
        return known or await self._open_dm(user_id)

    async def _open_dm(self, user_id: int) -> int:
        data = await self.client.http.start_private_message(user_id)
        channel_id = int(data["id"])
        await self.dm_channels.remember(user_id, channel_id)
        return channel_id

    async def send(self, delivery: Delivery) -> int:
        """Post the delivery's message (or give its role); the message id (0 for a role)."""
        spec = _kind_of(delivery)
        lane = urgent() if delivery.urgent else contextlib.nullcontext()
        try:
            with lane:
                if spec.act is not None:
                    await spec.act(delivery)
                    return 0
                if delivery.target == "role":
                    await self._give_role(delivery)
                    return 0
                if spec.thread_name is not None:
                    return await self._post(await self._open_thread(delivery, spec), delivery, spec)
                return await self._post(await self._channel_of(delivery), delivery, spec)
        except Exception as exc:
            raise classify(exc) from exc

    async def find_sent(self, delivery: Delivery, since: int) -> int | None:
        """The message of a delivery whose last attempt's outcome is unknown, if it reached
        Discord: ours, in its channel, dated after the attempt began, with the same content
        and embed. None: it is not there (or cannot be, for a role: giving one is idempotent)."""
        acted = _kind_of(delivery).acted
        if acted is not None:
            try:
                return 0 if await acted(delivery) else None
            except Exception as exc:
                raise classify(exc) from exc
        if delivery.target == "role":
            return None
        channel_id = delivery.channel_id
        if delivery.target == "dm" and delivery.user_id is not None:
            channel_id = (await self.dm_channels.get(delivery.user_id)).channel_id
        if _kind_of(delivery).thread_name is not None:
            channel_id = await self._post_id(delivery)  # its message went into the thread
        if channel_id is None:
            return None  # a DM channel is remembered before anything is posted in it
        real_start = since - self.clock.offset - LOOK_BACK_S
        after = discord.utils.time_snowflake(datetime.fromtimestamp(real_start, UTC))
        rendered = _kind_of(delivery).render(delivery)
        me = self.client.user.id if self.client.user else 0
        try:
            found = await self.client.http.logs_from(channel_id, 50, after=after)
        except Exception as exc:
            raise classify(exc) from exc
        for message in found:
            if int(message["author"]["id"]) == me and _same_message(dict(message), rendered):
                return int(message["id"])
        return None

    async def _channel_of(self, delivery: Delivery) -> int:
        if delivery.target == "dm":
            assert delivery.user_id is not None
            return delivery.dm_channel_id or await self.dm_channel(delivery.user_id)
        assert delivery.channel_id is not None
        return delivery.channel_id

    async def _post_id(self, delivery: Delivery) -> int:
        """The id of the post a thread opens on (a thread's id is its starter message's)."""
        post = await self.store.outbox.post_of(int(delivery.payload["post_of"]), delivery.guild_id)
        if post is None or post[0] in ("failed", "missed", "cancelled"):
            raise DeliveryFailed("no post to open the thread on", permanent=True)
        if post[0] != "sent" or post[1] is None:
            raise DeliveryFailed("its post is not out yet", permanent=False)
        return int(post[1])

    async def _open_thread(self, delivery: Delivery, spec: NotificationKind) -> int:
        """Open the thread on the post once: Discord refuses a second one (160004), and then
        the thread is already there, under the post's id."""
        assert spec.thread_name is not None and delivery.channel_id is not None
        post_id = await self._post_id(delivery)
        try:
            await self.client.http.start_thread_with_message(
                delivery.channel_id, post_id, name=spec.thread_name(delivery)[:100],
                auto_archive_duration=THREAD_ARCHIVE_MINUTES, reason="Premiere discussion",
            )  # fmt: skip
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                raise
        return post_id

    async def _give_role(self, delivery: Delivery) -> None:
        assert delivery.user_id is not None and delivery.role_id is not None
        await self.client.http.add_role(
            delivery.guild_id, delivery.user_id, delivery.role_id, reason=ROLE_REASON
        )

    async def _post(self, channel_id: int, delivery: Delivery, spec: NotificationKind) -> int:
        """One POST, straight through discord.py's HTTP client: a fan-out needs neither a
        Message object made of each answer nor a View per message (the buttons are dynamic
        items, matched by custom id; their components are built once per kind of view)."""
        rendered = spec.render(delivery)
        params = handle_message_parameters(
            rendered.content,
            embed=rendered.embed or MISSING,
            allowed_mentions=rendered.mentions,
            nonce=delivery.nonce(self.install_id),
        )
        if spec.components is not None:
            components = spec.components(delivery)  # its own, per delivery: never cached
        else:
            components = self._components(delivery) if spec.buttons else []
        if components and params.payload is not None:  # None only with files, never here
            params.payload["components"] = components
        with params:
            message = await self.client.http.send_message(channel_id, params=params)
        return int(message["id"])

    def _components(self, delivery: Delivery) -> list[dict[str, Any]]:
        """The buttons' payload, the same for every message of one target, server and language."""
        key = (delivery.target, delivery.guild_id, delivery.locale)
        cached = self._component_cache.get(key)
        if cached is None:
            view = self.make_view(delivery)
            cached = view.to_components() if view is not None else []
            if len(self._component_cache) < COMPONENT_CACHE:
                self._component_cache[key] = cached
        return cached


def _kind_of(delivery: Delivery) -> NotificationKind:
    try:
        return kind(delivery.kind)
    except LookupError:  # e.g. an extension that registered it is no longer loaded
        raise DeliveryFailed(f"unknown kind {delivery.kind!r}", permanent=True) from None
