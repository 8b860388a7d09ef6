"""A notification kind the bot has never heard of, added from outside: no migration, no change
to the delivery type. Loaded with BOT_TEST_EXTENSIONS; schedules one trivia post, once."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.client import FanBot
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery

HEADLINE = "Trivia:"


def render_trivia(delivery: Delivery) -> Rendered:
    return Rendered(f"{HEADLINE} {delivery.payload['fact']}", None, discord.AllowedMentions.none())


TRIVIA = NotificationKind(
    "trivia", render_trivia, expires=lambda due, _payload: due + 3600, buttons=False
)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, FanBot)
    register(TRIVIA)
    now = int(bot.clock.timestamp())
    async with bot.store.transaction() as tx:
        if await tx.meta.get("trivia-scheduled") is None:
            await tx.meta.set("trivia-scheduled", "1")
            fact = "The webtoon ran on Naver from 2009 to 2011."
            await bot.outbox.schedule(tx, "trivia", {"fact": fact}, due_at=now, now=now)
