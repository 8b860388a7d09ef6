"""A server's own business: its settings, who may moderate, its status and its subscribers."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from bot.clock import Clock
from bot.errors import InputError
from bot.notify import COUNTDOWN
from bot.settings import Settings
from bot.show.loader import ShowDataError, ShowStore
from bot.store import Store
from bot.store.events import EventRecord
from bot.store.records import (
    VIAS,
    AuditEntry,
    GuildSettings,
    Planned,
    Premiere,
    Problem,
    ProcessRecord,
    Progress,
    QueueStats,
    Subscription,
    Via,
)
from bot.usecases.feeds import failing
from bot.usecases.ports import Announce
from bot.usecases.rooms import episode_counts


class ServerStatus(NamedTuple):
    settings: GuildSettings
    premiere: Premiere
    upcoming: list[Planned]
    stats: QueueStats
    problems: list[Problem]
    audit: list[AuditEntry]
    event: EventRecord
    fan_outs: list[tuple[Progress, float]]  # each with its seconds left at the REST limit
    failing_feeds: list[str]  # news feeds that have failed for over a day
    processes: list[ProcessRecord]  # the bot's processes, the sender first
    episodes: dict[int, int] | None  # members at each episode (None: no episode rooms)


class SubscriberExport(NamedTuple):
    counts: dict[Via, int]
    csv: bytes

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def subscribers_csv(subscriptions: Sequence[Subscription]) -> bytes:
    """user id, name, via, since, reminders; cells a spreadsheet would run as a formula are
    quoted."""
    import csv  # at the first export: ~1.7 ms of start-up otherwise

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["user_id", "name", "via", "since", "reminders"])
    for s in subscriptions:
        name = s.user_name
        safe = "'" + name if name[:1] in ("=", "+", "-", "@", "\t", "\r") else name
        iso = datetime.fromtimestamp(s.since, UTC).isoformat()
        writer.writerow([str(s.user_id), safe, s.via, iso, s.reminders])
    return buffer.getvalue().encode("utf-8-sig")


class ServerUseCases:
    def __init__(
        self, store: Store, clock: Clock, settings: Settings, show: ShowStore,
        announce: Announce,
    ) -> None:  # fmt: skip
        self.store = store
        self.clock = clock
        self.settings = settings
        self.show = show
        self.announce = announce

    async def settings_of(self, guild_id: int) -> GuildSettings:
        return await self.store.guilds.get(guild_id)

    async def set_up(
        self, guild_id: int, *, user_id: int, channel_id: int | None, role_id: int | None,
        mod_role_id: int | None, locale: str, countdown_channel_id: int | None = None,
        discussion: bool | None = None, review_channel_id: int | None = None,
    ) -> GuildSettings:  # fmt: skip
        """Change what was given (None: not given), and audit it in the same transaction.
        Feed items are reviewed in the home server only."""
        if review_channel_id is not None and guild_id != self.settings.home_guild_id:
            raise InputError("setup.review_not_home")
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            old, new = await tx.guilds.update(
                guild_id, channel_id=channel_id, role_id=role_id, mod_role_id=mod_role_id,
                locale=locale, countdown_channel_id=countdown_channel_id,
                discussion=discussion, review_channel_id=review_channel_id, now=now,
            )  # fmt: skip
            await tx.audit.record(
                guild_id=guild_id, user_id=user_id, action="setup", old=old.describe(),
                new=new.describe(), now=now,
            )  # fmt: skip
        if (new.countdown_channel_id, new.locale) != (old.countdown_channel_id, old.locale):
            self.announce(COUNTDOWN)  # a new channel (or language) is renamed at once
        return new

    async def is_moderator(
        self, guild_id: int | None, *, manages_server: bool, role_ids: Iterable[int]
    ) -> bool:
        """Manage Server (from the interaction's resolved permissions) or the mod role."""
        if guild_id is None:
            return False
        if manages_server:
            return True
        mod_role = (await self.store.guilds.get(guild_id)).mod_role_id
        return mod_role is not None and mod_role in set(role_ids)

    async def may_change_show(
        self, guild_id: int | None, *, is_owner: bool, manages_server: bool,
        role_ids: Iterable[int],
    ) -> bool:  # fmt: skip
        """Show-wide facts: the home server's moderators, or the bot's owner."""
        if is_owner:
            return True
        home = self.settings.home_guild_id
        if home is None or guild_id != home:
            return False
        return await self.is_moderator(guild_id, manages_server=manages_server, role_ids=role_ids)

    async def status(self, guild_id: int) -> ServerStatus:
        """Settings, schedule, queue, problems, audit, how the latest fan-outs stand, and
        where members are in the episode rooms."""
        s = self.store
        return ServerStatus(
            settings=await s.guilds.get(guild_id),
            premiere=await s.premiere.current(),
            upcoming=await s.outbox.upcoming(limit=5),
            stats=await s.outbox.stats(),
            problems=await s.outbox.problems(guild_id),
            audit=await s.audit.latest(guild_id),
            event=await s.events.get(guild_id),
            fan_outs=[
                (p, p.pending / self.settings.rate_limit) for p in await s.outbox.latest_fan_outs()
            ],
            failing_feeds=[f.url for f in await s.feeds.all() if failing(f, self.clock.seconds())],
            processes=await s.processes.all(),
            episodes=await episode_counts(s, guild_id),
        )

    async def subscribers(self, guild_id: int) -> SubscriberExport:
        counts = await self.store.subscriptions.counts(guild_id)
        listed = await self.store.subscriptions.list(guild_id)
        return SubscriberExport({via: counts[via] for via in VIAS}, subscribers_csv(listed))

    async def reload_show(self, guild_id: int | None, user_id: int) -> int:
        """Re-read the facts file; the cast's size. A bad file keeps the old facts and raises
        InputError naming the problem."""
        try:
            data = self.show.reload()
        except ShowDataError as exc:
            raise InputError("reload.failed", limit=500, error=str(exc)) from None
        await self.store.audit.record(
            guild_id=guild_id, user_id=user_id, action="reload", old=None,
            new=self.settings.show_data_path.name, now=self.clock.seconds(),
        )  # fmt: skip
        return len(data.cast)
