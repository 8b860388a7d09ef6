"""What an interaction says of who is asking: their rights as Discord resolved them."""

from __future__ import annotations

import discord


def manages_server(interaction: discord.Interaction) -> bool:
    """Manage Server, from the permissions Discord resolved for this interaction."""
    permissions = interaction.permissions
    return permissions.manage_guild or permissions.administrator


def role_ids(interaction: discord.Interaction) -> list[int]:
    user = interaction.user
    return [role.id for role in user.roles] if isinstance(user, discord.Member) else []
