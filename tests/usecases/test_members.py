"""Subscribing and unsubscribing: what is stored and queued, what Discord was asked, and what
a member is told when their role or welcome DM cannot be delivered."""

from __future__ import annotations

from bot.store.records import Delivery
from bot.usecases.members import Member, ReplyHandle
from tests.usecases.conftest import HOME, NOW, World

REPLY = ReplyHandle(777, "token-1", "en-US")
FAN = Member(HOME, 42, "fan", "en-US", REPLY)


async def set_up(world: World, role: int | None = 900) -> None:
    await world.usecases.servers.set_up(
        HOME, user_id=1, channel_id=10, role_id=role, mod_role_id=None, locale="en-US"
    )


async def queued(world: World) -> list[Delivery]:
    """What the outbox will do for new subscribers, in order."""
    await world.store.outbox.expand_due(NOW)
    return await world.store.outbox.due(NOW, 100, urgent=True)


async def test_default_is_the_role_where_there_is_one(world: World) -> None:
    await set_up(world)
    outcome = await world.usecases.members.subscribe(FAN, None)
    assert outcome.stored == "role" and outcome.has_channel
    sub = await world.store.subscriptions.get(HOME, 42)
    assert sub is not None and sub.via == "role"
    [give] = await queued(world)
    assert (give.target, give.role_id, give.user_id, give.urgent) == ("role", 900, 42, True)
    assert "dispatcher" in world.wakes


async def test_both_queues_the_role_and_a_welcome_dm_ahead_of_broadcasts(world: World) -> None:
    await set_up(world)
    await world.usecases.release.post_update(text="news", source=None, user_id=1)
    await world.usecases.members.subscribe(FAN, "both")
    assert [d.target for d in await queued(world)] == ["role", "dm"]
    broadcasts = await world.store.outbox.due(NOW, 100, urgent=False)
    assert [(d.target, d.urgent) for d in broadcasts] == [("channel", False), ("dm", False)]


async def test_a_role_the_bot_may_not_give_is_told_at_once(world: World) -> None:
    await set_up(world)
    world.discord.forbidden_roles.add(900)
    outcome = await world.usecases.members.subscribe(FAN, "both")
    assert (outcome.stored, outcome.role_problem) == ("dm", "forbidden")
    assert [d.target for d in await queued(world)] == ["dm"]


async def test_nothing_stored_when_nothing_can_work(world: World) -> None:
    await set_up(world, role=None)
    outcome = await world.usecases.members.subscribe(FAN, "role")
    assert (outcome.stored, outcome.role_problem) == (None, "no_role")
    assert await world.store.subscriptions.get(HOME, 42) is None
    assert await queued(world) == []


async def test_subscribing_by_dm_again_reopens_closed_dms(world: World) -> None:
    await set_up(world)
    await world.store.dm_channels.mark_closed(42, 1)
    await world.usecases.members.subscribe(FAN, "dm")
    assert not (await world.store.dm_channels.get(42)).closed


async def test_closed_dms_found_later_are_told_by_followup(world: World) -> None:
    await set_up(world)
    await world.usecases.members.subscribe(FAN, "both")
    _role, dm = await queued(world)
    await world.usecases.members.delivery_failed(dm, "dm_closed")
    assert world.discord.followups == [("token-1", "notify.later_dm_closed")]
    sub = await world.store.subscriptions.get(HOME, 42)
    assert sub is not None and sub.via == "both"  # the role still pings them


async def test_a_role_refused_later_leaves_dms_and_is_told(world: World) -> None:
    await set_up(world)
    await world.usecases.members.subscribe(FAN, "both")
    role, _dm = await queued(world)
    await world.usecases.members.delivery_failed(role, "forbidden")
    sub = await world.store.subscriptions.get(HOME, 42)
    assert sub is not None and sub.via == "dm"
    assert world.discord.followups[0][1] == "notify.later_role_forbidden"


async def test_no_followup_once_the_token_has_expired(world: World) -> None:
    await set_up(world)
    await world.usecases.members.subscribe(FAN, "dm")
    [dm] = await queued(world)
    world.clock.now_value = NOW + 15 * 60
    await world.usecases.members.delivery_failed(dm, "dm_closed")
    assert world.discord.followups == []


async def test_toggle_and_status(world: World) -> None:
    await set_up(world)
    members = world.usecases.members
    assert (await members.toggle(FAN, only_off=True)).stopped is False
    first = await members.toggle(FAN, only_off=False)
    assert first.subscribed is not None and first.subscribed.stored == "role"
    status = await members.status(HOME, 42)
    assert status.subscription is not None and status.next is None
    second = await members.toggle(FAN, only_off=False)
    assert second.stopped and world.discord.roles_removed == [(HOME, 42, 900)]
    assert (await members.status(HOME, 42)).subscription is None
    assert await queued(world) == []  # the role still queued for them is dropped
