"""/notify on|off|status and the "Notify me" button, against the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.helpers import (
    query,
    wait_until,
)
from tests.e2e.serving import serving
from tests.fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.interactions import InteractionResult
from tests.harness import BotProcess


@pytest.fixture(scope="module")
async def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[FakeDiscord, FakeGuild, BotProcess]]:
    """A configured home server, a second server with no set-up, and the bot."""
    workdir = tmp_path_factory.mktemp("notify")
    async with serving(workdir, extra_guilds=["Unconfigured fans"]) as (fake, bot):
        yield fake, fake.guilds[1], bot


def db_of(bot: BotProcess) -> Path:
    return Path(bot.env["DATABASE_PATH"])


async def test_role_subscription_gives_the_role(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, _, bot = world
    fan = fake.guild.add_member("role-fan")
    result = await fake.invoke("notify on", {"via": "role"}, member=fan)
    assert result.ephemeral and "subscribed" in result.text
    await wait_until(lambda: fake.guild.notify_role.id in fan.roles, timeout=5, what="the role")
    status = await fake.invoke("notify status", member=fan)
    assert "role ping" in status.text and status.ephemeral
    assert query(db_of(bot), "SELECT via FROM subscriptions WHERE user_id = ?", fan.id) == [
        ("role",)
    ]


async def test_dm_subscription_sends_a_welcome_dm(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, _, _ = world
    fan = fake.guild.add_member("dm-fan")
    result = await fake.invoke("notify on", {"via": "dm"}, member=fan)
    assert "direct message" in result.text
    assert "welcome DM is on its way" in result.text
    await wait_until(lambda: len(fake.dm_messages(fan.id)) == 1, timeout=5, what="the welcome")
    assert "/notify off" in fake.dm_messages(fan.id)[0]["content"]
    assert fake.guild.notify_role.id not in fan.roles


def later_texts(fake: FakeDiscord, result: InteractionResult) -> list[str]:
    """The followups the bot sent to an interaction after its first answer (the
    confirmation), ephemeral ones only: however soon after it they came."""
    pending = fake.interactions.by_id[result.interaction_id]
    deferred = pending.callback_type == 5  # then the first followup is the confirmation
    later = [fake.messages.by_id[i] for i in pending.followup_ids[1 if deferred else 0 :]]
    return [m["content"] for m in later if m["flags"] & 64]


async def test_closed_dms_are_told_by_a_followup_and_in_status(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, _, bot = world
    fan = fake.guild.add_member("closed-fan", dm_closed=True)
    result = await fake.invoke("notify on", {"via": "dm"}, member=fan)
    assert result.ephemeral and "subscribed" in result.text  # answered before any DM
    await wait_until(lambda: bool(later_texts(fake, result)), timeout=5, what="the followup")
    [told] = later_texts(fake, result)  # ephemeral: only the member sees it
    assert "your DMs are closed" in told
    pending = fake.interactions.by_id[result.interaction_id]
    assert pending.log[-1].split()[1] == "followup", "the warning came before the answer"
    status = await fake.invoke("notify status", member=fan)
    assert "DMs were closed" in status.text
    both = await fake.invoke("notify on", {"via": "both"}, member=fan)
    await wait_until(lambda: bool(later_texts(fake, both)), timeout=5, what="the followup")
    await wait_until(lambda: fake.guild.notify_role.id in fan.roles, timeout=5, what="the role")
    assert query(db_of(bot), "SELECT via FROM subscriptions WHERE user_id = ?", fan.id) == [
        ("both",)
    ]  # the role still pings them; DMs are skipped while closed


async def test_role_without_a_configured_role_offers_dm(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, bare, bot = world
    result = await fake.invoke("notify on", {"via": "role"}, member=bare.fan, guild=bare)
    assert result.ephemeral and "no notification role" in result.text and "via:dm" in result.text
    assert query(db_of(bot), "SELECT * FROM subscriptions WHERE guild_id = ?", bare.id) == []


async def test_korean_answers(world: tuple[FakeDiscord, FakeGuild, BotProcess]) -> None:
    fake, _, _ = world
    fan = fake.guild.add_member("ko-fan")
    result = await fake.invoke("notify on", {"via": "role"}, member=fan, locale="ko")
    assert "구독했어요" in result.text
    status = await fake.invoke("notify status", member=fan, locale="ko")
    assert "구독하고 있어요" in status.text


async def test_off_removes_role_and_subscription(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, _, bot = world
    fan = fake.guild.add_member("leaving-fan")
    await fake.invoke("notify on", {"via": "both"}, member=fan)
    await wait_until(lambda: fake.guild.notify_role.id in fan.roles, timeout=5, what="the role")
    result = await fake.invoke("notify off", member=fan)
    assert result.ephemeral and "won't get" in result.text
    assert fake.guild.notify_role.id not in fan.roles
    assert query(db_of(bot), "SELECT * FROM subscriptions WHERE user_id = ?", fan.id) == []
    again = await fake.invoke("notify off", member=fan)
    assert "weren't subscribed" in again.text
    status = await fake.invoke("notify status", member=fan)
    assert "not subscribed" in status.text


async def test_notify_and_admin_are_for_servers_only(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    """Discord itself then hides them in DMs; the fake refuses such an invocation too."""
    fake, _, _ = world
    synced = fake.requests_to("PUT", r"/applications/\d+/commands")[-1].json
    contexts = {command["name"]: command.get("contexts") for command in synced}
    assert contexts["notify"] == [0] and contexts["admin"] == [0]
    with pytest.raises(AssertionError, match="not available in DMs"):
        await fake.invoke("notify on", member=fake.guild.fan, guild=None)


async def test_subscription_survives_sigkill_and_button_works_after_restart(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, _, bot = world
    fan = fake.guild.add_member("steadfast-fan")
    await fake.invoke("notify on", {"via": "dm"}, member=fan)
    await fake.invoke("admin update", {"text": "Filming is under way."}, member=fake.guild.admin)
    channel = fake.guild.announce_channel_id

    def posted() -> list[dict]:
        return [m for m in fake.channel_messages(channel) if m.get("components")]

    await wait_until(lambda: bool(posted()), timeout=5, what="the update's post")
    announcement = posted()[-1]

    await bot.kill()
    await bot.start()
    status = await fake.invoke("notify status", member=fan)
    assert "direct message" in status.text, "the subscription was lost in the crash"

    presser = fake.guild.add_member("button-fan")
    button = announcement["components"][0]["components"][0]
    assert button["label"] == "Notify me"
    pressed = await fake.press_button(announcement, button["custom_id"], member=presser)
    assert pressed.ephemeral or all(f.get("flags", 0) & 64 for f in pressed.followups)
    assert "subscribed" in pressed.text
    await wait_until(lambda: fake.guild.notify_role.id in presser.roles, timeout=5, what="role")
    pressed = await fake.press_button(announcement, button["custom_id"], member=presser)
    assert "won't get" in pressed.text and fake.guild.notify_role.id not in presser.roles


async def test_dms_are_in_the_members_language_and_their_button_only_stops(
    world: tuple[FakeDiscord, FakeGuild, BotProcess],
) -> None:
    fake, _, _ = world
    fan = fake.guild.add_member("dm-ko-fan")
    await fake.invoke("notify on", {"via": "dm"}, member=fan, locale="ko")
    await wait_until(lambda: len(fake.dm_messages(fan.id)) == 1, timeout=5, what="the welcome")
    assert "알림" in fake.dm_messages(fan.id)[0]["content"]  # the welcome DM, in Korean
    await fake.invoke("admin update", {"text": "촬영 시작!"}, member=fake.guild.admin)
    await wait_until(lambda: len(fake.dm_messages(fan.id)) == 2, timeout=5, what="the DM")
    dm = fake.dm_messages(fan.id)[-1]
    assert "시즌 2 소식" in dm["content"]
    button = dm["components"][0]["components"][0]
    assert button["label"] == "알림 그만 받기" and button["custom_id"].startswith(
        "aoad:notify:off:"
    )
    stopped = await fake.press_button(dm, button["custom_id"], member=fan, locale="ko")
    assert "보내지 않을게요" in stopped.text
    again = await fake.press_button(dm, button["custom_id"], member=fan)
    assert "weren't subscribed" in again.text  # a stop button never subscribes
    status = await fake.invoke("notify status", member=fan)
    assert "not subscribed" in status.text
