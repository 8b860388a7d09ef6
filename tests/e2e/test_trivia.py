"""Trivia end to end: a game's questions, buttons, reveals and scores; one game per channel;
a game cut short by a restart; the leaderboard."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.helpers import query, wait_until
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord
from tests.fakediscord.models import FakeMember
from tests.harness import BotProcess

SEND_MESSAGES = 1 << 11
HANGUL = re.compile(r"[\uac00-\ud7a3]")
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
        guild.set_overwrite(other_channel, guild.bot_role.id, deny=SEND_MESSAGES)
        await asyncio.sleep(0.5)  # the bot hears of it through the gateway
        refused = await fake.invoke("trivia start", member=players[1], channel_id=other_channel)
        assert refused.ephemeral and "I can't post in this channel" in refused.text
        guild.set_overwrite(other_channel, guild.bot_role.id)  # allowed again
        await asyncio.sleep(0.5)
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


# ── the daily question ───────────────────────────────────────────────────────


def daily_posts(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(channel_id)
        if any("Question of the day" in (e.get("title") or "") or "오늘의 문제" in (
            e.get("title") or "") for e in m.get("embeds") or [])
    ]  # fmt: skip


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


async def move_clock(bot: BotProcess, to: float, *, kill: bool = False) -> None:
    """Restart the bot with its clock at `to` (a SIGKILL first, if asked)."""
    bot.env["BOT_CLOCK_OFFSET"] = str(to - time.time())
    if kill:
        await bot.kill()
        await bot.start()
    else:
        await bot.restart()


async def test_the_daily_question_once_a_day_across_kills_and_a_missed_day(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, extra_guilds=["Korean fans"]) as (fake, bot):
        home, korean = fake.guild, fake.guilds[1]
        korean.preferred_locale = "ko"
        hour = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        for guild in (home, korean):
            answer = await fake.invoke(
                "admin setup",
                {"trivia_channel": guild.general_channel_id, "trivia_hour": hour.hour},
                member=guild.admin, guild=guild,
            )  # fmt: skip
            assert f"<#{guild.general_channel_id}>" in answer.text, answer.text
        await asyncio.sleep(1.5)
        assert daily_posts(fake, home.general_channel_id) == []  # not before its hour

        # at the hour: one question in each server, in its language
        day1 = hour.timestamp() + 20
        await move_clock(bot, day1)
        for guild in (home, korean):
            await wait_until(
                lambda g=guild: len(daily_posts(fake, g.general_channel_id)) == 1,
                timeout=15, what="the day's question",
            )  # fmt: skip
        post = daily_posts(fake, home.general_channel_id)[0]
        assert post["nonce"] and len(button_ids(post)) == 4
        assert day_of(day1) in embed_text(post)
        ko_text = embed_text(daily_posts(fake, korean.general_channel_id)[0])
        assert HANGUL.search(ko_text.split("\n", 2)[-1]), ko_text  # the question itself
        correct, _ = right_choice(bot, post)
        fan = home.fan
        locked = await fake.press_button(post, button_ids(post)[correct], member=fan)
        assert "Locked in" in locked.text

        # killed and back the same day: nothing again
        await move_clock(bot, day1 + 60, kill=True)
        await asyncio.sleep(3)
        assert len(daily_posts(fake, home.general_channel_id)) == 1
        again = await fake.press_button(post, button_ids(post)[0], member=fan)
        assert "already answered" in again.text

        # the next day's reveals the day before's answer and who got it
        await move_clock(bot, day1 + 86400)
        await wait_until(
            lambda: len(daily_posts(fake, home.general_channel_id)) == 2,
            timeout=15, what="the next day's question",
        )  # fmt: skip
        second = daily_posts(fake, home.general_channel_id)[1]
        text = embed_text(second)
        assert "The last question" in text and "1 of 1 got it right." in text, text
        choices = query(Path(bot.env["DATABASE_PATH"]),
                        "SELECT choices, correct FROM trivia_questions WHERE day = ?"
                        " AND guild_id = ?", day_of(day1), home.id)  # fmt: skip
        answer_text = json.loads(choices[0][0])[choices[0][1]]
        assert f"The answer: **{answer_text}**" in text.replace("\\", ""), text
        # ... and closes the day before's post as a game's question is: answer shown, no buttons
        closed_ok = closed_post(fake, post, answer_text, "1 of 1 got it right.")
        await wait_until(closed_ok, timeout=15, what="the first day's post closed")
        planted = fake.plant_bot_message(home.general_channel_id, "old", button_ids(post)[0])
        late = await fake.press_button(planted, button_ids(post)[0], member=home.admin)
        assert "This question is closed" in late.text  # a press that was on its way
        top = await fake.invoke("trivia top", member=fan)
        assert f"<@{fan.id}>: 1 points" in top.text and "Rank 1, 1 points" in top.text

        # The bot is down from day 3 to day 7: each of the last three days' questions is
        # posted late, oldest first, when it is back, once; the first names the two left out
        # and closes day 2's; all three stay open until the next day's, which closes them all.
        await bot.stop()
        await asyncio.sleep(1)
        await move_clock(bot, day1 + 6 * 86400 + 3 * 3600)
        await wait_until(
            lambda: len(daily_posts(fake, home.general_channel_id)) == 5,
            timeout=20, what="the missed days' questions",
        )  # fmt: skip
        late_posts = daily_posts(fake, home.general_channel_id)[2:]
        assert [day_of(day1 + k * 86400) in embed_text(m)
                for m, k in zip(late_posts, (4, 5, 6), strict=True)] == [True] * 3  # fmt: skip
        assert "2 earlier days had no question" in embed_text(late_posts[0])
        assert "The last question" in embed_text(late_posts[0])
        assert all("earlier days" not in embed_text(m) for m in late_posts[1:])
        await wait_until(closed_post(fake, second, None, "0 of 0 got it right."), timeout=15,
                         what="day 2's post closed")  # fmt: skip
        for message in late_posts:  # all open: the fan answers each, rightly
            correct, _ = right_choice(bot, message)
            pressed = await fake.press_button(message, button_ids(message)[correct], member=fan)
            assert "Locked in" in pressed.text, pressed.text
        await asyncio.sleep(2)
        for guild in (home, korean):
            assert len(daily_posts(fake, guild.general_channel_id)) == 5
            days = query(Path(bot.env["DATABASE_PATH"]), "SELECT day FROM trivia_questions"
                         " WHERE guild_id = ? ORDER BY day", guild.id)  # fmt: skip
            assert [d for (d,) in days] == [day_of(day1 + k * 86400) for k in (0, 1, 4, 5, 6)]

        await move_clock(bot, day1 + 7 * 86400 + 60)
        await wait_until(
            lambda: len(daily_posts(fake, home.general_channel_id)) == 6,
            timeout=15, what="the day after's question",
        )  # fmt: skip
        assert embed_text(daily_posts(fake, home.general_channel_id)[5]).count(
            "1 of 1 got it right."
        ) == 3  # fmt: skip
        for message in late_posts:
            await wait_until(closed_post(fake, message, None, "1 of 1 got it right."),
                             timeout=15, what="a late day's post closed")  # fmt: skip
        top = await fake.invoke("trivia top", member=fan)
        assert "Rank 1, 4 points" in top.text, top.text
        edits = fake.requests_to("PATCH", rf"/channels/{home.general_channel_id}/messages/\d+")
        assert len(edits) == 5, edits  # each post closed once


def closed_post(
    fake: FakeDiscord, message: dict[str, Any], answer: str | None, tally: str
) -> Callable[[], bool]:
    """Whether a daily post was closed: its buttons gone, its answer (if given) and tally shown."""

    def closed() -> bool:
        now = fake.messages.by_id[int(message["id"])]
        text = embed_text(now).replace("\\", "")
        shown = answer is None or f"The answer: **{answer}**" in text
        return not now.get("components") and tally in text and shown and "✅" in text

    return closed


async def test_a_game_cut_by_a_kill_ends_cleanly_with_its_points(tmp_path: Path) -> None:
    async with serving(tmp_path) as (fake, bot):
        fan, channel = fake.guild.fan, fake.guild.general_channel_id
        await fake.invoke(
            "trivia start", {"questions": 3, "seconds": 10}, member=fan, channel_id=channel
        )
        first = await question_message(fake, channel, "Question 1 of 3")
        correct, _ = right_choice(bot, first)
        await fake.press_button(first, button_ids(first)[correct], member=fan)
        second = await question_message(fake, channel, "Question 2 of 3")
        correct, _ = right_choice(bot, second)
        await fake.press_button(second, button_ids(second)[correct], member=fan)
        old_button = button_ids(second)[(correct + 1) % 4]
        await bot.kill()  # mid-question: the game's process is gone
        await bot.start()

        title = "🏁 Trivia ended early (the bot restarted): 2 questions"
        await wait_until(lambda: titled(fake, channel, title) is not None, timeout=15,
                         what="the cut game's scores")  # fmt: skip
        assert f"<@{fan.id}>: 2 points" in embed_text(titled(fake, channel, title) or {})
        now = fake.messages.by_id[int(second["id"])]
        assert not now.get("components") and "1 of 1 got it right." in embed_text(now)
        await asyncio.sleep(2)  # no third question, no second set of scores
        assert titled(fake, channel, "Question 3 of 3") is None
        assert sum(1 for m in fake.channel_messages(channel) if "🏁" in embed_text(m)) == 1

        # an old message's button is still answered, and scores nothing
        planted = fake.plant_bot_message(channel, "old question", old_button)
        late = await fake.press_button(planted, old_button, member=fake.guild.admin)
        assert "This question is closed. The answer was" in late.text
        top = await fake.invoke("trivia top", member=fan, channel_id=channel)
        assert "Rank 1, 2 points" in top.text and f"<@{fake.guild.admin.id}>" not in top.text
        # a new game may start in the channel again
        again = await fake.invoke(
            "trivia start", {"questions": 1, "seconds": 10}, member=fan, channel_id=channel
        )
        assert not again.ephemeral
