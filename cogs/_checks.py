"""What every cog reads off an interaction: the server it came from, who is asking and with
which rights. Rights are checked by the use cases, on these plain values, on every call."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.usecases.inputs import Member, ReplyHandle


def guild_id_of(interaction: discord.Interaction) -> int:
    """The server of a server-only command; a call from elsewhere is answered, not asserted."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def reply_handle(interaction: discord.Interaction) -> ReplyHandle:
    """How to follow up on this interaction later (for up to 15 minutes)."""
    return ReplyHandle(interaction.application_id, interaction.token, str(interaction.locale))


def member_of(interaction: discord.Interaction) -> Member:
    return Member(
        guild_id_of(interaction),
        interaction.user.id,
        str(interaction.user),
        str(interaction.locale),
        reply_handle(interaction),
    )
