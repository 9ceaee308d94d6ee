"""`rectify tick` day after day: the clock moves across deadlines (time-machine), the command runs twice
each day, and each person gets exactly one e-mail a day with the warnings' titles in it. Then the same
through a real SMTP server (aiosmtpd) and Django's smtp backend."""

from __future__ import annotations

import email
import socket
from datetime import date, datetime
from email.policy import default as default_policy
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from rectify.ledger.models import Measure
from rectify.progress import services as progress
from rectify.supervision.models import DigestLog, MeasureAlert, Notification, WarningPolicy

# The digests go out once their claim is committed (rectify tick runs in autocommit, as in
# production), so these tests commit too.
pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n%%EOF\n"


def at(day: date, hour: int = 7, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def tick(*args: str) -> str:
    out = StringIO()
    call_command("tick", *args, stdout=out)
    return out.getvalue()


def inbox() -> dict[str, list]:
    """The e-mails sent so far, by recipient address."""
    boxes: dict[str, list] = {}
    for message in mail.outbox:
        for address in message.to:
            boxes.setdefault(address, []).append(message)
    return boxes


def address(username: str) -> str:
    return f"{username}@jia.gov.cn"


@pytest.fixture
def people(world):
    """Everyone in the world fixture gets an e-mail address."""
    for user in world.people.values():
        user.email = address(user.username)
        user.save(update_fields=["email"])
    return world


@pytest.fixture
def clock():
    with time_machine.travel(at(date(2025, 6, 1)), tick=False) as traveller:
        yield traveller


def set_deadline(ledger, key: tuple[int, int], deadline: date) -> None:
    Measure.objects.filter(pk=ledger.measures[key].pk).update(deadline=deadline)


def test_one_email_per_person_per_day_across_deadlines(people, ledger, clock):
    # Measure 1.1 (unit A1: liaison Bob, head Hana; Larry leads) is due 15 June;
    # measure 2.1 (unit A2: liaison Lisa; Larry leads) is due 25 June. Default policy: 20/10 days.
    set_deadline(ledger, (1, 1), date(2025, 6, 15))
    set_deadline(ledger, (2, 1), date(2025, 6, 25))

    # 1 June: 1.1 is 14 days away (green) → Bob. 2.1 is 24 days away: nothing yet.
    first = tick()
    second = tick()
    assert "新发预警 1 项" in first and "已发送 1 份" in first
    assert "新发预警 0 项，新增通知 0 条" in second and "没有待推送的通知" in second
    boxes = inbox()
    assert sorted(boxes) == [address("bob")]
    assert len(boxes[address("bob")]) == 1
    assert "【绿色预警】措施 1.1将于2025年6月15日到期（还有 14 天）" in boxes[address("bob")][0].body
    assert "2025年6月1日" in boxes[address("bob")][0].subject

    # 2 June: nothing new, nobody hears anything.
    clock.move_to(at(date(2025, 6, 2)))
    tick()
    tick()
    assert len(mail.outbox) == 1

    # 5 June: 1.1 is 10 days away (yellow) → Bob and Larry; 2.1 is 20 days away (green) → Lisa.
    clock.move_to(at(date(2025, 6, 5)))
    tick()
    tick()
    today = mail.outbox[1:]
    assert sorted(message.to[0] for message in today) == [address("bob"), address("larry"), address("lisa")]
    by_person = {message.to[0]: message for message in today}
    assert "【黄色预警】措施 1.1将于2025年6月15日到期（还有 10 天）" in by_person[address("bob")].body
    assert "【黄色预警】措施 1.1" in by_person[address("larry")].body
    assert "【绿色预警】措施 2.1将于2025年6月25日到期（还有 20 天）" in by_person[address("lisa")].body
    assert "措施 2.1" not in by_person[address("bob")].body  # Bob is not responsible for 2.1

    # 16 June: 1.1 is overdue (red) → Bob, Larry and unit head Hana; 2.1 is 9 days away (yellow) →
    # Lisa and Larry. Larry gets one e-mail carrying both warnings.
    clock.move_to(at(date(2025, 6, 16)))
    tick()
    tick()
    today = mail.outbox[4:]
    assert sorted(message.to[0] for message in today) == sorted(
        [address("bob"), address("larry"), address("hana"), address("lisa")]
    )
    larry = next(message for message in today if message.to == [address("larry")])
    assert "【红色预警】措施 1.1已于2025年6月15日到期，超期 1 天" in larry.body
    assert "【黄色预警】措施 2.1将于2025年6月25日到期（还有 9 天）" in larry.body
    assert "（2 条）" in larry.subject

    # Every e-mail of the run, every person: never two on one day.
    per_day = DigestLog.objects.values_list("user__username", "day")
    assert len(per_day) == len(set(per_day)) == len(mail.outbox) == 8
    assert not Notification.objects.filter(digested_on__isnull=True).exists()


def test_second_run_changes_and_sends_nothing(people, ledger, clock):
    set_deadline(ledger, (1, 1), date(2025, 5, 1))  # long overdue: escalated at once
    set_deadline(ledger, (3, 1), date(2025, 6, 5))
    tick()
    snapshot = (
        sorted(MeasureAlert.objects.values_list("measure_id", "deadline", "level")),
        sorted(Notification.objects.values_list("pk", "recipient_id", "fact_key", "digested_on")),
        sorted(DigestLog.objects.values_list("pk", "user_id", "day", "items", "channels")),
        len(mail.outbox),
    )
    assert snapshot[3] > 0
    # Escalated: the supervisors of bureau A (Vera) and of the city above it (Sam) hear of it too.
    assert {address("vera"), address("sam")} <= set(inbox())

    output = tick()

    assert "新发预警 0 项，新增通知 0 条" in output
    assert "没有待推送的通知" in output
    assert snapshot == (
        sorted(MeasureAlert.objects.values_list("measure_id", "deadline", "level")),
        sorted(Notification.objects.values_list("pk", "recipient_id", "fact_key", "digested_on")),
        sorted(DigestLog.objects.values_list("pk", "user_id", "day", "items", "channels")),
        len(mail.outbox),
    )


def test_a_fact_after_todays_digest_waits_for_tomorrow(people, ledger, clock):
    set_deadline(ledger, (1, 1), date(2025, 6, 15))  # green → Bob
    tick()
    assert len(inbox()[address("bob")]) == 1

    # Later the same day the office shortens 3.1's deadline: yellow at once → Bob and Larry.
    set_deadline(ledger, (3, 1), date(2025, 6, 8))
    output = tick()
    assert "新发预警 1 项" in output
    assert "另有 1 人今天已收到汇总" in output  # Bob: no second e-mail today
    boxes = inbox()
    assert len(boxes[address("bob")]) == 1
    assert len(boxes[address("larry")]) == 1  # Larry had none today: he hears now
    assert "措施 3.1" in boxes[address("larry")][0].body

    # Next morning Bob's digest carries what waited, and nothing already sent.
    clock.move_to(at(date(2025, 6, 2)))
    tick()
    bob = inbox()[address("bob")]
    assert len(bob) == 2
    assert "【黄色预警】措施 3.1" in bob[1].body
    assert "措施 1.1" not in bob[1].body
    assert len(inbox()[address("larry")]) == 1


def test_a_new_deadline_starts_the_ladder_again(people, ledger, clock):
    set_deadline(ledger, (1, 1), date(2025, 6, 10))  # yellow → Bob, Larry
    tick()
    # The deadline is extended: green again under the new deadline, announced as a new fact.
    clock.move_to(at(date(2025, 6, 2)))
    set_deadline(ledger, (1, 1), date(2025, 6, 20))
    tick()
    bob = inbox()[address("bob")]
    assert len(bob) == 2
    assert "【绿色预警】措施 1.1将于2025年6月20日到期（还有 18 天）" in bob[1].body


def test_policy_of_the_organisation_applies(people, ledger, clock):
    WarningPolicy.objects.create(
        organisation=people.orgs["a"], green_days=40, yellow_days=30, party_head=people.alice
    )
    set_deadline(ledger, (1, 1), date(2025, 7, 1))  # 30 days: yellow under A's policy
    set_deadline(ledger, (2, 1), date(2025, 5, 31))  # overdue: red → Lisa, Larry and the Party head
    tick()
    boxes = inbox()
    assert "【黄色预警】措施 1.1" in boxes[address("bob")][0].body
    assert "【红色预警】措施 2.1" in boxes[address("alice")][0].body


def test_tick_reminds_stuck_signoffs_once(people, ledger, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(3, 2)]
    report = progress.submit_report(
        people.bob, measure.pk, text="已完成。", files=[SimpleUploadedFile("a.pdf", PDF)]
    )
    progress.review_report(people.alice, report.pk, decision="accept")
    progress.request_signoff(people.bob, measure.pk)
    tick()
    assert mail.outbox == []  # waiting one day is not stuck

    # Eight days later it still waits at the unit head: Hana, who must decide, is reminded.
    clock.move_to(at(date(2025, 6, 9)))
    output = tick()
    assert "销号滞留提醒 1 条" in output
    assert [message.to for message in mail.outbox] == [[address("hana")]]
    assert "【销号待审批】措施 3.2" in mail.outbox[0].body
    clock.move_to(at(date(2025, 6, 10)))
    assert "销号滞留提醒 0 条" in tick()
    assert len(mail.outbox) == 1


def test_date_option_and_bad_date(people, ledger, clock):
    set_deadline(ledger, (1, 1), date(2025, 7, 1))
    assert "巡检日期：2025年6月1日" in tick()
    assert mail.outbox == []  # 30 days away today
    output = tick("--date", "2025-06-15")  # 16 days away that day: green
    assert "巡检日期：2025年6月15日" in output and "已发送 1 份" in output
    assert DigestLog.objects.get().day == date(2025, 6, 15)
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        tick("--date", "15/06/2025")


def test_people_without_an_address_are_still_digested(world, ledger, clock):
    """No e-mail address (and no robot): nothing is sent, and the notification is not left pending."""
    set_deadline(ledger, (1, 1), date(2025, 6, 15))
    tick()
    assert mail.outbox == []
    notification = Notification.objects.get()
    assert notification.digested_on == date(2025, 6, 1)
    assert DigestLog.objects.get().channels == ""


# ------------------------------------------------------------------ a real SMTP server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield collector
    finally:
        controller.stop()


def test_digests_through_a_real_smtp_server(people, ledger, clock, smtp_server):
    set_deadline(ledger, (1, 1), date(2025, 6, 10))  # yellow → Bob, Larry
    set_deadline(ledger, (2, 1), date(2025, 6, 11))  # yellow → Lisa, Larry
    tick()
    tick()

    assert sorted(rcpt for _, rcpts, _ in smtp_server.received for rcpt in rcpts) == [
        address("bob"),
        address("larry"),
        address("lisa"),
    ]
    for sender, rcpts, raw in smtp_server.received:
        message = email.message_from_bytes(raw, policy=default_policy)
        items = 2 if rcpts == [address("larry")] else 1
        # Python folds the encoded subject onto the next line; unfolding leaves the fold's space.
        assert message["Subject"].strip() == f"【巡察整改督办平台】2025年6月1日待办提醒（{items} 条）"
        assert message["To"] == rcpts[0]
        assert message["From"].addresses[0].display_name == "巡察整改督办平台"
        assert sender == "noreply@localhost"
        body = message.get_body(preferencelist=("plain",))
        assert body.get_content_charset() == "utf-8"
        text = body.get_content()
        assert "【黄色预警】" in text
        assert "请登录平台办理：" in text
    larry = next(raw for _, rcpts, raw in smtp_server.received if rcpts == [address("larry")])
    text = email.message_from_bytes(larry, policy=default_policy).get_body().get_content()
    assert "措施 1.1" in text and "措施 2.1" in text


def test_smtp_down_fails_loudly_and_nothing_is_lost(people, ledger, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nobody listens there
    set_deadline(ledger, (1, 1), date(2025, 6, 15))  # green → Bob

    with pytest.raises(CommandError, match="1 份汇总发送失败"):
        tick()
    assert Notification.objects.get().digested_on is None  # not lost: it goes with the next digest

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(at(date(2025, 6, 2)))
    tick()
    assert [message.to for message in mail.outbox] == [[address("bob")]]
    assert "【绿色预警】措施 1.1" in mail.outbox[0].body
