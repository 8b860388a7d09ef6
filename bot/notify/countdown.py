"""Countdown channels: a background job keeps each server's countdown channel's name showing
the time left to the stored premiere, in the server's language.

The name counts days, then hours in the last two days, then says the premiere is close and
finally out, so the clock changes it at most once an hour. Discord allows two renames of a
channel in any ten minutes: by the bot's record of its last two renames (kept in the database
across restarts), a new or moved date may take the second rename of a window, shown at once
even right after a first, while a change of the clock's own only takes a window's first and
keeps the second for a date. A channel whose name is already right is never renamed, and a
429 is waited out."""

from __future__ import annotations

import logging
import math
from typing import Any, cast

import aiohttp
import discord

from bot.clock import Clock
from bot.i18n import Lang, lang_of, t
from bot.jobs import Job
from bot.notify import COUNTDOWN, PREMIERE
from bot.notify.partial import Partial
from bot.store import Store
from bot.store.records import CountdownState, GuildSettings, Premiere

log = logging.getLogger(__name__)

HOUR, DAY = 3600, 86400
HOURS_UP_TO = 2 * DAY  # from two days left the name counts hours
MAX_NAME = 100  # Discord's limit on a channel name
CHECK_EVERY = 60  # seconds: names change on the hour at the finest, so a minute is enough
RENAME_WINDOW = 610  # Discord's ten minutes and a little more: its clock and ours may differ
HOLD_REFUSED = 3600  # Discord refused the rename (permissions, a deleted channel)
HOLD_FAILED = 60  # a 5xx or a network error
REASON = "Countdown to the season 2 premiere"


def _units(left: int, unit: int) -> int:
    """Whole units, rounded up: the premiere is at most this many units away."""
    return -(-left // unit)


def countdown_name(lang: Lang, starts_at: int, now: int) -> str:
    left = starts_at - now
    if left <= 0:
        name = t(lang, "countdown.out")
    elif left <= HOUR:
        name = t(lang, "countdown.soon")
    elif left <= HOURS_UP_TO:
        name = t(lang, "countdown.hours", count=_units(left, HOUR))
    else:
        name = t(lang, "countdown.days", count=_units(left, DAY))
    return name[:MAX_NAME]


SHORT_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "June", "July", "Aug", "Sept", "Oct",
                   "Nov", "Dec")  # fmt: skip


def expected_name(lang: Lang, expected: str) -> str:
    """Only a year or month is known: shown as just that (`⏳ S2: Sept 2026`), never a day."""
    partial = Partial.from_stored(expected)
    if partial.month is None:
        when = t(lang, "partial.year", year=partial.year)
    else:
        month = SHORT_MONTHS_EN[partial.month - 1] if lang == "en" else str(partial.month)
        when = t(lang, "partial.month", year=partial.year, month=month)
    return t(lang, "countdown.expected", when=when)[:MAX_NAME]


def wanted_name(lang: Lang, premiere: Premiere, now: int) -> str | None:
    """The name the premiere asks for (None: nothing is known, leave the channel alone)."""
    if premiere.starts_at is not None:
        return countdown_name(lang, premiere.starts_at, now)
    return expected_name(lang, premiere.expected) if premiere.expected else None


def next_change(starts_at: int, now: int) -> int | None:
    """When `countdown_name` next reads differently (None: never again)."""
    left = starts_at - now
    if left <= 0:
        return None
    if left <= HOUR:
        return starts_at
    unit = HOUR if left <= HOURS_UP_TO else DAY
    return starts_at - (_units(left, unit) - 1) * unit


def rename_allowed_at(state: CountdownState, *, new_date: bool) -> int:
    """When the channel may next be renamed: Discord allows two renames in any ten minutes,
    counted from the bot's record of its last two. For a new or moved date, once the rename
    before the last has left the window (the second of a window may follow the first at
    once); for the clock's own change, once the last one has (a window's first rename only,
    the second kept for a date). Never before a wait Discord asked for (a 429, a refusal)."""
    counted_from = state.renamed_before if new_date else state.renamed_at
    return max(counted_from + RENAME_WINDOW, state.retry_at)


def name_is_right(wanted: str, current: str, state: CountdownState) -> bool:
    """Right as it is, or as Discord stored what we asked for (a text channel's name is
    lowercased, with dashes for spaces) and nobody renamed it since."""
    return current == wanted or (state.asked == wanted and state.shown == current)


class CountdownJob(Job):
    name = "countdown channels"
    retry_s = CHECK_EVERY
    topics = frozenset({PREMIERE, COUNTDOWN})

    def __init__(self, client: discord.Client, store: Store, clock: Clock) -> None:
        """Woken when the premiere or a countdown channel changed: looks again at once."""
        super().__init__()
        self.client = client
        self.store = store
        self.clock = clock
        self._first = True

    async def ready(self) -> None:
        await self.client.wait_until_ready()  # the servers, their channels and our rights

    async def step(self) -> float | None:
        try:
            due = await self.sync_all()
        finally:
            if self._first:
                log.info("countdown channels checked after start-up")
                self._first = False
        return due - self.clock.timestamp()

    async def sync_all(self) -> int:
        """Rename every countdown channel of our servers that needs it; when to look again."""
        now = self.clock.seconds()
        due = now + CHECK_EVERY
        premiere = await self.store.premiere.current()
        if not premiere.announced:
            return due  # nothing known: the channels are left alone, never given a made-up day
        states = await self.store.countdown.states()
        for settings in await self.store.guilds.with_countdown():
            assert settings.countdown_channel_id is not None
            state = states.get(settings.countdown_channel_id, CountdownState())
            later = await self._sync_channel(settings, state, premiere, now)
            due = min(due, later or due)
        changes = next_change(premiere.starts_at, now) if premiere.starts_at else None
        return min(due, changes or due)

    async def _sync_channel(
        self, settings: GuildSettings, state: CountdownState, premiere: Premiere, now: int
    ) -> int | None:
        """Rename the channel if it needs it and may be renamed; when to try again, if due."""
        guild = self.client.get_guild(settings.guild_id)
        channel = guild.get_channel(settings.countdown_channel_id or 0) if guild else None
        if guild is None or channel is None:
            return None  # another process's server, or a channel deleted since
        wanted = wanted_name(lang_of(settings.locale), premiere, now)
        if wanted is None:
            return None
        new_date = state.premiere_revision != premiere.revision
        if name_is_right(wanted, channel.name, state):
            if new_date and state.renamed_at:  # a later change of the name is the clock's
                await self.store.countdown.name_right_for(channel.id, premiere.revision)
            return None
        perms = channel.permissions_for(guild.me)
        if not (perms.view_channel and perms.manage_channels):
            return None  # not even asked: /admin setup says what it needs; checked each minute
        not_before = rename_allowed_at(state, new_date=new_date)
        if now < not_before:
            return not_before
        return await self._rename(channel.id, wanted, premiere.revision)

    async def _rename(self, channel_id: int, wanted: str, revision: int) -> int | None:
        # Set up with max_ratelimit_timeout, discord.py raises RateLimited for a long 429
        # instead of sleeping through it, so one channel never holds up the others.
        try:
            data = await self.client.http.edit_channel(channel_id, reason=REASON, name=wanted)
        except discord.RateLimited as exc:
            return await self._hold(channel_id, math.ceil(exc.retry_after), "rate limited")
        except (discord.Forbidden, discord.NotFound) as exc:
            return await self._hold(channel_id, HOLD_REFUSED, f"refused ({exc.status})")
        except (discord.HTTPException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            return await self._hold(channel_id, HOLD_FAILED, f"failed: {exc}")
        shown = str(cast(dict[str, Any], data).get("name") or wanted)
        await self.store.countdown.renamed(
            channel_id,
            asked=wanted,
            shown=shown,
            now=self.clock.seconds(),
            premiere_revision=revision,
        )
        log.info("countdown channel %s renamed to %r", channel_id, shown)
        return None

    async def _hold(self, channel_id: int, seconds: int, why: str) -> int:
        until = self.clock.seconds() + max(1, seconds)
        log.warning("countdown channel %s: rename %s; next try in %ds", channel_id, why, seconds)
        await self.store.countdown.hold(channel_id, until)
        return until
