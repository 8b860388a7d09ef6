"""Use cases: plain inputs, plain results (dataclasses), no interactions.

Cogs call exactly one of these per command and render what it returns."""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import Clock
from bot.discord_actions import DiscordActions
from bot.outbox import Outbox
from bot.settings import Settings
from bot.show.loader import ShowStore
from bot.store import Store
from bot.usecases.feeds import FeedUseCases, Fetcher
from bot.usecases.members import MemberUseCases
from bot.usecases.release import ReleaseUseCases
from bot.usecases.servers import ServerUseCases


class UseCases:
    def __init__(
        self,
        *,
        store: Store,
        outbox: Outbox,
        clock: Clock,
        discord: DiscordActions,
        settings: Settings,
        show: ShowStore,
        sync_events: Callable[[], None],
        sync_countdowns: Callable[[], None],
        fetcher: Fetcher,
        poll_feeds: Callable[[], None] = lambda: None,
    ) -> None:
        """`sync_events` runs after every change of the premiere, `sync_countdowns` after a
        server's countdown channel changed (the premiere's changes reach the countdown
        through `sync_events`: the client wakes both jobs with it)."""
        self.release = ReleaseUseCases(store, outbox, clock, discord, show, sync_events)
        self.members = MemberUseCases(store, outbox, clock, discord)
        self.servers = ServerUseCases(store, clock, settings, show, sync_countdowns)
        self.feeds = FeedUseCases(store, outbox, clock, settings, fetcher, poll_feeds)
