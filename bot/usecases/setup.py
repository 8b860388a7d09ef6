"""What moderators set up across areas, one use case per command: /admin setup (a server's
settings, its daily question and its episode rooms: each part changes only when something of
it was given; the result says what all of them are now) and /admin reload (the facts file and
the trivia packs)."""

from __future__ import annotations

from typing import NamedTuple

from bot.store.records import GuildSettings
from bot.store.trivia import TriviaSettings
from bot.trivia.bank import PacksLoaded
from bot.usecases.rooms import Made, RoomUseCases
from bot.usecases.servers import ServerUseCases
from bot.usecases.trivia import TriviaUseCases, check_hour


class SetupAsked(NamedTuple):
    """What a moderator gave (None: not given)."""

    channel_id: int | None = None
    role_id: int | None = None
    mod_role_id: int | None = None
    countdown_channel_id: int | None = None
    discussion: bool | None = None
    review_channel_id: int | None = None
    episode_rooms: bool | None = None
    trivia_channel_id: int | None = None
    trivia_hour: int | None = None

    def server_given(self) -> bool:
        given = (self.channel_id, self.role_id, self.mod_role_id, self.countdown_channel_id,
                 self.discussion, self.review_channel_id)  # fmt: skip
        return any(value is not None for value in given)

    def trivia_given(self) -> bool:
        return self.trivia_channel_id is not None or self.trivia_hour is not None


class SetupDone(NamedTuple):
    settings: GuildSettings
    trivia: TriviaSettings
    saved: bool  # a setting of the server or of its daily question was given
    rooms_on: bool | None  # episode rooms as asked (None: not asked)
    rooms_made: Made | None  # when turned on: what was made, or why nothing was


class Reloaded(NamedTuple):
    cast: int  # the size of the cast read again
    packs: PacksLoaded


class SetupUseCases:
    def __init__(
        self, servers: ServerUseCases, trivia: TriviaUseCases, rooms: RoomUseCases
    ) -> None:
        self.servers = servers
        self.trivia = trivia
        self.rooms = rooms

    async def set_up(
        self, guild_id: int, *, user_id: int, locale: str, asked: SetupAsked
    ) -> SetupDone:
        """What was given, checked before anything changes, then saved and audited."""
        check_hour(asked.trivia_hour)  # the server's settings would be saved before it
        saved = asked.server_given() or asked.trivia_given()
        if saved:  # the server's language too, as its moderator's client has it now
            settings = await self.servers.set_up(
                guild_id, user_id=user_id, channel_id=asked.channel_id, role_id=asked.role_id,
                mod_role_id=asked.mod_role_id, locale=locale,
                countdown_channel_id=asked.countdown_channel_id, discussion=asked.discussion,
                review_channel_id=asked.review_channel_id,
            )  # fmt: skip
        else:
            settings = await self.servers.settings_of(guild_id)
        if asked.trivia_given():
            trivia = await self.trivia.set_up(
                guild_id, user_id=user_id, channel_id=asked.trivia_channel_id,
                hour=asked.trivia_hour,
            )  # fmt: skip
        else:
            trivia = await self.trivia.settings(guild_id)
        made = None
        if asked.episode_rooms is True:
            made = await self.rooms.turn_on(guild_id, locale, user_id)
        elif asked.episode_rooms is False:
            await self.rooms.turn_off(guild_id, locale, user_id)
        return SetupDone(settings, trivia, saved, asked.episode_rooms, made)

    async def reload(self, guild_id: int | None, user_id: int) -> Reloaded:
        """The facts file (a bad one keeps the old facts and raises InputError), then the
        trivia packs."""
        cast = await self.servers.reload_show(guild_id, user_id)
        return Reloaded(cast, await self.trivia.reload_packs())
