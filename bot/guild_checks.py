"""Checks of `/admin setup` against the server as the gateway shows it: refuse what cannot
work, warn about what may not."""

from __future__ import annotations

import discord

from bot.errors import InputError
from bot.store.records import GuildSettings


def check_setup(
    guild: discord.Guild,
    channel: discord.abc.GuildChannel | None,
    role: discord.Role | None,
    mod_role: discord.Role | None,
    countdown_channel: discord.abc.GuildChannel | None = None,
) -> list[tuple[str, dict[str, str]]]:
    """Raises InputError for a setting that cannot work; returns warnings as (key, values)."""
    me = guild.me
    if channel is not None:
        perms = channel.permissions_for(me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            raise InputError("setup.no_channel_access", safe={"channel": channel.mention})
    if countdown_channel is not None:
        check_countdown_channel(me, countdown_channel)
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


def check_countdown_channel(me: discord.Member, channel: discord.abc.GuildChannel) -> None:
    """Renaming a channel takes View Channel and Manage Channels on it, and Connect on a voice
    channel (discord.py already folds that into `manage_channels`: say it apart)."""
    perms = channel.permissions_for(me)
    if not perms.view_channel:
        raise InputError("setup.countdown_no_view", safe={"channel": channel.mention})
    if isinstance(channel, discord.VoiceChannel) and not perms.connect:
        raise InputError("setup.countdown_no_connect", safe={"channel": channel.mention})
    if not perms.manage_channels:
        raise InputError("setup.countdown_no_manage", safe={"channel": channel.mention})


def thread_warnings(
    guild: discord.Guild, settings: GuildSettings
) -> list[tuple[str, dict[str, str]]]:
    """With discussion threads on, the premiere post needs Create Public Threads and Send
    Messages in Threads in the announcement channel: a warning, since it may be granted later."""
    channel = guild.get_channel(settings.channel_id) if settings.channel_id else None
    if not settings.discussion or channel is None:
        return []
    perms = channel.permissions_for(guild.me)
    if perms.create_public_threads and perms.send_messages_in_threads:
        return []
    return [("setup.no_thread_rights", {"channel": channel.mention})]
