"""/watched: a member's way through season 2's episode rooms; and what else episode rooms
bring: the progress change's outbox kind, the message with the premiere post that the rooms
are open, the rooms' buttons, and the job that keeps each server's rooms (each process for its
own servers)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.discord_rooms import ProgressApplier
from bot.i18n import lang_of
from bot.jobs import Job
from bot.ui.interactions import answer_ephemeral, guild_id_of, role_ids
from bot.ui.rooms import WatchedButton, register_progress, register_rooms_open, watched_text
from bot.usecases.rooms import MAX_EPISODES, PROGRESS, ROOMS, RoomUseCases
from bot.wiring import App, app_of

log = logging.getLogger(__name__)

ROOM_LANE_SLOTS = 4  # role changes in flight at once, across servers


class RoomKeeper(Job):
    """Makes what is missing of the rooms of this process's servers: at start-up, and when the
    count grew or a server turned its rooms on (from any process)."""

    name = "episode-rooms"
    topics = frozenset({ROOMS})
    retry_s = 30.0

    def __init__(self, bot: commands.Bot, rooms: RoomUseCases) -> None:
        super().__init__()
        self.bot = bot
        self.rooms = rooms

    async def ready(self) -> None:
        await self.bot.wait_until_ready()

    async def step(self) -> float | None:
        await self.rooms.keep_all([guild.id for guild in self.bot.guilds])
        return None


class Rooms(commands.Cog):
    def __init__(self, app: App) -> None:
        self.app = app

    @app_commands.command(
        name=_("watched"),
        description=_("I have watched season 2 up to this episode: opens its episode rooms"),
    )
    @app_commands.guild_only()
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.rename(episode=_("episode"))
    @app_commands.describe(episode=_("The last episode you have watched (0 closes every room)"))
    async def watched(
        self,
        interaction: discord.Interaction,
        episode: app_commands.Range[int, 0, MAX_EPISODES],
    ) -> None:
        guild_id, lang = guild_id_of(interaction), lang_of(interaction.locale)
        roles = role_ids(interaction)

        async def watch() -> str:
            done = await self.app.usecases.rooms.watched(
                guild_id, interaction.user.id, episode, roles
            )
            return watched_text(lang, done)

        await answer_ephemeral(interaction, watch())


async def setup(bot: commands.Bot) -> None:
    app = app_of(bot)
    applier = ProgressApplier(bot, app.store)
    register_progress(applier.act, applier.acted)
    register_rooms_open()
    # the role changes wait on a per-server route limit: in a lane of their own, so a burst
    # of them holds up no welcome DM
    rooms_lane = app.dispatcher.add_lane("rooms", (PROGRESS,), ROOM_LANE_SLOTS)
    bot.add_dynamic_items(WatchedButton)
    app.scheduler.add(RoomKeeper(bot, app.usecases.rooms), rooms_lane)
    await bot.add_cog(Rooms(app))
