"""Sends deliveries through Discord: a channel post, or a DM through a remembered channel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiohttp
import discord

from bot.outbox.dispatcher import DeliveryFailed
from bot.outbox.kinds import NotificationKind, kind
from bot.outbox.pacing import Pacer
from bot.store.dm_channels import DmChannelStore
from bot.store.records import Delivery

log = logging.getLogger(__name__)

DM_CLOSED = 50007  # "Cannot send messages to this user"
# Discord allows 50 requests a second per bot; fan-out keeps to 70% of that, so commands and
# other traffic never meet a 429 because of a big announcement.
FAN_OUT_RATE = 35.0
FAN_OUT_BURST = 5

ViewFactory = Callable[[Delivery], discord.ui.View | None]


def classify(exc: Exception) -> DeliveryFailed:
    """Which failures are worth another try: 429s and 5xx and network trouble are."""
    if isinstance(exc, discord.HTTPException):
        if exc.code == DM_CLOSED:
            return DeliveryFailed("dm_closed", permanent=True, dm_closed=True)
        reason = f"{exc.status} {exc.code}: {exc.text[:120]}"
        transient = exc.status == 429 or exc.status >= 500
        return DeliveryFailed(reason, permanent=not transient)
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryFailed(f"network: {exc!r}"[:200], permanent=False)
    raise exc


class DiscordSender:
    def __init__(
        self,
        client: discord.Client,
        dm_channels: DmChannelStore,
        install_id: str,
        make_view: ViewFactory = lambda _: None,
    ) -> None:
        self.client = client
        self.dm_channels = dm_channels
        self.install_id = install_id
        self.make_view = make_view
        self.pacer = Pacer(FAN_OUT_RATE, burst=FAN_OUT_BURST)

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
        try:
            spec = kind(delivery.kind)
        except LookupError:  # e.g. an extension that registered it is no longer loaded
            raise DeliveryFailed(f"unknown kind {delivery.kind!r}", permanent=True) from None
        try:
            if delivery.target == "dm":
                assert delivery.user_id is not None
                known = (await self.dm_channels.get(delivery.user_id)).channel_id
                await self.pacer.acquire(1 if known else 2)  # opening a DM is a request too
                channel_id = known or await self._open_dm(delivery.user_id)
            else:
                await self.pacer.acquire()
                assert delivery.channel_id is not None
                channel_id = delivery.channel_id
            return await self._post(channel_id, delivery, spec)
        except Exception as exc:
            raise classify(exc) from exc

    async def _post(self, channel_id: int, delivery: Delivery, spec: NotificationKind) -> int:
        rendered = spec.render(delivery)
        view = self.make_view(delivery) if spec.buttons else None
        channel = self.client.get_partial_messageable(channel_id)
        message = await channel.send(
            rendered.content,
            embed=rendered.embed or discord.utils.MISSING,
            allowed_mentions=rendered.mentions,
            nonce=delivery.nonce(self.install_id),
            view=view or discord.utils.MISSING,
        )
        return int(message.id)
