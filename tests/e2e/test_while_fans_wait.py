"""While fans wait: a year, then a month, then the day, each announced as exactly what was
said; and each DM subscriber's own choice of reminders."""

from __future__ import annotations

import time

from tests.e2e.delivery_support import (
    DAY,
    at_minute,
    channel_kinds,
    dm_kinds,
    restart_at,
    set_release,
)
from tests.e2e.helpers import wait_until
from tests.fakediscord import FakeDiscord, FakeMember
from tests.harness import BotProcess

World = tuple[FakeDiscord, BotProcess]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


def posts(fake: FakeDiscord) -> list[dict]:
    return fake.channel_messages(fake.guild.announce_channel_id)


async def announce(fake: FakeDiscord, date: str) -> str:
    result = await fake.invoke("admin release", {"date": date}, member=fake.guild.admin)
    assert result.ephemeral, result.text
    return result.text


async def test_a_year_then_a_month_then_the_day(configured: World) -> None:
    fake, _ = configured
    fan = fake.guild.add_member("waiting-fan")
    await fake.invoke("notify on", {"via": "dm"}, member=fan)
    day = at_minute(time.time() + 40 * DAY)
    month = f"{MONTHS[day.month - 1]} {day.year}"
    steps = [(f"{day.year}", f"{day.year}"), (f"{day.year}-{day.month:02d}", month)]
    for date, words in steps:
        answer = await announce(fake, date)
        assert f"expected in {words}" in answer and "<t:" not in answer
        await wait_until(
            lambda w=words: any(f"expected in {w}" in p["content"] for p in posts(fake)),
            timeout=5,
            what=f"the {date} announcement",
        )
        asked = (("release", fan), ("notify status", fan), ("admin status", fake.guild.admin))
        shown = [await fake.invoke(command, member=who) for command, who in asked]
        fields = {f["name"]: f["value"] for f in shown[2].embeds[0]["fields"]}
        texts = [shown[0].text, shown[1].text, fields["Premiere"]]
        for text in texts:  # exactly what was said, and no countdown to a day
            assert words in text and ":R>" not in text, text
        assert "Nothing scheduled" in shown[2].text  # no reminder without a day
        assert fake.scheduled_events() == []  # no event on a made-up day
    assert all("<t:" not in str(p["embeds"]) + p["content"] for p in posts(fake))
    korean = await fake.invoke("release", member=fan, locale="ko")
    assert f"{day.year}년 {day.month}월" in korean.text

    await set_release(fake, day)
    await wait_until(lambda: channel_kinds(fake).get("date_set") == 1, timeout=5, what="day")
    assert channel_kinds(fake) == {"date_expected": 2, "date_set": 1}
    await wait_until(lambda: sum(dm_kinds(fake, fan).values()) == 3, timeout=5, what="3 DMs")
    assert dm_kinds(fake, fan) == {"date_expected": 2, "date_set": 1}
    release = await fake.invoke("release", member=fan)
    assert f"<t:{int(day.timestamp())}:R>" in release.text
    status = await fake.invoke("admin status", member=fake.guild.admin)
    assert "7 days to go" in status.text


async def test_a_partial_date_takes_no_time(configured: World) -> None:
    fake, _ = configured
    result = await fake.invoke("admin release", {"date": "2031-05", "time": "17:00"},
                               member=fake.guild.admin)  # fmt: skip
    assert result.ephemeral and "has no day" in result.text
    past = await fake.invoke("admin release", {"date": "2020"}, member=fake.guild.admin)
    assert "already passed" in past.text


async def subscribe(fake: FakeDiscord, name: str, reminders: str | None) -> FakeMember:
    member = fake.guild.add_member(name)
    options = {"via": "dm"} | ({"reminders": reminders} if reminders else {})
    result = await fake.invoke("notify on", options, member=member)
    assert "subscribed" in result.text
    return member


async def test_each_member_gets_the_reminders_they_chose(configured: World) -> None:
    fake, bot = configured
    everything = await subscribe(fake, "all-fan", None)  # the default: all
    last_day = await subscribe(fake, "day-fan", "day")
    only_premiere = await subscribe(fake, "premiere-fan", "premiere")
    changing = await subscribe(fake, "changing-fan", "all")
    status = await fake.invoke("notify status", member=only_premiere)
    assert "only at the premiere" in status.text
    premiere = at_minute(time.time() + 8 * DAY)
    await set_release(fake, premiere)
    status = await fake.invoke("notify status", member=only_premiere)
    assert "Next notification: **premiere**" in status.text
    start = premiere.timestamp()
    for kind, before in (("reminder_7d", 7 * DAY), ("reminder_1d", DAY), ("reminder_1h", 3600),
                         ("premiere", 0)):  # fmt: skip
        await restart_at(bot, kill=False, bot_now=start - before - 3)
        await wait_until(lambda k=kind: dm_kinds(fake, everything).get(k) == 1, timeout=15,
                         what=kind)  # fmt: skip
        if kind == "reminder_7d":  # a later change counts for everything not yet sent
            await fake.invoke("notify on", {"via": "dm", "reminders": "premiere"},
                              member=changing)  # fmt: skip
    fans = (everything, last_day, only_premiere, changing)
    await wait_until(  # every fan's premiere DM and the channel's post: the fan-out's end
        lambda: all(dm_kinds(fake, f).get("premiere") == 1 for f in fans)
        and channel_kinds(fake).get("premiere") == 1,
        timeout=10, what="the premiere everywhere",
    )  # fmt: skip
    timed = {"reminder_7d": 1, "reminder_1d": 1, "reminder_1h": 1}
    assert dm_kinds(fake, everything) == {"date_set": 1, **timed, "premiere": 1}
    assert dm_kinds(fake, last_day) == {"date_set": 1, "reminder_1d": 1, "reminder_1h": 1,
                                        "premiere": 1}  # fmt: skip
    assert dm_kinds(fake, only_premiere) == {"date_set": 1, "premiere": 1}
    assert dm_kinds(fake, changing) == {"date_set": 1, "reminder_7d": 1, "premiere": 1}
    assert channel_kinds(fake) == {"date_set": 1, **timed, "premiere": 1}  # role pings: all
