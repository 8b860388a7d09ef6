"""Server set-up, moderator rights, status and the subscriber export."""

from __future__ import annotations

from bot.usecases.members import Member
from tests.usecases.conftest import HOME, World


async def test_setup_changes_only_what_was_given_and_is_audited(world: World) -> None:
    servers = world.usecases.servers
    await servers.set_up(HOME, user_id=1, channel_id=10, role_id=20, mod_role_id=None,
                         locale="ko")  # fmt: skip
    settings = await servers.set_up(HOME, user_id=1, channel_id=None, role_id=None,
                                    mod_role_id=30, locale="ko")  # fmt: skip
    assert (settings.channel_id, settings.role_id, settings.mod_role_id) == (10, 20, 30)
    assert [a.action for a in await world.store.audit.latest(HOME)] == ["setup", "setup"]


async def test_countdown_channel_and_discussion_false_is_not_not_given(world: World) -> None:
    servers = world.usecases.servers
    settings = await servers.set_up(HOME, user_id=1, channel_id=None, role_id=None,
                                    mod_role_id=None, locale="ko", countdown_channel_id=40,
                                    discussion=True)  # fmt: skip
    assert (settings.countdown_channel_id, settings.discussion) == (40, True)
    assert world.wakes == ["countdown"]  # a new countdown channel is renamed at once
    settings = await servers.set_up(HOME, user_id=1, channel_id=10, role_id=None,
                                    mod_role_id=None, locale="ko")  # fmt: skip
    assert (settings.countdown_channel_id, settings.discussion) == (40, True)  # left as is
    assert world.wakes == ["countdown"]  # nothing the countdown shows changed
    settings = await servers.set_up(HOME, user_id=1, channel_id=None, role_id=None,
                                    mod_role_id=None, locale="ko", discussion=False)  # fmt: skip
    assert settings.discussion is False and settings.channel_id == 10
    assert (await world.store.guilds.get(HOME)).discussion is False
    assert [s.guild_id for s in await world.store.guilds.with_countdown()] == [HOME]
    audit = await world.store.audit.latest(HOME)
    assert audit[0].new_value is not None and "discussion=False" in audit[0].new_value
    assert audit[-1].new_value is not None and "countdown=40 discussion=True" in audit[-1].new_value


async def test_moderators_and_show_wide_rights(world: World) -> None:
    servers = world.usecases.servers
    await servers.set_up(HOME, user_id=1, channel_id=None, role_id=None, mod_role_id=30,
                         locale="en-US")  # fmt: skip
    assert await servers.is_moderator(HOME, manages_server=False, role_ids=[30])
    assert not await servers.is_moderator(HOME, manages_server=False, role_ids=[31])
    assert not await servers.is_moderator(None, manages_server=True, role_ids=[])
    assert await servers.may_change_show(HOME, is_owner=False, manages_server=True, role_ids=[])
    assert not await servers.may_change_show(222, is_owner=False, manages_server=True,
                                             role_ids=[])  # fmt: skip
    assert await servers.may_change_show(222, is_owner=True, manages_server=False, role_ids=[])


async def test_subscriber_export_counts_and_quotes_formulas(world: World) -> None:
    await world.usecases.servers.set_up(HOME, user_id=1, channel_id=10, role_id=20,
                                        mod_role_id=None, locale="en-US")  # fmt: skip
    await world.usecases.members.subscribe(Member(HOME, 7, "=HYPERLINK()", "en-US"), "both")
    await world.usecases.members.subscribe(Member(HOME, 8, "plain", "en-US"), "role")
    export = await world.usecases.servers.subscribers(HOME)
    assert export.counts == {"role": 1, "dm": 0, "both": 1} and export.total == 2
    text = export.csv.decode("utf-8-sig")
    assert "'=HYPERLINK()" in text and text.splitlines()[0] == "user_id,name,via,since,reminders"


async def test_status_gathers_the_servers_state(world: World) -> None:
    await world.usecases.release.post_update(text="news", source=None, user_id=1)
    status = await world.usecases.servers.status(HOME)
    assert [p.kind for p in status.upcoming] == ["update"]
    assert status.premiere.starts_at is None and status.event.revision == 0
    assert [a.action for a in status.audit] == ["update.post"]
