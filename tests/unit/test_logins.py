"""Gateway logins paced per bucket (`shard_id % max_concurrency`), as Discord requires."""

from __future__ import annotations

import time
from typing import cast

import pytest

from bot import logins
from bot.logins import LoginPacer
from bot.store import Store
from bot.store.coordination import LocalCoordination


class Concurrency:
    def __init__(self, value: int) -> None:
        self.value = value
        self.asked = 0

    async def __call__(self) -> int:
        self.asked += 1
        return self.value


def pacer(concurrency: Concurrency) -> LoginPacer:
    # One process (SQLite): the turns are kept in memory, the store is never read.
    return LoginPacer(cast(Store, None), LocalCoordination(), concurrency)


async def test_shard_0_logs_in_without_asking_discord_for_its_bucket() -> None:
    """Shard 0 is in bucket 0 whatever the concurrency: its first login costs no request."""
    concurrency = Concurrency(16)
    await pacer(concurrency).turn(0)
    assert concurrency.asked == 0


async def test_shards_of_one_bucket_wait_for_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logins, "IDENTIFY_GAP_S", 0.2)
    concurrency = Concurrency(2)
    paced = pacer(concurrency)
    started = time.monotonic()
    await paced.turn(0)
    await paced.turn(1)  # bucket 1: at once
    assert time.monotonic() - started < 0.1
    await paced.turn(2)  # bucket 0 again: after shard 0's gap
    assert time.monotonic() - started >= 0.19
    await paced.turn(3)  # bucket 1 again: shard 1's gap is over by now
    assert time.monotonic() - started < 0.35
    assert concurrency.asked == 1  # asked once, for shard 1
