"""What every area does with an interaction: read who is asking and from where, and answer
in time, ephemerally and without pinging anyone.

Rights are checked by the use cases on the plain values read here, on every call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol, cast

import discord
from discord import app_commands

from bot.errors import InputError
from bot.i18n import Lang, lang_of, t
from bot.ui.escape import quote
from bot.usecases.inputs import Member, ReplyHandle

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.usecases import UseCases

NO_PINGS = discord.AllowedMentions.none()  # every answer: text from people never pings

# The work gets half a second, and the decision is made by the time the interaction is one
# second old: in a busy moment (a burst of hundreds), what must still defer has time to.
WAIT_AT_MOST_S = 0.5
DECIDE_BY_S = 1.0


class _App(Protocol):
    usecases: UseCases
    clock: Clock


class _Client(Protocol):
    """What buttons need of the bot (they are made by discord.py, from a custom id)."""

    app: _App

    async def is_owner(self, user: discord.abc.User, /) -> bool: ...


def usecases_of(interaction: discord.Interaction) -> UseCases:
    return cast(_Client, interaction.client).app.usecases


def clock_of(interaction: discord.Interaction) -> Clock:
    return cast(_Client, interaction.client).app.clock


async def is_owner(interaction: discord.Interaction) -> bool:
    return await cast(_Client, interaction.client).is_owner(interaction.user)


def id_of(thing: discord.abc.Snowflake | None) -> int | None:
    """A command option's id, None when it was not given."""
    return thing.id if thing is not None else None


def guild_id_of(interaction: discord.Interaction) -> int:
    """The server of a server-only command; a call from elsewhere is answered, not asserted."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def reply_handle(interaction: discord.Interaction) -> ReplyHandle:
    """How to follow up on this interaction later (for up to 15 minutes)."""
    return ReplyHandle(interaction.application_id, interaction.token, str(interaction.locale))


def member_of(interaction: discord.Interaction, guild_id: int | None = None) -> Member:
    return Member(
        guild_id if guild_id is not None else guild_id_of(interaction),
        interaction.user.id,
        str(interaction.user),
        str(interaction.locale),
        reply_handle(interaction),
    )


def manages_server(interaction: discord.Interaction) -> bool:
    """Manage Server, from the permissions Discord resolved for this interaction."""
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


def role_ids(interaction: discord.Interaction) -> list[int]:
    user = interaction.user
    return [role.id for role in user.roles] if isinstance(user, discord.Member) else []


def time_left(interaction: discord.Interaction) -> float:
    """How long the work may take before the interaction must be deferred."""
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return max(0.0, min(WAIT_AT_MOST_S, DECIDE_BY_S - age))


async def answer_ephemeral(interaction: discord.Interaction, work: Awaitable[str]) -> None:
    """In the initial response when the work is done in time (one request), else deferred
    first and followed up, so the member always hears back within Discord's three seconds."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=time_left(interaction))
    if not done:
        await interaction.response.defer(ephemeral=True, thinking=True)
    await reply_ephemeral(interaction, await task)  # its error reaches the tree's error path


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer through whichever channel is still open: the initial response or a follow-up."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def ephemeral(interaction: discord.Interaction, text: str) -> None:
    await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def answer_unknown(interaction: discord.Interaction) -> None:
    """A press no button of ours takes (an old message, another bot's pattern) is still
    answered, so the member sees why rather than "This interaction failed"."""
    await ephemeral(interaction, t(lang_of(interaction.locale), "error.unknown_button"))


def input_error_text(lang: Lang, error: InputError) -> str:
    """Echoed input is escaped and bounded; `safe` values (our own mentions) are shown as is."""
    values = {key: quote(value, error.limit) for key, value in error.values.items()}
    return t(lang, error.key, **values, **error.safe)
