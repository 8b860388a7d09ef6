"""A real REST proxy for the tests: @discordjs/proxy (Node.js) run by `tests/proxy/proxy.mjs`.

Its npm packages are installed on first use with `npm ci` from the committed
`tests/proxy/package-lock.json` into `.cache/rest-proxy/` (git-ignored), and again whenever the
lock file changes; this needs Node.js 18+, npm and the npm registry. When they are missing the
test fails saying so (it is not skipped: the proxy is part of what the suite checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE = PROJECT_ROOT / "tests" / "proxy"
SCRIPT = SOURCE / "proxy.mjs"
CACHE = Path(os.environ.get("REST_PROXY_CACHE") or PROJECT_ROOT / ".cache" / "rest-proxy")
STAMP = ".installed"  # the hash of the package-lock.json installed
NPM_TIMEOUT_S = 300


class ProxyUnavailable(Exception):
    """Node.js or the proxy's packages cannot be had: the message says what to do."""


def _lock_hash() -> str:
    files = (SOURCE / "package.json", SOURCE / "package-lock.json")
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def _node_version() -> tuple[int, ...]:
    node = shutil.which("node")
    if node is None:
        raise ProxyUnavailable("the REST proxy test needs Node.js 18 or newer: no `node` found")
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    version = tuple(int(p) for p in out.stdout.strip().lstrip("v").split(".") if p.isdigit())
    if version < (18,):
        raise ProxyUnavailable(f"the REST proxy test needs Node.js 18 or newer, found {out.stdout}")
    return version


def ensure_installed() -> Path:
    """The folder whose node_modules hold the proxy's packages, installed if need be."""
    _node_version()
    CACHE.mkdir(parents=True, exist_ok=True)
    wanted = _lock_hash()
    with (CACHE / ".lock").open("w") as lock:  # one install at a time (test workers, clones)
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = CACHE / STAMP
        if stamp.exists() and stamp.read_text() == wanted and (CACHE / "node_modules").is_dir():
            return CACHE
        npm = shutil.which("npm")
        if npm is None:
            raise ProxyUnavailable("the REST proxy test needs npm to install @discordjs/proxy")
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(SOURCE / name, CACHE / name)
        stamp.unlink(missing_ok=True)
        try:
            done = subprocess.run(
                [npm, "ci", "--prefix", str(CACHE), "--no-audit", "--no-fund", "--loglevel=error"],
                capture_output=True, text=True, timeout=NPM_TIMEOUT_S, cwd=CACHE,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise ProxyUnavailable(
                f"npm ci of the REST proxy took over {NPM_TIMEOUT_S} s (is the registry reachable?)"
            ) from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[:4]  # the error's code
            raise ProxyUnavailable(
                f"npm could not install the REST proxy's packages into {CACHE} (exit"
                f" {done.returncode}): {' | '.join(tail)}"
            )
        stamp.write_text(wanted)
    return CACHE


class RestProxy:
    """`node tests/proxy/proxy.mjs` in front of `upstream_api` (an API base without the
    version); its output goes to `log_path`."""

    def __init__(self, upstream_api: str, log_path: Path) -> None:
        self.upstream_api = upstream_api
        self.log_path = log_path
        self.port = 0
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def api_base(self) -> str:
        """What the bot's DISCORD_API_BASE_URL is set to."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def waited_out(self) -> list[dict[str, Any]]:
        """The 429s the proxy met and waited out itself (the bot never saw them)."""
        return [json.loads(line) for line in self.log.splitlines() if line.startswith("{")]

    async def start(self, timeout: float = 20.0) -> None:
        modules = await asyncio.to_thread(ensure_installed)
        with self.log_path.open("ab") as sink:
            self._proc = await asyncio.create_subprocess_exec(
                "node", str(SCRIPT), str(modules), self.upstream_api,
                stdout=sink, stderr=sink, stdin=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.port:
            for line in self.log.splitlines():
                if line.startswith("listening "):
                    self.port = int(line.split()[1])
            if self._proc.returncode is not None or loop.time() > deadline:
                raise ProxyUnavailable(f"the REST proxy did not start:\n{self.log[-2000:]}")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self._proc is None or self._proc.returncode is not None:
            return
        self._proc.terminate()
        try:
            await asyncio.wait_for(self._proc.wait(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            await self._proc.wait()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None
