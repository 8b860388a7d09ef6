"""Trivia end to end: a game's questions, buttons, reveals and scores; one game per channel;
a game cut short by a restart; the leaderboard."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord
from tests.fakediscord.models import FakeMember
from tests.harness import BotProcess

TRIVIA_ID = re.compile(r"aoad:trivia:(\d+):([0-3])")


def button_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


def titled(fake: FakeDiscord, channel_id: int, title: str) -> dict[str, Any] | None:
    for message in fake.channel_messages(channel_id):
        if any((e.get("title") or "") == title for e in message.get("embeds") or []):
            return message
    return None


async def question_message(fake: FakeDiscord, channel_id: int, title: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    def posted() -> bool:
        message = titled(fake, channel_id, title)
        if message is not None and button_ids(message):
            found.append(message)
            return True
        return False

    await wait_until(posted, timeout=20, what=f"a question titled {title!r}")
    return found[0]


def embed_text(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def right_choice(bot: BotProcess, message: dict[str, Any]) -> tuple[int, str]:
    """The question's right choice, as the bot stored it (its id, from a button's custom id)."""
    match = TRIVIA_ID.fullmatch(button_ids(message)[0])
    assert match is not None
    db = Path(bot.env["DATABASE_PATH"])
    rows = query(db, "SELECT correct, choices FROM trivia_questions WHERE id = ?", match[1])
    correct = int(rows[0][0])
    return correct, rows[0][1]


async def play_round(
    fake: FakeDiscord, bot: BotProcess, channel_id: int, title: str, players: list[FakeMember]
) -> tuple[dict[str, Any], int]:
    """Each player presses another button; a second press is refused. The right choice."""
    message = await question_message(fake, channel_id, title)
    ids = button_ids(message)
    assert len(ids) == 4
    correct, _ = right_choice(bot, message)
    for i, player in enumerate(players):
        answer = await fake.press_button(message, ids[i], member=player)
        assert answer.ephemeral and "Locked in" in answer.text, answer.text
    for i, player in enumerate(players):
        again = await fake.press_button(message, ids[(i + 1) % 4], member=player)
        assert again.ephemeral and "already answered" in again.text, again.text
    return message, correct


async def test_a_game_scores_each_member_once_and_reveals_the_count(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        guild = fake.guild
        players = [guild.add_member(f"player{i}") for i in range(4)]
        channel = guild.general_channel_id
        options = {"questions": 3, "seconds": 10}
        started = await fake.invoke("trivia start", options, member=players[0], channel_id=channel)
        assert "3 questions, 10 seconds" in started.text and not started.ephemeral

        # one game per channel; another channel may have its own
        busy = await fake.invoke("trivia start", options, member=players[1], channel_id=channel)
        assert busy.ephemeral and "already running in this channel" in busy.text
        other_channel = guild.announce_channel_id
        other = await fake.invoke(
            "trivia start", {"questions": 1, "seconds": 10}, member=players[1],
            channel_id=other_channel,
        )  # fmt: skip
        assert "1 questions" in other.text and not other.ephemeral

        points: Counter[int] = Counter()
        for round_no in (1, 2, 3):
            message, correct = await play_round(
                fake, bot, channel, f"Question {round_no} of 3", players
            )
            points[players[correct].id] += 1

            def revealed(message_id: int = int(message["id"])) -> bool:
                now = fake.messages.by_id[message_id]
                return not now.get("components") and "The answer" in embed_text(now)

            await wait_until(revealed, timeout=20, what=f"question {round_no} revealed")
            text = embed_text(fake.messages.by_id[int(message["id"])])
            assert "1 of 4 got it right." in text, text

        def over() -> bool:
            return titled(fake, channel, "🏁 Trivia is over: 3 questions") is not None

        await wait_until(over, timeout=20, what="the game's scores")
        scores = embed_text(titled(fake, channel, "🏁 Trivia is over: 3 questions") or {})
        for player in players:  # everyone who played, with what they won
            assert f"<@{player.id}>: {points[player.id]} points" in scores, scores

        # the leaderboard has the same points; the asker sees their own rank
        top = await fake.invoke("trivia top", member=players[0], channel_id=channel)
        for player in players:
            if points[player.id]:
                assert f"<@{player.id}>: {points[player.id]} points" in top.text, top.text
        mine = points[players[0].id]
        assert (f"{mine} points" if mine else "No points yet.") in top.text

        # the game in the other channel ran alongside and ended too
        await wait_until(
            lambda: titled(fake, other_channel, "🏁 Trivia is over: 1 questions") is not None,
            timeout=20, what="the other channel's game over",
        )  # fmt: skip
        db = Path(bot.env["DATABASE_PATH"])
        assert query(db, "SELECT COUNT(*) FROM trivia_answers") == [(12,)]
        assert query(db, "SELECT COUNT(*) FROM trivia_games WHERE state = 'ended'") == [(2,)]
