"""Debian packages the tests need and install by themselves, as root (a CI machine, this
machine); anyone else is told what to install."""

from __future__ import annotations

import os
import shutil
import subprocess


def can_install() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(package: str) -> str | None:
    """Install `package` (its lists refreshed once if they are stale); None, or why not."""
    if not can_install():
        return f"`{package}` is not installed (Debian: sudo apt-get install {package})"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
    if subprocess.run(install, env=env, capture_output=True).returncode == 0:
        return None
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
    done = subprocess.run(install, env=env, capture_output=True, text=True)
    return None if done.returncode == 0 else f"apt-get install {package}: {done.stderr[-500:]}"
