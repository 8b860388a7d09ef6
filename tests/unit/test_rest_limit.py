"""The REST limiter: a one-second window like Discord's, urgent requests first, global 429s
pausing everything, interaction answers exempt."""

from __future__ import annotations

import asyncio
import itertools
import time
from types import SimpleNamespace

import pytest

from bot.rest_limit import WINDOW_S, RestLimiter, urgent

API = "http://127.0.0.1:1/api/v10"


async def test_no_more_than_the_limit_in_any_window() -> None:
    limiter = RestLimiter(20)
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(50)))
    for i, start in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s - start < WINDOW_S]
        assert len(in_window) <= 20
    assert stamps[-1] - stamps[0] < 2.6  # 50 at 20 a window: a little over two windows
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    # spread, not in bursts, but for the first tenth of the limit (2), which left at once
    assert max(gaps[:1]) < 0.7 / 20 * 0.5
    assert min(gaps[1:]) >= 0.7 / 20 * 0.9


async def test_a_few_requests_into_a_quiet_window_are_not_spread() -> None:
    """A lone caller's requests (start-up's logins and sync, one member's role and DM) go at
    once; the sixth at 50 a second waits its turn, as a burst's would."""
    limiter = RestLimiter(50)
    gap = 0.7 / 50
    stamps = []
    for _ in range(6):
        await limiter.acquire()
        stamps.append(time.monotonic())
    assert stamps[4] - stamps[0] < 4 * gap * 0.5  # spread, they would take 4 gaps
    assert stamps[5] - stamps[4] >= gap * 0.9


async def test_urgent_requests_overtake_waiting_fan_out() -> None:
    limiter = RestLimiter(5)
    order: list[str] = []

    async def one(name: str, *, hurry: bool) -> None:
        await limiter.acquire(urgent=hurry)
        order.append(name)

    fan_out = [asyncio.create_task(one(f"dm{i}", hurry=False)) for i in range(12)]
    await asyncio.sleep(0.05)  # the fan-out has begun; most of it waits
    waiting = 12 - len(order)
    await one("member", hurry=True)
    assert waiting >= 10 and len(order) <= 3  # it went before the ten or more still waiting
    await asyncio.gather(*fan_out)


async def test_a_global_429_pauses_everything() -> None:
    limiter = RestLimiter(1000)
    limiter.pause(0.3)
    started = time.monotonic()
    await limiter.acquire(urgent=True)
    assert time.monotonic() - started >= 0.29


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RestLimiter(0)


async def test_the_trace_hook_exempts_interaction_answers_and_marks_urgency() -> None:
    limiter = RestLimiter(1)
    config = limiter.trace_config(API)
    start = config.on_request_start[0]
    callback = SimpleNamespace(url=f"{API}/interactions/1/tok/callback", method="POST")
    followup = SimpleNamespace(url=f"{API}/webhooks/1/tok", method="POST")
    gateway = SimpleNamespace(url="ws://127.0.0.1:1/gateway", method="GET")
    for params in (callback, followup, gateway) * 5:  # far past the limit of 1: not counted
        await asyncio.wait_for(start(None, None, params), 0.5)  # type: ignore[arg-type]
    assert limiter.granted == 0
    post = SimpleNamespace(url=f"{API}/channels/5/messages", method="POST")
    with urgent():
        await start(None, None, post)  # type: ignore[arg-type]
    assert limiter.granted == 1
