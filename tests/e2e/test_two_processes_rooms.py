"""Episode rooms with two bot processes on one PostgreSQL (shards 0 and 1 of 2, one server
each): each server's rooms made by the process holding its shard (the count, set in one
server, wakes the other process), /watched answered there, and every role change applied once
through the outbox by the sender, whichever server it is for, also when the sender is
SIGKILLed mid-burst and the other process takes over."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.delivery_support import at_minute, set_release
from tests.e2e.helpers import set_up_guild, wait_until
from tests.e2e.test_episode_rooms import rooms_of, rooms_on, seen_by
from tests.e2e.test_episode_rooms_burst import member_edits
from tests.e2e.test_two_processes import Cluster, running_cluster, sender_of
from tests.fakediscord import FakeGuild, FakeMember
from tests.harness import BotProcess

COUNT = 4
FANS = 20  # in each server
pytestmark = pytest.mark.long  # about 40 s


def holder(c: Cluster, guild: FakeGuild) -> BotProcess:
    return c.bots[c.fake.shard_of(guild.id, 2)]


async def appliers(c: Cluster) -> dict[int, dict[int, int]]:
    """By server: how many of its role changes each process (by pid) applied."""
    conn = await asyncpg.connect(c.database_url)
    try:
        rows = await conn.fetch(
            "SELECT d.guild_id, d.lease_owner FROM deliveries d"
            " JOIN notifications n ON n.id = d.notification_id"
            " WHERE n.kind = 'episode_progress' AND d.state = 'sent'"
        )
    finally:
        await conn.close()
    out: dict[int, dict[int, int]] = {}
    for row in rows:  # a process's id is host:pid:random
        pid = int(str(row["lease_owner"]).rsplit(":", 2)[1])
        by_pid = out.setdefault(int(row["guild_id"]), {})
        by_pid[pid] = by_pid.get(pid, 0) + 1
    return out


def applied(c: Cluster, wanted: dict[FakeMember, tuple[FakeGuild, int]]) -> bool:
    return all(seen_by(g, m) == list(range(1, k + 1)) for m, (g, k) in wanted.items())


async def test_each_process_keeps_its_servers_rooms_and_the_sender_applies_every_change(
    pg_server: str, tmp_path: Path
) -> None:
    async with running_cluster(pg_server, tmp_path, rate=50) as c:
        fake, servers = c.fake, (c.fake.guild, c.other)
        for guild in servers:  # rooms on, answered by the process holding the server's shard
            await set_up_guild(fake, guild)
            assert "once the number of episodes is set" in await rooms_on(fake, guild)
        # the count, set in the home server, wakes the other process too: each makes its own
        counted = await fake.invoke("admin episodes", {"count": COUNT}, member=fake.guild.admin)
        assert f"{COUNT} episodes" in counted.text
        for guild in servers:
            made = f"episode rooms of server {guild.id}: made {COUNT} rooms, {COUNT} roles"
            await holder(c, guild).wait_for_log(made, timeout=15)
            assert len(rooms_of(guild)) == COUNT
        for guild in servers:
            assert f"server {guild.id}:" not in next(b for b in c.bots
                                                     if b is not holder(c, guild)).log  # fmt: skip

        # after the premiere (both processes' clocks moved past it)
        premiere = at_minute(time.time() + 120)
        await set_release(fake, premiere)
        for bot in c.bots:
            await bot.stop()
            bot.env["BOT_CLOCK_OFFSET"] = str(premiere.timestamp() + 60 - time.time())
        for bot in c.bots:
            await bot.start(wait_ready=False)
        for bot in c.bots:
            await bot.wait_for_log("ready: logged in as", timeout=30)

        fake.set_member_edit_limit(5, 1.0)  # per server: a burst takes a few seconds
        rng = random.Random(2)
        wanted = {
            guild.add_member(f"{guild.name[:6]}-viewer-{i}"): (guild, rng.randint(1, COUNT))
            for guild in servers
            for i in range(FANS)
        }
        results = await asyncio.gather(*(
            fake.invoke("watched", {"episode": k}, member=m, guild=g, timeout=30)
            for m, (g, k) in wanted.items()
        ))  # fmt: skip
        assert all("up to episode" in r.text for r in results)  # from each server's process
        sender = await sender_of(c)
        other = next(b for b in c.bots if b is not sender)
        sender_pid = sender.proc.pid if sender.proc else 0

        def edited_in_each_server() -> bool:  # only the sender applies before the kill
            edits = member_edits(fake)
            return all(sum(edits[m.id] for m, (g, _) in wanted.items() if g is guild) >= 2
                       for guild in servers)  # fmt: skip

        await wait_until(edited_in_each_server, timeout=15, what="changes in each server")
        await sender.kill()
        before = sum(member_edits(fake).values())
        assert before < len(wanted), "the burst was over before the kill"
        await wait_until(lambda: applied(c, wanted), timeout=40, what="every change")
        await asyncio.sleep(1.0)  # nothing more comes
        edits = member_edits(fake)
        twice = {m.name: edits[m.id] for m in wanted if edits[m.id] != 1}
        assert twice == {}, f"not applied exactly once: {twice}"
        assert await sender_of(c) is other
        by_server = await appliers(c)
        other_pid = other.proc.pid if other.proc else 0
        for guild in servers:
            assert set(by_server[guild.id]) <= {sender_pid, other_pid}, by_server
            assert sum(by_server[guild.id].values()) == FANS
        # the sender applied changes of the server it does not hold, and the survivor those
        # of the dead process's server, whose shard nobody ran meanwhile
        assert by_server[next(g for g in servers if holder(c, g) is other).id].get(sender_pid)
        assert by_server[next(g for g in servers if holder(c, g) is sender).id].get(other_pid)
        print(f"{before} of {len(wanted)} changes applied before the SIGKILL; by server and"
              f" process: {by_server}")  # fmt: skip
        await sender.start()  # its shard is back; it applies nothing again
        await asyncio.sleep(1.0)
        assert member_edits(fake) == edits
