"""Server set-up (with its daily question and episode rooms), moderator rights, status and
the subscriber export."""

from __future__ import annotations

import pytest

from bot.errors import InputError
from bot.usecases.members import Member
from bot.usecases.rooms import Made
from bot.usecases.setup import SetupAsked
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


async def test_one_setup_saves_the_server_its_daily_question_and_its_rooms(world: World) -> None:
    asked = SetupAsked(channel_id=10, trivia_channel_id=11, trivia_hour=9, episode_rooms=True)
    done = await world.usecases.setup.set_up(HOME, user_id=1, locale="ko", asked=asked)
    assert done.saved and (done.settings.channel_id, done.settings.locale) == (10, "ko")
    assert (done.trivia.channel_id, done.trivia.hour) == (11, 9)
    # no episode count yet: rooms are on, and nothing could be made
    assert done.rooms_on is True and done.rooms_made == Made(episodes=None)
    assert (await world.store.rooms.server(HOME)).enabled
    actions = {a.action for a in await world.store.audit.latest(HOME)}
    assert actions == {"setup", "trivia setup", "episode_rooms"}

    done = await world.usecases.setup.set_up(
        HOME, user_id=1, locale="en-US", asked=SetupAsked(episode_rooms=False)
    )
    assert not done.saved and done.rooms_on is False and done.rooms_made is None
    assert done.settings.locale == "ko"  # nothing of the server was given: left as it was
    assert not (await world.store.rooms.server(HOME)).enabled


async def test_setup_checks_everything_before_it_changes_anything(world: World) -> None:
    setup = world.usecases.setup
    with pytest.raises(InputError):  # an hour out of range, after a valid channel
        await setup.set_up(HOME, user_id=1, locale="ko",
                           asked=SetupAsked(channel_id=10, trivia_hour=24))  # fmt: skip
    with pytest.raises(InputError):  # review happens in the home server only
        await setup.set_up(222, user_id=1, locale="ko",
                           asked=SetupAsked(review_channel_id=5, trivia_channel_id=6))  # fmt: skip
    assert (await world.store.guilds.get(HOME)).channel_id is None
    assert (await world.store.trivia.settings(222)).channel_id is None
    assert await world.store.audit.latest(HOME) == [] and await world.store.audit.latest(222) == []
