"""Moving from SQLite to PostgreSQL with `python -m bot copy-data`: a bot with subscribers (by
DM, by role, both), a sent update and a premiere whose reminders are ahead is stopped, copied and
started on PostgreSQL, and carries on: nothing is sent again, the premiere reaches every fan
once. Refused, changing nothing: copying while the bot runs, and copying a second time; a bad
URL or an unreachable server is one line, without a traceback or the password."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from tests.e2e.delivery_support import (
    at_minute,
    channel_kinds,
    dm_kinds,
    set_release,
    subscribe_dm,
    welcomed,
)
from tests.e2e.helpers import query, set_up_guild, wait_until
from tests.e2e.serving import check_fake, finish, spec_path
from tests.fakediscord import FakeDiscord, FakeMember
from tests.harness import PROJECT_ROOT, BotProcess, bot_environment
from tests.pgfixtures import fresh_database

pytestmark = pytest.mark.long  # about 30 s
PASSWORD = f"copy-secret-{uuid.uuid4().hex[:12]}"
DAY = 86400
SYNC = r"/applications/\d+/commands"


async def owned_by_a_new_role(url: str) -> str:
    """The database's schema handed to a new role that logs in with PASSWORD; its URL."""
    role = f"mover_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
        await conn.execute(f"ALTER SCHEMA public OWNER TO {role}")
    finally:
        await conn.close()
    parts = urlsplit(url)
    netloc = f"{role}:{PASSWORD}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def copy_data(env: dict[str, str], target: str) -> tuple[int, str, str]:
    """`python -m bot copy-data TARGET` as an operator runs it (no DISCORD_TOKEN needed)."""
    env = {k: v for k, v in env.items() if k != "DISCORD_TOKEN"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "copy-data", target, cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert "Traceback" not in text and PASSWORD not in text, text
    return text.strip()


async def tables_and_rows(url: str) -> dict[str, list[Any]]:
    conn = await asyncpg.connect(url)
    try:
        tables = [r[0] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )]  # fmt: skip
        return {t: sorted(map(tuple, await conn.fetch(f"SELECT * FROM {t}")), key=repr)
                for t in tables}  # fmt: skip
    finally:
        await conn.close()


def sent(fake: FakeDiscord, fans: list[FakeMember]) -> dict[str, Any]:
    """What the members have been sent so far."""
    return {
        "channel": channel_kinds(fake),
        "dms": [dm_kinds(fake, f) for f in fans],
        "dm_count": [len(fake.dm_messages(f.id)) for f in fans],
        "roles": len(fake.requests_to("PUT", r"/guilds/\d+/members/\d+/roles/\d+")),
    }


async def test_a_bot_moved_from_sqlite_to_postgresql_carries_on(
    pg_server: str, tmp_path: Path
) -> None:
    fake = FakeDiscord(spec_path=spec_path())
    await fake.start()
    db = tmp_path / "bot.db"
    bot = BotProcess(bot_environment(fake, db), tmp_path / "bot.log")
    try:
        async with fresh_database(pg_server) as admin_url:
            target = await owned_by_a_new_role(admin_url)
            await move_and_carry_on(fake, bot, db, admin_url, target)
        check_fake(fake)
    finally:
        await bot.stop()
        await fake.stop()


async def move_and_carry_on(
    fake: FakeDiscord, bot: BotProcess, db: Path, admin_url: str, target: str
) -> None:
    # On SQLite: members subscribed by DM, by role and both, an update sent, the premiere set
    # eight days ahead (its announcement sent, every reminder still to come).
    await bot.start()
    await set_up_guild(fake, fake.guild)
    fans = await subscribe_dm(fake, 3, "dm-fan")
    role_fan, both_fan = fake.guild.add_member("role-fan"), fake.guild.add_member("both-fan")
    for member, via in ((role_fan, "role"), (both_fan, "both")):
        result = await fake.invoke("notify on", {"via": via}, member=member)
        assert "subscribed" in result.text, result.text
    fans.append(both_fan)
    await welcomed(fake, fans)
    await fake.invoke("admin update", {"text": "Filming wrapped."}, member=fake.guild.admin)
    premiere = at_minute(time.time() + 8 * DAY)
    await set_release(fake, premiere)
    await wait_until(
        lambda: channel_kinds(fake) == {"update": 1, "date_set": 1}
        and all(dm_kinds(fake, f) == {"update": 1, "date_set": 1} for f in fans),
        timeout=15, what="the update and the date, posted and DMed",
    )  # fmt: skip
    await wait_until(lambda: sent(fake, fans)["roles"] == 2, timeout=10, what="the roles")

    # While it runs, the file is not copied, and the target is left as it was.
    code, out, err = await copy_data(bot.env, target)
    assert code == 1 and out == "", (out, err)
    assert "is in use by a running bot" in one_line(err), err
    assert await tables_and_rows(admin_url) == {}

    await finish(bot)
    before = sent(fake, fans)
    syncs = len(fake.requests_to("PUT", SYNC))
    install_id = query(db, "SELECT value FROM meta WHERE key = 'install_id'")[0][0]
    expected_rows = sum(
        query(db, f"SELECT COUNT(*) FROM {t}")[0][0]
        for (t,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")
    )

    # Stopped: copied, every table, in one line.
    started = time.monotonic()
    code, out, err = await copy_data(bot.env, target)
    took = time.monotonic() - started
    assert code == 0 and err == "", (out, err)
    line = one_line(out)
    print(f"copy-data ({took:.2f} s with the interpreter's start): {line}")
    tables = query(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
                   " AND name NOT LIKE 'sqlite_%'")[0][0]  # fmt: skip
    assert tables >= 20  # 15, and trivia's 5
    assert line.startswith(f"copied {tables} tables, {expected_rows} rows from {str(db)!r} to ")
    assert ":***@" in line
    copied = await tables_and_rows(admin_url)

    # A second time: refused, the target unchanged.
    code, out, err = await copy_data(bot.env, target)
    assert code == 1 and out == ""
    assert "already holds the bot's data" in one_line(err)
    assert await tables_and_rows(admin_url) == copied

    # A bad URL, an unreachable server, a wrong password: one line each, no password.
    parts = urlsplit(target)
    wrong = target.replace(PASSWORD, PASSWORD[::-1])
    for url, says in (
        (f"mysql://{parts.netloc}{parts.path}", "TARGET_URL must look like postgresql://"),
        (f"postgresql://u:{PASSWORD}@127.0.0.1:1/aoad", "cannot use postgresql://u:***@127.0"),
        (wrong, "password authentication failed"),
        (f"postgresql://u:{PASSWORD}@127.0.0.1:port/aoad", "TARGET_URL has a port that is not"),
    ):
        code, out, err = await copy_data(bot.env, url)
        assert code in (1, 2) and out == "", (url, out, err)
        assert says in one_line(err), err
        assert PASSWORD[::-1] not in err
    assert await tables_and_rows(admin_url) == copied

    # On PostgreSQL: nothing is sent again, the commands are not synced again.
    bot.env["DATABASE_URL"] = target
    await bot.start()
    assert "commands unchanged" in bot.new_log()
    await asyncio.sleep(3)  # when anything re-sent would have gone
    assert sent(fake, fans) == before
    assert len(fake.requests_to("PUT", SYNC)) == syncs
    status = await fake.invoke("notify status", member=fans[0])
    assert "dm" in status.text.lower(), status.text

    # The clock moves to just before the premiere: it reaches every fan once (and the 1-hour
    # reminder, still relevant, goes out late; the 7-day and 1-day ones are past and missed).
    await bot.stop()
    bot.env["BOT_CLOCK_OFFSET"] = str(premiere.timestamp() - 4 - time.time())
    await bot.start()
    await wait_until(
        lambda: channel_kinds(fake).get("premiere") == 1
        and all(dm_kinds(fake, f).get("premiere") == 1 for f in fans),
        timeout=20, what="the premiere, posted and DMed",
    )  # fmt: skip
    await asyncio.sleep(2)
    after = {"update": 1, "date_set": 1, "reminder_1h": 1, "premiere": 1}
    assert channel_kinds(fake) == after
    assert all(dm_kinds(fake, f) == after for f in fans)
    assert not fake.dm_messages(role_fan.id), "a role subscriber was DMed"
    bodies = [r.json for r in fake.requests if r.method == "POST" and isinstance(r.json, dict)]
    nonces = [str(body["nonce"]) for body in bodies if body.get("nonce")]
    assert nonces and all(n.startswith(f"{install_id}-") for n in nonces)  # the same install
    await finish(bot)
    assert PASSWORD not in bot.log
