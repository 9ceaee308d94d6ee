"""A server killed with SIGKILL in the middle of a write leaves nothing half-written and loses nothing
it had committed: a multi-file progress report (killed while the upload arrives, and inside the
transaction after two of its three files were stored) and an Excel ledger import (inside the
transaction, half of its measures written).

Each test serves a copy of the demo site (`rectify restore` of one backup) with Django's server in a
process of its own, over real HTTP. The kill comes at a point the test observes, never after a sleep:
the upload's temporary files appearing, or the server reaching the SQL statement the test named; there
a hook in the server process (Django's execute_wrappers) stops the request until the kill. Then the
site is read afresh and served again, and the same request succeeds.

Run by `make test-reliability` (RECTIFY_RELIABILITY=1), on SQLite and on PostgreSQL; `make test`
leaves them out.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from urllib.error import HTTPError

import pytest

from tests.backups.sites import DEMO_PASSWORD, ROOT, Site, new_site, png, reportable_measure
from tests.ledger_excel.conftest import HEADERS, PDF

pytestmark = pytest.mark.skipif(
    os.environ.get("RECTIFY_RELIABILITY") != "1", reason="crash tests: run by make test-reliability"
)

# Django's development server with a stopping point: the first statement matching the pattern whose
# parameters contain the needle waits (marker written) until the process is killed.
SERVER = """
import re, threading
from pathlib import Path
from django.core.management import call_command
from django.db.backends.signals import connection_created

addrport, pattern, needle, marker = sys.argv[1:5]

def stop_here(execute, sql, params, many, context):
    if pattern and re.match(pattern, sql) and needle in repr(params):
        Path(marker).write_text(sql[:80])
        threading.Event().wait()
    return execute(sql, params, many, context)

def watch(sender, connection, **kwargs):
    connection.execute_wrappers.append(stop_here)

connection_created.connect(watch, weak=False)
call_command("runserver", addrport, use_reloader=False)
"""


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the server ended before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{log.read_text()}")
        time.sleep(0.02)


class Server:
    """Django's server for a site, on a free port; its uploads' temporary files in a folder of their own."""

    def __init__(self, site: Site, folder: Path, *, stop_at: tuple[str, str] = ("", "")):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.marker = folder / f"stopped-{self.port}"
        self.uploads = folder / f"uploads-{self.port}"
        self.uploads.mkdir()
        self.log = folder / f"server-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                site.script(SERVER, f"127.0.0.1:{self.port}", *stop_at, str(self.marker)),
                cwd=ROOT,
                env=site.env(TMPDIR=str(self.uploads)),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_for(self._answers, "the server to answer")

    def _answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            return False
        return True

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        wait_for(condition, what, self.process, self.log)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        assert self.process.returncode == -signal.SIGKILL

    def call(self, path: str, request: tuple[bytes, str], token: str | None = None) -> tuple[int, dict]:
        """POST (body, content type); the status and the JSON answer."""
        body, content_type = request
        headers = {"Content-Type": content_type, **({"Authorization": f"Bearer {token}"} if token else {})}
        posted = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", body, headers, method="POST")
        try:
            with urllib.request.urlopen(posted, timeout=300) as response:
                return response.status, json.load(response)
        except HTTPError as error:
            return error.code, json.load(error)

    def token(self, username: str) -> str:
        credentials = json.dumps({"username": username, "password": DEMO_PASSWORD}).encode()
        status, answer = self.call("/api/v1/auth/token", (credentials, "application/json"))
        assert status == 200, answer
        return answer["token"]

    def send(self, path: str, request: tuple[bytes, str], token: str, *, upto: int | None = None):
        """POST without waiting for the answer (the server dies first); only the body's first `upto`
        bytes when given. Returns the open socket."""
        body, content_type = request
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        connection = socket.create_connection(("127.0.0.1", self.port))
        sending = threading.Thread(target=connection.sendall, args=(head + body[:upto],), daemon=True)
        sending.start()
        return connection


@contextmanager
def serving(site: Site, folder: Path, **options) -> Iterator[Server]:
    server = Server(site, folder, **options)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=30)


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body: the fields, then each file as (field, filename, bytes)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for field, filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def report(text: str, files: dict[str, bytes]) -> tuple[bytes, str]:
    """A progress report with its evidence files (name: bytes)."""
    fields = {"text": text, "percent": "40", "stage": "推进中"}
    return multipart(fields, [("files", name, data) for name, data in files.items()])


def ledger(title: str, measures: int, *, per_problem: int = 5) -> tuple[bytes, str]:
    """An Excel ledger upload for the demo bureau: `measures` measures (“措施第N条：…”), `per_problem`
    to a problem; every third for a unit the bureau does not have yet (the import creates it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([f"{title}整改台账"])
    sheet.append(HEADERS)
    for index in range(measures):
        number, later = divmod(index, per_problem)
        problem = (
            [None] * 3 if later else [number + 1, f"方面{number % 7 + 1}", f"问题{number + 1}：审批时限过长"]
        )
        unit = f"新设专班{number % 11 + 1}" if index % 3 == 0 else "政策法规处"
        sheet.append(
            [*problem, f"措施第{index + 1}条：压缩审批时限。", "李明", unit, None, "2025-12-31", "立行立改"]
        )
    workbook = BytesIO()
    book.save(workbook)
    fields = {"organisation": "gz-jtj", "title": title, "feedback_date": "2025-03-01"}
    return multipart(fields, [("file", "整改台账.xlsx", workbook.getvalue())])


# Run in the site: the reports and inspections these tests made, by their text and title.
MADE = """
from rectify.ledger.models import Inspection, Measure
from rectify.progress.models import ProgressReport
reports = {
    r.text: sorted(r.evidence.values_list("original_name", flat=True))
    for r in ProgressReport.objects.filter(text__startswith="可靠性")
}
inspections = {
    i.title: Measure.objects.filter(problem__inspection=i).count()
    for i in Inspection.objects.filter(title__startswith="可靠性")
}
print(json.dumps({"reports": reports, "inspections": inspections}))
"""


@pytest.fixture
def site(demo_backup, tmp_path) -> Iterator[Site]:
    """A restored copy of the demo backup (conftest.py, shared with the load test)."""
    with new_site(tmp_path / "site") as copy:
        copy.ok("restore", str(demo_backup))
        yield copy


def whole(site: Site) -> dict:
    """What the site holds, after checking that every evidence row has its file, byte for byte."""
    contents = site.contents()
    broken = [row for row in contents["evidence"] if not row[2]]
    assert not broken, f"evidence rows without their file: {broken}"
    return contents


COMMITTED = {"已提交-1.pdf": PDF, "已提交-2.png": png(300_000, seed=1), "已提交-3.pdf": PDF + b"%3"}


def test_a_report_killed_inside_its_transaction_leaves_nothing_half_written(site, tmp_path):
    """Killed after two of the report's three files were stored, at the second evidence row."""
    path = f"/api/v1/measures/{reportable_measure(site)}/reports"
    doomed = {"中断-1.pdf": PDF + b"%a", "中断-2.pdf": PDF + b"%b", "中断-3.png": png(300_000, seed=3)}
    with serving(site, tmp_path, stop_at=(r'INSERT INTO "progress_evidence"', "中断-2.pdf")) as server:
        token = server.token("unit")
        status, answer = server.call(path, report("可靠性：已提交", COMMITTED), token)
        assert status == 201, answer
        before = whole(site)
        connection = server.send(path, report("可靠性：被中断", doomed), token)
        server.wait_for(server.marker.exists, "the second evidence row")
        stored = [
            p
            for p in site.media.rglob("*")
            if p.is_file() and p.relative_to(site.media).as_posix() not in before["files"]
        ]
        assert len(stored) == 2  # the first two files were on disk, inside the open transaction
        server.kill()
        connection.close()

    after = whole(site)
    assert after["records"] == before["records"]  # no report, evidence row or audit entry of the killed one
    assert site.python(MADE)["reports"] == {"可靠性：已提交": sorted(COMMITTED)}
    for name, data in before["files"].items():
        assert after["files"][name] == data  # everything committed is there, byte for byte

    with serving(site, tmp_path) as server:  # served again, the same report goes through
        status, answer = server.call(path, report("可靠性：被中断", doomed), server.token("unit"))
        assert status == 201, answer
    whole(site)
    assert site.python(MADE)["reports"] == {
        "可靠性：已提交": sorted(COMMITTED),
        "可靠性：被中断": sorted(doomed),
    }


def test_a_report_killed_while_its_files_arrive_leaves_nothing(site, tmp_path):
    """Killed halfway through the second of three 2.5 MB files (the upload spills to temporary files)."""
    path = f"/api/v1/measures/{reportable_measure(site)}/reports"
    doomed = {f"中断-{n}.png": png(2_500_000, seed=10 + n) for n in (1, 2, 3)}
    body, content_type = report("可靠性：被中断", doomed)
    halfway = body.index(doomed["中断-2.png"]) + 1_250_000
    with serving(site, tmp_path) as server:
        token = server.token("unit")
        status, answer = server.call(path, report("可靠性：已提交", COMMITTED), token)
        assert status == 201, answer
        before = whole(site)
        connection = server.send(path, (body, content_type), token, upto=halfway)
        server.wait_for(
            lambda: len(list(server.uploads.glob("*.upload*"))) == 2, "the second file's temporary file"
        )
        server.kill()
        connection.close()

    after = whole(site)
    assert after["records"] == before["records"] and after["files"] == before["files"]
    assert site.python(MADE)["reports"] == {"可靠性：已提交": sorted(COMMITTED)}

    with serving(site, tmp_path) as server:
        status, answer = server.call(path, (body, content_type), server.token("unit"))
        assert status == 201, answer
    whole(site)
    assert site.python(MADE)["reports"]["可靠性：被中断"] == sorted(doomed)


IMPORT = "/api/v1/inspections/import-ledger"


def test_a_ledger_import_killed_halfway_leaves_no_partial_ledger(site, tmp_path):
    """Killed inside the import's transaction: the inspection, its areas, problems, new units and the
    measures before row 1,500 of 3,000 written, the rest not yet."""
    with serving(site, tmp_path, stop_at=(r'INSERT INTO "ledger_measure" \(', "'措施第1500条：")) as server:
        token = server.token("office")
        status, answer = server.call(IMPORT, ledger("可靠性：已导入", 40), token)
        assert status == 201 and answer["measure_count"] == 40, answer
        before = whole(site)
        doomed = ledger("可靠性：被中断", 3000)
        connection = server.send(IMPORT, doomed, token)
        server.wait_for(server.marker.exists, "the measures' insert")
        server.kill()
        connection.close()

    after = whole(site)
    assert after["records"] == before["records"]  # no inspection, area, problem, unit or measure of it
    assert site.python(MADE)["inspections"] == {"可靠性：已导入": 40}

    with serving(site, tmp_path) as server:
        status, answer = server.call(IMPORT, doomed, server.token("office"))
        assert status == 201 and answer["measure_count"] == 3000, answer
    assert site.python(MADE)["inspections"] == {"可靠性：已导入": 40, "可靠性：被中断": 3000}
