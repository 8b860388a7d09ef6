"""Show-wide release facts: set or withdraw the premiere, post an update, read the status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from bot.clock import Clock
from bot.errors import InputError
from bot.notify import PREMIERE
from bot.notify.partial import parse_partial
from bot.notify.plan import SERIES, reminder_plan
from bot.notify.when import CLEAR_WORDS, DEFAULT_TIMEZONE, parse_premiere
from bot.outbox import Outbox
from bot.show.loader import ShowStore
from bot.show.model import Text, TimelineEntry
from bot.store import Store, Tx
from bot.store.processes import SILENT_AFTER
from bot.store.records import Followup, Planned, ProcessRecord
from bot.untrusted import clean_input
from bot.usecases.inputs import ReplyHandle
from bot.usecases.ports import Announce, DiscordActions

MAX_NOTE = 200
MAX_UPDATE = 1000
MAX_SOURCE = 200


class PremiereChanged(NamedTuple):
    """The outcome of `/admin release`: the new premiere (None: withdrawn), what was planned,
    and the servers whose scheduled event cannot be kept (the bot may not manage events)."""

    starts_at: int | None
    planned: list[Planned]
    events_updating: int
    events_refused: list[str]
    expected: str | None = None  # only a year or month is known: '2026', '2026-09'

    @property
    def cleared(self) -> bool:
        return self.starts_at is None and self.expected is None


class ReleaseInfo(NamedTuple):
    starts_at: datetime | None
    note: str | None
    timeline: list[TimelineEntry]  # the facts file's and the posted updates, oldest first
    expected: str | None = None  # a year or month announced before the day
    episodes: int | None = None  # season 2's episode count, once a moderator set it


class ReleaseUseCases:
    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        clock: Clock,
        discord: DiscordActions,
        show: ShowStore,
        announce: Announce,
    ) -> None:
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.discord = discord
        self.show = show
        self.announce = announce

    @staticmethod
    def is_clear(date: str) -> bool:
        return date.strip().casefold() in CLEAR_WORDS

    async def set_premiere(
        self, *, date: str, time: str | None, timezone: str | None, note: str | None,
        user_id: int, reply: ReplyHandle | None = None,
    ) -> PremiereChanged:  # fmt: skip
        """Store the date, retire every older plan, schedule the announcement and reminders.
        A year or a month alone is stored and announced as such, with no reminders until the
        day is known. Raises InputError for a date that cannot be read or has passed."""
        now = self.clock.seconds()
        note = clean_input(note, MAX_NOTE) or None if note else None
        partial = parse_partial(date, self.clock.now())
        if partial is not None:
            if time or timezone:
                raise InputError("release.partial_no_time", value=date)
            return await self._set_expected(partial.stored(), note, user_id, reply)
        starts_at = int(parse_premiere(date, time, timezone, self.clock.now()).timestamp())
        async with self.store.transaction() as tx:
            old = await tx.premiere.current_for_change()
            new = await tx.premiere.put(
                starts_at=starts_at, timezone=timezone or DEFAULT_TIMEZONE, note=note,
                user_id=user_id, now=now,
            )  # fmt: skip
            await tx.outbox.retire_series(SERIES)
            payload = {"revision": new.revision, "starts_at": starts_at, "note": note}
            planned = [Planned("date_set", now)]
            announced = await self.outbox.schedule(
                tx, "date_set", payload, due_at=now, now=now, series=SERIES
            )
            await _watch(tx, announced, reply, now)
            for kind, due, _expires in reminder_plan(starts_at, now):
                # (with the kinds that go with it: the premiere's discussion thread, …)
                await self.outbox.schedule(tx, kind, payload, due_at=due, now=now, series=SERIES)
                planned.append(Planned(kind, due))
            await tx.audit.record(
                guild_id=None, user_id=user_id, action="release.set", old=old.describe(),
                new=new.describe(), now=now,
            )  # fmt: skip
        return await self._changed(starts_at, planned)

    async def _set_expected(
        self, expected: str, note: str | None, user_id: int, reply: ReplyHandle | None
    ) -> PremiereChanged:
        """Only the year or month is known: announced as such; every planned reminder goes."""
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            old = await tx.premiere.current_for_change()
            new = await tx.premiere.put(
                starts_at=None, timezone=None, note=note, user_id=user_id, now=now,
                expected=expected,
            )  # fmt: skip
            await tx.outbox.retire_series(SERIES)
            payload = {"revision": new.revision, "starts_at": None, "expected": expected,
                       "note": note}  # fmt: skip
            announced = await self.outbox.schedule(
                tx, "date_set", payload, due_at=now, now=now, series=SERIES
            )
            await _watch(tx, announced, reply, now)
            await tx.audit.record(
                guild_id=None, user_id=user_id, action="release.expected", old=old.describe(),
                new=new.describe(), now=now,
            )  # fmt: skip
        return await self._changed(None, [Planned("date_set", now)], expected)

    async def clear_premiere(
        self, *, user_id: int, reply: ReplyHandle | None = None
    ) -> PremiereChanged | None:
        """Withdraw the date: reminders are cancelled and the withdrawal is announced.
        None when there was no date to withdraw."""
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            old = await tx.premiere.current_for_change()
            if not old.announced:
                return None
            new = await tx.premiere.put(
                starts_at=None, timezone=None, note=None, user_id=user_id, now=now
            )
            await tx.outbox.retire_series(SERIES)
            payload = {"revision": new.revision, "starts_at": None, "note": None}
            announced = await self.outbox.schedule(
                tx, "date_cleared", payload, due_at=now, now=now, series=SERIES
            )
            await _watch(tx, announced, reply, now)
            await tx.audit.record(
                guild_id=None, user_id=user_id, action="release.clear", old=old.describe(),
                new=None, now=now,
            )  # fmt: skip
        return await self._changed(None, [])

    async def change_premiere(
        self, *, date: str, time: str | None, timezone: str | None, note: str | None,
        user_id: int, reply: ReplyHandle | None = None,
    ) -> PremiereChanged | None:  # fmt: skip
        """`/admin release`: a date sets the premiere, a clear word withdraws it (None: there
        was none to withdraw). With `reply`, the moderator's confirmation shows the progress
        of the announcement's fan-out."""
        if self.is_clear(date):
            return await self.clear_premiere(user_id=user_id, reply=reply)
        return await self.set_premiere(
            date=date, time=time, timezone=timezone, note=note, user_id=user_id, reply=reply
        )

    async def _changed(
        self, starts_at: int | None, planned: list[Planned], expected: str | None = None
    ) -> PremiereChanged:
        self.announce(PREMIERE)  # scheduled events and countdowns follow the stored premiere
        allowed, refused = self.discord.event_servers()  # this process's servers
        count = len(allowed)
        for other in await self._other_processes():  # the others' servers, as last told
            count += other.event_servers
            refused = [*refused, *other.events_refused]
        return PremiereChanged(starts_at, planned, count, refused, expected)

    async def _other_processes(self) -> list[ProcessRecord]:
        since = self.clock.seconds() - SILENT_AFTER
        return [
            p for p in await self.store.processes.all()
            if p.id != self.store.owner and p.heartbeat_at > since
        ]  # fmt: skip

    async def post_update(
        self, *, text: str, source: str | None, user_id: int, reply: ReplyHandle | None = None
    ) -> int:
        """Add an update to the timeline and announce it in every server; its id."""
        body = clean_input(text, MAX_UPDATE)
        if not body:
            raise InputError("update.empty")
        source = clean_input(source, MAX_SOURCE) or None if source else None
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            update = await tx.premiere.add_update(
                text=body, source=source, user_id=user_id, now=now
            )
            payload = {"update_id": update.id, "text": body, "source": source}
            announced = await self.outbox.schedule(tx, "update", payload, due_at=now, now=now)
            await _watch(tx, announced, reply, now)
            await tx.audit.record(
                guild_id=None, user_id=user_id, action="update.post", old=None, new=body,
                now=now,
            )  # fmt: skip
        return update.id

    async def info(self, updates: int = 10) -> ReleaseInfo:
        """What `/release` shows: the premiere and the timeline with posted updates merged in."""
        premiere = await self.store.premiere.current()
        posted = await self.store.premiere.updates(limit=updates)
        entries = [
            TimelineEntry(
                date=datetime.fromtimestamp(u.posted_at, UTC).date(),
                text=Text(u.text, u.text),  # written in one language
                source=u.source or "",
            )
            for u in reversed(posted)
        ]
        starts = datetime.fromtimestamp(premiere.starts_at, UTC) if premiere.starts_at else None
        timeline = [*self.show.data.timeline, *entries]
        episodes = await self.store.rooms.episode_count()
        return ReleaseInfo(starts, premiere.note, timeline, premiere.expected, episodes)


async def _watch(tx: Tx, notification_id: int, reply: ReplyHandle | None, now: int) -> None:
    """The moderator's confirmation will show how the fan-out goes."""
    if reply is not None:
        await tx.followups.add(Followup(
            notification_id, reply.application_id, reply.token, reply.locale, "progress",
            reply.expires_at(now),
        ))  # fmt: skip
