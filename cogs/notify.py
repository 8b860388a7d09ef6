"""/notify on|off|status: a member's premiere notifications; and what else the premiere's area
brings: its notification kinds and buttons, its scheduled events and countdown channels."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.i18n import lang_of, t
from bot.notify.countdown import CountdownJob
from bot.notify.events import EventSync
from bot.ui.interactions import NO_PINGS, answer_ephemeral, guild_id_of, member_of
from bot.ui.notify import NotifyButton, member_status_text, register_notices, subscribed_text
from bot.usecases.members import REMINDERS, VIAS, Reminders, Via
from bot.wiring import App, app_of

REMINDER_CHOICES = [
    app_commands.Choice(name=_("All: 7 days, 1 day, 1 hour and the premiere"), value="all"),
    app_commands.Choice(name=_("1 day, 1 hour and the premiere"), value="day"),
    app_commands.Choice(name=_("Only the premiere"), value="premiere"),
]
VIA_CHOICES = [
    app_commands.Choice(name=_("Role ping in the announcement channel"), value="role"),
    app_commands.Choice(name=_("Direct message"), value="dm"),
    app_commands.Choice(name=_("Both"), value="both"),
]


def as_via(choice: app_commands.Choice[str] | None) -> Via | None:
    for via in VIAS:
        if choice is not None and choice.value == via:
            return via
    return None


def as_reminders(choice: app_commands.Choice[str] | None) -> Reminders | None:
    for reminders in REMINDERS:
        if choice is not None and choice.value == reminders:
            return reminders
    return None


class Notify(commands.Cog):
    def __init__(self, app: App) -> None:
        self.app = app

    notify = app_commands.Group(
        name=_("notify"),
        description=_("Premiere notifications for All of Us Are Dead season 2"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        guild_id_of(interaction)  # a call from outside a server is answered, not asserted
        return True

    @notify.command(name=_("on"), description=_("Get premiere notifications"))
    @app_commands.describe(
        via=_("How to reach you: role ping, DM, or both"),
        reminders=_("Which reminders to get by DM (default: all)"),
    )
    @app_commands.rename(via=_("via"), reminders=_("reminders"))
    @app_commands.choices(via=VIA_CHOICES, reminders=REMINDER_CHOICES)
    async def notify_on(
        self,
        interaction: discord.Interaction,
        via: app_commands.Choice[str] | None = None,
        reminders: app_commands.Choice[str] | None = None,
    ) -> None:
        member, lang = member_of(interaction), lang_of(interaction.locale)

        async def subscribe() -> str:
            members = self.app.usecases.members
            outcome = await members.subscribe(member, as_via(via), as_reminders(reminders))
            return subscribed_text(outcome, lang)

        await answer_ephemeral(interaction, subscribe())

    @notify.command(name=_("off"), description=_("Stop premiere notifications"))
    async def notify_off(self, interaction: discord.Interaction) -> None:
        guild_id, lang = guild_id_of(interaction), lang_of(interaction.locale)

        async def unsubscribe() -> str:
            previous = await self.app.usecases.members.unsubscribe(guild_id, interaction.user.id)
            return t(lang, "notify.off" if previous else "notify.off_none")

        await answer_ephemeral(interaction, unsubscribe())

    @notify.command(name=_("status"), description=_("Your subscription and the next notification"))
    async def notify_status(self, interaction: discord.Interaction) -> None:
        members = self.app.usecases.members
        status = await members.status(guild_id_of(interaction), interaction.user.id)
        text = member_status_text(status, lang_of(interaction.locale))
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: commands.Bot) -> None:
    app = app_of(bot)
    register_notices()
    bot.add_dynamic_items(NotifyButton)
    # each process keeps its own servers' events and countdown channels
    app.scheduler.add(EventSync(bot, app.store), CountdownJob(bot, app.store, app.clock))
    await bot.add_cog(Notify(app))
