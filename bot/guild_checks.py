"""Checks of `/admin setup` against the server as the gateway shows it: refuse what cannot
work, warn about what may not."""

from __future__ import annotations

import discord

from bot.errors import InputError


def check_setup(
    guild: discord.Guild,
    channel: discord.abc.GuildChannel | None,
    role: discord.Role | None,
    mod_role: discord.Role | None,
) -> list[tuple[str, dict[str, str]]]:
    """Raises InputError for a setting that cannot work; returns warnings as (key, values)."""
    me = guild.me
    if channel is not None:
        perms = channel.permissions_for(me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            raise InputError("setup.no_channel_access", safe={"channel": channel.mention})
    warnings: list[tuple[str, dict[str, str]]] = []
    if role is not None:
        if role.is_default() or role.managed:
            raise InputError("setup.bad_role", safe={"role": role.mention})
        if role >= me.top_role:
            raise InputError("setup.role_too_high", safe={"role": role.mention})
        if not role.mentionable and not me.guild_permissions.mention_everyone:
            warnings.append(("setup.role_unmentionable", {"role": role.mention}))
    if mod_role is not None and mod_role.is_default():
        raise InputError("setup.bad_mod_role")
    return warnings
