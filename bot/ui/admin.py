"""How the answers of /admin read: settings, the premiere plan, the status embed."""

from __future__ import annotations

import discord

from bot.discord_limits import CONTENT, FIELD_VALUE, fit_embed
from bot.i18n import Lang, t
from bot.notify.partial import expected_words
from bot.store.processes import SILENT_AFTER
from bot.store.records import GuildSettings, Planned, Premiere, ProcessRecord, Progress
from bot.ui.escape import quote
from bot.ui.rooms import counts_lines, made_text
from bot.ui.trivia import packs_text, trivia_setup_line
from bot.usecases.release import PremiereChanged
from bot.usecases.servers import ServerStatus, SubscriberExport
from bot.usecases.setup import Reloaded, SetupDone

COLOR = discord.Colour(0x8B0000)
MAX_PROCESS_LINES = 10
MAX_NAMED = 10  # servers named in one reply


def when(ts: int) -> str:
    return f"<t:{ts}:F> (<t:{ts}:R>)"


def mention_or_unset(lang: Lang, prefix: str, value: int | None) -> str:
    return f"<{prefix}{value}>" if value else t(lang, "setup.unset")


def settings_lines(lang: Lang, settings: GuildSettings) -> list[str]:
    countdown = mention_or_unset(lang, "#", settings.countdown_channel_id)
    discussion = t(lang, "setup.on") if settings.discussion else t(lang, "setup.off")
    return [
        t(lang, "setup.channel", value=mention_or_unset(lang, "#", settings.channel_id)),
        t(lang, "setup.role", value=mention_or_unset(lang, "@&", settings.role_id)),
        t(lang, "setup.mod_role", value=mention_or_unset(lang, "@&", settings.mod_role_id)),
        t(lang, "setup.countdown_channel", value=countdown),
        t(lang, "setup.discussion", value=discussion),
    ] + (
        [t(lang, "setup.review_channel", value=f"<#{settings.review_channel_id}>")]
        if settings.review_channel_id
        else []
    )


def setup_text(
    lang: Lang, settings: GuildSettings, *, saved: bool, warnings: list[tuple[str, dict[str, str]]]
) -> str:
    head = t(lang, "setup.saved" if saved else "setup.current")
    notes = [t(lang, key, **values) for key, values in warnings]
    return "\n".join([head, *settings_lines(lang, settings), *notes])


def setup_reply(lang: Lang, done: SetupDone, warnings: list[tuple[str, dict[str, str]]]) -> str:
    """/admin setup's answer: the settings, then the daily question, then the episode rooms."""
    lines = [setup_text(lang, done.settings, saved=done.saved, warnings=warnings)]
    lines.append(trivia_setup_line(lang, done.trivia))
    if done.rooms_made is not None:
        lines.append(made_text(lang, done.rooms_made))
    elif done.rooms_on is False:
        lines.append(t(lang, "rooms.off"))
    return "\n".join(lines)[:CONTENT]


def reload_text(lang: Lang, reloaded: Reloaded) -> str:
    return t(lang, "reload.ok", cast=reloaded.cast) + "\n" + packs_text(lang, reloaded.packs)


def subscribers_text(lang: Lang, export: SubscriberExport) -> str:
    return t(lang, "subscribers.counts", total=export.total, **export.counts)


def planned_text(lang: Lang, planned: list[Planned]) -> str:
    items = [
        f"{t(lang, f'kind.{p.kind}')} <t:{p.due_at}:R>" for p in planned if p.kind != "date_set"
    ]
    if not items:
        return t(lang, "release.no_reminders")
    return t(lang, "release.reminders", items=", ".join(items))


def events_text(lang: Lang, changed: PremiereChanged) -> str:
    if changed.events_refused:
        shown = changed.events_refused[:MAX_NAMED]
        names = ", ".join(quote(name, 50) for name in shown)
        if len(changed.events_refused) > len(shown):
            names += f" … +{len(changed.events_refused) - len(shown)}"
        return t(lang, "release.events_failed", servers=names)
    return t(lang, "release.events_ok", count=changed.events_updating)


def premiere_changed_text(lang: Lang, changed: PremiereChanged) -> str:
    if changed.expected is not None:
        words = expected_words(lang, changed.expected)
        return f"{t(lang, 'release.set_expected', when=words)}\n{events_text(lang, changed)}"
    if changed.starts_at is None:
        return f"{t(lang, 'release.cleared')}\n{events_text(lang, changed)}"
    return "\n".join([
        t(lang, "release.set", when=when(changed.starts_at)),
        planned_text(lang, changed.planned),
        events_text(lang, changed),
    ])  # fmt: skip


def progress_line(lang: Lang, progress: Progress, seconds_left: float | None, now: int) -> str:
    p = progress
    if p.done:
        return t(lang, "progress.done", sent=p.sent, total=p.total, failed=p.failed)
    left = (
        t(lang, "progress.unknown_eta")
        if seconds_left is None
        else (f"<t:{now + max(1, round(seconds_left))}:R>")
    )
    return t(lang, "progress.line", sent=p.sent, total=p.total, pending=p.pending,
             failed=p.failed, when=left)  # fmt: skip


def premiere_text(lang: Lang, premiere: Premiere) -> str:
    if premiere.starts_at is not None:
        return when(premiere.starts_at)
    if premiere.expected:
        return t(lang, "status.expected", when=expected_words(lang, premiere.expected))
    return t(lang, "status.not_set")


def process_lines(lang: Lang, processes: list[ProcessRecord], now: int) -> list[str]:
    """One line per process, within a field's limit; a silent one is flagged."""
    lines = []
    for p in processes[:MAX_PROCESS_LINES]:
        line = t(lang, "status.process_line", host=quote(p.host, 40), pid=p.pid,
                 shards=p.shards, beat=p.heartbeat_at,
                 sender=t(lang, "status.process_sender") if p.sender else "")  # fmt: skip
        if p.heartbeat_at <= now - SILENT_AFTER:
            line += t(lang, "status.process_silent")
        lines.append(line)
    if len(processes) > MAX_PROCESS_LINES:
        lines.append(f"… +{len(processes) - MAX_PROCESS_LINES}")
    return lines


def status_embed(lang: Lang, status: ServerStatus, now: int) -> discord.Embed:
    embed = discord.Embed(title=t(lang, "status.title"), colour=COLOR)
    embed.add_field(
        name=t(lang, "status.settings"), value="\n".join(settings_lines(lang, status.settings)),
        inline=False,
    )  # fmt: skip
    embed.add_field(
        name=t(lang, "status.premiere"), value=premiere_text(lang, status.premiere), inline=False
    )
    upcoming = [f"{t(lang, f'kind.{p.kind}')}: {when(p.due_at)}" for p in status.upcoming]
    embed.add_field(
        name=t(lang, "status.next"), value="\n".join(upcoming) or t(lang, "status.none"),
        inline=False,
    )  # fmt: skip
    s = status.stats
    embed.add_field(name=t(lang, "status.queue"), inline=False, value=t(
        lang, "status.queue_counts", sent=s.sent, pending=s.pending, failed=s.failed,
        missed=s.missed,
    ))  # fmt: skip
    if status.fan_outs:
        lines = [
            f"{t(lang, f'kind.{p.kind}')}: {progress_line(lang, p, left, now)}"
            for p, left in status.fan_outs
        ]
        embed.add_field(
            name=t(lang, "status.fan_outs"), value="\n".join(lines)[:FIELD_VALUE], inline=False
        )
    if status.processes:
        embed.add_field(name=t(lang, "status.processes"), inline=False,
                        value="\n".join(process_lines(lang, status.processes, now)))  # fmt: skip
    if status.failing_feeds:
        urls = "\n".join(quote(url, 200) for url in status.failing_feeds)
        embed.add_field(name=t(lang, "status.feeds_failing"), value=urls[:FIELD_VALUE],
                        inline=False)  # fmt: skip
    if status.problems:
        lines = [
            f"{t(lang, f'kind.{p.kind}')}: {p.state} ({quote(p.error, 80)})"
            for p in status.problems
        ]
        embed.add_field(
            name=t(lang, "status.problems"), value="\n".join(lines)[:FIELD_VALUE], inline=False
        )
    if status.audit:
        lines = [
            f"<t:{a.at}:R> <@{a.user_id}> {a.action}: {quote(a.new_value or '—', 80)}"
            for a in status.audit
        ]
        embed.add_field(
            name=t(lang, "status.audit"), value="\n".join(lines)[:FIELD_VALUE], inline=False
        )
    if status.episodes is not None:
        embed.add_field(name=t(lang, "rooms.status_title"), inline=False,
                        value=counts_lines(lang, status.episodes)[:FIELD_VALUE])  # fmt: skip
    return fit_embed(embed)
