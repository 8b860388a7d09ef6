"""Answering an interaction whose answer needs some work: in the initial response when the
work is done in time (one request), else deferred first and followed up, so the member always
hears back within Discord's three seconds, even when a burst of commands queues up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import discord

# The work gets half a second, and the decision is made by the time the interaction is one
# second old: in a busy moment (a burst of hundreds), what must still defer has time to.
WAIT_AT_MOST_S = 0.5
DECIDE_BY_S = 1.0
NO_PINGS = discord.AllowedMentions.none()


def time_left(interaction: discord.Interaction) -> float:
    """How long the work may take before the interaction must be deferred."""
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return max(0.0, min(WAIT_AT_MOST_S, DECIDE_BY_S - age))


async def answer_ephemeral(interaction: discord.Interaction, work: Awaitable[str]) -> None:
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=time_left(interaction))
    if not done:
        await interaction.response.defer(ephemeral=True, thinking=True)
    text = await task  # its error reaches the command tree's one error path
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    else:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
