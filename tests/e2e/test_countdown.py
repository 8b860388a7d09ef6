"""The set-up options of the countdown channel and the premiere's discussion thread
(`countdown_channel`, `discussion`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.delivery_support import db_of
from tests.e2e.helpers import query
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.models import CONNECT, MANAGE_CHANNELS, VIEW_CHANNEL
from tests.harness import BotProcess


def patches(fake: FakeDiscord, channel_id: int) -> list[int]:
    return [r.status for r in fake.requests_to("PATCH", rf"/channels/{channel_id}")]


async def set_countdown(
    fake: FakeDiscord, guild: FakeGuild, channel_id: int, locale: str | None = None
) -> str:
    result = await fake.invoke(
        "admin setup", {"countdown_channel": channel_id}, member=guild.admin, guild=guild,
        locale=locale,
    )  # fmt: skip
    return result.text


def settings_row(bot: BotProcess, guild: FakeGuild) -> list[tuple[object, ...]]:
    return query(
        db_of(bot),
        "SELECT countdown_channel_id, discussion FROM guild_settings WHERE guild_id = ?",
        guild.id,
    )


async def test_a_channel_the_bot_may_not_rename_is_refused(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        guild, voice, text = fake.guild, fake.guild.voice_channel_id, fake.guild.general_channel_id
        before = settings_row(bot, guild), query(db_of(bot), "SELECT COUNT(*) FROM audit_log")
        refusals = [
            (voice, MANAGE_CHANNELS, "I lack Manage Channels there"),
            (voice, CONNECT, "I lack Connect there"),
            (text, VIEW_CHANNEL, "I can't see it. I need View Channel and Manage Channels"),
        ]
        for channel_id, denied, explanation in refusals:
            guild.set_overwrite(channel_id, guild.bot_role.id, deny=denied)
            result = await fake.invoke(
                "admin setup", {"countdown_channel": channel_id, "discussion": True},
                member=guild.admin,
            )  # fmt: skip
            assert result.ephemeral and explanation in result.text, result.text
            assert f"<#{channel_id}>" in result.text
            guild.set_overwrite(channel_id, guild.bot_role.id)  # allowed again
        guild.set_overwrite(voice, guild.bot_role.id, deny=MANAGE_CHANNELS)
        korean = await fake.invoke(
            "admin setup", {"countdown_channel": voice}, member=guild.admin, locale="ko"
        )
        assert "채널 관리 권한이 없어요" in korean.text, korean.text
        after = settings_row(bot, guild), query(db_of(bot), "SELECT COUNT(*) FROM audit_log")
        assert after == before  # nothing stored, nothing audited
        assert patches(fake, voice) == patches(fake, text) == []

        guild.set_overwrite(voice, guild.bot_role.id)  # allowed again: now it is taken
        assert f"Countdown channel: <#{voice}>" in await set_countdown(fake, guild, voice)
        assert settings_row(bot, guild) == [(voice, 0)]
        await asyncio.sleep(1)
        assert patches(fake, voice) == []  # no premiere date yet: the channel is left alone


async def test_discussion_is_stored_and_shown(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        admin = fake.guild.admin
        shown = "Discussion thread on the premiere post: {}"
        result = await fake.invoke("admin setup", {"discussion": True}, member=admin)
        assert "saved" in result.text and shown.format("on") in result.text, result.text
        assert settings_row(bot, fake.guild) == [(None, 1)]
        result = await fake.invoke("admin setup", {"role": fake.guild.notify_role.id}, member=admin)
        assert shown.format("on") in result.text  # not given: left as it was
        status = await fake.invoke("admin status", member=admin)
        assert shown.format("on") in status.text and "Countdown channel: not set" in status.text
        result = await fake.invoke("admin setup", {"discussion": False}, member=admin)
        assert shown.format("off") in result.text
        assert settings_row(bot, fake.guild) == [(None, 0)]
        status = await fake.invoke("admin status", member=admin, locale="ko")
        assert "공개 글의 토론 스레드: 꺼짐" in status.text, status.text
