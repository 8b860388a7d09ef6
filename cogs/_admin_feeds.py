"""/admin feed add|remove|list: the news feeds the bot watches (show-wide)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import locale_str as _

from bot.i18n import lang_of, t
from bot.ui.feeds import added_text, listing_page, page_buttons
from bot.ui.interactions import NO_PINGS
from cogs._admin_base import AdminBase

MODE_CHOICES = [
    app_commands.Choice(name=_("review: items wait for a moderator"), value="review"),
    app_commands.Choice(name=_("auto: matching items are announced at once"), value="auto"),
]


class FeedCommands(AdminBase):
    feed = AdminBase.feed

    @feed.command(name=_("add"), description=_("Watch an RSS or Atom news feed"))
    @app_commands.rename(url=_("url"), keywords=_("keywords"), mode=_("mode"))
    @app_commands.describe(
        url=_("The feed's address (http or https)"),
        keywords=_("Comma-separated words an item must mention (default: the series' titles)"),
        mode=_("review (default) or auto"),
    )
    @app_commands.choices(mode=MODE_CHOICES)
    async def feed_add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 500],
        keywords: app_commands.Range[str, 1, 500] | None = None,
        mode: app_commands.Choice[str] | None = None,
    ) -> None:
        await self._require_show_wide(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        added = await self.app.usecases.feeds.add(
            url=url, keywords=keywords, mode=mode.value if mode else None,
            user_id=interaction.user.id,
        )  # fmt: skip
        text = added_text(lang_of(interaction.locale), added)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @feed.command(name=_("remove"), description=_("Stop watching a news feed"))
    @app_commands.rename(url=_("url"))
    @app_commands.describe(url=_("The feed's address (http or https)"))
    async def feed_remove(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 500]
    ) -> None:
        await self._require_show_wide(interaction)
        removed = await self.app.usecases.feeds.remove(url=url, user_id=interaction.user.id)
        key = "feed.removed" if removed else "feed.not_watched"
        text = t(lang_of(interaction.locale), key)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    @feed_remove.autocomplete("url")
    async def feed_url_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        urls = await self.app.usecases.feeds.urls(current[:500])
        return [app_commands.Choice(name=u[:100], value=u) for u in urls]

    @feed.command(name=_("list"), description=_("The news feeds watched, and items waiting"))
    async def feed_list(self, interaction: discord.Interaction) -> None:
        listing = await self.app.usecases.feeds.listing()
        lang = lang_of(interaction.locale)
        shown = listing_page(lang, listing, self.app.clock.seconds())
        buttons = page_buttons(lang, shown)  # every feed on one page or another
        await interaction.response.send_message(
            embed=shown.embed, ephemeral=True, allowed_mentions=NO_PINGS,
            view=buttons or discord.utils.MISSING,
        )  # fmt: skip
