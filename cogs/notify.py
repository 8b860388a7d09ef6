"""/notify on|off|status, and the "Notify me" button on announcements."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.client import FanBot
from bot.i18n import Lang, add_messages, lang_of, register_ko, t
from bot.notify.queue import Delivery
from bot.notify.service import SubscribeOutcome
from bot.notify.subscriptions import VIAS, Via

log = logging.getLogger(__name__)

register_ko({
    "notify": "알림",
    "Premiere notifications for All of Us Are Dead season 2": "지금 우리 학교는 시즌 2 공개 알림",
    "on": "켜기",
    "Get premiere notifications": "공개 알림 받기",
    "off": "끄기",
    "Stop premiere notifications": "공개 알림 그만 받기",
    "status": "상태",
    "Your subscription and the next notification": "내 구독 상태와 다음 알림",
    "via": "방법",
    "How to reach you: role ping, DM, or both": "받는 방법: 역할 멘션, DM, 또는 둘 다",
    "Role ping in the announcement channel": "공지 채널 역할 멘션",
    "Direct message": "DM",
    "Both": "둘 다",
})  # fmt: skip

add_messages({
    "via.role": {"en": "a role ping in the announcement channel", "ko": "공지 채널 역할 멘션"},
    "via.dm": {"en": "direct message", "ko": "DM"},
    "via.both": {"en": "a role ping and a direct message", "ko": "역할 멘션과 DM"},
    "notify.subscribed": {
        "en": "🔔 You're subscribed to premiere notifications by {via}.",
        "ko": "🔔 {via}(으)로 공개 알림을 받도록 구독했어요.",
    },
    "notify.no_role": {
        "en": "This server has no notification role yet, so I can't ping you. "
        "Use `/notify on via:dm`, or ask a moderator to run `/admin setup`.",
        "ko": "이 서버에는 아직 알림 역할이 없어서 멘션할 수 없어요. "
        "`/알림 켜기 방법:DM`을 쓰거나 관리자에게 `/admin setup`을 부탁해 주세요.",
    },
    "notify.role_forbidden": {
        "en": "I'm not allowed to give you the notification role (my own role must be above "
        "it). Please tell a moderator; meanwhile `/notify on via:dm` works.",
        "ko": "알림 역할을 드릴 권한이 없어요 (봇 역할이 그 역할보다 위에 있어야 해요). "
        "관리자에게 알려 주세요. 그동안 `/알림 켜기 방법:DM`을 쓸 수 있어요.",
    },
    "notify.role_failed": {
        "en": "Discord didn't let me give you the notification role just now; try again later.",
        "ko": "지금은 알림 역할을 드리지 못했어요. 잠시 후 다시 시도해 주세요.",
    },
    "notify.dm_closed": {
        "en": "I can't send you direct messages: your DMs are closed. Allow direct messages "
        "from server members (Privacy Settings), then try again.",
        "ko": "DM을 보낼 수 없어요: DM이 닫혀 있어요. 개인정보 설정에서 서버 멤버의 DM을 "
        "허용한 뒤 다시 시도해 주세요.",
    },
    "notify.dm_failed": {
        "en": "Discord didn't let me DM you just now; try again later.",
        "ko": "지금은 DM을 보내지 못했어요. 잠시 후 다시 시도해 주세요.",
    },
    "notify.no_channel": {
        "en": "Note: this server has no announcement channel yet, so role pings will start "
        "once a moderator runs `/admin setup`.",
        "ko": "참고: 이 서버에는 아직 공지 채널이 없어서, 관리자가 `/admin setup`을 하면 "
        "역할 멘션이 시작돼요.",
    },
    "notify.welcome": {
        "en": "👋 This is where I'll send you All of Us Are Dead season 2 premiere "
        "notifications. Use `/notify off` in the server to stop them.",
        "ko": "👋 지금 우리 학교는 시즌 2 공개 알림을 여기로 보내 드릴게요. "
        "그만 받으려면 서버에서 `/알림 끄기`를 써 주세요.",
    },
    "notify.off": {
        "en": "🔕 You won't get premiere notifications any more.",
        "ko": "🔕 이제 공개 알림을 보내지 않을게요.",
    },
    "notify.off_none": {
        "en": "You weren't subscribed, so there's nothing to turn off.",
        "ko": "구독하고 있지 않아서 끌 알림이 없어요.",
    },
    "notify.status_none": {
        "en": "You're not subscribed. Use `/notify on` to get premiere notifications.",
        "ko": "구독하고 있지 않아요. `/알림 켜기`로 공개 알림을 받을 수 있어요.",
    },
    "notify.status": {
        "en": "You're subscribed by {via} since {since}.",
        "ko": "{since}부터 {via}(으)로 구독하고 있어요.",
    },
    "notify.status_dm_closed": {
        "en": "⚠️ Your DMs were closed the last time I tried: run `/notify on` again once "
        "they're open.",
        "ko": "⚠️ 지난번에 DM이 닫혀 있었어요. DM을 연 뒤 `/알림 켜기`를 다시 해 주세요.",
    },
    "notify.next": {
        "en": "Next notification: **{what}** {when}.",
        "ko": "다음 알림: **{what}** {when}.",
    },
    "notify.next_none": {
        "en": "No premiere date is announced yet: you'll hear as soon as it is.",
        "ko": "아직 공개일이 발표되지 않았어요. 발표되면 바로 알려 드릴게요.",
    },
    "button.notify": {"en": "Notify me", "ko": "알림 받기"},
    "button.stop": {"en": "Stop these notifications", "ko": "알림 그만 받기"},
})  # fmt: skip


VIA_CHOICES = [
    app_commands.Choice(name=_("Role ping in the announcement channel"), value="role"),
    app_commands.Choice(name=_("Direct message"), value="dm"),
    app_commands.Choice(name=_("Both"), value="both"),
]


def outcome_text(outcome: SubscribeOutcome, lang: Lang, has_channel: bool) -> str:
    lines = []
    if outcome.stored:
        lines.append(t(lang, "notify.subscribed", via=t(lang, f"via.{outcome.stored}")))
    if outcome.role_problem:
        problem = outcome.role_problem
        lines.append(
            t(lang, "notify.no_role" if problem == "no_role" else f"notify.role_{problem}")
        )
    if outcome.dm_problem:
        lines.append(t(lang, f"notify.dm_{outcome.dm_problem}"))
    if outcome.stored in ("role", "both") and not has_channel:
        lines.append(t(lang, "notify.no_channel"))
    return "\n".join(lines)


async def subscribe_member(
    bot: FanBot, interaction: discord.Interaction, guild_id: int, via: Via | None
) -> str:
    """Subscribe whoever is interacting; the answer to show them."""
    lang = lang_of(interaction.locale)
    settings = await bot.notifications.guild_settings.get(guild_id)
    chosen: Via = via or ("role" if settings.role_id else "dm")
    outcome = await bot.notifications.subscribe(
        guild_id,
        interaction.user.id,
        user_name=str(interaction.user),
        locale=str(interaction.locale),
        via=chosen,
        welcome=t(lang, "notify.welcome"),
    )
    return outcome_text(outcome, lang, settings.channel_id is not None)


class NotifyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:notify:(?P<action>toggle|off):(?P<guild>\d+)",
):
    """On announcements it subscribes or unsubscribes whoever presses it; in a DM it only
    unsubscribes. Its state is all in the custom id, so it keeps working after a restart."""

    def __init__(self, action: str, guild_id: int, label: str = "Notify me") -> None:
        self.action = action
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔔" if action == "toggle" else "🔕",
                style=discord.ButtonStyle.primary
                if action == "toggle"
                else discord.ButtonStyle.secondary,
                custom_id=f"aoad:notify:{action}:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NotifyButton:
        return cls(match["action"], int(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        assert isinstance(bot, FanBot)
        lang = lang_of(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            text = await self._press(bot, interaction, lang)
        except Exception:
            log.exception("notify button failed (interaction %s)", interaction.id)
            text = t(lang, "error.internal", ref=interaction.id)
        await interaction.followup.send(text, ephemeral=True)

    async def _press(self, bot: FanBot, interaction: discord.Interaction, lang: Lang) -> str:
        user_id = interaction.user.id
        if await bot.notifications.unsubscribe(self.guild_id, user_id):
            return t(lang, "notify.off")
        if self.action == "off":
            return t(lang, "notify.off_none")
        return await subscribe_member(bot, interaction, self.guild_id, None)


def make_view(delivery: Delivery) -> discord.ui.View:
    """Channel posts: "Notify me" (toggles). DMs: "Stop these notifications" (only stops)."""
    lang = lang_of(delivery.locale)
    view = discord.ui.View(timeout=None)
    if delivery.target == "dm":
        view.add_item(NotifyButton("off", delivery.guild_id, t(lang, "button.stop")))
    else:
        view.add_item(NotifyButton("toggle", delivery.guild_id, t(lang, "button.notify")))
    return view


class Notify(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(NotifyButton)
        self.bot.notifications.sender.make_view = make_view

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(NotifyButton)

    notify = app_commands.Group(
        name=_("notify"),
        description=_("Premiere notifications for All of Us Are Dead season 2"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    @notify.command(name=_("on"), description=_("Get premiere notifications"))
    @app_commands.describe(via=_("How to reach you: role ping, DM, or both"))
    @app_commands.rename(via=_("via"))
    @app_commands.choices(via=VIA_CHOICES)
    async def notify_on(
        self, interaction: discord.Interaction, via: app_commands.Choice[str] | None = None
    ) -> None:
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = cast_via(via.value) if via else None
        text = await subscribe_member(self.bot, interaction, interaction.guild_id, chosen)
        await interaction.followup.send(text, ephemeral=True)

    @notify.command(name=_("off"), description=_("Stop premiere notifications"))
    async def notify_off(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lang = lang_of(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        previous = await self.bot.notifications.unsubscribe(
            interaction.guild_id, interaction.user.id
        )
        await interaction.followup.send(
            t(lang, "notify.off" if previous else "notify.off_none"), ephemeral=True
        )

    @notify.command(name=_("status"), description=_("Your subscription and the next notification"))
    async def notify_status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lang = lang_of(interaction.locale)
        service = self.bot.notifications
        sub = await service.subscriptions.get(interaction.guild_id, interaction.user.id)
        if sub is None:
            await interaction.response.send_message(t(lang, "notify.status_none"), ephemeral=True)
            return
        lines = [
            t(lang, "notify.status", via=t(lang, f"via.{sub.via}"), since=f"<t:{sub.since}:D>")
        ]
        _channel, closed = await service.dm_channels.get(interaction.user.id)
        if closed and sub.via != "role":
            lines.append(t(lang, "notify.status_dm_closed"))
        upcoming = await service.release.upcoming(limit=1)
        if upcoming:
            nxt = upcoming[0]
            when = f"<t:{nxt.due_at}:F> (<t:{nxt.due_at}:R>)"
            lines.append(t(lang, "notify.next", what=t(lang, f"kind.{nxt.kind}"), when=when))
        else:
            lines.append(t(lang, "notify.next_none"))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)


def cast_via(value: str) -> Via:
    if value not in VIAS:
        raise ValueError(value)
    return value


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, FanBot)
    await bot.add_cog(Notify(bot))
