"""Sites in other processes, for the backup and the crash tests: each has its own data folder and
database (a SQLite file there, or a fresh PostgreSQL database when DATABASE_URL names PostgreSQL),
runs `rectify` commands as an operator would, and tells what it holds: the rows of every model, the
bytes of every file, and whether each evidence row has its file."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))
DEMO_PASSWORD = "Rectify-demo-2025"
_numbers = itertools.count(1)

# Run in the site's process: what it holds. Models are counted with their base manager (every row).
CONTENTS = """
import hashlib, json
from pathlib import Path
from django.apps import apps
from django.conf import settings
from rectify.progress.models import Evidence

def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()

media = Path(settings.MEDIA_ROOT)
records = {
    model._meta.label: model._base_manager.count()
    for model in apps.get_models()
    if model._meta.managed and not model._meta.proxy
}
files = {p.relative_to(media).as_posix(): digest(p) for p in sorted(media.rglob("*")) if p.is_file()}
stored = lambda row: media / row.file.name
evidence = [
    [row.report_id, row.file.name, stored(row).is_file() and digest(stored(row)) == row.sha256]
    for row in Evidence.objects.order_by("pk")
]
print(json.dumps({"records": records, "files": files, "evidence": evidence}))
"""


@dataclass
class Site:
    data_dir: Path
    database_url: str | None = None  # None: SQLite in the data folder

    @property
    def media(self) -> Path:
        return self.data_dir / "media"

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "rectify.sqlite3"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("RECTIFY_", "DATABASE_URL", "DJANGO_"))
        }
        env["RECTIFY_DATA_DIR"] = str(self.data_dir)
        env["DJANGO_SETTINGS_MODULE"] = "rectify.settings"
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return {**env, **extra}

    def rectify(self, *args: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "rectify.cli", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ok(self, *args: str, **env: str) -> str:
        done = self.rectify(*args, **env)
        assert done.returncode == 0, (
            f"rectify {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def script(self, code: str, *args: str) -> list[str]:
        """The command line that runs `code` with Django set up in the site (json and sys imported)."""
        return [sys.executable, "-c", "import django, json, sys\ndjango.setup()\n" + code, *args]

    def python(self, code: str, *args: str) -> object:
        """Run `code` in the site; it prints one JSON value last, returned here."""
        done = subprocess.run(
            self.script(code, *args), cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"site script failed:\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def contents(self) -> dict:
        return self.python(CONTENTS)

    def tables(self) -> int:
        return self.python(
            "from django.db import connection\nprint(len(connection.introspection.table_names()))"
        )


@contextmanager
def new_site(folder: Path) -> Iterator[Site]:
    """A site with nothing in it yet: a new data folder, and on PostgreSQL a new empty database
    (dropped afterwards)."""
    folder.mkdir(parents=True)
    if not POSTGRES:
        yield Site(folder)
        return
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"rectify_site_{os.getpid()}_{next(_numbers)}"
    admin = urlunsplit((server.scheme.replace("pgsql", "postgres"), server.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Site(folder, urlunsplit((server.scheme, server.netloc, f"/{name}", server.query, "")))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Run in the site: the first measure `username` may report on now, for the HTTP and service tests.
REPORTABLE = """
from rectify.ledger.workflow import Event, allowed_events
from rectify.org.models import User
from rectify.progress import services
user = User.objects.get(username=sys.argv[1])
print(next(m.pk for m in services.my_measures(user) if Event.REPORT in allowed_events(m)))
"""


def reportable_measure(site: Site, username: str = "unit") -> int:
    return site.python(REPORTABLE, username)


def png(size: int, seed: int) -> bytes:
    """A file the evidence check takes for a PNG image (by its signature), `size` bytes long."""
    return b"\x89PNG\r\n\x1a\n" + random.Random(seed).randbytes(size - 8)
