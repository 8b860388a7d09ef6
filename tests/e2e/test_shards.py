"""One process running every shard on SQLite (`SHARD_COUNT` without `SHARD_IDS`): each
server's commands arrive on its own shard's connection, and both are answered."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.helpers import set_up_guild
from tests.e2e.serving import check_fake, finish, spec_path
from tests.fakediscord import FakeDiscord
from tests.harness import BotProcess, bot_environment


async def test_one_process_runs_both_shards(tmp_path: Path) -> None:
    fake = FakeDiscord(spec_path=spec_path(), max_concurrency=2)  # both log in at once
    other = fake.add_guild("Second fan server", shard=(1 - fake.shard_of(fake.guild.id, 2), 2))
    await fake.start()
    bot = BotProcess(bot_environment(fake, tmp_path / "bot.db", SHARD_COUNT="2"),
                     tmp_path / "bot.log")  # fmt: skip
    try:
        await bot.start()
        assert sorted((shard, count) for _, shard, count in fake.identifies) == [(0, 2), (1, 2)]
        assert fake.identify_pacing_violations == 0
        for guild in (fake.guild, other):
            await set_up_guild(fake, guild)
            status = await fake.invoke("admin status", member=guild.admin, guild=guild)
            assert "shards all 2 (sends the notifications)" in status.text, status.text
        await finish(bot)
        check_fake(fake)
    finally:
        await bot.stop()
        await fake.stop()
