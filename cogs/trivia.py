"""/trivia start and /trivia top: games in a channel, the daily question and the leaderboard.

A game runs in the process whose shard got the command, one question at a time: posted with
four buttons, revealed (edited, buttons gone) when its time is up, then the next; the scores
at the end. What it has won is stored as it goes, so a game whose process stopped is ended
by the sender (`GameRecovery`): its open question revealed and its scores posted, each once.
The daily question is an outbox kind, made once per server and day by `DailyQuestions`."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str as _
from discord.ext import commands
from discord.http import handle_message_parameters

from bot.errors import InputError
from bot.i18n import Lang, lang_of
from bot.jobs import Job
from bot.outbox.dispatcher import DeliveryFailed
from bot.store.records import Delivery
from bot.store.trivia import Game
from bot.ui.interactions import NO_PINGS, guild_id_of
from bot.ui.trivia import (
    TriviaButton,
    daily_title,
    game_started_text,
    leaderboard_embed,
    question_embed,
    question_view,
    register_daily,
    revealed_embed,
    round_title,
    scores_embed,
)
from bot.usecases.trivia import ROUNDS, SECONDS, TRIVIA, GameResult, TriviaUseCases
from bot.wiring import App, app_of

log = logging.getLogger(__name__)

PAUSE_S = 3.0  # between a reveal and the next question
RECOVERY_S = 30.0


def _lang(game: Game) -> Lang:
    return "ko" if game.lang == "ko" else "en"


class Poster:
    """The game's messages, straight through discord.py's HTTP client (and its limiter)."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    async def post(
        self, channel_id: int, embed: discord.Embed, view: discord.ui.View | None = None
    ) -> int:
        params = handle_message_parameters(embed=embed, allowed_mentions=NO_PINGS)
        if view is not None and params.payload is not None:
            params.payload["components"] = view.to_components()
        with params:
            message = await self.bot.http.send_message(channel_id, params=params)
        return int(message["id"])

    async def edit(self, channel_id: int, message_id: int, embed: discord.Embed) -> None:
        params = handle_message_parameters(embed=embed, allowed_mentions=NO_PINGS, view=None)
        if params.payload is not None:
            params.payload["components"] = []  # the buttons go: the question is closed
        with params:
            await self.bot.http.edit_message(channel_id, message_id, params=params)

    async def reveal(self, trivia: TriviaUseCases, question_id: int, game: Game) -> None:
        q = await trivia.reveal(question_id)
        if q is None or q.message_id is None:
            return
        lang = _lang(game)
        embed = revealed_embed(q, lang, round_title(q, lang, game.rounds))
        await self.edit(q.channel_id, q.message_id, embed)

    async def scores(self, result: GameResult) -> None:
        await self.post(result.game.channel_id, scores_embed(result, _lang(result.game)))


class Games:
    """The games this process runs, one task each."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.poster = Poster(app.bot)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def trivia(self) -> TriviaUseCases:
        return self.app.usecases.trivia

    def start(self, game: Game) -> None:
        task = asyncio.create_task(self._run(game), name=f"trivia game {game.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, game: Game) -> None:
        try:
            for round_no in range(1, game.rounds + 1):
                if round_no > 1:
                    await asyncio.sleep(PAUSE_S)
                await self._round(game, round_no)
        except asyncio.CancelledError:
            raise  # the bot stops: the next sender ends the game
        except Exception:
            log.exception("trivia game %d stopped", game.id)
        result = await self.trivia.finish(game.id)
        if result is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.poster.scores(result)
            log.info("trivia game %d is over: %d players", game.id, len(result.scores))

    async def _round(self, game: Game, round_no: int) -> None:
        q = await self.trivia.ask(game, round_no)
        embed = question_embed(q, _lang(game), game.rounds)
        message_id = await self.poster.post(game.channel_id, embed, question_view(q))
        await self.trivia.posted(q.id, message_id)
        assert q.closes_at is not None
        await self.app.clock.sleep_until(q.closes_at)
        await self.poster.reveal(self.trivia, q.id, game)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class GameRecovery(Job):
    """Games whose process is gone (a restart, a kill) are ended: the open question revealed
    and the scores posted, once; the points already won stay."""

    name = "trivia game recovery"
    sender_only = True

    def __init__(self, app: App, poster: Poster) -> None:
        super().__init__()
        self.app = app
        self.poster = poster

    async def ready(self) -> None:
        await self.app.bot.wait_until_ready()

    async def step(self) -> float:
        trivia = self.app.usecases.trivia
        games = [g for g in await trivia.running_games() if g.owner != self.app.store.owner]
        gone = await self.app.coordination.gone({g.owner for g in games})
        for game in games:
            if game.owner in gone:
                await self._end(trivia, game)
        return RECOVERY_S

    async def _end(self, trivia: TriviaUseCases, game: Game) -> None:
        questions = await trivia.game_questions(game.id)
        result = await trivia.finish(game.id)
        if result is None:
            return  # another process ended it
        log.info("trivia game %d ended: its process is gone", game.id)
        for q in questions:
            if q.state == "open" and q.message_id is not None:
                with contextlib.suppress(discord.HTTPException):
                    await self.poster.reveal(trivia, q.id, game)
        with contextlib.suppress(discord.HTTPException):
            await self.poster.scores(result)


class DailyCloser:
    """Closes a daily question's post once the next day's has revealed it: the message edited
    to show the answer and how many got it, its buttons gone, as a game's question is. An
    outbox kind's action, so done once by the sender, within the REST limit, across kills (an
    edit made twice is the same edit)."""

    def __init__(self, app: App, poster: Poster) -> None:
        self.app = app
        self.poster = poster

    async def close(self, delivery: Delivery) -> None:
        p = delivery.payload
        closing = await self.app.usecases.trivia.closing(
            int(p["question_id"]), int(p["post_of"]), delivery.guild_id
        )
        q = closing.question
        gone = closing.post_state in (None, "failed", "missed", "cancelled")
        if q is None or q.state != "revealed" or gone:
            return  # no post to edit
        if closing.post_state != "sent" or closing.message_id is None:
            raise DeliveryFailed("its post is not out yet", permanent=False)
        lang: Lang = "ko" if q.lang == "ko" else "en"
        embed = revealed_embed(q, lang, daily_title(lang, q.day or ""))
        await self.poster.edit(q.channel_id, int(closing.message_id), embed)

    async def closed(self, delivery: Delivery) -> bool:
        return False  # not known: edited again, to the same


class DailyQuestions(Job):
    """Each server's question of the day, once: at its hour, or late after a day the bot was
    down. The outbox posts it (with its nonce), once, on the sender."""

    name = "trivia daily questions"
    sender_only = True
    topics = frozenset({TRIVIA})
    retry_s = 30.0

    def __init__(self, trivia: TriviaUseCases) -> None:
        super().__init__()
        self.trivia = trivia

    async def step(self) -> float:
        return min(600.0, float(await self.trivia.post_due_days()))


def _can_post(interaction: discord.Interaction) -> bool:
    channel = interaction.channel
    guild = interaction.guild
    perms = interaction.app_permissions
    if guild is not None and isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        perms = channel.permissions_for(guild.me)
    sends = perms.send_messages_in_threads if isinstance(channel, discord.Thread) else True
    return perms.view_channel and perms.send_messages and perms.embed_links and sends


class Trivia(commands.Cog):
    def __init__(self, app: App, games: Games) -> None:
        self.app = app
        self.games = games

    trivia = app_commands.Group(
        name=_("trivia"),
        description=_("Trivia about All of Us Are Dead"),
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
    )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        guild_id_of(interaction)  # a call from outside a server is answered, not asserted
        return True

    async def cog_unload(self) -> None:
        await self.games.stop()

    @trivia.command(name=_("start"), description=_("Start a trivia game in this channel"))
    @app_commands.rename(questions=_("questions"), seconds=_("seconds"), pack=_("pack"))
    @app_commands.describe(
        questions=_("How many questions (default 10)"),
        seconds=_("Seconds to answer each question (default 20)"),
        pack=_("Only the questions of this question pack (default: every question)"),
    )
    async def start(
        self,
        interaction: discord.Interaction,
        questions: app_commands.Range[int, ROUNDS[0], ROUNDS[1]] = 10,
        seconds: app_commands.Range[int, SECONDS[0], SECONDS[1]] = 20,
        pack: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        guild_id, lang = guild_id_of(interaction), lang_of(interaction.locale)
        if interaction.channel_id is None or not _can_post(interaction):
            raise InputError("trivia.no_access")
        game = await self.app.usecases.trivia.start_game(
            guild_id=guild_id, channel_id=interaction.channel_id, user_id=interaction.user.id,
            locale=str(interaction.guild_locale or interaction.locale), rounds=questions,
            seconds=seconds, pack=pack,
        )  # fmt: skip
        text = game_started_text(lang, questions, seconds)
        await interaction.response.send_message(text, allowed_mentions=NO_PINGS)
        self.games.start(game)

    @start.autocomplete("pack")
    async def pack_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        locale = str(interaction.guild_locale or interaction.locale)
        names = self.app.usecases.trivia.packs(locale)
        wanted = current.casefold()
        return [app_commands.Choice(name=n, value=n) for n in names if wanted in n.casefold()][:25]

    @trivia.command(name=_("top"), description=_("This server's trivia leaderboard"))
    async def top(self, interaction: discord.Interaction) -> None:
        board = await self.app.usecases.trivia.leaderboard(
            guild_id_of(interaction), interaction.user.id
        )
        embed = leaderboard_embed(board, lang_of(interaction.locale))
        await interaction.response.send_message(embed=embed, allowed_mentions=NO_PINGS)


PACKS_AFTER_READY_S = 1.0


class PackReader(Job):
    """Reads the question packs a moment after the gateway is ready, in a thread: a broken
    pack is logged then, and the first commands' answers do not share the interpreter with
    PyYAML (~30 ms of it)."""

    name = "trivia packs"

    def __init__(self, bot: commands.Bot, trivia: TriviaUseCases) -> None:
        super().__init__()
        self.bot = bot
        self.trivia = trivia

    async def ready(self) -> None:
        await self.bot.wait_until_ready()
        await asyncio.sleep(PACKS_AFTER_READY_S)

    async def step(self) -> float | None:
        await self.trivia.reload_packs()
        return None  # then only /admin reload reads them again


async def setup(bot: commands.Bot) -> None:
    app = app_of(bot)
    bot.add_dynamic_items(TriviaButton)
    games = Games(app)
    closer = DailyCloser(app, games.poster)
    register_daily(closer.close, closer.closed)
    app.scheduler.add(DailyQuestions(app.usecases.trivia), GameRecovery(app, games.poster),
                      PackReader(bot, app.usecases.trivia))  # fmt: skip
    await bot.add_cog(Trivia(app, games))
