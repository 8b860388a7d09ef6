"""How trivia reads: a question with its four buttons, the question revealed, a game's
scores, the leaderboard, the daily question's post (an outbox kind, registered by
`register_daily()`), and the answers to a press, in English and Korean.

The buttons carry the question's id and the choice in their custom id, so a press is answered
after a restart too, and a press on a closed question is told the answer."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.discord_limits import BLANK, FIELD_VALUE, fit_embed, truncate
from bot.i18n import Lang, lang_of, t
from bot.outbox.kinds import NotificationKind, Rendered, register
from bot.store.records import Delivery
from bot.store.trivia import PostedQuestion, Press, TriviaSettings
from bot.trivia.bank import PacksLoaded
from bot.ui.escape import quote
from bot.ui.interactions import NO_PINGS, answer_ephemeral, usecases_of
from bot.usecases.trivia import (
    CLOSE_KIND,
    DAILY_KIND,
    LATE_DAYS,
    GameResult,
    Leaderboard,
    close_expiry,
    daily_expiry,
)

log = logging.getLogger(__name__)

COLOR = discord.Colour(0x2E8B57)
LETTERS = ("A", "B", "C", "D")
LABEL_MAX = 80  # a button's label
CHOICE_MAX = 200


def _md(text: str) -> str:
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def choice_label(index: int, text: str) -> str:
    return truncate(f"{LETTERS[index]} · {text}", LABEL_MAX)


def _choice_lines(choices: list[str], correct: int | None = None) -> str:
    lines = []
    for i, choice in enumerate(choices):
        mark = "✅" if correct == i else ("▫️" if correct is not None else "")
        text = f"**{LETTERS[i]}** · {_md(truncate(choice, CHOICE_MAX))}"
        lines.append(f"{mark} {text}".strip())
    return "\n".join(lines)


# --- a game's question ---------------------------------------------------------------------


def question_embed(q: PostedQuestion, lang: Lang, rounds: int) -> discord.Embed:
    title = t(lang, "trivia.round", round=q.round, rounds=rounds)
    embed = discord.Embed(title=title, colour=COLOR)
    embed.description = f"**{_md(q.prompt)}**\n\n{_choice_lines(q.choices)}"
    if q.closes_at is not None:
        embed.add_field(
            name=BLANK, value=t(lang, "trivia.closes", when=f"<t:{q.closes_at}:R>"), inline=False
        )
    embed.set_footer(text=t(lang, "trivia.first_press"))
    return fit_embed(embed)


def revealed_embed(q: PostedQuestion, lang: Lang, title: str) -> discord.Embed:
    embed = discord.Embed(title=title, colour=COLOR)
    embed.description = f"**{_md(q.prompt)}**\n\n{_choice_lines(q.choices, q.correct)}"
    answer = t(lang, "trivia.answer", answer=_md(truncate(q.answer, CHOICE_MAX)))
    tally = t(lang, "trivia.tally", right=q.right_count, answered=q.answer_count)
    embed.add_field(name=BLANK, value=f"{answer}\n{tally}", inline=False)
    return fit_embed(embed)


def round_title(q: PostedQuestion, lang: Lang, rounds: int) -> str:
    return t(lang, "trivia.round", round=q.round, rounds=rounds)


def question_view(q: PostedQuestion) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for i, choice in enumerate(q.choices):
        view.add_item(TriviaButton(q.id, i, choice_label(i, choice)))
    return view


def game_started_text(lang: Lang, rounds: int, seconds: int) -> str:
    return t(lang, "trivia.started", rounds=rounds, seconds=seconds)


def scores_embed(result: GameResult, lang: Lang) -> discord.Embed:
    key = "trivia.over_short" if result.cut_short else "trivia.over"
    embed = discord.Embed(title=t(lang, key, asked=result.asked), colour=COLOR)
    if not result.scores:
        embed.description = t(lang, "trivia.no_scores")
    else:
        lines = [
            t(lang, "trivia.score_line", rank=i, user=f"<@{user}>", points=points)
            for i, (user, points) in enumerate(result.scores[:25], start=1)
        ]
        embed.description = "\n".join(lines)
        if len(result.scores) > 25:
            embed.description += "\n" + t(lang, "trivia.more", count=len(result.scores) - 25)
    embed.set_footer(text=t(lang, "trivia.added"))
    return fit_embed(embed)


def leaderboard_embed(board: Leaderboard, lang: Lang) -> discord.Embed:
    embed = discord.Embed(title=t(lang, "trivia.top_title"), colour=COLOR)
    if board.top:
        embed.description = "\n".join(
            t(lang, "trivia.score_line", rank=i, user=f"<@{user}>", points=points)
            for i, (user, points) in enumerate(board.top, start=1)
        )
    else:
        embed.description = t(lang, "trivia.top_empty")
    if board.me is not None:
        rank, points = board.me
        me = t(lang, "trivia.top_me", rank=rank, points=points)
    else:
        me = t(lang, "trivia.top_me_none")
    embed.add_field(name=t(lang, "trivia.top_you"), value=truncate(me, FIELD_VALUE), inline=False)
    embed.set_footer(text=t(lang, "trivia.top_footer"))
    return fit_embed(embed)


# --- the daily question --------------------------------------------------------------------


def render_daily(delivery: Delivery) -> Rendered:
    p = delivery.payload
    lang = lang_of(str(p.get("lang") or delivery.locale))
    embed = discord.Embed(title=daily_title(lang, str(p["day"])), colour=COLOR)
    embed.description = f"**{_md(str(p['prompt']))}**\n\n{_choice_lines(list(p['choices']))}"
    previous = p.get("previous")
    closed = [previous] if isinstance(previous, dict) else list(previous or [])
    for q in closed[-LATE_DAYS:]:  # the questions this post closes (several after a gap)
        answer = t(lang, "trivia.answer", answer=_md(truncate(str(q["answer"]), 200)))
        tally = t(lang, "trivia.tally", right=int(q["right"]), answered=int(q["answered"]))
        value = f"{_md(truncate(str(q['prompt']), 300))}\n{answer}\n{tally}"
        embed.add_field(name=t(lang, "trivia.yesterday"), value=value, inline=False)
    if p.get("left_out"):
        embed.add_field(
            name=BLANK, value=t(lang, "trivia.left_out", days=int(p["left_out"])), inline=False
        )
    embed.set_footer(text=t(lang, "trivia.daily_footer"))
    return Rendered(t(lang, "trivia.daily_headline"), fit_embed(embed), NO_PINGS)


def daily_components(delivery: Delivery) -> list[dict[str, Any]]:
    p = delivery.payload
    view = discord.ui.View(timeout=None)
    for i, choice in enumerate(p["choices"]):
        view.add_item(TriviaButton(int(p["question_id"]), i, choice_label(i, str(choice))))
    return view.to_components()


DAILY = NotificationKind(
    DAILY_KIND, render_daily, daily_expiry, buttons=False, components=daily_components
)


def daily_title(lang: Lang, day: str) -> str:
    return t(lang, "trivia.daily_title", day=day)


def _render_nothing(delivery: Delivery) -> Rendered:
    return Rendered("", None, NO_PINGS)  # closing a post edits it: nothing is posted


def register_daily(
    close: Callable[[Delivery], Awaitable[None]], closed: Callable[[Delivery], Awaitable[bool]]
) -> None:
    """The daily question's post, and the edit that closes it once the next one reveals it
    (its answer shown, its buttons gone)."""
    register(DAILY)
    register(
        NotificationKind(
            CLOSE_KIND, _render_nothing, close_expiry, buttons=False, act=close, acted=closed
        )
    )


# --- set-up and packs ---------------------------------------------------------------------


def trivia_setup_line(lang: Lang, settings: TriviaSettings) -> str:
    if settings.channel_id is None:
        return t(lang, "trivia.setup_off")
    return t(lang, "trivia.setup", channel=f"<#{settings.channel_id}>", hour=settings.hour)


def packs_text(lang: Lang, loaded: PacksLoaded) -> str:
    text = t(lang, "trivia.packs", packs=loaded.packs, questions=loaded.questions)
    if loaded.broken:
        errors = "; ".join(quote(line, 300) for line in loaded.broken[:5])
        text += "\n" + t(lang, "trivia.packs_broken", errors=errors)
    return truncate(text, 1900)


# --- a press -------------------------------------------------------------------------------


def press_text(press: Press, lang: Lang) -> str:
    q = press.question
    if press.outcome == "locked":
        return t(lang, "trivia.locked")
    if press.outcome == "again" and q is not None and press.choice is not None:
        return t(lang, "trivia.again", choice=LETTERS[press.choice])
    if q is not None and q.state == "revealed":
        return t(lang, "trivia.closed_answer", answer=_md(truncate(q.answer, CHOICE_MAX)))
    if q is not None:
        return t(lang, "trivia.closed")
    return t(lang, "trivia.gone")


class TriviaButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"aoad:trivia:(?P<question>\d+):(?P<choice>[0-3])",
):
    def __init__(self, question_id: int, choice: int, label: str = BLANK) -> None:
        self.question_id = question_id
        self.choice = choice
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"aoad:trivia:{question_id}:{choice}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> TriviaButton:
        return cls(int(match["question"]), int(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        lang = lang_of(interaction.locale)

        async def press() -> str:
            try:
                trivia = usecases_of(interaction).trivia
                done = await trivia.press(self.question_id, interaction.user.id, self.choice)
                return press_text(done, lang)
            except Exception:
                log.exception("trivia button failed (interaction %s)", interaction.id)
                return t(lang, "error.internal", ref=interaction.id)

        await answer_ephemeral(interaction, press())
