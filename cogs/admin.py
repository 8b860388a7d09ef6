"""/admin: server set-up, the premiere date, updates, subscribers, status and reload."""

from __future__ import annotations

import io

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.errors import InputError
from bot.guild_checks import check_setup, thread_warnings
from bot.i18n import lang_of, t
from bot.notify.when import zone_suggestions
from bot.ui.admin import (
    premiere_changed_text,
    reload_text,
    setup_reply,
    status_embed,
    subscribers_text,
)
from bot.ui.feeds import FeedListPageButton, FeedReviewButton, register_feed_notices
from bot.ui.interactions import NO_PINGS, guild_id_of, id_of, reply_handle
from bot.usecases.feed_poller import FeedPoller
from bot.usecases.release import MAX_NOTE, MAX_SOURCE, MAX_UPDATE
from bot.usecases.setup import SetupAsked
from bot.wiring import app_of
from cogs._admin_base import AdminBase
from cogs._admin_feeds import FeedCommands
from cogs._admin_rooms import RoomCommands


class Admin(FeedCommands, RoomCommands):
    admin = AdminBase.admin

    @admin.command(
        name=_("setup"),
        description=_("This server's announcement channel, notification role and moderator role"),
    )
    @app_commands.rename(
        channel=_("channel"), role=_("role"), mod_role=_("mod_role"),
        countdown_channel=_("countdown_channel"), discussion=_("discussion"),
        review_channel=_("review_channel"), episode_rooms=_("episode_rooms"),
        trivia_channel=_("trivia_channel"), trivia_hour=_("trivia_hour"),
    )  # fmt: skip
    @app_commands.describe(
        channel=_("Where announcements and reminders are posted"),
        role=_("The role pinged for premiere notifications"),
        mod_role=_("Members with this role may use /admin"),
        countdown_channel=_("A channel whose name I keep as a countdown to the premiere"),
        discussion=_("Whether the premiere post opens a discussion thread"),
        review_channel=_("Home server: where news-feed items wait for review"),
        episode_rooms=_("One room per season 2 episode, each open once a member has watched it"),
        trivia_channel=_("Where the daily trivia question is posted"),
        trivia_hour=_("The daily question's hour, 0-23 UTC (default 12)"),
    )
    async def setup_command(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        mod_role: discord.Role | None = None,
        countdown_channel: discord.VoiceChannel | discord.TextChannel | None = None,
        discussion: bool | None = None,
        review_channel: discord.TextChannel | None = None,
        episode_rooms: bool | None = None,
        trivia_channel: discord.TextChannel | None = None,
        trivia_hour: app_commands.Range[int, 0, 23] | None = None,
    ) -> None:
        guild = interaction.guild
        if guild is None:  # a server that has the commands but not the bot
            raise InputError("error.not_in_server")
        warnings = check_setup(guild, channel, role, mod_role, countdown_channel)
        if review_channel is not None:
            check_setup(guild, review_channel, None, None)  # it must be able to post there
        if trivia_channel is not None:
            check_setup(guild, trivia_channel, None, None)  # so must it there
        await interaction.response.defer(ephemeral=True, thinking=True)
        asked = SetupAsked(
            channel_id=id_of(channel), role_id=id_of(role), mod_role_id=id_of(mod_role),
            countdown_channel_id=id_of(countdown_channel), discussion=discussion,
            review_channel_id=id_of(review_channel), episode_rooms=episode_rooms,
            trivia_channel_id=id_of(trivia_channel), trivia_hour=trivia_hour,
        )  # fmt: skip
        done = await self.app.usecases.setup.set_up(
            guild.id, user_id=interaction.user.id, locale=str(interaction.guild_locale or "en-US"),
            asked=asked,
        )  # fmt: skip
        warnings += thread_warnings(guild, done.settings)
        text = setup_reply(lang_of(interaction.locale), done, warnings)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @admin.command(
        name=_("release"),
        description=_(
            "Set the season 2 premiere (show-wide): announces it and schedules reminders"
        ),
    )
    @app_commands.rename(date=_("date"), time=_("time"), timezone=_("timezone"), note=_("note"))
    @app_commands.describe(
        date=_("Premiere date as YYYY-MM-DD, or 'clear' to withdraw it"),
        time=_("Premiere time as HH:MM, 24-hour (default 17:00)"),
        timezone=_("Time zone, e.g. Asia/Seoul (default) or UTC"),
        note=_("A short note shown with the announcement"),
    )
    async def release_command(
        self,
        interaction: discord.Interaction,
        date: app_commands.Range[str, 1, 20],
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
    ) -> None:
        await self._require_show_wide(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        changed = await self.app.usecases.release.change_premiere(
            date=date, time=time, timezone=timezone, note=note, user_id=interaction.user.id,
            reply=reply_handle(interaction),
        )  # fmt: skip
        lang = lang_of(interaction.locale)
        if changed is None:
            text = t(lang, "release.nothing_to_clear")
        else:
            text = premiere_changed_text(lang, changed)
        # the confirmation itself, so the fan-out's progress can be shown in it
        await interaction.edit_original_response(content=text, allowed_mentions=NO_PINGS)

    @release_command.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_suggestions(current[:64])]

    @admin.command(
        name=_("update"),
        description=_("Post a release or production update to every server (show-wide)"),
    )
    @app_commands.rename(text=_("text"), source=_("source"))
    @app_commands.describe(text=_("The update"), source=_("Where it comes from"))
    async def update_command(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, MAX_UPDATE],
        source: app_commands.Range[str, 1, MAX_SOURCE] | None = None,
    ) -> None:
        await self._require_show_wide(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.app.usecases.release.post_update(
            text=text, source=source, user_id=interaction.user.id,
            reply=reply_handle(interaction),
        )  # fmt: skip
        answer = t(lang_of(interaction.locale), "update.posted")
        await interaction.edit_original_response(content=answer, allowed_mentions=NO_PINGS)

    @admin.command(
        name=_("subscribers"), description=_("Subscriber counts, and the list as a CSV file")
    )
    async def subscribers_command(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        export = await self.app.usecases.servers.subscribers(guild_id_of(interaction))
        await interaction.followup.send(
            subscribers_text(lang_of(interaction.locale), export),
            file=discord.File(io.BytesIO(export.csv), filename="subscribers.csv"),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @admin.command(
        name=_("status"),
        description=_("This server's settings and the notifications scheduled next"),
    )
    async def status_command(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        status = await self.app.usecases.servers.status(guild_id_of(interaction))
        embed = status_embed(lang_of(interaction.locale), status, self.app.clock.seconds())
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)

    @admin.command(name=_("reload"), description=_("Reload the show's facts file"))
    async def reload_command(self, interaction: discord.Interaction) -> None:
        reloaded = await self.app.usecases.setup.reload(interaction.guild_id, interaction.user.id)
        answer = reload_text(lang_of(interaction.locale), reloaded)
        await interaction.response.send_message(answer, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: commands.Bot) -> None:
    app = app_of(bot)
    # news feeds: their kinds, the review buttons, and the poller (on the sender)
    register_feed_notices()
    bot.add_dynamic_items(FeedReviewButton, FeedListPageButton)
    app.scheduler.add(FeedPoller(app.usecases.feeds, app.clock))
    await bot.add_cog(Admin(app))
