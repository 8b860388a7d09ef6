"""/watched: a member's way through season 2's episode rooms; and what else episode rooms
bring: the progress change's outbox kind, the message with the premiere post that the rooms
are open, the rooms' buttons, and the job that keeps each server's rooms (each process for its
own servers), remaking at once what a moderator deleted."""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.discord_rooms import ProgressApplier
from bot.i18n import lang_of
from bot.jobs import Job
from bot.store import StoreError
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

    # a room, the category or a progress role deleted by hand is made again at once (turning
    # the rooms off first leaves them to the moderators)
    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        await self._lost(channel.guild.id, channel_id=channel.id)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        await self._lost(role.guild.id, role_id=role.id)

    async def _lost(
        self, guild_id: int, *, channel_id: int | None = None, role_id: int | None = None
    ) -> None:
        try:
            made = await self.app.usecases.rooms.lost(
                guild_id, channel_id=channel_id, role_id=role_id
            )
        except (discord.HTTPException, aiohttp.ClientError, OSError, StoreError) as exc:
            # the next set-up or start-up makes it
            log.warning("could not remake the episode rooms of server %s: %s", guild_id, exc)
            return
        if made is not None and made.problems:
            log.warning("episode rooms of server %s: deleted by hand, and the bot lacks %s",
                        guild_id, ", ".join(made.problems))  # fmt: skip


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
