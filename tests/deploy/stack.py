"""A Rectify installation run as its operator runs it: the configuration file's environment, one-off
`rectify` commands, and the long-running services systemd would keep (here: child processes, each in
its own process group, stopped with SIGTERM as systemd stops them)."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
ENV_TEMPLATE = ROOT / "deploy" / "rectify.env.example"


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines as systemd's EnvironmentFile= and `set -a; . file` read them here."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = " ".join(shlex.split(value)) if value else ""
    return values


@dataclass
class Installation:
    url: str
    env: dict[str, str]
    folder: Path

    def rectify(self, *args: str, env: dict[str, str] | None = None, timeout: int = 180) -> str:
        """One `rectify` command as an operator runs it, with the configuration file's environment."""
        done = subprocess.run(
            [sys.executable, "-m", "rectify.cli", *args],
            env=self.env | (env or {}),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, (
            f"rectify {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout


class Service:
    """A long-running process (what systemd runs), its output in a file; stopped with SIGTERM."""

    def __init__(self, name: str, args: list[str], installation: Installation):
        self.name = name
        self.log = installation.folder / f"{name}.log"
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rectify.cli", *args],
            env=installation.env,
            cwd=installation.folder,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its children (gunicorn's workers) go with it
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> None:
        assert self.process.poll() is None, (
            f"{self.name} stopped ({self.process.returncode}):\n{self.output()}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # anything of the group left behind
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log_file.close()


def wait_for(url: str, service: Service, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        service.running()
        try:
            requests.get(url, timeout=2, headers={"X-Forwarded-Proto": "https"})
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"{service.name} did not answer at {url} in {seconds} s:\n{service.output()}")
