"""Trivia: each server's daily-question channel, the games, the questions as posted, every
press on their buttons (one row per question and member: the first press counts, a burst
scores each member once) and the leaderboard's points, added once, when a question is
revealed."""

from __future__ import annotations

import json
from typing import Literal, NamedTuple

from bot.store.connection import Conn, Row, Scope

DEFAULT_HOUR = 12


class TriviaSettings(NamedTuple):
    guild_id: int
    channel_id: int | None
    hour: int = DEFAULT_HOUR  # UTC
    since: int = 0  # when the channel was set: no day due before it is posted


class Game(NamedTuple):
    id: int
    guild_id: int
    channel_id: int
    started_by: int
    owner: str
    lang: str
    rounds: int
    seconds: int
    state: str
    pack: str | None = None  # the one pack it draws from (None: every question)


class NewQuestion(NamedTuple):
    guild_id: int
    channel_id: int
    question_key: str
    lang: str
    prompt: str
    choices: list[str]
    correct: int
    opened_at: int
    closes_at: int | None  # None: open until revealed
    game_id: int | None = None
    round: int = 0
    day: str | None = None  # a daily question's day, 'YYYY-MM-DD' (UTC)


class PostedQuestion(NamedTuple):
    id: int
    guild_id: int
    channel_id: int
    game_id: int | None
    round: int
    day: str | None
    question_key: str
    lang: str
    prompt: str
    choices: list[str]
    correct: int
    closes_at: int | None
    state: str
    message_id: int | None
    right_count: int
    answer_count: int

    @property
    def answer(self) -> str:
        return self.choices[self.correct]


Pressed = Literal["locked", "again", "closed", "unknown"]


class Press(NamedTuple):
    """What became of a press: counted ('locked'), refused as a second press ('again', with the
    first one's choice) or as too late ('closed'), or no such question ('unknown')."""

    outcome: Pressed
    choice: int | None = None
    question: PostedQuestion | None = None


_GAME = "id, guild_id, channel_id, started_by, owner, lang, rounds, seconds, state, pack"
_QUESTION = (
    "id, guild_id, channel_id, game_id, round, day, question_key, lang, prompt, choices,"
    " correct, closes_at, state, message_id, right_count, answer_count"
)


def _game(r: Row) -> Game:
    return Game(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])


def _question(r: Row) -> PostedQuestion:
    return PostedQuestion(
        id=r[0], guild_id=r[1], channel_id=r[2], game_id=r[3], round=r[4], day=r[5],
        question_key=r[6], lang=r[7], prompt=r[8], choices=list(json.loads(r[9])),
        correct=r[10], closes_at=r[11], state=r[12], message_id=r[13], right_count=r[14],
        answer_count=r[15],
    )  # fmt: skip


def _share_lock(conn: Conn) -> str:
    """Locks a question row against its reveal while a press is stored (PostgreSQL: presses
    share it, the reveal's UPDATE waits for them); SQLite has one writer anyway."""
    return " FOR SHARE" if conn.for_update() else ""


class TriviaStore:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    # --- the daily question's settings ---------------------------------------------------

    async def settings(self, guild_id: int) -> TriviaSettings:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT guild_id, channel_id, hour, since FROM trivia_settings WHERE guild_id = ?",
                (guild_id,),
            )
        return TriviaSettings(*row) if row else TriviaSettings(guild_id, None)

    async def set_up(
        self, guild_id: int, *, channel_id: int | None, hour: int | None, now: int
    ) -> tuple[TriviaSettings, TriviaSettings]:
        """Change what was given (None: not given); (old, new). A new channel starts counting
        its days now."""
        old = await self.settings(guild_id)
        new = TriviaSettings(
            guild_id,
            channel_id if channel_id is not None else old.channel_id,
            hour if hour is not None else old.hour,
            now if channel_id is not None and channel_id != old.channel_id else old.since,
        )
        async with self._scope.write() as conn:
            await conn.execute(
                "INSERT INTO trivia_settings (guild_id, channel_id, hour, since)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                " channel_id = excluded.channel_id, hour = excluded.hour, since = excluded.since",
                (guild_id, new.channel_id, new.hour, new.since),
            )
        return old, new

    async def daily_servers(self) -> list[TriviaSettings]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT guild_id, channel_id, hour, since FROM trivia_settings"
                " WHERE channel_id IS NOT NULL ORDER BY guild_id"
            )
        return [TriviaSettings(*r) for r in rows]

    async def open_dailies(self, guild_id: int) -> list[tuple[PostedQuestion, int | None]]:
        """The server's daily questions still open, oldest first, each with the notification
        that posts it."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_QUESTION}, notification_id FROM trivia_questions WHERE guild_id = ?"
                " AND day IS NOT NULL AND state = 'open' ORDER BY day",
                (guild_id,),
            )
        return [(_question(r), r[16]) for r in rows]

    async def last_day(self, guild_id: int) -> str | None:
        """The latest day the server has its question of ('YYYY-MM-DD')."""
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT MAX(day) FROM trivia_questions WHERE guild_id = ? AND day IS NOT NULL",
                (guild_id,),
            )
        return str(row[0]) if row and row[0] is not None else None

    async def posted_by(self, question_id: int, notification_id: int) -> None:
        """The notification that posts a daily question."""
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE trivia_questions SET notification_id = ? WHERE id = ?",
                (notification_id, question_id),
            )

    async def recent_keys(self, guild_id: int, limit: int) -> set[str]:
        """The questions this server's daily questions asked last."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT question_key FROM trivia_questions WHERE guild_id = ?"
                " AND day IS NOT NULL ORDER BY day DESC LIMIT ?",
                (guild_id, limit),
            )
        return {str(r[0]) for r in rows}

    # --- games -----------------------------------------------------------------------------

    async def start_game(
        self, *, guild_id: int, channel_id: int, started_by: int, owner: str, lang: str,
        rounds: int, seconds: int, now: int, pack: str | None = None,
    ) -> int | None:  # fmt: skip
        """The new game's id; None when a game runs in the channel already."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO trivia_games (guild_id, channel_id, started_by, owner, lang, rounds,"
                " seconds, started_at, pack) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (guild_id, channel_id, started_by, owner, lang, rounds, seconds, now, pack),
            )
        return int(row[0]) if row else None

    async def game(self, game_id: int) -> Game | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone(f"SELECT {_GAME} FROM trivia_games WHERE id = ?", (game_id,))
        return _game(row) if row else None

    async def running_games(self) -> list[Game]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_GAME} FROM trivia_games WHERE state = 'running' ORDER BY id"
            )
        return [_game(r) for r in rows]

    async def end_game(self, game_id: int, now: int) -> bool:
        """Whether this call ended it (it was running)."""
        async with self._scope.write() as conn:
            return (
                await conn.execute(
                    "UPDATE trivia_games SET state = 'ended', ended_at = ?"
                    " WHERE id = ? AND state = 'running'",
                    (now, game_id),
                )
                > 0
            )

    async def game_questions(self, game_id: int) -> list[PostedQuestion]:
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                f"SELECT {_QUESTION} FROM trivia_questions WHERE game_id = ? ORDER BY round",
                (game_id,),
            )
        return [_question(r) for r in rows]

    async def game_scores(self, game_id: int) -> list[tuple[int, int]]:
        """(member, right answers) of the game's revealed questions, best first."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT a.user_id, SUM(a.correct), MIN(a.answered_at) FROM trivia_answers a"
                " JOIN trivia_questions q ON q.id = a.question_id"
                " WHERE q.game_id = ? AND q.state = 'revealed'"
                " GROUP BY a.user_id ORDER BY 2 DESC, 3, a.user_id",
                (game_id,),
            )
        return [(int(r[0]), int(r[1])) for r in rows]

    # --- questions -------------------------------------------------------------------------

    async def add_question(self, q: NewQuestion) -> int | None:
        """The question's id; None for a day the server has its question of already."""
        async with self._scope.write() as conn:
            row = await conn.fetchone(
                "INSERT INTO trivia_questions (guild_id, channel_id, game_id, round, day,"
                " question_key, lang, prompt, choices, correct, opened_at, closes_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (q.guild_id, q.channel_id, q.game_id, q.round, q.day, q.question_key, q.lang,
                 q.prompt, json.dumps(q.choices, ensure_ascii=False), q.correct, q.opened_at,
                 q.closes_at),
            )  # fmt: skip
        return int(row[0]) if row else None

    async def posted(self, question_id: int, message_id: int) -> None:
        async with self._scope.write() as conn:
            await conn.execute(
                "UPDATE trivia_questions SET message_id = ? WHERE id = ?",
                (message_id, question_id),
            )

    async def question(self, question_id: int) -> PostedQuestion | None:
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                f"SELECT {_QUESTION} FROM trivia_questions WHERE id = ?", (question_id,)
            )
        return _question(row) if row else None

    async def reveal(self, question_id: int, now: int) -> PostedQuestion | None:
        """Close the question, count its answers and add a point for each right one to the
        server's leaderboard: all of it once (the state changes once). The question as it now
        is, or None when it was revealed before (or is unknown)."""
        async with self._scope.write() as conn:
            changed = await conn.execute(
                "UPDATE trivia_questions SET state = 'revealed', closes_at = COALESCE("
                " CASE WHEN closes_at < ? THEN closes_at END, ?) WHERE id = ? AND state = 'open'",
                (now, now, question_id),
            )
            if not changed:
                return None
            await conn.execute(
                "UPDATE trivia_questions SET"
                " right_count = (SELECT COUNT(*) FROM trivia_answers"
                " WHERE question_id = ? AND correct = 1),"
                " answer_count = (SELECT COUNT(*) FROM trivia_answers WHERE question_id = ?)"
                " WHERE id = ?",
                (question_id, question_id, question_id),
            )
            await conn.execute(
                "INSERT INTO trivia_points (guild_id, user_id, points, updated_at)"
                " SELECT q.guild_id, a.user_id, 1, ? FROM trivia_answers a"
                " JOIN trivia_questions q ON q.id = a.question_id"
                " WHERE a.question_id = ? AND a.correct = 1"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET"
                " points = trivia_points.points + 1, updated_at = excluded.updated_at",
                (now, question_id),
            )
            row = await conn.fetchone(
                f"SELECT {_QUESTION} FROM trivia_questions WHERE id = ?", (question_id,)
            )
        return _question(row) if row else None

    async def press(self, question_id: int, user_id: int, choice: int, now: int) -> Press:
        """Store a member's press if it is their first on an open question."""
        return (await self.press_many([(question_id, user_id, choice)], now))[0]

    async def press_many(self, presses: list[tuple[int, int, int]], now: int) -> list[Press]:
        """Many presses (question, member, choice) in one transaction, each as `press()`."""
        async with self._scope.write() as conn:
            return [await self._press(conn, *press, now) for press in presses]

    async def _press(
        self, conn: Conn, question_id: int, user_id: int, choice: int, now: int
    ) -> Press:
        row = await conn.fetchone(
            "INSERT INTO trivia_answers (question_id, user_id, choice, correct, answered_at)"
            " SELECT q.id, ?, ?, CASE WHEN q.correct = ? THEN 1 ELSE 0 END, ?"
            " FROM trivia_questions q WHERE q.id = ? AND q.state = 'open'"
            f" AND (q.closes_at IS NULL OR q.closes_at > ?){_share_lock(conn)}"
            " ON CONFLICT DO NOTHING RETURNING choice",
            (user_id, choice, choice, now, question_id, now),
        )
        if row is not None:
            return Press("locked", choice)
        earlier = await conn.fetchone(
            "SELECT choice FROM trivia_answers WHERE question_id = ? AND user_id = ?",
            (question_id, user_id),
        )
        found = await conn.fetchone(
            f"SELECT {_QUESTION} FROM trivia_questions WHERE id = ?", (question_id,)
        )
        question = _question(found) if found else None
        if earlier is not None:
            return Press("again", int(earlier[0]), question)
        return Press("closed" if question else "unknown", None, question)

    # --- the leaderboard -------------------------------------------------------------------

    async def top(self, guild_id: int, limit: int = 10) -> list[tuple[int, int]]:
        """(member, points), most first; among equals, who got there first."""
        async with self._scope.read() as conn:
            rows = await conn.fetchall(
                "SELECT user_id, points FROM trivia_points WHERE guild_id = ? AND points > 0"
                " ORDER BY points DESC, updated_at, user_id LIMIT ?",
                (guild_id, limit),
            )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def standing(self, guild_id: int, user_id: int) -> tuple[int, int] | None:
        """(rank, points) of a member with points; members with more points come before."""
        async with self._scope.read() as conn:
            row = await conn.fetchone(
                "SELECT p.points, (SELECT COUNT(*) FROM trivia_points o WHERE o.guild_id = ?"
                " AND o.points > p.points) FROM trivia_points p"
                " WHERE p.guild_id = ? AND p.user_id = ? AND p.points > 0",
                (guild_id, guild_id, user_id),
            )
        return (int(row[1]) + 1, int(row[0])) if row else None
