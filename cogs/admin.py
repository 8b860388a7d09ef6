"""/admin: server set-up, the premiere date, updates, subscribers and status."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands

from bot.client import FanBot
from bot.errors import NotAllowed, UserError
from bot.i18n import Lang, add_messages, lang_of, register_ko, t
from bot.notify.release import Planned
from bot.notify.when import CLEAR_WORDS, PremiereInputError, parse_premiere, zone_suggestions
from bot.show.loader import ShowDataError
from cogs._checks import is_moderator, may_change_show
from cogs._text import clean_input, quote

register_ko({
    "admin": "관리",
    "Moderator tools for the notification bot": "알림 봇 관리 도구",
    "setup": "설정",
    "This server's announcement channel, notification role and moderator role":
        "이 서버의 공지 채널, 알림 역할, 관리자 역할",
    "channel": "채널",
    "Where announcements and reminders are posted": "공지와 알림을 올릴 채널",
    "role": "역할",
    "The role pinged for premiere notifications": "공개 알림 때 멘션할 역할",
    "mod_role": "관리자역할",
    "Members with this role may use /admin": "이 역할이 있으면 /admin을 쓸 수 있어요",
    "release": "공개일",
    "Set the season 2 premiere (show-wide): announces it and schedules reminders":
        "시즌 2 공개일 설정 (전체 서버): 발표하고 알림을 예약해요",
    "date": "날짜",
    "Premiere date as YYYY-MM-DD, or 'clear' to withdraw it":
        "공개 날짜 YYYY-MM-DD, 취소는 'clear'",
    "time": "시간",
    "Premiere time as HH:MM, 24-hour (default 17:00)": "공개 시간 HH:MM, 24시간제 (기본 17:00)",
    "timezone": "시간대",
    "Time zone, e.g. Asia/Seoul (default) or UTC": "시간대, 예: Asia/Seoul (기본) 또는 UTC",
    "note": "메모",
    "A short note shown with the announcement": "발표와 함께 보여 줄 짧은 메모",
    "update": "소식",
    "Post a release or production update to every server (show-wide)":
        "공개·제작 소식을 모든 서버에 올려요 (전체 서버)",
    "text": "내용",
    "The update": "소식 내용",
    "source": "출처",
    "Where it comes from": "소식의 출처",
    "subscribers": "구독자",
    "Subscriber counts, and the list as a CSV file": "구독자 수와 CSV 목록",
    "This server's settings and the notifications scheduled next": "이 서버 설정과 다음 예약 알림",
    "reload": "새로고침",
    "Reload the show's facts file": "작품 정보 파일 다시 읽기",
})  # fmt: skip

add_messages({
    "admin.not_mod": {
        "en": "Only moderators can do that: you need Manage Server or this server's "
        "moderator role.",
        "ko": "관리자만 할 수 있어요: 서버 관리 권한이나 이 서버의 관리자 역할이 필요해요.",
    },
    "admin.not_home": {
        "en": "The premiere date and updates are show-wide: only the home server's moderators "
        "or the bot's owner can change them.",
        "ko": "공개일과 소식은 모든 서버에 적용돼요: 홈 서버 관리자나 봇 소유자만 바꿀 수 있어요.",
    },
    "setup.saved": {"en": "✅ Settings saved.", "ko": "✅ 설정을 저장했어요."},
    "setup.current": {"en": "Current settings:", "ko": "현재 설정:"},
    "setup.channel": {"en": "Announcement channel: {value}", "ko": "공지 채널: {value}"},
    "setup.role": {"en": "Notification role: {value}", "ko": "알림 역할: {value}"},
    "setup.mod_role": {"en": "Moderator role: {value}", "ko": "관리자 역할: {value}"},
    "setup.unset": {"en": "not set", "ko": "설정 안 됨"},
    "setup.no_channel_access": {
        "en": "I can't post in {channel}: I need View Channel, Send Messages and Embed Links "
        "there.",
        "ko": "{channel}에 글을 올릴 수 없어요: 채널 보기, 메시지 보내기, 링크 첨부 권한이 "
        "필요해요.",
    },
    "setup.bad_role": {
        "en": "{role} can't be the notification role: pick a role that isn't @everyone or "
        "managed by an integration.",
        "ko": "{role}은(는) 알림 역할로 쓸 수 없어요: @everyone이나 연동 역할이 아닌 역할을 "
        "골라 주세요.",
    },
    "setup.role_too_high": {
        "en": "I can't give out {role}: my own role must be above it in Server Settings → Roles.",
        "ko": "{role}을(를) 줄 수 없어요: 서버 설정 → 역할에서 봇 역할을 그 위로 올려 주세요.",
    },
    "setup.role_unmentionable": {
        "en": "⚠️ {role} isn't mentionable and I lack “Mention All Roles”: pings won't reach anyone "
        "until one of those is allowed.",
        "ko": "⚠️ {role}은(는) 멘션할 수 없는 역할이고 봇에게 ‘모든 역할 멘션’ 권한이 없어요: "
        "둘 중 하나를 허용해야 알림이 가요.",
    },
    "setup.bad_mod_role": {
        "en": "@everyone can't be the moderator role.",
        "ko": "@everyone은 관리자 역할이 될 수 없어요.",
    },
    "release.bad_date_format": {
        "en": "`{value}` isn't a date: write it as YYYY-MM-DD, e.g. 2026-12-24.",
        "ko": "`{value}`은(는) 날짜 형식이 아니에요: YYYY-MM-DD로 써 주세요 (예: 2026-12-24).",
    },
    "release.no_such_date": {
        "en": "`{value}` isn't a day of the calendar.",
        "ko": "`{value}`은(는) 달력에 없는 날짜예요.",
    },
    "release.bad_time_format": {
        "en": "`{value}` isn't a time: write it as HH:MM (24-hour), e.g. 17:00.",
        "ko": "`{value}`은(는) 시간 형식이 아니에요: HH:MM (24시간제)로 써 주세요 (예: 17:00).",
    },
    "release.no_such_time": {
        "en": "`{value}` isn't a time of day: hours go to 23 and minutes to 59.",
        "ko": "`{value}`은(는) 없는 시간이에요: 시는 23, 분은 59까지예요.",
    },
    "release.bad_timezone": {
        "en": "`{value}` isn't a time zone I know: use a region name like Asia/Seoul, or UTC.",
        "ko": "`{value}`은(는) 모르는 시간대예요: Asia/Seoul 같은 지역 이름이나 UTC를 써 주세요.",
    },
    "release.in_past": {
        "en": "{value} has already passed: the premiere must be in the future.",
        "ko": "{value}은(는) 이미 지났어요: 공개일은 미래여야 해요.",
    },
    "release.set": {
        "en": "✅ Premiere set to {when}. The announcement is on its way to every server.",
        "ko": "✅ 공개일을 {when}(으)로 정했어요. 모든 서버에 발표를 보내고 있어요.",
    },
    "release.reminders": {"en": "Reminders: {items}", "ko": "알림 예약: {items}"},
    "release.no_reminders": {
        "en": "No reminders: every reminder time has already passed.",
        "ko": "예약할 알림이 없어요: 알림 시각이 모두 지났어요.",
    },
    "release.events_failed": {
        "en": "⚠️ I couldn't create the scheduled event in: {servers} (I need Manage Events).",
        "ko": "⚠️ 다음 서버에서는 예정된 이벤트를 만들지 못했어요: {servers} "
        "(이벤트 관리 권한 필요).",
    },
    "release.events_ok": {
        "en": "📅 Scheduled event updated in {count} server(s).",
        "ko": "📅 서버 {count}곳의 예정된 이벤트를 업데이트했어요.",
    },
    "release.cleared": {
        "en": "✅ The premiere date is withdrawn; reminders are cancelled and servers are told.",
        "ko": "✅ 공개일을 취소했어요. 알림 예약을 지우고 서버에 알렸어요.",
    },
    "release.nothing_to_clear": {
        "en": "No premiere date is set, so there's nothing to clear.",
        "ko": "정해진 공개일이 없어서 취소할 것이 없어요.",
    },
    "update.posted": {
        "en": "✅ Update added to the timeline and on its way to every server's announcement "
        "channel.",
        "ko": "✅ 소식을 타임라인에 추가하고 모든 서버의 공지 채널로 보내고 있어요.",
    },
    "update.empty": {"en": "The update has no text.", "ko": "소식 내용이 비어 있어요."},
    "subscribers.counts": {
        "en": "Subscribers here: **{total}** ({role} role, {dm} DM, {both} both).",
        "ko": "이 서버 구독자: **{total}**명 (역할 {role}, DM {dm}, 둘 다 {both}).",
    },
    "status.title": {"en": "Bot status for this server", "ko": "이 서버의 봇 상태"},
    "status.settings": {"en": "Settings", "ko": "설정"},
    "status.premiere": {"en": "Premiere", "ko": "공개일"},
    "status.not_set": {"en": "Not announced", "ko": "발표 전"},
    "status.next": {"en": "Next notifications", "ko": "다음 알림"},
    "status.none": {"en": "Nothing scheduled", "ko": "예약된 알림 없음"},
    "status.queue": {"en": "Deliveries", "ko": "전송"},
    "status.queue_counts": {
        "en": "{sent} sent · {pending} waiting · {failed} failed · {missed} missed",
        "ko": "보냄 {sent} · 대기 {pending} · 실패 {failed} · 놓침 {missed}",
    },
    "status.problems": {"en": "Recent problems", "ko": "최근 문제"},
    "status.audit": {"en": "Recent admin actions", "ko": "최근 관리 기록"},
    "reload.ok": {
        "en": "✅ Show facts reloaded ({cast} cast members).",
        "ko": "✅ 작품 정보를 다시 읽었어요 (출연진 {cast}명).",
    },
    "reload.failed": {
        "en": "The file has a problem, so I kept the previous facts: {error}",
        "ko": "파일에 문제가 있어서 이전 정보를 유지했어요: {error}",
    },
})  # fmt: skip

MAX_NOTE = 200
MAX_UPDATE = 1000
MAX_SOURCE = 200


def mention_or_unset(lang: Lang, prefix: str, value: int | None) -> str:
    return f"<{prefix}{value}>" if value else t(lang, "setup.unset")


def planned_text(lang: Lang, planned: list[Planned]) -> str:
    items = [
        f"{t(lang, f'kind.{p.kind}')} <t:{p.due_at}:R>" for p in planned if p.kind != "date_set"
    ]
    return (
        t(lang, "release.reminders", items=", ".join(items))
        if items
        else t(lang, "release.no_reminders")
    )


def subscribers_csv(rows: Sequence[tuple[int, str, str, int]]) -> bytes:
    """user id, name, via, since; cells that a spreadsheet would run as a formula are quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["user_id", "name", "via", "since"])
    for user_id, name, via, since in rows:
        safe = "'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name
        iso = datetime.fromtimestamp(since, UTC).isoformat()
        writer.writerow([str(user_id), safe, via, iso])
    return buffer.getvalue().encode("utf-8-sig")


class Admin(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    admin = app_commands.Group(
        name=_("admin"),
        description=_("Moderator tools for the notification bot"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Checked in the bot on every call, whatever Discord's permission settings say."""
        if await self.bot.is_owner(interaction.user):
            return True
        if not await is_moderator(self.bot, interaction):
            raise NotAllowed(t(lang_of(interaction.locale), "admin.not_mod"))
        return True

    async def _require_show_wide(self, interaction: discord.Interaction) -> None:
        if not await may_change_show(self.bot, interaction):
            raise NotAllowed(t(lang_of(interaction.locale), "admin.not_home"))

    # --- setup ---------------------------------------------------------------------------

    @admin.command(
        name=_("setup"),
        description=_("This server's announcement channel, notification role and moderator role"),
    )
    @app_commands.rename(channel=_("channel"), role=_("role"), mod_role=_("mod_role"))
    @app_commands.describe(
        channel=_("Where announcements and reminders are posted"),
        role=_("The role pinged for premiere notifications"),
        mod_role=_("Members with this role may use /admin"),
    )
    async def setup_command(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        mod_role: discord.Role | None = None,
    ) -> None:
        assert interaction.guild is not None
        lang = lang_of(interaction.locale)
        warnings = self._check_setup(lang, interaction.guild, channel, role, mod_role)
        service = self.bot.notifications
        if channel or role or mod_role:
            old, new = await service.guild_settings.update(
                interaction.guild.id,
                channel_id=channel.id if channel else None,
                role_id=role.id if role else None,
                mod_role_id=mod_role.id if mod_role else None,
                locale=str(interaction.guild_locale or "en-US"),
                now=service.now(),
            )
            await service.audit.record(
                guild_id=interaction.guild.id, user_id=interaction.user.id, action="setup",
                old=old.describe(), new=new.describe(), now=service.now(),
            )  # fmt: skip
            head = t(lang, "setup.saved")
        else:
            new = await service.guild_settings.get(interaction.guild.id)
            head = t(lang, "setup.current")
        lines = [
            head,
            t(lang, "setup.channel", value=mention_or_unset(lang, "#", new.channel_id)),
            t(lang, "setup.role", value=mention_or_unset(lang, "@&", new.role_id)),
            t(lang, "setup.mod_role", value=mention_or_unset(lang, "@&", new.mod_role_id)),
            *warnings,
        ]
        await interaction.response.send_message(
            "\n".join(lines), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    def _check_setup(
        self,
        lang: Lang,
        guild: discord.Guild,
        channel: discord.TextChannel | None,
        role: discord.Role | None,
        mod_role: discord.Role | None,
    ) -> list[str]:
        """Refuse what cannot work; warn about what may not. Returns the warnings."""
        me = guild.me
        if channel is not None:
            perms = channel.permissions_for(me)
            if not (perms.view_channel and perms.send_messages and perms.embed_links):
                raise UserError(t(lang, "setup.no_channel_access", channel=channel.mention))
        warnings = []
        if role is not None:
            if role.is_default() or role.managed:
                raise UserError(t(lang, "setup.bad_role", role=role.mention))
            if role >= me.top_role:
                raise UserError(t(lang, "setup.role_too_high", role=role.mention))
            if not role.mentionable and not guild.me.guild_permissions.mention_everyone:
                warnings.append(t(lang, "setup.role_unmentionable", role=role.mention))
        if mod_role is not None and mod_role.is_default():
            raise UserError(t(lang, "setup.bad_mod_role"))
        return warnings

    # --- release date ----------------------------------------------------------------------

    @admin.command(
        name=_("release"),
        description=_(
            "Set the season 2 premiere (show-wide): announces it and schedules reminders"
        ),
    )
    @app_commands.rename(date=_("date"), time=_("time"), timezone=_("timezone"), note=_("note"))
    @app_commands.describe(
        date=_("Premiere date as YYYY-MM-DD, or 'clear' to withdraw it"),
        time=_("Premiere time as HH:MM, 24-hour (default 17:00)"),
        timezone=_("Time zone, e.g. Asia/Seoul (default) or UTC"),
        note=_("A short note shown with the announcement"),
    )
    async def release_command(
        self,
        interaction: discord.Interaction,
        date: app_commands.Range[str, 1, 20],
        time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        note: app_commands.Range[str, 1, MAX_NOTE] | None = None,
    ) -> None:
        await self._require_show_wide(interaction)
        lang = lang_of(interaction.locale)
        service = self.bot.notifications
        if date.strip().casefold() in CLEAR_WORDS:
            await self._clear_release(interaction, lang)
            return
        try:
            starts = parse_premiere(date, time, timezone, self.bot.clock.now())
        except PremiereInputError as exc:
            values = {key: quote(value, 64) for key, value in exc.values.items()}
            raise UserError(t(lang, exc.key, **values)) from None
        await interaction.response.defer(ephemeral=True, thinking=True)
        starts_at = int(starts.timestamp())
        clean_note = clean_input(note, MAX_NOTE) if note else None
        planned = await service.release.set_premiere(
            starts_at=starts_at, timezone=timezone or "Asia/Seoul", note=clean_note,
            user_id=interaction.user.id, now=service.now(),
        )  # fmt: skip
        service.dispatcher.wake()
        lines = [
            t(lang, "release.set", when=f"<t:{starts_at}:F> (<t:{starts_at}:R>)"),
            planned_text(lang, planned),
            await self._sync_events(lang, starts_at, clean_note),
        ]
        await interaction.followup.send("\n".join(lines), ephemeral=True)

    async def _clear_release(self, interaction: discord.Interaction, lang: Lang) -> None:
        service = self.bot.notifications
        await interaction.response.defer(ephemeral=True, thinking=True)
        cleared = await service.release.clear_premiere(
            user_id=interaction.user.id, now=service.now()
        )
        if not cleared:
            await interaction.followup.send(t(lang, "release.nothing_to_clear"), ephemeral=True)
            return
        service.dispatcher.wake()
        events = await self._sync_events(lang, None, None)
        await interaction.followup.send(f"{t(lang, 'release.cleared')}\n{events}", ephemeral=True)

    async def _sync_events(self, lang: Lang, starts_at: int | None, note: str | None) -> str:
        """The premiere as a scheduled event wherever the bot may manage events."""
        allowed = [g for g in self.bot.guilds if g.me.guild_permissions.manage_events]
        refused = [g for g in self.bot.guilds if g not in allowed]  # not asked: no 403 to count
        failed = await self.bot.notifications.events.sync([g.id for g in allowed], starts_at, note)
        names = [quote(g.name, 50) for g in refused]
        names += [quote(getattr(self.bot.get_guild(g), "name", str(g)), 50) for g in failed]
        if names:
            return t(lang, "release.events_failed", servers=", ".join(names))
        return t(lang, "release.events_ok", count=len(allowed))

    @release_command.autocomplete("timezone")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_suggestions(current[:64])]

    # --- updates ---------------------------------------------------------------------------

    @admin.command(
        name=_("update"),
        description=_("Post a release or production update to every server (show-wide)"),
    )
    @app_commands.rename(text=_("text"), source=_("source"))
    @app_commands.describe(text=_("The update"), source=_("Where it comes from"))
    async def update_command(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, MAX_UPDATE],
        source: app_commands.Range[str, 1, MAX_SOURCE] | None = None,
    ) -> None:
        await self._require_show_wide(interaction)
        lang = lang_of(interaction.locale)
        body = clean_input(text, MAX_UPDATE)
        if not body:
            raise UserError(t(lang, "update.empty"))
        service = self.bot.notifications
        await service.release.add_update(
            text=body, source=clean_input(source, MAX_SOURCE) if source else None,
            user_id=interaction.user.id, now=service.now(),
        )  # fmt: skip
        service.dispatcher.wake()
        await interaction.response.send_message(t(lang, "update.posted"), ephemeral=True)

    # --- subscribers and status -------------------------------------------------------------

    @admin.command(
        name=_("subscribers"), description=_("Subscriber counts, and the list as a CSV file")
    )
    async def subscribers_command(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lang = lang_of(interaction.locale)
        repo = self.bot.notifications.subscriptions
        counts = await repo.counts(interaction.guild_id)
        rows = [
            (s.user_id, s.user_name, s.via, s.since) for s in await repo.list(interaction.guild_id)
        ]
        text = t(lang, "subscribers.counts", total=sum(counts.values()), **counts)
        file = discord.File(io.BytesIO(subscribers_csv(rows)), filename="subscribers.csv")
        await interaction.response.send_message(text, file=file, ephemeral=True)

    @admin.command(
        name=_("status"),
        description=_("This server's settings and the notifications scheduled next"),
    )
    async def status_command(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None
        lang = lang_of(interaction.locale)
        embed = await self._status_embed(lang, interaction.guild_id)
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    async def _status_embed(self, lang: Lang, guild_id: int) -> discord.Embed:
        service = self.bot.notifications
        settings = await service.guild_settings.get(guild_id)
        premiere = await service.release.current()
        upcoming = await service.release.upcoming(limit=5)
        stats = await service.queue.stats()
        problems = await service.queue.problems(guild_id)
        audit = await service.audit.latest(guild_id)
        embed = discord.Embed(title=t(lang, "status.title"), colour=discord.Colour(0x8B0000))
        embed.add_field(name=t(lang, "status.settings"), inline=False, value="\n".join([
            t(lang, "setup.channel", value=mention_or_unset(lang, "#", settings.channel_id)),
            t(lang, "setup.role", value=mention_or_unset(lang, "@&", settings.role_id)),
            t(lang, "setup.mod_role", value=mention_or_unset(lang, "@&", settings.mod_role_id)),
        ]))  # fmt: skip
        when = premiere.starts_at
        embed.add_field(
            name=t(lang, "status.premiere"),
            value=f"<t:{when}:F> (<t:{when}:R>)" if when else t(lang, "status.not_set"),
            inline=False,
        )
        next_lines = [
            f"{t(lang, f'kind.{p.kind}')}: <t:{p.due_at}:F> (<t:{p.due_at}:R>)" for p in upcoming
        ]
        embed.add_field(
            name=t(lang, "status.next"),
            value="\n".join(next_lines) or t(lang, "status.none"),
            inline=False,
        )
        embed.add_field(name=t(lang, "status.queue"), inline=False, value=t(
            lang, "status.queue_counts", sent=stats.sent, pending=stats.pending,
            failed=stats.failed, missed=stats.missed,
        ))  # fmt: skip
        if problems:
            lines = [
                f"{t(lang, f'kind.{k}')}: {state} ({quote(err, 80)})" for k, state, err in problems
            ]
            embed.add_field(
                name=t(lang, "status.problems"), value="\n".join(lines)[:1024], inline=False
            )
        if audit:
            lines = [
                f"<t:{a.at}:R> <@{a.user_id}> {a.action}: {quote(a.new_value or '—', 80)}"
                for a in audit
            ]
            embed.add_field(
                name=t(lang, "status.audit"), value="\n".join(lines)[:1024], inline=False
            )
        return embed

    @admin.command(name=_("reload"), description=_("Reload the show's facts file"))
    async def reload_command(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)
        try:
            data = self.bot.show.reload()
        except ShowDataError as exc:
            raise UserError(t(lang, "reload.failed", error=quote(str(exc), 500))) from None
        await self.bot.notifications.audit.record(
            guild_id=interaction.guild_id, user_id=interaction.user.id, action="reload",
            old=None, new=self.bot.settings.show_data_path.name, now=self.bot.notifications.now(),
        )  # fmt: skip
        await interaction.response.send_message(
            t(lang, "reload.ok", cast=len(data.cast)), ephemeral=True
        )


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, FanBot)
    await bot.add_cog(Admin(bot))
