"""`python -m bench.rooms [members] [limit] [window_s]`: a burst of /watched in one server.

The real bot on the fake Discord (global limit 200/s, `DISCORD_RATE_LIMIT=200`), 8 episode
rooms after the premiere, then `members` (default 1,000) /watched at once, each a random
episode 0-8. It reports the slowest answers and the time from the burst's start until the
last member's change was applied (the fake shows them exactly their rooms), against the least
time the member-edit route's limit (`limit` per `window_s` per server, default 100 per 1 s)
allows for that many edits; and the 429s."""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.helpers import wait_until
from tests.e2e.serving import serving
from tests.e2e.test_episode_rooms import after_premiere, rooms_on, seen_by

COUNT = 8


async def burst(members: int, limit: int, window_s: float) -> str:
    with tempfile.TemporaryDirectory() as workdir:
        async with serving(Path(workdir), DISCORD_RATE_LIMIT="200") as (fake, bot):
            fake.set_global_rate_limit(200)
            fake.set_member_edit_limit(limit, window_s)
            await fake.invoke("admin episodes", {"count": COUNT}, member=fake.guild.admin)
            await rooms_on(fake)
            await after_premiere(fake, bot)
            rng = random.Random(members)
            crowd = [fake.guild.add_member(f"crowd-{i}") for i in range(members)]
            wanted = {m: rng.randint(0, COUNT) for m in crowd}
            started = time.monotonic()
            results = await asyncio.gather(
                *(fake.invoke("watched", {"episode": k}, member=m, timeout=120)
                  for m, k in wanted.items())
            )  # fmt: skip
            answered = time.monotonic() - started

            def applied() -> bool:
                guild = fake.guild
                return all(seen_by(guild, m) == list(range(1, k + 1)) for m, k in wanted.items())

            await wait_until(applied, timeout=600, what="every change", poll=0.05)
            done = time.monotonic() - started
            edits = [
                r for r in fake.requests_to("PATCH", r"/guilds/\d+/members/\d+") if r.status == 200
            ]
            floor = len(edits) / limit * window_s
            first = max(r.latency for r in results)
            final = max(r.final_latency for r in results)
            return "\n".join([
                f"| {members:,} `/watched` at once, member edits limited to {limit} per"
                f" {window_s:g} s | value |",
                "|---|---|",
                f"| slowest first answer / slowest final answer (s) | {first:.2f} / {final:.2f} |",
                f"| all answered after (s) | {answered:.1f} |",
                f"| member edits made (each member once) | {len(edits):,} |",
                f"| last change applied after (s) | {done:.1f} |",
                f"| least time the route's limit allows (s) | {floor:.1f} ({floor / done:.0%}"
                " of the route's rate) |",
                f"| 429s from the route (waited out) | {fake.member_edit_limit.limited} |",
            ])  # fmt: skip


def main() -> int:
    args = [float(a) for a in sys.argv[1:]]
    members = int(args[0]) if args else 1000
    limit = int(args[1]) if len(args) > 1 else 100
    window = args[2] if len(args) > 2 else 1.0
    print(asyncio.run(burst(members, limit, window)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
