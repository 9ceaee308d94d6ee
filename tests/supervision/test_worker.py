"""The queued paths for real: `rectify tick` enqueues the digests, then a worker started as a separate
process (`rectify rqworker` on Redis, `rectify db_worker` on the database) sends them through a real
SMTP server, into the same test database.

Redis: a spare database number (15 down to 8) is claimed, flushed before and after. Without Redis the
RQ test is skipped loudly, unless RECTIFY_REQUIRE_REDIS=1 (CI), where it fails.
"""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
from datetime import timedelta
from email.policy import default as default_policy
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from rectify.ledger.models import Measure
from rectify.supervision.models import DigestLog, Notification
from rectify.supervision.tasks import deliver_digest

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = os.environ.get("RECTIFY_TEST_REDIS", "redis://127.0.0.1:6379")
CLAIM = "rectify:test-claim"
DB_WORKER = ["db_worker", "--batch", "--no-startup-delay", "--no-reload"]


# ------------------------------------------------------------------ what the worker needs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(rcpt for rcpts, _ in self.received for rcpt in rcpts)


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.port = controller.port
    try:
        yield collector
    finally:
        controller.stop()


def database_url() -> str:
    """The test database, as DATABASE_URL for another process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"] == "django.db.backends.postgresql":
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        credentials = f"{quote(db['USER'], safe='')}{password}@" if db.get("USER") else ""
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"
    raise AssertionError(f"no DATABASE_URL for {db['ENGINE']}")


def run_worker(command: list[str], smtp_port: int, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rectify.settings",
        "DATABASE_URL": database_url(),
        "RECTIFY_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "RECTIFY_EMAIL_HOST": "127.0.0.1",
        "RECTIFY_EMAIL_PORT": str(smtp_port),
        "RECTIFY_EMAIL_TLS": "0",
        "RECTIFY_EMAIL_SSL": "0",
        "RECTIFY_EMAIL_USER": "",
        "RECTIFY_EMAIL_PASSWORD": "",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "rectify.cli", *command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"worker failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


# ------------------------------------------------------------------ the data


@pytest.fixture
def pending(ledger, world):
    """Overdue and near deadlines today: red for 1.1 (Bob, Larry, Hana), yellow for 2.1 (Lisa,
    Larry). Everyone has an e-mail address."""
    for user in world.people.values():
        user.email = f"{user.username}@jia.gov.cn"
        user.save(update_fields=["email"])
    today = timezone.localdate()
    Measure.objects.filter(pk=ledger.measures[(1, 1)].pk).update(deadline=today - timedelta(days=2))
    Measure.objects.filter(pk=ledger.measures[(2, 1)].pk).update(deadline=today + timedelta(days=5))
    return today


EXPECTED = ["bob@jia.gov.cn", "hana@jia.gov.cn", "larry@jia.gov.cn", "lisa@jia.gov.cn"]


def tick() -> str:
    out = StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def queued_ticks() -> list[str]:
    """Run the tick twice before any worker: both runs queue; the worker must still send each person one."""
    first, second = tick(), tick()
    assert "新发预警 2 项" in first and "已排队 4 份" in first
    assert "新发预警 0 项，新增通知 0 条" in second and "已排队 4 份" in second
    assert not DigestLog.objects.exists()  # nothing is sent by the tick itself
    return [first, second]


def assert_sent_once_each(smtp_server, day) -> None:
    assert smtp_server.recipients() == EXPECTED
    for _, raw in smtp_server.received:
        message = email.message_from_bytes(raw, policy=default_policy)
        assert "待办提醒" in message["Subject"]
        assert "预警】措施" in message.get_body().get_content()
    assert sorted(DigestLog.objects.values_list("user__email", flat=True)) == EXPECTED
    assert set(DigestLog.objects.values_list("day", "channels")) == {(day, "email")}
    assert not Notification.objects.filter(digested_on__isnull=True).exists()
    assert set(Notification.objects.values_list("digested_on", flat=True)) == {day}


# ------------------------------------------------------------------ RQ on Redis


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(f"{REDIS_SERVER}/0", socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        message = (
            f"!!! Redis is not answering at {REDIS_SERVER} ({error}): THE RQ WORKER TEST IS SKIPPED. "
            "Start redis-server, or set RECTIFY_REQUIRE_REDIS=1 to make this a failure !!!"
        )
        if os.environ.get("RECTIFY_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def redis_url():
    """A spare Redis database for this test alone: claimed (so two runs at once never share one),
    refused if it holds anything but leftovers of these tests, flushed before and after."""
    redis_or_skip()
    for number in range(15, 7, -1):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
        try:
            if not client.set(CLAIM, os.getpid(), nx=True, ex=900):
                continue  # another test run holds it
        except redis.exceptions.ResponseError:
            continue  # the server has fewer databases
        foreign = [key for key in client.scan_iter(count=1000) if key != CLAIM.encode()]
        if any(not key.startswith(b"rq:") for key in foreign):
            client.delete(CLAIM)  # somebody's data: not ours to flush
            continue
        client.pipeline(transaction=True).flushdb().set(CLAIM, os.getpid(), ex=900).execute()
        try:
            yield f"{REDIS_SERVER}/{number}"
        finally:
            client.flushdb()
        return
    pytest.fail(f"no spare Redis database (15 down to 8) at {REDIS_SERVER}")


def test_rq_worker_process_sends_the_queued_digests(
    redis_url, transactional_db, pending, settings, smtp_server
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    queued_ticks()
    queue = redis.Redis.from_url(redis_url)
    job_ids = [job_id.decode() for job_id in queue.lrange("rq:queue:default", 0, -1)]
    assert len(job_ids) == 8

    # django-tasks-rq's jobs need its Job class in the worker: from settings.RQ["JOB_CLASS"] when
    # set, else on the command line (see docs/operations.md).
    job_class = [] if getattr(settings, "RQ", {}).get("JOB_CLASS") else ["--job-class", "django_tasks_rq.Job"]
    command = ["rqworker", "default", "--burst", *job_class]
    done = run_worker(command, smtp_server.port, RECTIFY_TASKS_BACKEND="rq", RECTIFY_REDIS_URL=redis_url)

    assert queue.llen("rq:queue:default") == 0, done.stderr
    assert_sent_once_each(smtp_server, pending)
    results = [deliver_digest.get_result(job_id) for job_id in job_ids]
    assert {result.status for result in results} == {"SUCCESSFUL"}
    assert all(result.worker_ids for result in results)  # done by the worker, not by us
    assert sorted(result.return_value for result in results) == [False] * 4 + [True] * 4


# ------------------------------------------------------------------ the database backend


def test_db_worker_process_sends_the_queued_digests(transactional_db, pending, settings, smtp_server):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued_ticks()
    assert DBTaskResult.objects.filter(status="READY").count() == 8

    run_worker(DB_WORKER, smtp_server.port, RECTIFY_TASKS_BACKEND="database")

    assert_sent_once_each(smtp_server, pending)
    results = list(DBTaskResult.objects.all())
    assert {result.status for result in results} == {"SUCCESSFUL"}
    assert all(result.worker_ids for result in results)
    assert sorted(result.return_value for result in results) == [False] * 4 + [True] * 4
    assert {tuple(result.args_kwargs["args"])[1] for result in results} == {pending.isoformat()}


def test_tick_reports_an_unreachable_queue(db, pending, settings):
    """Redis down at tick time: the warnings are stored, the command fails in Chinese, and the next
    run queues the digests (nothing is lost)."""
    from django.core.management import CommandError

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{free_port()}/0", "DEFAULT_TIMEOUT": 600}}
    with pytest.raises(CommandError, match="任务队列不可用"):
        tick()
    assert Notification.objects.filter(digested_on__isnull=True).count() == 5
