"""Shared steps of the notification tests."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakediscord import FakeDiscord, FakeGuild

HEADLINES = {
    "date_set": "has a premiere date",
    "date_expected": "season 2 is expected in",
    "date_cleared": "premiere date has been withdrawn",
    "update": "News about All of Us Are Dead",
    "reminder_7d": "One week until",
    "reminder_1d": "One day until",
    "reminder_1h": "One hour until",
    "premiere": "premieres now on Netflix",
}


async def set_up_guild(fake: FakeDiscord, guild: FakeGuild) -> None:
    result = await fake.invoke(
        "admin setup",
        {"channel": guild.announce_channel_id, "role": guild.notify_role.id,
         "mod_role": guild.mod_role.id},
        member=guild.admin, guild=guild,
    )  # fmt: skip
    assert "saved" in result.text, result.text


def kind_of(message: dict[str, Any]) -> str | None:
    content = message.get("content") or ""
    for kind, headline in HEADLINES.items():
        if headline in content:
            return kind
    return None


def kinds(messages: list[dict[str, Any]]) -> Counter[str]:
    return Counter(k for k in map(kind_of, messages) if k)


async def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(poll)


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the bot's database from outside, as an operator would."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def only_the_role_pinged(fake: FakeDiscord, messages: list[dict[str, Any]]) -> None:
    """Nothing the bot posts may ping anything but a notification role."""
    allowed = {int(g.notify_role.id) for g in fake.guilds}
    for message in messages:
        pinged = message["_pinged"]
        assert not pinged["everyone"], message
        assert not pinged["users"], message
        assert set(map(int, pinged["roles"])) <= allowed, message


def all_messages(fake: FakeDiscord) -> list[dict[str, Any]]:
    """Every message the bot created: posts, DMs, interaction answers and follow-ups."""
    return [m for m in fake.messages.by_id.values() if not m["_deleted"]]


EXEMPT = ("/interactions/", "/webhooks/")  # Discord exempts them from the global limit
# How much later than sent a request may reach the fake on a loaded 2-core machine (six test
# workers, the bots, PostgreSQL, a proxy): the bot's limiter leaves 50 ms for it, a busy
# machine has shown ~100 ms. Requests bunched by that much are the machine's doing.
JITTER_S = 0.1


def busiest_second(fake: FakeDiscord, since: float) -> int:
    """The most requests the fake received in any one second from `since` (but those Discord
    exempts), counted over 1 s less `JITTER_S`: a bot that sends more than its limit in a
    second still shows, the machine's delivery jitter does not."""
    times = sorted(r.at for r in fake.requests if r.at >= since and not r.path.startswith(EXEMPT))
    span = 1.0 - JITTER_S
    return max((sum(1 for t in times[i:] if t < start + span) for i, start in enumerate(times)),
               default=0)  # fmt: skip
