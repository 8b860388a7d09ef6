"""The buttons on notification messages. Their state is all in the custom id, so they keep
working after a restart; the view factory is handed to the sender when the bot is built."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

from bot.answers import answer_ephemeral
from bot.asker import manages_server, role_ids
from bot.feed_pages import FeedListPageButton
from bot.i18n import Lang, lang_of, t
from bot.notify.replies import subscribed_text
from bot.store.records import Delivery
from bot.usecases.inputs import Member, ReplyHandle

if TYPE_CHECKING:
    from bot.usecases import UseCases

log = logging.getLogger(__name__)

CUSTOM_ID_PREFIX = "aoad:"


class _HasUseCases(Protocol):
    usecases: UseCases

    async def is_owner(self, user: discord.abc.User, /) -> bool: ...


class NotifyButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:notify:(?P<action>toggle|off):(?P<guild>\d+)",
):
    """On announcements it subscribes or unsubscribes whoever presses it; in a DM it only
    unsubscribes."""

    def __init__(self, action: str, guild_id: int, label: str = "Notify me") -> None:
        self.action = action
        self.guild_id = guild_id
        toggle = action == "toggle"
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji="🔔" if toggle else "🔕",
                style=discord.ButtonStyle.primary if toggle else discord.ButtonStyle.secondary,
                custom_id=f"aoad:notify:{action}:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NotifyButton:
        return cls(match["action"], int(match["guild"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)

        async def press() -> str:
            try:
                return await self._press(interaction, lang)
            except Exception:
                log.exception("notify button failed (interaction %s)", interaction.id)
                return t(lang, "error.internal", ref=interaction.id)

        await answer_ephemeral(interaction, press())

    async def _press(self, interaction: discord.Interaction, lang: Lang) -> str:
        members = cast(_HasUseCases, interaction.client).usecases.members
        reply = ReplyHandle(interaction.application_id, interaction.token, str(interaction.locale))
        member = Member(
            self.guild_id, interaction.user.id, str(interaction.user), str(interaction.locale),
            reply,
        )  # fmt: skip
        toggled = await members.toggle(member, only_off=self.action == "off")
        if toggled.subscribed is not None:
            return subscribed_text(toggled.subscribed, lang)
        return t(lang, "notify.off" if toggled.stopped else "notify.off_none")


class FeedReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:feed:(?P<action>approve|dismiss):(?P<item>\d+)",
):
    """Approve or Dismiss a news-feed item in the review channel: show-wide, so for the home
    server's moderators and the owner. The decided post keeps its buttons, disabled."""

    def __init__(self, action: str, item_id: int) -> None:
        self.action = action
        self.item_id = item_id
        super().__init__(discord.ui.Button(label=action, custom_id=f"aoad:feed:{action}:{item_id}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedReviewButton:
        return cls(match["action"], int(match["item"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = cast(_HasUseCases, interaction.client)
        lang = lang_of(interaction.locale)
        allowed = await client.usecases.servers.may_change_show(
            interaction.guild_id, is_owner=await client.is_owner(interaction.user),
            manages_server=manages_server(interaction), role_ids=role_ids(interaction),
        )  # fmt: skip
        if not allowed:
            await _ephemeral(interaction, t(lang, "news.not_allowed"))
            return
        decision = await client.usecases.feeds.decide(
            self.item_id, approve=self.action == "approve", user_id=interaction.user.id
        )
        item = decision.item
        if item is None:
            await _ephemeral(interaction, t(lang, "news.gone"))
            return
        text = decided_text(lang, item.state, item.decided_by, item.decided_at)
        if not decision.decided_now:
            await _ephemeral(interaction, text)
            return
        await interaction.response.edit_message(
            content=text, view=_decided_view(lang, self.item_id), allowed_mentions=NO_PINGS
        )


NO_PINGS = discord.AllowedMentions.none()


def decided_text(lang: Lang, state: str, by: int | None, at: int | None) -> str:
    return t(lang, f"news.{state}", by=f"<@{by}>", when=f"<t:{at}:R>")


def _decided_view(lang: Lang, item_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action, style in (("approve", discord.ButtonStyle.success),
                          ("dismiss", discord.ButtonStyle.danger)):  # fmt: skip
        view.add_item(discord.ui.Button(
            label=t(lang, f"news.{action}"), style=style, disabled=True,
            custom_id=f"aoad:feed:{action}:{item_id}",
        ))  # fmt: skip
    return view


async def _ephemeral(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


BUTTONS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    NotifyButton,
    FeedReviewButton,
    FeedListPageButton,
)


def is_ours(custom_id: str) -> bool:
    """Whether a button of ours answers this custom id (the same match discord.py makes)."""
    return any(button.__discord_ui_compiled_template__.fullmatch(custom_id) for button in BUTTONS)


async def answer_unknown(interaction: discord.Interaction) -> None:
    """A press no button of ours takes (an old message, another bot's pattern) is still
    answered, so the member sees why rather than "This interaction failed"."""
    text = t(lang_of(interaction.locale), "error.unknown_button")
    await interaction.response.send_message(
        text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
    )


def notification_view(delivery: Delivery) -> discord.ui.View:
    """Channel posts: "Notify me" (toggles). DMs: "Stop these notifications" (only stops)."""
    lang = lang_of(delivery.locale)
    view = discord.ui.View(timeout=None)
    if delivery.target == "dm":
        view.add_item(NotifyButton("off", delivery.guild_id, t(lang, "button.stop")))
    else:
        view.add_item(NotifyButton("toggle", delivery.guild_id, t(lang, "button.notify")))
    return view
