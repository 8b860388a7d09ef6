"""The pages of /admin feed list: Previous and Next buttons whose custom ids hold the page they
lead to, so they keep working after a restart. A press edits the (ephemeral) list in place,
for a moderator of the server, checked again on every press."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord

from bot.asker import manages_server, role_ids
from bot.feed_replies import ListingPage, listing_page
from bot.i18n import Lang, lang_of, t

if TYPE_CHECKING:
    from bot.usecases import UseCases

NO_PINGS = discord.AllowedMentions.none()
MAX_PAGE = 9999  # far beyond any list; a forged id past it matches no button of ours


class _Bot(Protocol):
    usecases: UseCases

    def now(self) -> int: ...

    async def is_owner(self, user: discord.abc.User, /) -> bool: ...


class FeedListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:feedlist:(?P<page>\d{1,4}):(?P<step>prev|next)",
):
    """Shows page `page` (from 0) of the list; `step` keeps the two buttons' ids apart."""

    def __init__(self, page: int, step: str, label: str = "", disabled: bool = False) -> None:
        self.page = page
        self.step = step
        super().__init__(
            discord.ui.Button(
                label=label or step,
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"aoad:feedlist:{page}:{step}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedListPageButton:
        return cls(int(match["page"]), match["step"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = cast(_Bot, interaction.client)
        lang = lang_of(interaction.locale)
        allowed = await bot.is_owner(interaction.user) or await bot.usecases.servers.is_moderator(
            interaction.guild_id, manages_server=manages_server(interaction),
            role_ids=role_ids(interaction),
        )  # fmt: skip
        if not allowed:
            await interaction.response.send_message(
                t(lang, "admin.not_mod"), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        listing = await bot.usecases.feeds.listing()
        shown = listing_page(lang, listing, bot.now(), self.page)
        await interaction.response.edit_message(
            embed=shown.embed, view=page_buttons(lang, shown), allowed_mentions=NO_PINGS
        )


def page_buttons(lang: Lang, shown: ListingPage) -> discord.ui.View | None:
    """Previous and Next, when there is more than one page."""
    if shown.pages <= 1:
        return None
    last = min(shown.pages, MAX_PAGE + 1) - 1
    view = discord.ui.View(timeout=None)
    view.add_item(FeedListPageButton(max(shown.page - 1, 0), "prev", t(lang, "feed.previous"),
                                     disabled=shown.page <= 0))  # fmt: skip
    view.add_item(FeedListPageButton(min(shown.page + 1, last), "next", t(lang, "feed.next"),
                                     disabled=shown.page >= last))  # fmt: skip
    return view
