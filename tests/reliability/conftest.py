"""Real broken deployments for the failure tests: SQLite files made read-only or put on a full disk, a data
folder that cannot be made, a database never migrated. Each runs the real `rectify` command or the real
WSGI application in a process of its own, with only these variables set, as an operator would.

A full disk is a small tmpfs filled to the last block, mounted in a mount namespace of the command's own
(`unshare`), so nothing is left mounted when it ends, and root needs no clean-up either."""

from __future__ import annotations

import contextlib
import hashlib
import http.cookiejar
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.backups.sites import new_site

ROOT = Path(__file__).resolve().parents[2]
NOTICE = ROOT / "src" / "rectify" / "notices" / "data" / "guangzhou-transport-2025.txt"
OTHER_NOTICE = ROOT / "tests" / "fixtures" / "notices" / "v3_city_restart_numbering.txt"
PASSWORD = "Correct-horse-42"
CREATE_ALICE = f"User.objects.create_user('alice', password='{PASSWORD}')"

# Mounts a small tmpfs at $DISK, copies the database onto it as $DISK/rectify.sqlite3, fills what space is
# left, runs the command (passing on a TERM), then copies the database back out to $AFTER: the tmpfs goes
# with the namespace.
FULL_DISK = r"""
set -e
mount -t tmpfs -o size=4m tmpfs "$DISK"
cp "$SOURCE" "$DISK/rectify.sqlite3"
dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null || true
set +e
"$@" &
child=$!
trap 'kill -TERM $child' TERM
wait $child
status=$?
wait $child 2>/dev/null
cp "$DISK/rectify.sqlite3" "$AFTER"
exit $status
"""


def environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The machine's environment without the project's variables, a data folder of the test's own, and
    `variables`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RECTIFY_", "DATABASE_URL", "DJANGO_"))}
    return {**base, "RECTIFY_DATA_DIR": str(tmp_path / "data"), **variables}


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def rectify(*args: str, env: dict[str, str], prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "rectify.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
        return database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def said_once_in_chinese(stderr: str) -> str:
    """The one line a failed command printed; it must be Chinese and carry no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert any("\u4e00" <= char <= "\u9fff" for char in lines[0]), lines[0]
    return lines[0]


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """A migrated database with a user (alice) and bureau A's inspection, its measures past their deadline
    so that `rectify tick` has warnings to write. Made once, through the commands themselves."""
    folder = tmp_path_factory.mktemp("template")
    env = environment(folder, DATABASE_URL=sqlite_url(folder / "rectify.sqlite3"))
    for args in (
        ("migrate", "-v0"),
        (
            "shell",
            "-c",
            f"from rectify.org.models import User; User.objects.create_user('alice', '', '{PASSWORD}')",
        ),
        ("import-notice", str(NOTICE)),
    ):
        result = rectify(*args, env=env)
        assert result.returncode == 0, result.stderr
    database = sqlite3.connect(folder / "rectify.sqlite3")
    with database:
        database.execute("UPDATE ledger_measure SET deadline = '2025-01-01'")
    database.close()  # the last connection folds the write-ahead log into the file that is copied
    return folder / "rectify.sqlite3"


@pytest.fixture
def copy(template, tmp_path) -> Path:
    """The test's own copy of the template database."""
    path = tmp_path / "db" / "rectify.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(template, path)
    return path


def lock(path: Path, request) -> None:
    """Makes `path` (a file or a folder) read-only until the test ends: no write bits, and for root, whom
    those do not stop, the immutable flag too."""
    path.chmod(0o555 if path.is_dir() else 0o444)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        request.addfinalizer(lambda: subprocess.run(["chattr", "-i", str(path)], check=True))


@pytest.fixture
def read_only(copy, request) -> Path:
    """The copy, read-only."""
    lock(copy, request)
    return copy


@dataclass
class FullDisk:
    """Where a command sees the copy on a full disk (`database`), how to run it there (`prefix`) and the
    database as it was left (`after`)."""

    database: Path
    prefix: tuple[str, ...]
    after: Path
    variables: dict[str, str]


@pytest.fixture
def full_disk(copy, tmp_path) -> FullDisk:
    disk = tmp_path / "disk"
    disk.mkdir()
    probe = subprocess.run(
        ["unshare", "--mount", "--map-root-user", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {disk}"],
        capture_output=True,
    )
    if probe.returncode:
        pytest.skip(f"no mount namespace here to fill a disk in: {probe.stderr.decode().strip()}")
    return FullDisk(
        database=disk / "rectify.sqlite3",
        prefix=("unshare", "--mount", "--map-root-user", "sh", "-c", FULL_DISK, "full-disk"),
        after=tmp_path / "after.sqlite3",
        variables={"DISK": str(disk), "SOURCE": str(copy), "AFTER": str(tmp_path / "after.sqlite3")},
    )


# The real WSGI application under the standard library's server, in a process of its own.
SERVE = """
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
from rectify.wsgi import application
make_server("127.0.0.1", int(sys.argv[1]), application, handler_class=WSGIRequestHandler).serve_forever()
"""


Answer = tuple[int, str, str]  # status, content type, body


class Site:
    """A running server and a browser's cookies for it."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.base = f"http://127.0.0.1:{port}"
        self.process = process
        self.log = log
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> Answer:
        """(status, content type, body) of one request."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), None)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def login(self, username: str, password: str) -> Answer:
        """The login form as a browser sends it: the page first, for its CSRF cookie and token."""
        status, _type, page = self.request("/login/")
        assert status == 200, page
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        return self.request("/login/", form, {"Referer": self.base + "/login/"})

    def token(self, username: str, password: str) -> Answer:
        body = json.dumps({"username": username, "password": password}).encode()
        return self.request("/api/v1/auth/token", body, {"Content-Type": "application/json"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a login's redirect is its answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    """Starts the site with the given variables (and `prefix`, for a full disk); stops it after the test."""
    started = []

    def start(variables: dict[str, str], prefix: tuple[str, ...] = ()) -> Site:
        port = free_port()
        log = tmp_path / f"server-{port}.log"
        process = subprocess.Popen(
            [*prefix, sys.executable, "-c", SERVE, str(port)],
            env=environment(tmp_path, **variables),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return Site(port, process, log)
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"the server did not start: {log.read_text()}")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def demo_backup(tmp_path_factory) -> Path:
    """One backup of the demo site (`rectify demo`, then `rectify backup`), made once for the kill and
    the load tests; each serves a restored copy of it."""
    folder = tmp_path_factory.mktemp("demo-backup")
    with new_site(folder / "demo") as demo:
        demo.ok("demo", "--no-serve")
        demo.ok("backup", str(folder / "kept"))
    (archive,) = (folder / "kept").iterdir()
    return archive
