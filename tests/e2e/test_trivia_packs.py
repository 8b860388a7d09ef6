"""Question packs end to end: a Red-format pack in TRIVIA_PATH is read at start-up, its
questions are played (a game of that one pack), and a broken pack beside it is named with its
file and line, in the log and by /admin reload, and skipped."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.helpers import wait_until
from tests.e2e.serving import serving
from tests.e2e.test_trivia import button_ids, embed_text, question_message, right_choice, titled

PACK = """\
AUTHOR: Test moderators
CONFIG:
  reveal_answer: true
Which pack-only question names the lighthouse?:
- Lighthouse Ward
- the Lighthouse Ward
Which pack-only question names the ferry?:
- Ferry Crossing
Which pack-only question names the rooftop?:
- Rooftop Garden
Which pack-only question names the gym?:
- Gym Annex
"""
ANSWERS = {
    "Which pack-only question names the lighthouse?": "Lighthouse Ward",
    "Which pack-only question names the ferry?": "Ferry Crossing",
    "Which pack-only question names the rooftop?": "Rooftop Garden",
    "Which pack-only question names the gym?": "Gym Annex",
}
BROKEN = "AUTHOR: x\nQuestion?:\n- a\n  - b: [\n"  # line 4 is not YAML


async def test_a_pack_is_played_and_a_broken_one_is_named_and_skipped(tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "fan-pack.yaml").write_text(PACK, "utf-8")
    (packs / "broken.yaml").write_text(BROKEN, "utf-8")
    async with serving(tmp_path, TRIVIA_PATH=str(packs)) as (fake, bot):
        broken_line = f"{packs / 'broken.yaml'}:4: not valid YAML"
        # read a moment after start-up, off the first answers' path
        await bot.wait_for_log(f"trivia: 4 questions from 1 packs in {packs}; 1 skipped")
        assert f"trivia pack skipped: {broken_line}" in bot.log, bot.log[-3000:]
        reload = await fake.invoke("admin reload", member=fake.guild.admin)
        assert "broken.yaml:4: not valid YAML" in reload.text, reload.text

        fan, channel = fake.guild.fan, fake.guild.general_channel_id
        offered = await fake.autocomplete("trivia start", {"pack": "fan"}, "pack", member=fan)
        assert offered.choices == [{"name": "fan-pack.yaml", "value": "fan-pack.yaml"}]
        refused = await fake.invoke("trivia start", {"pack": "broken.yaml"}, member=fan)
        assert refused.ephemeral and "There is no question pack broken.yaml" in refused.text

        options = {"questions": 2, "seconds": 10, "pack": "fan-pack.yaml"}
        started = await fake.invoke("trivia start", options, member=fan, channel_id=channel)
        assert "2 questions, 10 seconds" in started.text, started.text
        message = await question_message(fake, channel, "Question 1 of 2")
        text = embed_text(message)
        (prompt,) = [p for p in ANSWERS if p in text]  # the pack's question, its choices the
        assert all(a in text for a in ANSWERS.values())  # pack's answers
        correct, _ = right_choice(bot, message)
        await fake.press_button(message, button_ids(message)[correct], member=fan)

        def revealed() -> bool:
            return not fake.messages.by_id[int(message["id"])].get("components")

        await wait_until(revealed, timeout=20, what="the first question revealed")
        shown = embed_text(fake.messages.by_id[int(message["id"])])
        assert f"The answer: **{ANSWERS[prompt]}**" in shown and "1 of 1 got it right." in shown
        second = await question_message(fake, channel, "Question 2 of 2")
        assert any(p in embed_text(second) for p in ANSWERS if p != prompt)  # another of it
        title = "🏁 Trivia is over: 2 questions"
        await wait_until(lambda: titled(fake, channel, title) is not None, timeout=20,
                         what="the scores")  # fmt: skip
