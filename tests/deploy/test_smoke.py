"""A fresh installation, run the way docs/deployment.md runs it, used the way its people use it.

Production settings from deploy/rectify.env.example (the secrets and addresses filled in), a new
PostgreSQL database (dropped after), `rectify migrate` and `rectify createsuperuser`, then the site
through `rectify serve` (gunicorn, two workers) and an RQ task worker on Redis, mail to a local SMTP
sink, all on free ports. Over real HTTP, with cookies and CSRF tokens as a browser sends them behind
nginx: the administrator sets up the Guangzhou bureau of the demo and its people in the admin; the
office imports the shipped notice and assigns two measures; the unit reports with a PDF; the office
accepts; sign-off passes unit head, office and lead leader; the notice is drafted, reviewed, approved
and published; `rectify tick` queues the digests and the worker mails them; a visitor reads the notice
on the portal. Every process is stopped and the database dropped, also when a step fails.

Run by `make test-deploy` (CI), never by `make test`: it is marked `deploy`.
"""

from __future__ import annotations

import email
import os
import re
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from email.policy import default as default_policy
from urllib.parse import urlsplit

import psycopg
import pytest
import requests
from cryptography.fernet import Fernet
from django.utils import timezone

from rectify.demo.builder import BUREAU_CODE, DEMO_NOTICE, DEPARTMENTS, PEOPLE
from rectify.notices.demo import CLERK
from rectify.org.models import OrganisationKind

# The RQ worker test's helpers: a spare Redis database (claimed, flushed before and after) and the
# SMTP sink that collects what the worker sends.
from ..supervision.test_worker import Collector, free_port
from ..supervision.test_worker import redis_url as redis_url
from ..supervision.test_worker import smtp_server as smtp_server
from .browser import Browser
from .stack import ENV_TEMPLATE, Installation, Service, read_env_file, wait_for

pytestmark = pytest.mark.deploy

POSTGRES = os.environ.get("RECTIFY_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "Deploy-smoke-2025"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SQUAD_CODE = "gz-jtj-zfzd"  # the enforcement squad, the demo's unit with named accounts
ACCOUNTS = ["office", "leader", "unithead", "unit"]  # of the demo's people, those the round needs


# ------------------------------------------------------------------ the installation


@pytest.fixture
def database() -> Iterator[str]:
    """A new PostgreSQL database for this run, dropped after it (its connections too)."""
    name = f"rectify_deploy_{int(time.time())}_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL is not answering at {POSTGRES} ({error}): start it (see .ci/run)")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def services(request) -> dict[str, Service]:
    """The services started by the test; each stopped at the end, whatever happened."""
    started: dict[str, Service] = {}

    def stop_all() -> None:
        for name, service in started.items():
            service.stop()
            # Shown by pytest only when the test failed.
            print(f"---------- {name} ({service.log})", *service.output().splitlines()[-60:], sep="\n")

    request.addfinalizer(stop_all)
    return started


@pytest.fixture
def installation(database, redis_url, smtp_server, tmp_path) -> Installation:
    """The configuration file of deploy/, filled in for this machine; the database migrated and the
    first administrator created, as docs/deployment.md does it."""
    port = free_port()
    env = read_env_file(ENV_TEMPLATE)
    env |= {
        "RECTIFY_SECRET_KEY": secrets.token_urlsafe(64),
        "RECTIFY_FIELD_KEYS": Fernet.generate_key().decode(),
        "RECTIFY_ALLOWED_HOSTS": "127.0.0.1",
        "RECTIFY_SITE_URL": f"https://127.0.0.1:{port}",
        "DATABASE_URL": database,
        "RECTIFY_DATA_DIR": str(tmp_path / "var"),
        "RECTIFY_WEB_BIND": f"127.0.0.1:{port}",
        "RECTIFY_CACHE_URL": redis_url,
        "RECTIFY_REDIS_URL": redis_url,
        "RECTIFY_EMAIL_HOST": "127.0.0.1",
        "RECTIFY_EMAIL_PORT": str(smtp_server.port),
        "RECTIFY_EMAIL_SSL": "false",
        "RECTIFY_EMAIL_USER": "",
        # No nginx here: the site streams the evidence itself.
        "RECTIFY_ACCEL_REDIRECT": "",
    }
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "PYTHONPATH", "VIRTUAL_ENV")
    env |= {name: os.environ[name] for name in keep if name in os.environ}
    folder = tmp_path / "srv"
    folder.mkdir()
    site = Installation(url=f"http://127.0.0.1:{port}", env=env, folder=folder)
    site.rectify("migrate", "--no-input")
    site.rectify("check", "--deploy", "--fail-level", "WARNING")
    site.rectify(
        "createsuperuser",
        "--no-input",
        "--username=admin",
        "--email=admin@example.gov.cn",
        env={"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )
    return site


@pytest.fixture
def site(installation, services) -> Installation:
    """The web server and the task worker, as rectify-web.service and rectify-rq-worker@.service run them."""
    services["web"] = Service("web", ["serve", "--workers", "2"], installation)
    services["worker"] = Service("worker", ["rqworker", "default", "--name", "smoke"], installation)
    wait_for(installation.url + "/login/", services["web"])
    return installation


# ------------------------------------------------------------------ the round


def add_in_admin(admin: Browser, model: str, data: dict[str, str]) -> int:
    """Add a row on the admin's add page ("save and continue editing"); returns its id."""
    admin.get(f"/admin/org/{model}/add/")
    admin.submit(admin.form(), data, button="_continue")
    found = re.search(rf"/admin/org/{model}/(\d+)/change/", urlsplit(admin.url).path)
    assert found, f"adding a {model} did not lead to its page: {admin.url} {admin.messages()}"
    return int(found.group(1))


def set_up_the_bureau(admin: Browser) -> None:
    """The demo's bureau, its enforcement squad and the people of the round, with e-mail addresses."""
    bureau = add_in_admin(
        admin,
        "organisation",
        {
            "name": "广州市交通运输局",
            "short_name": "市交通运输局",
            "code": BUREAU_CODE,
            "kind": OrganisationKind.PARTY_ORGAN,
            "credit_code": "11440100MB2C91373B",  # the 索引号 of a published notice needs it
        },
    )
    code, name, short, kind = next(entry for entry in DEPARTMENTS if entry[0] == SQUAD_CODE)
    squad = add_in_admin(
        admin,
        "organisation",
        {"name": name, "short_name": short, "code": code, "kind": kind, "parent": str(bureau)},
    )
    units = {BUREAU_CODE: bureau, SQUAD_CODE: squad}
    clerk_username, clerk_name, clerk_title = CLERK
    people = [
        (p.username, p.full_name, p.role, p.organisation, p.title) for p in PEOPLE if p.username in ACCOUNTS
    ]
    people.append((clerk_username, clerk_name, "office", BUREAU_CODE, clerk_title))
    for username, full_name, role, organisation, title in people:
        user = add_in_admin(
            admin,
            "user",
            {
                "username": username,
                "full_name": full_name,
                "usable_password": "true",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        admin.submit(admin.form(r"/change/$"), {"email": f"{username}@jtj.example.gov.cn"}, button="_save")
        add_in_admin(
            admin,
            "membership",
            {"user": str(user), "organisation": str(units[organisation]), "role": role, "title": title},
        )


def measure_ids(page) -> list[int]:
    ids = []
    for link in page.select('a[href^="/measures/"]'):
        found = re.fullmatch(r"/measures/(\d+)/", str(link["href"]))
        if found and int(found.group(1)) not in ids:
            ids.append(int(found.group(1)))
    return ids


def assign(office: Browser, measure: int, deadline) -> None:
    office.get(f"/measures/{measure}/edit/")
    form = office.form()
    office.submit(
        form,
        {
            "lead_leader": form.choice("lead_leader", "李明"),
            "responsible_unit": form.choice("responsible_unit", "执法支队"),
            "units": [form.choice("units", "执法支队")],
            "deadline": deadline.isoformat(),
        },
    )


def decide_publication(browser: Browser, publication: str, decision: str) -> None:
    browser.get(publication)
    browser.submit(browser.form(r"/decide/$", decision=decision), {"comment": "同意。"})


def digests(sink: Collector) -> dict[str, str]:
    """Recipient → subject of the mails received."""
    found = {}
    for recipients, raw in sink.received:
        message = email.message_from_bytes(raw, policy=default_policy)
        for recipient in recipients:
            found[recipient] = str(message["Subject"])
    return found


def test_a_fresh_installation_serves_a_whole_round(site, services, smtp_server):
    # The pages come with their static files, by WhiteNoise under hashed names from the manifest.
    visitor = Browser(site.url)
    stylesheet = visitor.get("/login/").select_one('link[rel="stylesheet"]')["href"]
    assert re.fullmatch(r"/static/css/rectify\.[0-9a-f]{12}\.css", stylesheet), stylesheet
    css = visitor.request("GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert css.status_code == 200 and css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    # A request for a name the site does not serve is refused, with 400.
    assert requests.get(site.url + "/login/", headers={"Host": "evil.example"}, timeout=10).status_code == 400

    # The first administrator sets up the bureau and its people in the admin.
    admin = Browser(site.url)
    admin.log_in("admin", PASSWORD)
    set_up_the_bureau(admin)

    # The office imports the shipped notice (upload, preview, confirm) and assigns two measures to
    # the squad under the lead leader: 1.1 due in a month, 1.2 three days overdue.
    office = Browser(site.url)
    office.log_in("office", PASSWORD)
    office.get("/notices/import/")
    form = office.form()
    office.submit(
        form,
        {"organisation": form.choice("organisation", "广州市交通运输局")},
        files={"file": (DEMO_NOTICE.name, DEMO_NOTICE.read_bytes(), "text/plain")},
        status=200,
    )
    assert "17 个问题" in office.text(), office.text()[:400]
    office.submit(office.form())
    inspection = int(re.search(r"/inspections/(\d+)/", office.url).group(1))
    first, second = measure_ids(office.get(f"/measures/?inspection={inspection}"))[:2]
    today = timezone.localdate()
    assign(office, first, today + timedelta(days=30))
    assign(office, second, today - timedelta(days=3))

    # The squad's liaison reports on 1.1 with a PDF, and the file comes back as it went.
    unit = Browser(site.url)
    unit.log_in("unit", PASSWORD)
    unit.get(f"/measures/{first}/report/")
    unit.submit(
        unit.form(),
        {"text": "已制定执法规范并组织实施。", "percent": "100"},
        files={"files": ("执法规范.pdf", PDF, "application/pdf")},
    )
    evidence = unit.page.select_one('a[href^="/evidence/"]')
    assert evidence is not None and evidence.get_text(strip=True) == "执法规范.pdf"
    download = unit.request("GET", evidence["href"])
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")

    # The office accepts the report; the unit asks for sign-off; three levels approve it.
    office.get("/review/")
    office.submit(office.form(r"/reports/\d+/review/$", decision="accept"))
    unit.get(f"/measures/{first}/")
    unit.submit(unit.form(r"/signoff/$"), {"note": "整改已完成，佐证材料齐全。"})
    for username in ("unithead", "office", "leader"):
        approver = office if username == "office" else Browser(site.url)
        if username != "office":
            approver.log_in(username, PASSWORD)
        approver.get("/signoffs/")
        approver.submit(
            approver.form(r"/signoffs/\d+/decide/$", decision="approve"), {"comment": "同意销号。"}
        )
    office.get(f"/measures/{first}/")
    assert "已销号" in office.page.select_one(".facts .status").get_text()

    # The notice: the office's clerk drafts it from the ledger and submits it, the office director
    # reviews it, the lead leader approves it, and the office publishes it.
    clerk = Browser(site.url)
    clerk.log_in(CLERK[0], PASSWORD)
    clerk.get(f"/publications/inspection/{inspection}/")
    clerk.submit(clerk.form(r"/draft/$"))
    clerk.submit(clerk.form(), button="save_submit")
    publication = urlsplit(clerk.url).path
    decide_publication(office, publication, "accept")
    leader = Browser(site.url)
    leader.log_in("leader", PASSWORD)
    decide_publication(leader, publication, "approve")
    decide_publication(office, publication, "publish")
    index_number = re.search(r"索引号 (\S+/\d{4}-\d{5})", office.messages())
    assert index_number, office.messages()

    # The daily tick queues the digests; the worker mails them through the SMTP server.
    # Measure 1.2 is overdue: a red warning to its liaison, unit head and lead leader.
    summary = site.rectify("tick")
    assert "新发预警 1 项" in summary and "已排队 3 份" in summary, summary
    expected = {f"{username}@jtj.example.gov.cn" for username in ("unit", "unithead", "leader")}
    deadline = time.monotonic() + 60
    while set(digests(smtp_server)) != expected and time.monotonic() < deadline:
        services["worker"].running()
        time.sleep(0.5)
    received = digests(smtp_server)
    assert set(received) == expected, f"{received}\n{services['worker'].output()}"
    assert all("待办提醒" in subject for subject in received.values()), received

    # Anyone reads the published notice on the portal, without logging in.
    reader = Browser(site.url)
    portal = reader.get("/portal/")
    link = next(a for a in portal.select('a[href^="/portal/notices/"]') if "交通运输局" in a.get_text())
    reader.get(link["href"])
    assert index_number.group(1) in reader.text()
    assert "巡察整改" in reader.text()
    # The production site sends its security headers itself (nginx adds none): HSTS, the Content
    # Security Policy with nothing inline allowed, Permissions-Policy, framing refused.
    headers = reader.request("GET", link["href"]).headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=")

    for service in services.values():
        service.running()
