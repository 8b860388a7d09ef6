"""A notification kind, a job with a wake topic of its own and a command, added from outside:
no migration, no change to the delivery type, no existing module touched. Loaded with
BOT_TEST_EXTENSIONS; schedules one fan-fact post, once, and `/fact-wake` wakes the job."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.jobs import Job
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery
from bot.wiring import App, app_of

HEADLINE = "Fan fact:"
TOPIC = "fan-fact"
log = logging.getLogger(__name__)


def render_fact(delivery: Delivery) -> Rendered:
    return Rendered(f"{HEADLINE} {delivery.payload['fact']}", None, discord.AllowedMentions.none())


FAN_FACT = NotificationKind(
    "fan_fact", render_fact, expires=lambda due, _payload: due + 3600, buttons=False
)


class FactJob(Job):
    """Steps once at the start, then only when its topic is heard (from any process)."""

    name = "fan facts"
    topics = frozenset({TOPIC})

    def __init__(self) -> None:
        super().__init__()
        self.steps = 0

    async def step(self) -> float | None:
        self.steps += 1
        log.info("fan-fact job step %d", self.steps)
        return None


class FactCommands(commands.Cog):
    def __init__(self, app: App) -> None:
        self.app = app

    @app_commands.command(name="fact-wake", description="Wake the fan-fact job")
    async def fact_wake(self, interaction: discord.Interaction) -> None:
        self.app.coordination.announce(TOPIC)
        await interaction.response.send_message("woken", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    app = app_of(bot)
    register(FAN_FACT)
    app.scheduler.add(FactJob())
    await bot.add_cog(FactCommands(app))
    now = app.clock.seconds()
    async with app.store.transaction() as tx:
        if await tx.meta.get("fan-fact-scheduled") is None:
            await tx.meta.set("fan-fact-scheduled", "1")
            fact = "The webtoon ran on Naver from 2009 to 2011."
            await app.outbox.schedule(tx, "fan_fact", {"fact": fact}, due_at=now, now=now)
