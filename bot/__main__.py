"""`python -m bot` runs the bot; `python -m bot sync` forces a command sync and exits;
`python -m bot copy-data TARGET_URL` copies the SQLite file into PostgreSQL (`bot.copy_data`)."""

from __future__ import annotations

import gc

if __name__ == "__main__":
    # The imports below build ~90,000 objects that live as long as the process (modules,
    # classes, functions): the collector would scan them over and over while they are made
    # (20-30 ms of start-up). main() freezes them out of its way and switches it back on.
    gc.disable()

import asyncio
import functools
import logging
import signal
import sys
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl

from bot.client import FanBot
from bot.logs import setup_logging
from bot.metrics import MetricsServerError, serving
from bot.settings import Settings, SettingsError, load_settings, read_environment
from bot.show.loader import ShowDataError
from bot.store import StoreError
from bot.store.database_url import passwords
from bot.wiring import build

if TYPE_CHECKING:
    from bot.metrics.server import HealthServer

log = logging.getLogger("bot")


def point_at_endpoints(settings: Settings) -> None:
    """Every REST call and the gateway go where the settings say (a proxy, a test server)."""
    discord.http.Route.BASE = settings.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


async def serve(settings: Settings, *, sync_only: bool) -> None:
    # /livez and friends first (METRICS_PORT): alive while the database opens, and until the end
    async with serving(None if sync_only else settings) as health:
        await run(settings, sync_only=sync_only, health=health)


async def run(settings: Settings, *, sync_only: bool, health: HealthServer | None) -> None:
    bot = await build(settings, sync_only=sync_only, health=health)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, functools.partial(_request_stop, bot, sig))
    async with bot:
        if sync_only:
            await bot.login(settings.token.reveal())  # runs setup_hook, which syncs
        else:
            await bot.start(settings.token.reveal())
        await bot.close()  # start() returns as soon as a shutdown begins: wait for its end


def _request_stop(bot: FanBot, sig: signal.Signals) -> None:
    log.info("received %s: shutting down", sig.name)
    asyncio.get_running_loop().create_task(bot.close())


def parse_action(argv: list[str]) -> str:
    """`run` (the default) or `sync`."""
    if not argv:  # the usual start spares argparse's import (~3 ms)
        return "run"
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("action", nargs="?", choices=["run", "sync"], default="run")
    return str(parser.parse_args(argv).action)


def main(argv: list[str] | None = None) -> int:
    if not gc.isenabled():  # switched off for the imports above
        gc.freeze()
        gc.enable()
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["copy-data"]:
        from bot.copy_data import main as copy_data

        return copy_data(argv[1:])
    action = parse_action(argv)
    try:
        settings = load_settings(read_environment())
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    database_url = settings.database_url.reveal() if settings.database_url else ""
    setup_logging(settings.log_level, [settings.token.reveal(), *passwords(database_url)])
    point_at_endpoints(settings)
    try:
        asyncio.run(serve(settings, sync_only=action == "sync"))
    except discord.LoginFailure:
        log.error("DISCORD_TOKEN was rejected by Discord: check the token in .env")
        return 1
    except ShowDataError as exc:
        print(f"error: SHOW_DATA_PATH: {exc}", file=sys.stderr)
        return 2
    except (StoreError, MetricsServerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (aiohttp.ClientError, OSError) as exc:
        log.error("cannot reach Discord at %s: %s", settings.api_base_url, exc)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
