"""Load with no loss: the demo site under `rectify serve` (gunicorn, two workers: the machine has two
cores) used at the same time by liaisons, the office and the public, over loopback, for a bounded time;
then every request's status is checked, and the database and the evidence folder are counted against
the requests that succeeded.

- Liaisons sign in, open 我的整改 and a measure's report form, and report progress with one to three
  real evidence files (a one-page PDF, a JPEG, a Word document: a few KB each, far under the caps),
  several reports a visit, the first answering a report the office returned when there is one (its
  next version), then sign out.
- The office (two accounts, each deciding the reports whose number falls to it, so they never race
  for the same one) signs in, opens 待审核进展, accepts reports or returns every third with a reason,
  opens each decided report's measure page, the ledger (措施清单) and the inspection page, signs out.
- The public read the portal's notice list and a published notice and leave an opinion on it, through
  the portal form (CSRF token, honeypot left empty, the tracking code read on the confirmation page)
  or through POST /api/v1/public/feedback, in turn.

The site runs as deploy/rectify.env.example configures it behind nginx: production settings with
RECTIFY_PROXY_COUNT=1, and each request carries what nginx adds (X-Forwarded-Proto: https, the
visitor's address in X-Forwarded-For). So the feedback rate limit is the shipped one (5 an hour per
address) and is not switched off: each public visit comes from an address of its own, as visitors on
the Internet do, and the server counts it by that address because it trusts exactly one proxy.

Every request is expected to succeed with its own status (200 for a page, 302 after a form, 201 from
the API); any other status, or no answer, is an error and fails the test. After the server stops:
reports created = report submits answered 302 (and those answering a return, the reports with an
earlier version); their evidence rows and the new files on disk = the
files those submits carried (each row's file there, its SHA-256 right); feedback items = accepted
submits, with the same tracking codes; decided reports = accepted reviews, accepts and returns each.
One summary line gives the figures.

Run by `make test-reliability` (RECTIFY_RELIABILITY=1), on SQLite and on PostgreSQL (DATABASE_URL).
RECTIFY_LOAD_SECONDS (default 30) and RECTIFY_LOAD_USERS (default 8) size it.
"""

from __future__ import annotations

import functools
import io
import itertools
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
import requests

from tests.backups.sites import DEMO_PASSWORD, POSTGRES, ROOT, Site, new_site

pytestmark = pytest.mark.skipif(
    os.environ.get("RECTIFY_RELIABILITY") != "1", reason="load test: run by make test-reliability"
)

SECONDS = int(os.environ.get("RECTIFY_LOAD_SECONDS", "30"))
USERS = int(os.environ.get("RECTIFY_LOAD_USERS", "8"))
# The people at work, by turn: with 8 users, 3 liaisons, 3 of the public and 2 of the office.
ROLES = ("liaison", "public", "office", "liaison", "public", "liaison", "office", "public")
REPORTS_PER_VISIT = 3
REVIEWS_PER_VISIT = 3
PREFIX = "负载测试"  # what every report and opinion of this test starts with

# Run in the site: what the load can change (reports, evidence rows and files, decisions, feedback), and
# the evidence rows whose file is missing or differs from its SHA-256.
FIGURES = """
import hashlib
from pathlib import Path
from django.conf import settings
from rectify.feedback.models import FeedbackItem
from rectify.progress.models import Evidence, ProgressReport, ReportState

def figures(prefix):
    media = Path(settings.MEDIA_ROOT)
    ours = ProgressReport.objects.filter(text__startswith=prefix)
    intact = lambda row: (media / row.file.name).is_file() and hashlib.sha256(
        (media / row.file.name).read_bytes()
    ).hexdigest() == row.sha256
    return {
        "reports": ours.count(),
        "answers": ours.filter(supersedes__isnull=False).count(),
        "evidence": sorted(Evidence.objects.filter(report__in=ours).values_list("original_name", flat=True)),
        "broken": [row.file.name for row in Evidence.objects.all() if not intact(row)],
        "accepted": ProgressReport.objects.filter(state=ReportState.ACCEPTED).count(),
        "returned": ProgressReport.objects.filter(state=ReportState.RETURNED).count(),
        "feedback": sorted(
            FeedbackItem.objects.filter(content__startswith=prefix).values_list("code", flat=True)
        ),
        "files": sum(1 for p in media.rglob("*") if p.is_file()),
    }
"""
AFTER = FIGURES + "print(json.dumps(figures(sys.argv[1])))"

# Run in the site before it is served: the accounts and pages the load needs, the field keys the site's
# contacts are encrypted under (production must be given them), and the figures before.
PLAN = (
    FIGURES
    + """
from rectify.feedback.public import public_organisations
from rectify.ledger.workflow import Event, allowed_events
from rectify.org.models import Role, User
from rectify.progress import services
liaisons = {}
for user in User.objects.filter(memberships__role=Role.LIAISON).distinct().order_by("username"):
    measures = [
        m.pk
        for m in services.my_measures(user)
        if Event.REPORT in allowed_events(m) and services.is_responsible(user, m)
    ]
    if measures:
        liaisons[user.username] = measures
print(json.dumps({
    "liaisons": liaisons,
    "offices": ["office", "office2"],
    "organisation": public_organisations().first().pk,
    "field_keys": settings.RECTIFY_FIELD_KEYS,
    "before": figures(sys.argv[1]),
}))
"""
)


# ------------------------------------------------------------------ evidence files


def pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# A real photograph-style JPEG that ships with python-docx (its template's thumbnail, 8 KB).
THUMBNAIL = Path(docx.__file__).parent / "templates" / "default-docx-template" / "docProps" / "thumbnail.jpeg"


def jpeg(text: str) -> bytes:
    """The thumbnail with a comment segment (COM) carrying `text` after its start marker."""
    image = THUMBNAIL.read_bytes()
    comment = text.encode()
    return image[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + image[2:]


def word(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("整改进展佐证材料", level=1)
    document.add_paragraph(f"{text}：已召开专题会议研究部署，形成会议纪要并印发落实。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def evidence(tag: str, count: int) -> list[tuple[str, bytes, str]]:
    """`count` files (1–3) for one report, each unique: (name, bytes, content type)."""
    files = [
        (f"会议纪要-{tag}.pdf", pdf(tag), "application/pdf"),
        (f"现场照片-{tag}.jpg", jpeg(tag), "image/jpeg"),
        (f"工作方案-{tag}.docx", word(tag), "application/octet-stream"),
    ]
    return files[:count]


# ------------------------------------------------------------------ what happened


@dataclass
class Tally:
    """Every request and its status, and what the successful writes carried; shared by the threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter = field(default_factory=Counter)  # kind → count
    statuses: Counter = field(default_factory=Counter)  # (kind, status) → count
    errors: list[str] = field(default_factory=list)
    reports: int = 0
    answers: int = 0  # of the reports, those answering a returned one (its next version)
    files: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)  # tracking codes
    decisions: Counter = field(default_factory=Counter)  # accept / return → count

    def record(self, kind: str, status: int | str, expected: int, detail: str = "") -> bool:
        with self.lock:
            self.requests[kind] += 1
            self.statuses[(kind, status)] += 1
            if status != expected:
                self.errors.append(f"{kind}: {status} (expected {expected}) {detail[:300]}")
                return False
        return True


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
_addresses = itertools.count(1)


def new_address() -> str:
    """An address of its own for each visitor (10.0.0.1, 10.0.0.2, …)."""
    number = next(_addresses)
    return f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"


class Person:
    """One person's browser behind nginx: cookies, the forwarded headers, every request tallied."""

    def __init__(self, base: str, tally: Tally, address: str):
        self.base = base
        self.origin = "https://" + base.split("://", 1)[1]
        self.tally = tally
        self.session = requests.Session()
        self.session.headers.update(
            {"X-Forwarded-Proto": "https", "X-Forwarded-For": address, "Accept-Language": "zh-CN"}
        )

    def call(self, kind: str, method: str, path: str, expected: int, **kwargs) -> requests.Response | None:
        """One request; None (and an error tallied) unless it answered `expected`."""
        path = path.removeprefix(self.origin)
        headers = kwargs.pop("headers", {})
        if method == "POST":
            headers |= {"Origin": self.origin, "Referer": self.origin + path}
        try:
            response = self.session.request(
                method, self.base + path, headers=headers, allow_redirects=False, timeout=120, **kwargs
            )
        except requests.RequestException as error:
            self.tally.record(kind, type(error).__name__, expected, str(error))
            return None
        for cookie in self.session.cookies:
            cookie.secure = False  # between the browser and nginx the connection is HTTPS
        if not self.tally.record(kind, response.status_code, expected, f"{method} {path} {response.text}"):
            return None
        return response

    def page(self, kind: str, path: str) -> str | None:
        response = self.call(kind, "GET", path, 200)
        return response.text if response is not None else None

    def post_form(self, kind: str, path: str, page: str, data: dict, **kwargs) -> requests.Response | None:
        token = CSRF.search(page)
        if token is None:
            self.tally.record(kind, "no CSRF token", 302, path)
            return None
        return self.call(
            kind, "POST", path, 302, data={**data, "csrfmiddlewaretoken": token.group(1)}, **kwargs
        )

    def sign_in(self, username: str) -> bool:
        page = self.page("login page", "/login/")
        if page is None:
            return False
        return (
            self.post_form("login", "/login/", page, {"username": username, "password": DEMO_PASSWORD})
            is not None
        )

    def sign_out(self) -> None:
        page = self.page("my measures", "/my/")
        if page is not None:
            self.post_form("logout", "/logout/", page, {})


# ------------------------------------------------------------------ the people


RETURNED = re.compile(r'href="/measures/(\d+)/report/\?answers=(\d+)"')


def liaison(
    base: str, tally: Tally, until: float, username: str, measures: list[int], *, answers: bool
) -> None:
    """Visits of a liaison: 我的整改, then a few reports; the first answers a report the office returned,
    when 我的整改 lists one and this thread is the one answering for the account (`answers`)."""
    person = Person(base, tally, new_address())
    for visit in itertools.count(1):
        if time.monotonic() > until or not person.sign_in(username):
            return
        returned = RETURNED.findall(person.page("my measures", "/my/") or "") if answers else []
        for turn in range(REPORTS_PER_VISIT):
            if time.monotonic() > until:
                break
            if turn == 0 and returned:
                measure, answering = map(int, returned[0])
                query = f"?answers={answering}"
            else:
                measure = measures[(visit * REPORTS_PER_VISIT + turn) % len(measures)]
                answering, query = 0, ""
            form = person.page("report form", f"/measures/{measure}/report/{query}")
            if form is None:
                continue
            tag = f"{username}-{visit}-{turn}"
            files = evidence(tag, 1 + (visit + turn) % 3)
            answer = person.post_form(
                "report answering a return" if answering else "report submit",
                f"/measures/{measure}/report/{query}",
                form,
                {
                    "text": f"{PREFIX}：{tag} 本期召开专题会议，完成阶段任务。",
                    "percent": "50",
                    "stage": "推进实施",
                    "answers": str(answering or ""),
                },
                files=[("files", file) for file in files],
            )
            if answer is not None:
                with tally.lock:
                    tally.reports += 1
                    tally.answers += bool(answering)
                    tally.files += [name for name, _data, _type in files]
                person.page("measure page", answer.headers["Location"])
        person.sign_out()


REVIEW_FORM = re.compile(r'action="/reports/(\d+)/review/"')


def office(base: str, tally: Tally, until: float, username: str, share: int, shares: int) -> None:
    person = Person(base, tally, new_address())
    decided = 0
    while time.monotonic() < until:
        if not person.sign_in(username):
            return
        queue = person.page("review queue", "/review/") or ""
        mine = sorted({int(pk) for pk in REVIEW_FORM.findall(queue) if int(pk) % shares == share})
        for report in mine[:REVIEWS_PER_VISIT]:
            if time.monotonic() > until:
                break
            decided += 1
            decision = "return" if decided % 3 == 0 else "accept"
            comment = (
                "佐证材料不足以证明整改到位，请补充会议纪要和现场照片后重新报送。"
                if decision == "return"
                else "同意。"
            )
            answer = person.post_form(
                "review", f"/reports/{report}/review/", queue, {"decision": decision, "comment": comment}
            )
            if answer is not None:
                with tally.lock:
                    tally.decisions[decision] += 1
                person.page("after review", answer.headers["Location"])
        person.page("ledger", "/measures/")
        inspection = re.search(
            r'href="/inspections/(\d+)/"', person.page("inspections", "/inspections/") or ""
        )
        if inspection:
            person.page("inspection page", f"/inspections/{inspection.group(1)}/")
        person.sign_out()
        if not mine:
            time.sleep(1)  # nothing waiting: look again shortly, as a person would


NOTICE_LINK = re.compile(r'href="/portal/notices/(\d+)/"')
FEEDBACK_LINK = re.compile(r'href="(/portal/feedback/new/\?inspection=\d+)"')


def public(base: str, tally: Tally, until: float, organisation: int) -> None:
    for visit in itertools.count(1):
        if time.monotonic() > until:
            return
        person = Person(base, tally, new_address())  # each visitor from an address of its own
        notices = NOTICE_LINK.findall(person.page("portal", "/portal/") or "")
        if not notices:
            continue
        notice = person.page("portal notice", f"/portal/notices/{notices[visit % len(notices)]}/") or ""
        content = f"{PREFIX}：{person.session.headers['X-Forwarded-For']} 建议公布停车场收费标准调整进度。"
        link = FEEDBACK_LINK.search(notice)
        if visit % 2 and link:
            path = link.group(1).replace("&amp;", "&")
            form = person.page("feedback form", path)
            if form is None:
                continue
            data = {"kind": "opinion", "content": content, "website": ""}
            if person.post_form("feedback submit (form)", path, form, data) is None:
                continue
            code = CODE.search(person.page("feedback submitted", "/portal/feedback/submitted/") or "")
        else:
            answer = person.call(
                "feedback submit (API)",
                "POST",
                "/api/v1/public/feedback",
                201,
                json={"kind": "opinion", "content": content, "organisation": organisation},
            )
            if answer is None:
                continue
            code = CODE.search(answer.json()["code"])
        with tally.lock:
            if code:
                tally.feedback.append(code.group(0))
            else:
                tally.errors.append("feedback accepted without a tracking code shown")


# ------------------------------------------------------------------ the site


RECTIFY = (sys.executable, "-m", "rectify.cli")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Served:
    site: Site
    plan: dict
    base: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn lets the requests in flight finish
            self.process.wait(timeout=120)


@pytest.fixture
def served(demo_backup, tmp_path) -> Iterator[Served]:
    """A restored copy of the demo site (conftest.py) under `rectify serve --workers 2`, with production
    settings as behind nginx."""
    with new_site(tmp_path / "site") as site:
        site.ok("restore", str(demo_backup))
        plan = site.python(PLAN, PREFIX)
        port = free_port()
        production = {
            "RECTIFY_ENV": "production",
            "RECTIFY_SECRET_KEY": secrets.token_urlsafe(64),
            "RECTIFY_FIELD_KEYS": ",".join(plan["field_keys"]),
            "RECTIFY_ALLOWED_HOSTS": "127.0.0.1",
            "RECTIFY_SITE_URL": f"https://127.0.0.1:{port}",
            "RECTIFY_PROXY_COUNT": "1",
            "RECTIFY_ACCEL_REDIRECT": "",  # no nginx here: the site streams evidence itself
            "RECTIFY_LOG_LEVEL": "WARNING",
        }
        log = tmp_path / "server.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [*RECTIFY, "serve", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=site.env(**production),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = Served(site, plan, f"http://127.0.0.1:{port}", process, log)
        try:
            deadline = time.monotonic() + 180
            while True:
                assert process.poll() is None, f"the server ended:\n{log.read_text()}"
                assert time.monotonic() < deadline, f"the server did not answer:\n{log.read_text()}"
                try:
                    answer = requests.get(
                        server.base + "/login/", headers={"X-Forwarded-Proto": "https"}, timeout=5
                    )
                    if answer.status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.5)
            yield server
        finally:
            server.stop()


def test_mixed_users_at_once_get_no_error_and_lose_no_record(served, capsys):
    plan = served.plan
    before = plan["before"]
    liaisons = sorted(plan["liaisons"].items(), key=lambda item: (-len(item[1]), item[0]))
    assert liaisons, "the demo has no liaison with a measure to report on"
    tally = Tally()
    roles = [ROLES[n % len(ROLES)] for n in range(USERS)]
    offices = roles.count("office")
    threads = []
    started = time.monotonic()
    until = started + SECONDS
    for n, role in enumerate(roles):
        if role == "liaison":
            turn = roles[:n].count("liaison")
            username, measures = liaisons[turn % len(liaisons)]
            # Two threads on one account (more liaison threads than accounts) never answer the same return.
            args = (served.base, tally, until, username, measures)
            target = functools.partial(liaison, answers=turn < len(liaisons))
        elif role == "office":
            share = roles[:n].count("office")
            args = (served.base, tally, until, plan["offices"][share % 2], share, offices)
            target = office
        else:
            args = (served.base, tally, until, plan["organisation"])
            target = public
        threads.append(threading.Thread(target=target, args=args, name=f"{role}-{n}", daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 300)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "a simulated user never finished"
    served.stop()
    after = served.site.python(AFTER, PREFIX)

    total = sum(tally.requests.values())
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.requests.items()))
    lost = (
        abs(after["reports"] - before["reports"] - tally.reports)
        + abs(after["answers"] - before["answers"] - tally.answers)
        + abs(len(after["evidence"]) - len(before["evidence"]) - len(tally.files))
        + abs(after["files"] - before["files"] - len(tally.files))
        + abs(len(after["feedback"]) - len(before["feedback"]) - len(tally.feedback))
        + abs(after["accepted"] - before["accepted"] - tally.decisions["accept"])
        + abs(after["returned"] - before["returned"] - tally.decisions["return"])
    )
    with capsys.disabled():
        print(
            f"\nload ({'PostgreSQL' if POSTGRES else 'SQLite'}, {USERS} users, {elapsed:.0f} s, "
            f"gunicorn 2 workers): "
            f"{total} requests, {total / elapsed:.1f}/s; {kinds}; "
            f"reports {tally.reports} ({tally.answers} answering a return) with "
            f"{len(tally.files)} files, reviews {sum(tally.decisions.values())} "
            f"({tally.decisions['accept']} accepted, {tally.decisions['return']} returned), "
            f"feedback {len(tally.feedback)}; errors {len(tally.errors)}; records lost: {lost}"
        )

    statuses = ", ".join(
        f"{kind} {status}: {n}" for (kind, status), n in sorted(tally.statuses.items(), key=str)
    )
    assert not tally.errors, "\n".join([*tally.errors[:20], f"all answers: {statuses}"])
    done = {"liaison": tally.reports, "office": sum(tally.decisions.values()), "public": len(tally.feedback)}
    assert all(done[role] for role in roles), f"some users got nothing done: {done}"
    assert after["reports"] - before["reports"] == tally.reports
    assert after["answers"] - before["answers"] == tally.answers
    assert after["evidence"] == sorted(before["evidence"] + tally.files)
    assert after["files"] - before["files"] == len(tally.files)
    assert after["broken"] == [], "evidence rows without their file, byte for byte"
    assert after["feedback"] == sorted(before["feedback"] + tally.feedback)
    assert after["accepted"] - before["accepted"] == tally.decisions["accept"]
    assert after["returned"] - before["returned"] == tally.decisions["return"]
    assert lost == 0
    assert "Traceback" not in served.log.read_text()
