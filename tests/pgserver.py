"""A throwaway PostgreSQL server for the tests: a fresh cluster in a directory, tuned for speed
(no fsync: a crash loses nothing worth keeping), reachable on 127.0.0.1 and by a socket in that
directory, removed on stop. The `postgres` superuser needs no password; any other role does.

    python -m tests.pgserver start DIR   # prints the server's URL
    python -m tests.pgserver stop DIR

PostgreSQL refuses to run as root: as root the cluster belongs to and runs as `nobody`. Without
PostgreSQL installed, root on Debian installs it with apt-get; anyone else is told how.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.debian import apt_install, can_install

RUN_AS = "nobody"
URL_FILE = "url"
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "listen_addresses": "'127.0.0.1'",
    "logging_collector": "off",
    "log_min_messages": "warning",
}


class ServerError(Exception):
    """PostgreSQL could not be found, installed, started or stopped."""


def find_bindir() -> Path | None:
    """The directory with initdb and pg_ctl: on the PATH, pg_config's, or Debian's newest."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").exists():
            return Path(out.stdout.strip())
    versions = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    versions.sort(key=lambda bindir: int(bindir.parent.name) if bindir.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def ensure_bindir() -> Path:
    bindir = find_bindir()
    if bindir is not None:
        return bindir
    if can_install():
        failed = apt_install("postgresql")
        if failed is not None:
            raise ServerError(failed)
        bindir = find_bindir()
        if bindir is not None:
            return bindir
    raise ServerError(
        "PostgreSQL is not installed (no initdb found): install it, e.g."
        " `sudo apt-get install postgresql`, or set TEST_DATABASE_URL to a server's URL"
    )


def temp_dir() -> Path:
    """A new directory for a cluster: in memory (/dev/shm) where there is one, as creating a
    database there takes ~10 ms instead of ~150 ms on a busy disk."""
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="aoad-pg-", dir=base))


def _as_owner(command: list[str]) -> list[str]:
    """The command run as the cluster's owner: `nobody` when we are root."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", f"--reuid={RUN_AS}", f"--regid={_group()}", "--clear-groups", *command]


def _group() -> int:
    return pwd.getpwnam(RUN_AS).pw_gid


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(_as_owner(command), capture_output=True, text=True)
    if done.returncode != 0:
        output = (done.stderr or done.stdout)[-800:]
        raise ServerError(f"{what} failed ({done.returncode}): {output}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(directory: Path) -> str:
    """Create a cluster in `directory` (made if missing) and start it; the server's URL."""
    bindir = ensure_bindir()
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    if os.geteuid() == 0:
        entry = pwd.getpwnam(RUN_AS)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        directory.chmod(0o700)
    _run(
        [str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres",
         "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C"],
        "initdb",
    )  # fmt: skip
    # `postgres` needs no password; any other role does, so that a wrong one can be tested.
    (data / "pg_hba.conf").write_text(
        "local all all trust\n"
        "host all postgres 127.0.0.1/32 trust\n"
        "host all all 127.0.0.1/32 scram-sha-256\n"
    )
    port = _free_port()
    options = {**SETTINGS, "port": str(port), "unix_socket_directories": f"'{directory}'"}
    with (data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{key} = {value}\n" for key, value in options.items())
    _run(
        [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
         "-w", "-t", "30", "start"],
        "starting PostgreSQL",
    )  # fmt: skip
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    (directory / URL_FILE).write_text(url)
    return url


def stop(directory: Path) -> None:
    """Stop the server started in `directory` (fast: sessions are ended, nothing is left
    behind) and remove the directory."""
    data = directory / "data"
    if (data / "postmaster.pid").exists():
        bindir = ensure_bindir()
        _run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], "stop")
    shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m tests.pgserver start|stop DIR", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            print(start(Path(argv[1]).resolve()))
        else:
            stop(Path(argv[1]).resolve())
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
