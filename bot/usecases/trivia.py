"""Trivia: games in a channel, one question a day in a server's trivia channel, presses on
their buttons and the leaderboard. Questions come from the bank (the facts and the packs).

Every press is stored before it is answered, once per question and member; points are added
when a question is revealed, once. A server's daily question is made once per day, in one
transaction with the outbox notification that posts it and the reveal of the day before's."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from bot.clock import Clock
from bot.errors import InputError
from bot.i18n import Lang, lang_of
from bot.outbox import Outbox
from bot.store import Store, Tx
from bot.store.records import Audience
from bot.store.trivia import Game, NewQuestion, PostedQuestion, Press, TriviaSettings
from bot.trivia.bank import PacksLoaded, QuestionBank
from bot.usecases.ports import Announce

log = logging.getLogger(__name__)

TRIVIA = "trivia"  # the wake topic of the daily-question job: a server's settings changed
DAILY_KIND = "trivia_daily"
CLOSE_KIND = "trivia_daily_close"  # the edit that closes a daily question's post
ROUNDS = (1, 30)
SECONDS = (10, 60)
DAY_S = 86400
RECENT_DAYS = 30  # a daily question is not asked again within this many days, while others are
TOP = 10
LATE_DAYS = 3  # after the bot was down: the last this many missed days are posted, the rest counted
LATE_SPACING_S = 2  # between the posts of several missed days, so that they arrive in order
CLOSE_EXPIRES_S = 7 * DAY_S
PRESS_BATCH = 200  # presses written in one transaction, at most


class GameResult(NamedTuple):
    game: Game
    scores: list[tuple[int, int]]  # (member, right answers), best first
    asked: int  # questions revealed
    cut_short: bool  # ended before its last round (the bot restarted)


class Closing(NamedTuple):
    """A daily question to close on Discord: what it now is, and its post's state and message
    ('sent' with its id, 'pending' while it is not out, or another state: nothing to edit)."""

    question: PostedQuestion | None
    post_state: str | None
    message_id: int | None


class _Raced(Exception):
    """Another process made one of the days first: this transaction is dropped."""


class Leaderboard(NamedTuple):
    top: list[tuple[int, int]]  # (member, points), most first
    me: tuple[int, int] | None  # (rank, points) of the member who asked


def _day(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def _at(day: date, hour: int) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp())


def due_day(settings: TriviaSettings, now: int) -> date | None:
    """The latest day whose question is due by `now` (at `hour`, UTC), unless that hour came
    before the channel was set."""
    today = _day(now)
    day = today if _at(today, settings.hour) <= now else today - timedelta(days=1)
    return day if _at(day, settings.hour) >= settings.since else None


def due_days(settings: TriviaSettings, last: date | None, now: int) -> tuple[list[date], int]:
    """The days whose question is due by `now` and not made yet, oldest first: those after
    `last` (the latest made) whose hour came after the channel was set. At most `LATE_DAYS`
    of them, the latest; with how many earlier ones are left out."""
    latest = due_day(settings, now)
    if latest is None:
        return [], 0
    first = _day(settings.since)
    if _at(first, settings.hour) < settings.since:
        first += timedelta(days=1)
    if last is not None:
        first = max(first, last + timedelta(days=1))
    missing = (latest - first).days + 1
    if missing <= 0:
        return [], 0
    shown = min(missing, LATE_DAYS)
    return [latest - timedelta(days=i) for i in reversed(range(shown))], missing - shown


def next_due(settings: TriviaSettings, now: int) -> int:
    """When the next day's question is due, after `now`."""
    today = _day(now)
    at = _at(today, settings.hour)
    return at if at > now else _at(today + timedelta(days=1), settings.hour)


def check_hour(hour: int | None) -> None:
    """The daily question's hour, UTC (None: not given)."""
    if hour is not None and not 0 <= hour <= 23:
        raise InputError("trivia.bad_hour")


class TriviaUseCases:
    def __init__(
        self, store: Store, outbox: Outbox, clock: Clock, bank: QuestionBank, announce: Announce,
        rng: random.Random | None = None,
    ) -> None:  # fmt: skip
        self.store = store
        self.outbox = outbox
        self.clock = clock
        self.bank = bank
        self.announce = announce
        self.rng = rng or random.Random()
        self._presses: list[tuple[int, int, int, asyncio.Future[Press]]] = []
        self._writing: asyncio.Task[None] | None = None

    # --- set-up and packs ------------------------------------------------------------------

    async def settings(self, guild_id: int) -> TriviaSettings:
        return await self.store.trivia.settings(guild_id)

    async def set_up(
        self, guild_id: int, *, user_id: int, channel_id: int | None, hour: int | None
    ) -> TriviaSettings:
        """The daily question's channel and hour (None: not given), audited."""
        check_hour(hour)
        now = self.clock.seconds()
        async with self.store.transaction() as tx:
            old, new = await tx.trivia.set_up(guild_id, channel_id=channel_id, hour=hour, now=now)
            await tx.audit.record(
                guild_id=guild_id, user_id=user_id, action="trivia setup",
                old=f"channel={old.channel_id} hour={old.hour}",
                new=f"channel={new.channel_id} hour={new.hour}", now=now,
            )  # fmt: skip
        self.announce(TRIVIA)  # the daily job looks again at once
        return new

    async def reload_packs(self) -> PacksLoaded:
        """Read the packs again, in a thread: parsing them would hold up every answer."""
        return await asyncio.to_thread(self.bank.reload_packs)

    def packs(self, locale: str) -> list[str]:
        """The packs a game in this language may draw from alone."""
        return self.bank.packs(lang_of(locale))

    # --- games -----------------------------------------------------------------------------

    async def start_game(
        self, *, guild_id: int, channel_id: int, user_id: int, locale: str, rounds: int,
        seconds: int, pack: str | None = None,
    ) -> Game:  # fmt: skip
        """A game (drawing from one pack, when `pack` names one of the language's)."""
        if not ROUNDS[0] <= rounds <= ROUNDS[1] or not SECONDS[0] <= seconds <= SECONDS[1]:
            raise InputError("trivia.bad_game")
        lang = lang_of(locale)
        if pack is not None and not self.bank.questions(lang, pack):
            raise InputError("trivia.no_pack", pack=pack)
        if not self.bank.questions(lang):
            raise InputError("trivia.no_questions")
        game_id = await self.store.trivia.start_game(
            guild_id=guild_id, channel_id=channel_id, started_by=user_id,
            owner=self.store.owner, lang=lang, rounds=rounds, seconds=seconds,
            now=self.clock.seconds(), pack=pack,
        )  # fmt: skip
        if game_id is None:
            raise InputError("trivia.busy")
        game = await self.store.trivia.game(game_id)
        assert game is not None
        return game

    async def ask(self, game: Game, round_no: int) -> PostedQuestion:
        """The game's next question, open for its seconds from now."""
        asked = {q.question_key for q in await self.store.trivia.game_questions(game.id)}
        lang: Lang = "ko" if game.lang == "ko" else "en"
        picked = self.bank.pick(lang, 1, self.rng, avoid=asked, pack=game.pack)
        if not picked:  # its pack was taken away by a reload: every question, then
            picked = self.bank.pick(lang, 1, self.rng, avoid=asked)
        (question,) = picked
        choices, correct = question.choices(self.rng)
        now = self.clock.seconds()
        question_id = await self.store.trivia.add_question(
            NewQuestion(
                guild_id=game.guild_id, channel_id=game.channel_id, question_key=question.key,
                lang=lang, prompt=question.prompt, choices=choices, correct=correct,
                opened_at=now, closes_at=now + game.seconds, game_id=game.id, round=round_no,
            )
        )  # fmt: skip
        assert question_id is not None  # only a day's question can be there already
        posted = await self.store.trivia.question(question_id)
        assert posted is not None
        return posted

    async def posted(self, question_id: int, message_id: int) -> None:
        await self.store.trivia.posted(question_id, message_id)

    async def reveal(self, question_id: int) -> PostedQuestion | None:
        """Close it and score it (once); the question as it now is."""
        revealed = await self.store.trivia.reveal(question_id, self.clock.seconds())
        return revealed or await self.store.trivia.question(question_id)

    async def finish(self, game_id: int) -> GameResult | None:
        """End the game (its open question revealed first); None when it had ended already."""
        game = await self.store.trivia.game(game_id)
        if game is None:
            return None
        for question in await self.store.trivia.game_questions(game_id):
            if question.state == "open":
                await self.store.trivia.reveal(question.id, self.clock.seconds())
        if not await self.store.trivia.end_game(game_id, self.clock.seconds()):
            return None
        questions = await self.store.trivia.game_questions(game_id)
        return GameResult(
            game, await self.store.trivia.game_scores(game_id), len(questions),
            cut_short=len(questions) < game.rounds,
        )  # fmt: skip

    async def running_games(self) -> list[Game]:
        return await self.store.trivia.running_games()

    async def game_questions(self, game_id: int) -> list[PostedQuestion]:
        return await self.store.trivia.game_questions(game_id)

    # --- presses and the leaderboard -------------------------------------------------------

    async def press(self, question_id: int, user_id: int, choice: int) -> Press:
        """Stored before it is answered. Presses that come while a transaction of presses is
        being written wait for the next one, together: a burst of 1,000 is a few dozen
        transactions, not 1,000."""
        done: asyncio.Future[Press] = asyncio.get_running_loop().create_future()
        self._presses.append((question_id, user_id, choice, done))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_presses())
        return await done

    async def _write_presses(self) -> None:
        while self._presses:
            batch, self._presses = self._presses[:PRESS_BATCH], self._presses[PRESS_BATCH:]
            try:
                stored = await self.store.trivia.press_many(
                    [(q, u, c) for q, u, c, _ in batch], self.clock.seconds()
                )
            except Exception as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (*_, done), press in zip(batch, stored, strict=True):
                if not done.done():
                    done.set_result(press)

    async def leaderboard(self, guild_id: int, user_id: int) -> Leaderboard:
        return Leaderboard(
            await self.store.trivia.top(guild_id, TOP),
            await self.store.trivia.standing(guild_id, user_id),
        )

    # --- the daily question ----------------------------------------------------------------

    async def post_due_days(self) -> int:
        """Make every server's questions of the day that are due and not made yet (the days
        the bot was down, late, up to `LATE_DAYS`); the seconds until the next is due."""
        now = self.clock.seconds()
        wait = DAY_S
        for settings in await self.store.trivia.daily_servers():
            last = await self.store.trivia.last_day(settings.guild_id)
            days, left_out = due_days(settings, date.fromisoformat(last) if last else None, now)
            if days:
                try:
                    await self._post_days(settings, days, left_out, now)
                except Exception:
                    log.exception("trivia: the daily question of %d failed", settings.guild_id)
            wait = min(wait, next_due(settings, now) - now)
        return max(1, wait)

    async def _post_days(
        self, settings: TriviaSettings, days: list[date], left_out: int, now: int
    ) -> bool:
        """In one transaction: the days' questions made and queued (oldest first, a moment
        apart), the questions still open revealed, and their posts' closing edits queued. The
        first post shows the revealed answers; the others stay open until the next day's."""
        assert settings.channel_id is not None
        guild = await self.store.guilds.get(settings.guild_id)
        lang = lang_of(guild.locale)
        recent = await self.store.trivia.recent_keys(settings.guild_id, RECENT_DAYS)
        picked = self.bank.pick(lang, len(days), self.rng, avoid=recent)
        if not picked:
            return False
        try:
            async with self.store.transaction() as tx:
                revealed = []
                for open_q, post in await tx.trivia.open_dailies(settings.guild_id):
                    done = await tx.trivia.reveal(open_q.id, now)
                    if done is None:
                        continue
                    revealed.append(done)
                    if post is not None:
                        audience = Audience.channel(settings.guild_id, done.channel_id)
                        await self.outbox.schedule(
                            tx, CLOSE_KIND, {"question_id": done.id, "post_of": post},
                            due_at=now, now=now, audience=audience,
                        )  # fmt: skip
                for i, (day, question) in enumerate(zip(days, picked, strict=True)):
                    choices, correct = question.choices(self.rng)
                    question_id = await tx.trivia.add_question(
                        NewQuestion(
                            guild_id=settings.guild_id, channel_id=settings.channel_id,
                            question_key=question.key, lang=lang, prompt=question.prompt,
                            choices=choices, correct=correct, opened_at=now, closes_at=None,
                            day=day.isoformat(),
                        )
                    )  # fmt: skip
                    if question_id is None:
                        raise _Raced
                    payload = daily_payload(
                        question_id, day, lang, question.prompt, choices,
                        revealed if i == 0 else [], left_out if i == 0 else 0,
                    )  # fmt: skip
                    due = now + i * LATE_SPACING_S
                    post = await self._schedule(tx, payload, settings, due, now)
                    await tx.trivia.posted_by(question_id, post)
        except _Raced:
            return False  # another process made them first
        if left_out:
            log.info("trivia: %d missed days of server %d left out", left_out, settings.guild_id)
        log.info(
            "trivia: the question of %s for server %d is queued", ", ".join(map(str, days)),
            settings.guild_id,
        )  # fmt: skip
        return True

    async def _schedule(
        self, tx: Tx, payload: dict[str, Any], settings: TriviaSettings, due: int, now: int
    ) -> int:
        assert settings.channel_id is not None
        audience = Audience.channel(settings.guild_id, settings.channel_id)
        return await self.outbox.schedule(
            tx, DAILY_KIND, payload, due_at=due, now=now, audience=audience
        )

    async def closing(self, question_id: int, post_of: int, guild_id: int) -> Closing:
        """A revealed daily question and its post, to close the post."""
        question = await self.store.trivia.question(question_id)
        post = await self.store.outbox.post_of(post_of, guild_id)
        if post is None:
            return Closing(question, None, None)
        return Closing(question, post[0], post[1])


def daily_payload(
    question_id: int, day: date, lang: str, prompt: str, choices: list[str],
    previous: list[PostedQuestion], left_out: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """What the day's post shows: its question and choices, the answers of the questions it
    closes, and how many missed days had no question (the bot was down longer than
    `LATE_DAYS`)."""
    payload: dict[str, Any] = {
        "question_id": question_id, "day": day.isoformat(), "lang": lang, "prompt": prompt,
        "choices": choices,
    }  # fmt: skip
    if previous:
        payload["previous"] = [
            {"prompt": p.prompt, "answer": p.answer, "right": p.right_count,
             "answered": p.answer_count}
            for p in previous
        ]  # fmt: skip
    if left_out:
        payload["left_out"] = left_out
    return payload


def daily_expiry(due_at: int, _payload: Any) -> int:
    """A day's question is worth posting until the next day's would be."""
    return due_at + DAY_S


def close_expiry(due_at: int, _payload: Any) -> int:
    """Closing a post is worth doing for a week (its buttons answer "closed" meanwhile)."""
    return due_at + CLOSE_EXPIRES_S
