"""Subscribing and unsubscribing: what is stored, what Discord was asked, what is reported."""

from __future__ import annotations

from bot.usecases.members import Member
from tests.usecases.conftest import HOME, World

FAN = Member(HOME, 42, "fan", "en-US")


async def set_up(world: World, role: int | None = 900) -> None:
    await world.usecases.servers.set_up(
        HOME, user_id=1, channel_id=10, role_id=role, mod_role_id=None, locale="en-US"
    )


async def test_default_is_the_role_where_there_is_one(world: World) -> None:
    await set_up(world)
    outcome = await world.usecases.members.subscribe(FAN, None)
    assert outcome.stored == "role" and outcome.has_channel
    assert world.discord.roles == {(HOME, 42, 900)}
    sub = await world.store.subscriptions.get(HOME, 42)
    assert sub is not None and sub.via == "role"


async def test_dm_without_a_role_sends_a_welcome_dm(world: World) -> None:
    await set_up(world, role=None)
    outcome = await world.usecases.members.subscribe(FAN, None)
    assert outcome.stored == "dm" and len(world.discord.dms) == 1
    assert "/notify off" in world.discord.dms[0][1]


async def test_closed_dms_with_both_keep_only_the_role(world: World) -> None:
    await set_up(world)
    world.discord.refuse.add("dm")
    outcome = await world.usecases.members.subscribe(FAN, "both")
    assert (outcome.stored, outcome.dm_problem) == ("role", "closed")


async def test_nothing_stored_when_nothing_worked(world: World) -> None:
    await set_up(world, role=None)
    world.discord.fail.add("dm")
    outcome = await world.usecases.members.subscribe(FAN, "both")
    assert (outcome.stored, outcome.role_problem, outcome.dm_problem) == (None, "no_role", "failed")
    assert await world.store.subscriptions.get(HOME, 42) is None


async def test_subscribing_by_dm_again_reopens_closed_dms(world: World) -> None:
    await set_up(world)
    await world.store.dm_channels.mark_closed(42, 1)
    await world.usecases.members.subscribe(FAN, "dm")
    assert not (await world.store.dm_channels.get(42)).closed


async def test_toggle_and_status(world: World) -> None:
    await set_up(world)
    members = world.usecases.members
    assert (await members.toggle(FAN, only_off=True)).stopped is False
    first = await members.toggle(FAN, only_off=False)
    assert first.subscribed is not None and first.subscribed.stored == "role"
    status = await members.status(HOME, 42)
    assert status.subscription is not None and status.next is None
    second = await members.toggle(FAN, only_off=False)
    assert second.stopped and world.discord.roles == set()
    assert (await members.status(HOME, 42)).subscription is None
