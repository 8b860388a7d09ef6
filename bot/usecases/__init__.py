"""Use cases: plain inputs, immutable plain results, no interactions and no translated text.

Cogs and buttons call exactly one of these per command and render what it returns (see
`bot.ui`). What they need from Discord, HTTP and the other processes comes in through the
protocols of `bot.usecases.ports`, so importing a use case imports neither discord.py nor the
sender."""

from __future__ import annotations

from bot.clock import Clock
from bot.outbox import Outbox
from bot.settings import Settings
from bot.show.loader import ShowStore
from bot.store import Store
from bot.trivia.bank import QuestionBank
from bot.usecases.feeds import FeedUseCases
from bot.usecases.members import MemberUseCases
from bot.usecases.ports import Announce, DiscordActions, Fetcher, RoomActions
from bot.usecases.release import ReleaseUseCases
from bot.usecases.rooms import RoomUseCases
from bot.usecases.servers import ServerUseCases
from bot.usecases.setup import SetupUseCases
from bot.usecases.trivia import TriviaUseCases


class UseCases:
    def __init__(
        self, *, store: Store, outbox: Outbox, clock: Clock, discord: DiscordActions,
        settings: Settings, show: ShowStore, fetcher: Fetcher, announce: Announce,
        rooms: RoomActions,
    ) -> None:  # fmt: skip
        """`announce(topic)` wakes the jobs of every process that declared the topic."""
        self.release = ReleaseUseCases(store, outbox, clock, discord, show, announce)
        self.members = MemberUseCases(store, outbox, clock, discord)
        self.servers = ServerUseCases(store, clock, settings, show, announce)
        self.feeds = FeedUseCases(store, outbox, clock, settings, fetcher, announce)
        self.rooms = RoomUseCases(store, outbox, clock, rooms, announce)
        bank = QuestionBank(show, settings.trivia_path)
        self.trivia = TriviaUseCases(store, outbox, clock, bank, announce)
        self.setup = SetupUseCases(self.servers, self.trivia, self.rooms)
