"""Trivia under a burst: 1,000 members press one question's buttons at once (a 1-question
game, the fake Discord's global limit and the bot's DISCORD_RATE_LIMIT at 50/s). Reports the
time from each press to the answer the member reads (p50, p99, slowest), how many presses
were stored (each once), the reveal's count, and the REST requests the game made (questions,
reveal and scores: interaction answers are exempt and not counted).

    .venv/bin/python -m bench.trivia [presses]
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from bench.compare import progress
from bench.process import OURS, fresh_world
from tests.e2e.helpers import set_up_guild

TRIVIA_ID = re.compile(r"aoad:trivia:(\d+):([0-3])")
GAME_REST = re.compile(r"/channels/\d+/messages(/\d+)?")


def _buttons(message: dict[str, object]) -> list[str]:
    rows = message.get("components") or []
    assert isinstance(rows, list)
    return [c["custom_id"] for row in rows for c in row["components"]]


async def press_burst(presses: int = 1000) -> str:
    async with fresh_world(OURS) as (fake, bot):
        await bot.start()
        await set_up_guild(fake, fake.guild)
        channel = fake.guild.general_channel_id
        crowd = [fake.guild.add_member(f"crowd-{i}") for i in range(presses)]
        first = len(fake.requests)
        await fake.invoke(
            "trivia start", {"questions": 1, "seconds": 30}, member=crowd[0], channel_id=channel
        )
        message: dict[str, object] | None = None
        deadline = time.monotonic() + 20
        while message is None:
            assert time.monotonic() < deadline, "no question posted"
            found = [m for m in fake.channel_messages(channel) if _buttons(m)]
            message = found[0] if found else None
            await asyncio.sleep(0.05)
        ids = _buttons(message)
        progress(f"trivia: {presses} presses at once")
        started = time.monotonic()
        results = await asyncio.gather(
            *(
                fake.press_button(message, ids[i % 4], member=m, timeout=60)
                for i, m in enumerate(crowd)
            )
        )
        took = time.monotonic() - started
        finals = sorted(r.final_latency for r in results)
        p99 = statistics.quantiles(finals, n=100, method="inclusive")[98]
        with sqlite3.connect(Path(bot.env["DATABASE_PATH"]), timeout=30) as conn:
            stored, members = conn.execute(
                "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM trivia_answers"
            ).fetchone()
        message_id = int(str(message["id"]))
        deadline = time.monotonic() + 60
        while fake.messages.by_id[message_id].get("components"):
            assert time.monotonic() < deadline, "no reveal"
            await asyncio.sleep(0.1)
        await asyncio.sleep(4)  # the scores
        rest = [r for r in fake.requests[first:] if GAME_REST.fullmatch(r.path)]
        locked = sum(1 for r in results if "Locked in" in r.text)
        return (
            f"| {presses:,} presses on one question, sent in {took:.2f} s"
            f" | {statistics.median(finals):.3f} s | {p99:.3f} s | {finals[-1]:.3f} s"
            f" | {locked:,} locked in, {stored:,} stored ({members:,} members)"
            f" | {len(rest)} |"
        )


def main() -> int:
    presses = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    row = asyncio.run(press_burst(presses))
    print(
        "| trivia burst | press → answer p50 | p99 | slowest | stored | game's REST requests |\n"
        "| --- | --- | --- | --- | --- | --- |\n" + row
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
