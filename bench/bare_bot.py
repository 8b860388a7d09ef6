"""The baseline: a bare discord.py bot whose one slash command, /about, answers a static embed.

    .venv/bin/python -m bench.bare_bot

Configured like our bot, by DISCORD_TOKEN, DISCORD_API_BASE_URL and DISCORD_GATEWAY_URL, and
pointed at them the same way (see `bot.__main__.point_at_endpoints`), so that both can run
against the fake Discord of the tests.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import discord
import yarl
from discord import app_commands
from discord.ext import commands

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY = "wss://gateway.discord.gg/"

log = logging.getLogger("bare_bot")


def point_at_endpoints(api_base: str, gateway_url: str) -> None:
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def about_embed() -> discord.Embed:
    embed = discord.Embed(
        title="All of Us Are Dead",
        description="A Netflix series based on the webtoon *Now at Our School*.",
        colour=discord.Colour.dark_red(),
    )
    embed.add_field(name="Season 1", value="January 2022, 12 episodes")
    embed.add_field(name="Season 2", value="Confirmed")
    return embed


@app_commands.command(name="about", description="About the series")
async def about(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=about_embed())


class BareBot(commands.Bot):
    def __init__(self) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # as our bot
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.tree.add_command(about)

    async def setup_hook(self) -> None:
        synced = await self.tree.sync()
        log.info("synced %d commands", len(synced))

    async def on_ready(self) -> None:
        user = self.user
        log.info("ready: logged in as %s (%s)", user, user.id if user else "?")


async def serve(token: str) -> None:
    bot = BareBot()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    logging.getLogger("discord.gateway").setLevel(logging.WARNING)
    point_at_endpoints(
        os.environ.get("DISCORD_API_BASE_URL") or DEFAULT_API_BASE,
        os.environ.get("DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY,
    )
    asyncio.run(serve(os.environ["DISCORD_TOKEN"]))


if __name__ == "__main__":
    main()
