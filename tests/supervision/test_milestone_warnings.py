"""Warnings follow the next open time node (时间节点) as well as the final deadline: an overdue node
warns like an overdue measure, worded as such, on the warnings page, in the API, the tick's
notifications and the ledger's row; once it is done with evidence the warning follows the next one."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from rectify.ledger.models import Measure
from rectify.progress import milestones
from rectify.progress.services import submit_report
from rectify.supervision.deadlines import warned, with_warning_level
from rectify.supervision.models import Notification, WarningLevel
from rectify.supervision.services import run_warnings
from tests.api.test_api import token_for

TODAY = date(2026, 4, 10)
PDF = b"%PDF-1.4\n%%EOF\n"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def measure(ledger, world, settings, tmp_path):
    """Measure 1.1: deadline at the end of the year (no warning of its own), a node passed 10 days ago
    (完成制度起草) and one two months ahead (出台制度)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=date(2026, 12, 31))
    measure.refresh_from_db()
    milestones.add_milestone(world.alice, measure.pk, due_on=date(2026, 3, 31), deliverable="完成制度起草")
    milestones.add_milestone(world.alice, measure.pk, due_on=date(2026, 6, 10), deliverable="出台制度")
    with time_machine.travel(datetime(2026, 4, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield measure


def level_of(measure) -> int:
    return with_warning_level(Measure.objects.filter(pk=measure.pk), TODAY).get().warning_level


def test_an_overdue_node_warns_red_although_the_deadline_is_far(measure):
    annotated = with_warning_level(Measure.objects.filter(pk=measure.pk), TODAY).get()
    assert annotated.warning_level == WarningLevel.RED
    assert (annotated.warning_due, annotated.next_milestone_deliverable) == (
        date(2026, 3, 31),
        "完成制度起草",
    )
    assert list(warned(Measure.objects.all(), TODAY)) == [measure]


def test_the_tick_words_the_warning_as_the_nodes_and_follows_the_next_once_done(measure, world):
    run_warnings(TODAY)
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {"【红色预警】措施 1.1 的时间节点“完成制度起草”已于2026年3月31日到期，超期 10 天"}
    report = submit_report(
        world.bob,
        measure.pk,
        text="制度草案已完成。",
        files=[SimpleUploadedFile("草案.pdf", PDF, content_type="application/pdf")],
    )
    first = measure.milestones.get(deliverable="完成制度起草")
    milestones.complete_milestone(world.bob, first.pk, report_id=report.pk)
    assert level_of(measure) == WarningLevel.NONE  # 出台制度 is 61 days ahead, beyond the green 20
    later = TODAY + timedelta(days=55)
    assert with_warning_level(Measure.objects.filter(pk=measure.pk), later).get().warning_level == (
        WarningLevel.YELLOW
    )
    before = Notification.objects.count()
    run_warnings(later)
    run_warnings(later)  # twice: told once
    new = Notification.objects.order_by("id")[before:]
    assert {item.title for item in new} == {
        "【黄色预警】措施 1.1 的时间节点“出台制度”将于2026年6月10日到期（还有 6 天）"
    }
    assert len(new) == len({item.recipient_id for item in new})


def test_the_warnings_page_the_api_and_the_ledger_row_name_the_node(measure, world):
    alice = signed_in(world.alice)
    page = alice.get(reverse("warnings:list")).content.decode()
    assert "时间节点 2026-03-31：完成制度起草" in page and "超期 10 天" in page
    row = alice.get(reverse("ledger:measure-list")).content.decode()
    assert 'class="next-milestone next-milestone-overdue">时间节点 2026-03-31：完成制度起草' in row
    api = Client(enforce_csrf_checks=True)
    item = api.get("/api/v1/warnings", headers=token_for(api, "alice")).json()["items"][0]
    assert (item["deadline"], item["due_on"], item["milestone"], item["days"], item["level"]) == (
        "2026-12-31",
        "2026-03-31",
        "完成制度起草",
        -10,
        "red",
    )
