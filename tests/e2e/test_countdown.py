"""The countdown channel: its name follows the premiere in the server's language, within
Discord's limit of two renames per channel in ten minutes, across restarts and 429s; and the
set-up options that go with it (`countdown_channel`, `discussion`)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.e2e.delivery_support import DAY, at_minute, db_of, restart_at, set_release
from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.models import CONNECT, MANAGE_CHANNELS, VIEW_CHANNEL
from tests.harness import BotProcess

HOUR = 3600
TEN_MINUTES = 600
CHECKED = "countdown channels checked after start-up"


def name_of(fake: FakeDiscord, channel_id: int) -> str:
    channel = fake.channel_by_id(channel_id)
    assert channel is not None
    return channel.name


def renames(fake: FakeDiscord, channel_id: int) -> list[str]:
    return [name for _, name in fake.renames(channel_id)]


def most_in_ten_minutes(fake: FakeDiscord, channel_id: int) -> int:
    """The most renames of the channel in any closed ten-minute window of the clock the bot
    and the fake share."""
    times = [at for at, _ in fake.renames(channel_id)]
    return max((sum(t <= u <= t + TEN_MINUTES for u in times) for t in times), default=0)


def patches(fake: FakeDiscord, channel_id: int) -> list[int]:
    return [r.status for r in fake.requests_to("PATCH", rf"/channels/{channel_id}")]


async def renamed_to(fake: FakeDiscord, channel_id: int, name: str) -> None:
    await wait_until(
        lambda: name_of(fake, channel_id) == name, timeout=10, what=f"{channel_id} → {name!r}"
    )


async def moved_to(fake: FakeDiscord, bot: BotProcess, bot_now: float) -> None:
    """Restart the bot with its clock at `bot_now`, and move Discord's clock along."""
    fake.time_offset = bot_now - time.time()
    await restart_at(bot, kill=False, bot_now=bot_now)
    await bot.wait_for_log(CHECKED)


async def set_countdown(
    fake: FakeDiscord, guild: FakeGuild, channel_id: int, locale: str | None = None
) -> str:
    result = await fake.invoke(
        "admin setup", {"countdown_channel": channel_id}, member=guild.admin, guild=guild,
        locale=locale,
    )  # fmt: skip
    return result.text


async def test_the_name_follows_the_date_at_most_twice_in_ten_minutes(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        voice = fake.guild.voice_channel_id
        answer = await set_countdown(fake, fake.guild, voice)
        assert "saved" in answer and f"Countdown channel: <#{voice}>" in answer, answer

        for days, name in ((11.5, "⏳ S2 in 12 days"), (19.5, "⏳ S2 in 20 days")):
            asked = time.monotonic()
            await set_release(fake, at_minute(time.time() + days * DAY))
            await renamed_to(fake, voice, name)
            assert time.monotonic() - asked < 5  # woken by the date, not the minute's check

        await set_release(fake, at_minute(time.time() + 30.5 * DAY))
        await asyncio.sleep(1.5)  # the job looked at once: both renames of the ten minutes spent
        first_at = fake.renames(voice)[0][0]
        await moved_to(fake, bot, first_at + 9 * 60)  # the wait is remembered across a restart
        assert renames(fake, voice) == ["⏳ S2 in 12 days", "⏳ S2 in 20 days"]

        await moved_to(fake, bot, first_at + TEN_MINUTES + 5)
        await renamed_to(fake, voice, "⏳ S2 in 31 days")  # as soon as the first left the window
        # later the name is still right: nothing to do
        await moved_to(fake, bot, first_at + 25 * 60)
        await asyncio.sleep(0.5)

        assert renames(fake, voice) == ["⏳ S2 in 12 days", "⏳ S2 in 20 days", "⏳ S2 in 31 days"]
        assert patches(fake, voice) == [200, 200, 200]  # never ran into Discord's limit
        gap = fake.renames(voice)[2][0] - first_at
        assert TEN_MINUTES < gap < TEN_MINUTES + 30, gap
        assert most_in_ten_minutes(fake, voice) == 2
        # the fake's clock is the bot's: its own record of its last two renames agrees
        [(renamed_at, renamed_before)] = query(
            db_of(bot), "SELECT renamed_at, renamed_before FROM countdown_channels"
        )
        assert abs(renamed_at - fake.renames(voice)[2][0]) < 2
        assert abs(renamed_before - fake.renames(voice)[1][0]) < 2


async def test_a_date_set_just_after_the_set_up_shows_within_a_minute(tmp_path: Path) -> None:
    """Setting up the channel renames it at once (a date is known); a date set half a minute
    later takes Discord's second rename of the ten minutes, not five minutes' wait."""
    async with serving(tmp_path) as (fake, bot):
        voice = fake.guild.voice_channel_id
        await set_release(fake, at_minute(time.time() + 11.5 * DAY))
        await set_countdown(fake, fake.guild, voice)
        await renamed_to(fake, voice, "⏳ S2 in 12 days")
        first_at = fake.renames(voice)[0][0]

        await moved_to(fake, bot, first_at + 30)  # the window's record survives a restart
        set_at = fake.now()
        await set_release(fake, at_minute(set_at + 19.5 * DAY))
        await renamed_to(fake, voice, "⏳ S2 in 20 days")
        assert fake.renames(voice)[1][0] - set_at < 60
        assert patches(fake, voice) == [200, 200]  # no 429


async def test_the_hourly_change_keeps_a_rename_for_a_new_date(tmp_path: Path) -> None:
    """When the clock alone changes the name (a day fewer) just after a rename, the bot waits
    for the ten minutes to pass rather than spend their last rename: a date set meanwhile
    still shows at once."""
    async with serving(tmp_path) as (fake, bot):
        voice = fake.guild.voice_channel_id
        await set_countdown(fake, fake.guild, voice)
        premiere = at_minute(time.time() + 12 * DAY + 60)  # 12 days left within two minutes
        await set_release(fake, premiere)
        await renamed_to(fake, voice, "⏳ S2 in 13 days")
        first_at = fake.renames(voice)[0][0]
        assert premiere.timestamp() - 12 * DAY < first_at + 150

        await moved_to(fake, bot, first_at + 150)
        await asyncio.sleep(1.5)
        assert renames(fake, voice) == ["⏳ S2 in 13 days"]  # "12 days" waits: one is kept
        set_at = fake.now()
        await set_release(fake, at_minute(set_at + 19.5 * DAY))
        await renamed_to(fake, voice, "⏳ S2 in 20 days")
        assert fake.renames(voice)[1][0] - set_at < 60
        assert patches(fake, voice) == [200, 200]


async def test_hours_then_out_in_each_servers_language(tmp_path: Path) -> None:
    async with serving(tmp_path, extra_guilds=["지금 우리 학교는 팬 서버"]) as (fake, bot):
        korean = fake.guilds[1]
        korean.preferred_locale = "ko"
        voice, text = fake.guild.voice_channel_id, korean.general_channel_id
        await set_countdown(fake, fake.guild, voice)
        premiere = at_minute(time.time() + 3.5 * DAY)
        await set_release(fake, premiere)
        await renamed_to(fake, voice, "⏳ S2 in 4 days")
        asked = time.monotonic()  # a countdown set up after the date is renamed at once
        answer = await set_countdown(fake, korean, text, locale="ko")
        assert f"카운트다운 채널: <#{text}>" in answer, answer
        # a text channel's name as Discord keeps it: lowercase, dashes for spaces
        await renamed_to(fake, text, "⏳-시즌2까지-4일")
        assert time.monotonic() - asked < 5

        start = premiere.timestamp()
        steps = [
            (start - 30 * HOUR + 60, "⏳ S2 in 30 hours", "⏳-시즌2까지-30시간"),
            (start + 5, "🎬 S2 is out now", "🎬-시즌2-공개!"),
        ]
        for bot_now, english, hangul in steps:
            await moved_to(fake, bot, bot_now)
            await renamed_to(fake, voice, english)
            await renamed_to(fake, text, hangul)
        # past the five minutes, a stored, normalized name is right too: nothing to do
        await moved_to(fake, bot, start + 15 * 60)
        await asyncio.sleep(0.5)

        for channel_id in (voice, text):
            assert len(renames(fake, channel_id)) == 3, renames(fake, channel_id)
            assert patches(fake, channel_id) == [200] * 3
            assert most_in_ten_minutes(fake, channel_id) == 1


async def test_a_429_is_waited_out_even_across_a_restart(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        voice = fake.guild.voice_channel_id
        await set_countdown(fake, fake.guild, voice)
        for name in ("Watch Party 🍿", "Watch Party"):  # a moderator used up the limit
            fake.rename_channel(voice, name)
        await set_release(fake, at_minute(time.time() + 11.5 * DAY))
        [limited] = await fake.wait_for_request("PATCH", rf"/channels/{voice}")
        retry_at = time.time() + limited.response["retry_after"]
        assert limited.status == 429 and limited.response["retry_after"] > 590
        await asyncio.sleep(1.5)
        assert patches(fake, voice) == [429]  # neither discord.py nor the job tried again

        await moved_to(fake, bot, time.time() + 300)
        await asyncio.sleep(0.5)
        assert patches(fake, voice) == [429]  # the wait is remembered across a restart
        await moved_to(fake, bot, retry_at + 2)
        await renamed_to(fake, voice, "⏳ S2 in 12 days")
        assert patches(fake, voice) == [429, 200]
        assert most_in_ten_minutes(fake, voice) == 2
        assert fake.renames(voice)[-1][0] >= retry_at


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


async def test_a_month_alone_is_shown_as_said(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, _bot):
        voice = fake.guild.voice_channel_id
        await set_countdown(fake, fake.guild, voice)
        await asyncio.sleep(1.0)
        assert renames(fake, voice) == []  # nothing known yet: the channel is left alone
        result = await fake.invoke("admin release", {"date": "2031-09"}, member=fake.guild.admin)
        assert "expected in September 2031" in result.text
        await renamed_to(fake, voice, "⏳ S2: Sept 2031")  # no made-up day, no count of days
