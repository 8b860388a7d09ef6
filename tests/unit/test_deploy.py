"""What deploy/ ships: the watchdog against a stand-in /readyz (a process that is ready is left
alone; one that stays not ready for the grace is restarted, then given the grace again; the
systemd units around it are not run here), and the Prometheus configuration and alert rules,
checked and unit-tested with promtool (Debian's `prometheus`, which root installs itself)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.debian import apt_install
from tests.harness import PROJECT_ROOT

WATCHDOG = PROJECT_ROOT / "deploy" / "systemd" / "aoad-bot-watchdog"
PROMETHEUS = PROJECT_ROOT / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def promtool() -> str:
    """Prometheus's own checker, from Debian's `prometheus` (installed as root if missing)."""
    if shutil.which("promtool") is None:
        failed = apt_install("prometheus")
        if failed is not None:
            pytest.skip(failed)
    found = shutil.which("promtool")
    assert found is not None, "the prometheus package installed no promtool"
    return found


@pytest.mark.parametrize(
    "command",
    [["check", "config", "prometheus.yml"], ["test", "rules", "alerts.test.yml"]],
)
def test_prometheus_configuration_and_alerts(promtool: str, command: list[str]) -> None:
    done = subprocess.run(
        [promtool, *command], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


class StandIn:
    """A /readyz answering `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.port = 0

    async def readyz(self, _request: web.Request) -> web.Response:
        return web.Response(status=self.status, text="ready\n" if self.status == 200 else
                            "shard 0: disconnected\n")  # fmt: skip


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    server = StandIn()
    app = web.Application()
    app.router.add_get("/readyz", server.readyz)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        server.port = s.getsockname()[1]
    site = web.TCPSite(runner, "127.0.0.1", server.port)
    await site.start()
    yield server
    await runner.cleanup()


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("curl")), reason="needs curl")
async def test_the_watchdog_restarts_only_a_process_that_stays_not_ready(
    stand_in: StandIn, tmp_path: Path
) -> None:
    restarts = tmp_path / "restarts"
    record = tmp_path / "record.sh"
    record.write_text(f'#!/bin/sh\necho "$(date +%s.%N) $1" >> {restarts}\n')
    record.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "METRICS_PORT": str(stand_in.port), "METRICS_HOST": "0.0.0.0",
           "WATCHDOG_INTERVAL": "0.1", "WATCHDOG_GRACE": "2",
           "WATCHDOG_RESTART": str(record)}  # fmt: skip
    watchdog = await asyncio.create_subprocess_exec(
        "bash", str(WATCHDOG), "aoad-bot@0.service", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await asyncio.sleep(3)  # ready the whole time: left alone
        assert not restarts.exists()
        stand_in.status = 503
        down = time.time()
        await asyncio.sleep(5.5)
        times = [float(line.split()[0]) for line in restarts.read_text().splitlines()]
        assert [line.split()[1] for line in restarts.read_text().splitlines()] == [
            "aoad-bot@0.service"
        ] * len(times)
        # the first after the grace, each next one a grace later (in whole seconds: `date +%s`)
        assert 2 <= len(times) <= 3, times
        gaps = [b - a for a, b in zip([down, *times], times, strict=False)]
        assert all(1.0 <= gap <= 3.5 for gap in gaps), gaps
        stand_in.status = 200
        await asyncio.sleep(1)
        restarted = len(restarts.read_text().splitlines())
        await asyncio.sleep(3)
        assert len(restarts.read_text().splitlines()) == restarted  # ready again: left alone
    finally:
        watchdog.terminate()
        output, _ = await watchdog.communicate()
    text = output.decode()
    assert "restarting it" in text and "shard 0: disconnected" in text, text
