"""The digest's group robots against a real local HTTP server standing in for 企业微信 and 钉钉: the
payloads are their documented markdown messages, only allow-listed hosts are called, and a robot that
fails, refuses, babbles or keeps silent never stops the e-mail or anyone else's digest."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from rectify.supervision import channels, services
from rectify.supervision.models import DigestLog, Notification, NotificationPreference

WECOM_LIMIT = 4096  # 企业微信: markdown.content 最长不超过 4096 个字节（UTF-8）


@dataclass
class Call:
    method: str
    path: str
    query: dict
    content_type: str
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body.decode("utf-8"))


class RobotHandler(BaseHTTPRequestHandler):
    """Answers like the robots: HTTP 200 with {"errcode": 0, "errmsg": "ok"} when the message is
    taken, HTTP 200 with a non-zero errcode when it is refused; plus the ways a robot can go wrong."""

    server: RobotServer

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.record("POST", body)
        route = urlsplit(self.path).path
        if route == "/cgi-bin/webhook/send":  # 企业微信
            message = json.loads(body)
            too_long = len(message["markdown"]["content"].encode()) > WECOM_LIMIT
            self.answer(
                200, {"errcode": 40058, "errmsg": "markdown.content exceed max length"} if too_long else {}
            )
        elif route == "/robot/send":  # 钉钉
            self.answer(200, {})
        elif route == "/error-500":
            self.answer(500, {"errcode": -1, "errmsg": "system busy"})
        elif route == "/refuse":
            self.answer(200, {"errcode": 310000, "errmsg": "keywords not in content"})
        elif route == "/garbage":
            self.wfile.write(b"THIS IS NOT HTTP\r\n\r\n")
            self.close_connection = True
        elif route == "/silent":
            time.sleep(2)
            self.close_connection = True
        elif route == "/redirect":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/internal")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.answer(404, {"errcode": 404, "errmsg": "not found"})

    def do_GET(self):
        self.record("GET", b"")
        self.answer(200, {})

    def record(self, method: str, body: bytes) -> None:
        parts = urlsplit(self.path)
        self.server.calls.append(
            Call(method, parts.path, parse_qs(parts.query), self.headers.get("Content-Type", ""), body)
        )

    def answer(self, status: int, payload: dict) -> None:
        data = json.dumps({"errcode": 0, "errmsg": "ok", **payload}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):  # quiet
        pass


class RobotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), RobotHandler)
        self.calls: list[Call] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"

    def posts(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == "POST" and call.path == path]


@pytest.fixture
def robots(settings, monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the stand-in robots are on this machine
    settings.RECTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    server = RobotServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def people(world):
    for user in world.people.values():
        user.email = f"{user.username}@jia.gov.cn"
        user.save(update_fields=["email"])
    return world


# The digests go out once their claim is committed (rectify tick runs in autocommit, as in
# production), so these tests commit too.
pytestmark = pytest.mark.django_db(transaction=True)

WECOM = "/cgi-bin/webhook/send"
DINGTALK = "/robot/send"


def wecom_url(robots, path: str = WECOM) -> str:
    return robots.url(path) + "?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def dingtalk_url(robots, path: str = DINGTALK) -> str:
    return robots.url(path) + "?access_token=abc123"


def prefer(user, *, wecom: str = "", dingtalk: str = "", email: bool = True) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, defaults={"email": email, "wecom_webhook": wecom, "dingtalk_webhook": dingtalk}
    )


def tell(user, *titles: str) -> None:
    for index, title in enumerate(titles):
        services.notify([user], kind="test", fact_key=f"test:{user.pk}:{index}:{title}", title=title)


def tick() -> str:
    out = StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def channels_used(user) -> str:
    return DigestLog.objects.get(user=user).channels


TITLES = (
    "【黄色预警】措施 1.1将于2025年6月15日到期（还有 10 天）",
    "【红色预警】措施 2.1已于2025年6月1日到期，超期 4 天",
)


def test_robots_receive_their_documented_markdown(people, robots):
    prefer(people.bob, wecom=wecom_url(robots), dingtalk=dingtalk_url(robots))
    tell(people.bob, *TITLES)

    tick()

    subject = mail.outbox[0].subject
    assert subject.startswith("【巡察整改督办平台】") and subject.endswith("待办提醒（2 条）")
    (wecom,) = robots.posts(WECOM)
    (dingtalk,) = robots.posts(DINGTALK)
    for call in (wecom, dingtalk):
        assert call.content_type.startswith("application/json")
        assert "charset=utf-8" in call.content_type
        call.body.decode("utf-8")  # UTF-8, Chinese as is
    assert wecom.query == {"key": ["693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"]}
    assert dingtalk.query == {"access_token": ["abc123"]}

    # 企业微信: {"msgtype": "markdown", "markdown": {"content": "…"}}
    assert set(wecom.json) == {"msgtype", "markdown"}
    assert wecom.json["msgtype"] == "markdown"
    assert set(wecom.json["markdown"]) == {"content"}
    content = wecom.json["markdown"]["content"]
    assert content.startswith(f"**{subject}**")
    assert all(f"> {title}" in content for title in TITLES)
    assert len(content.encode()) <= WECOM_LIMIT

    # 钉钉: {"msgtype": "markdown", "markdown": {"title": "…", "text": "…"}}
    assert set(dingtalk.json) == {"msgtype", "markdown"}
    assert dingtalk.json["msgtype"] == "markdown"
    assert set(dingtalk.json["markdown"]) == {"title", "text"}
    assert dingtalk.json["markdown"]["title"] == subject
    assert dingtalk.json["markdown"]["text"].startswith(f"#### {subject}\n")
    assert all(f"- {title}" in dingtalk.json["markdown"]["text"] for title in TITLES)

    assert channels_used(people.bob) == "email,wecom,dingtalk"
    assert not Notification.objects.filter(digested_on__isnull=True).exists()


class RolledBack(Exception):
    """Raised inside an outer transaction to roll it back."""


@pytest.mark.django_db  # in the test's own transaction, so that commit callbacks can be captured
def test_a_digest_rolled_back_by_an_outer_transaction_sends_nothing(
    people, robots, django_capture_on_commit_callbacks
):
    prefer(people.bob, wecom=wecom_url(robots), dingtalk=dingtalk_url(robots))
    tell(people.bob, *TITLES)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RolledBack),
        transaction.atomic(),
    ):
        assert services.send_digest(people.bob)
        raise RolledBack
    assert callbacks == [] and mail.outbox == [] and robots.calls == []
    assert not DigestLog.objects.exists()
    assert not Notification.objects.filter(digested_on__isnull=False).exists()

    # Committed, the same digest goes out by every channel, once.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.send_digest(people.bob)
    assert len(callbacks) == 1 and [message.to for message in mail.outbox] == [["bob@jia.gov.cn"]]
    assert len(robots.posts(WECOM)) == len(robots.posts(DINGTALK)) == 1
    assert channels_used(people.bob) == "email,wecom,dingtalk"


@pytest.mark.django_db
def test_a_digest_marks_sent_only_what_it_read(people, django_capture_on_commit_callbacks):
    """A notification committed after the digest read the person's (two ticks at once; on PostgreSQL
    even with an id among theirs) is not marked sent: it goes with the next digest."""
    tell(people.bob, "第一条", "第二条", "第三条")
    late = Notification.objects.filter(recipient=people.bob).order_by("pk")[1]
    late_pk = late.pk
    late.delete()  # not committed yet when the digest reads
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.send_digest(people.bob)
    late.pk = late_pk
    late.save(force_insert=True)  # committed while the digest goes out
    callbacks[0]()

    assert "第一条" in mail.outbox[0].body and "第三条" in mail.outbox[0].body
    assert "第二条" not in mail.outbox[0].body
    unsent = Notification.objects.filter(recipient=people.bob, digested_on__isnull=True)
    assert list(unsent.values_list("title", flat=True)) == ["第二条"]


def test_robot_only_without_email(people, robots):
    prefer(people.bob, dingtalk=dingtalk_url(robots), email=False)
    tell(people.bob, TITLES[0])
    tick()
    assert mail.outbox == []
    assert len(robots.posts(DINGTALK)) == 1
    assert channels_used(people.bob) == "dingtalk"


@pytest.mark.parametrize(
    "address",
    [
        "http://localhost:{port}/cgi-bin/webhook/send?key=k",  # same machine, another name: not listed
        "http://127.0.0.1@localhost:{port}/cgi-bin/webhook/send?key=k",  # user-info trick
        "http://127.0.0.1.nip.io:{port}/cgi-bin/webhook/send?key=k",  # a host that only starts alike
        "ftp://127.0.0.1:{port}/cgi-bin/webhook/send?key=k",  # not HTTP
        "http://127.0.0.1:99999/cgi-bin/webhook/send?key=k",  # no such port
    ],
)
def test_a_host_not_allowed_is_never_called(people, robots, address):
    url = address.format(port=robots.server_port)
    prefer(people.bob, wecom=url, dingtalk=url)
    tell(people.bob, TITLES[0])

    tick()

    assert robots.calls == []
    assert channels.post_webhook(url, {"msgtype": "markdown"}) is False
    assert robots.calls == []
    assert [message.to for message in mail.outbox] == [["bob@jia.gov.cn"]]  # the e-mail still goes
    assert channels_used(people.bob) == "email"


def test_a_redirect_to_another_host_is_not_followed(people, robots):
    """An allowed robot address answering 302 must not lead the server to a host nobody allowed."""
    prefer(people.bob, wecom=robots.url("/redirect"))
    tell(people.bob, TITLES[0])
    tick()
    assert [call.path for call in robots.calls] == ["/redirect"]
    assert channels_used(people.bob) == "email"


def test_a_robot_answering_500_does_not_stop_the_email(people, robots):
    prefer(people.bob, wecom=robots.url("/error-500"), dingtalk=dingtalk_url(robots))
    tell(people.bob, *TITLES)
    tick()
    assert [message.to for message in mail.outbox] == [["bob@jia.gov.cn"]]
    assert len(robots.posts("/error-500")) == 1
    assert channels_used(people.bob) == "email,dingtalk"
    assert not Notification.objects.filter(digested_on__isnull=True).exists()


def test_a_robot_refusing_the_message_is_not_counted_as_delivered(people, robots):
    """Both robots answer HTTP 200 with a non-zero errcode when they refuse a message."""
    prefer(people.bob, wecom=robots.url("/refuse"), dingtalk=dingtalk_url(robots))
    tell(people.bob, TITLES[0])
    tick()
    assert len(robots.posts("/refuse")) == 1
    assert channels_used(people.bob) == "email,dingtalk"


def test_a_silent_or_absent_robot_does_not_stop_the_email(people, robots, monkeypatch):
    monkeypatch.setattr(channels, "WEBHOOK_TIMEOUT_SECONDS", 0.5)  # the silent robot takes 2 s
    closed = RobotServer()  # bound, then closed: nobody listens on its port
    closed.server_close()
    prefer(
        people.bob, wecom=robots.url("/silent"), dingtalk=f"http://127.0.0.1:{closed.server_port}/robot/send"
    )
    tell(people.bob, *TITLES)
    started = time.monotonic()
    tick()
    assert time.monotonic() - started < 2
    assert [message.to for message in mail.outbox] == [["bob@jia.gov.cn"]]
    assert channels_used(people.bob) == "email"


def test_a_robot_answering_garbage_does_not_stop_the_digest(people, robots):
    prefer(people.bob, wecom=robots.url("/garbage"), dingtalk=dingtalk_url(robots))
    tell(people.bob, TITLES[0])
    output = tick()
    assert "已发送 1 份" in output
    assert [message.to for message in mail.outbox] == [["bob@jia.gov.cn"]]
    assert channels_used(people.bob) == "email,dingtalk"
    assert not Notification.objects.filter(digested_on__isnull=True).exists()  # not sent again tomorrow


def test_one_persons_broken_robot_leaves_the_others_alone(people, robots):
    prefer(people.bob, wecom=robots.url("/error-500"), dingtalk=robots.url("/garbage"))
    prefer(people.lisa, wecom=wecom_url(robots))
    tell(people.bob, TITLES[0])
    tell(people.lisa, TITLES[1])
    output = tick()
    assert "已发送 2 份" in output
    assert sorted(message.to[0] for message in mail.outbox) == ["bob@jia.gov.cn", "lisa@jia.gov.cn"]
    (lisa,) = robots.posts(WECOM)
    assert TITLES[1] in lisa.json["markdown"]["content"]
    assert channels_used(people.lisa) == "email,wecom"


def test_a_long_digest_fits_the_wecom_limit(people, robots):
    """Sixty long titles are far over 企业微信's 4096 bytes: the robot gets the first ones and a
    pointer to the rest; the e-mail and 钉钉 carry them all."""
    titles = [
        f"【黄色预警】措施 {n}.1 " + "关于规范行政执法程序、加强执法监督的整改措施" * 2 for n in range(1, 61)
    ]
    prefer(people.bob, wecom=wecom_url(robots), dingtalk=dingtalk_url(robots))
    tell(people.bob, *titles)

    tick()

    content = robots.posts(WECOM)[0].json["markdown"]["content"]
    assert len(content.encode()) <= WECOM_LIMIT
    assert titles[0] in content
    shown = sum(title in content for title in titles)
    assert 0 < shown < 60
    assert f"另有 {60 - shown} 条" in content
    assert channels_used(people.bob) == "email,wecom,dingtalk"
    text = robots.posts(DINGTALK)[0].json["markdown"]["text"]
    assert all(title in text for title in titles)
    assert all(title in mail.outbox[0].body for title in titles)


def test_payload_builders_keep_the_order_of_the_notifications(db):
    items = [Notification(title=title) for title in TITLES]
    subject, body = channels.digest_text(items, "2025年6月5日")
    assert subject == "【巡察整改督办平台】2025年6月5日待办提醒（2 条）"
    assert body.index(TITLES[0]) < body.index(TITLES[1])
    wecom = channels.wecom_payload(subject, items)["markdown"]["content"]
    assert wecom == f"**{subject}**\n> {TITLES[0]}\n> {TITLES[1]}"
    dingtalk = channels.dingtalk_payload(subject, items)["markdown"]
    assert dingtalk == {"title": subject, "text": f"#### {subject}\n- {TITLES[0]}\n- {TITLES[1]}"}
