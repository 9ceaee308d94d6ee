"""The demo shows the whole cycle, each part through the people who act on it: the bureau's earlier
round signed off and found again at the special inspection's import (举一反三), the meetings and the
accountability of the special inspection, a second organisation in the same round, and the
inspection office's 整改评估 of both rounds. One demo per test: building it is the slow part."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.evaluation import services as evaluation
from rectify.evaluation.models import Evaluation
from rectify.ledger.models import Measure
from rectify.meetings.models import Meeting
from rectify.meetings.services import meeting_counts
from rectify.notices.models import NoticePublication
from rectify.org.models import User
from rectify.progress.models import FollowUp
from rectify.recurrence.models import RecurrenceFlag
from rectify.supervision.models import DispatchReport

from ..conftest import PASSWORD
from ..demo_copy import demo as demo_copy


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return demo_copy(PASSWORD)


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_earlier_round_is_signed_off_and_the_special_inspection_finds_it_again(demo):
    earlier = Measure.objects.filter(problem__inspection=demo.earlier)
    assert earlier.count() == 15 and set(earlier.values_list("status", flat=True)) == {"signed_off"}
    for measure in earlier:
        assert measure.reports.filter(state="accepted", evidence__isnull=False).exists()
        assert measure.signoffs.get(state="approved").decisions.count() == 3
        # Dated as it happened, in the year of the earlier round's deadlines.
        assert timezone.localtime(measure.signoffs.get().closed_at).year == measure.deadline.year == 2023
    assert demo.earlier.mechanisms.filter(status="issued").count() == 4
    assert FollowUp.objects.filter(measure__in=earlier, outcome="stable").count() == 2
    assert demo.earlier.round_name == "十二届市委第三轮"

    # The import flagged the special inspection's problems like the signed-off ones; the office
    # confirmed the South Station's as a relapse and two as common weaknesses, and left some waiting.
    flags = RecurrenceFlag.objects.filter(
        problem__inspection=demo.inspection, earlier__inspection=demo.earlier
    )
    relapse = flags.get(status="confirmed", kind="relapse")
    assert (relapse.problem.number, relapse.earlier.number) == (
        10,
        2,
    ) and relapse.decided_by.username == "office"
    assert flags.filter(status="confirmed", kind="common").count() == 2
    assert flags.filter(status="dismissed").count() == 1 and flags.filter(status="pending").count() >= 3

    office = client_of("office")
    waiting = page(office, reverse("recurrence:list"))
    assert "政策知晓度低的整改" in waiting and "政策宣传解读不到位的整改" in waiting
    confirmed = page(office, reverse("recurrence:list") + "?status=confirmed")
    assert "问题反弹" in confirmed and "南站地区非法营运整治不彻底的整改" in confirmed
    similar = page(office, reverse("recurrence:similar", args=[relapse.problem_id]))
    assert "南站地区非法营运整治不彻底的整改" in similar and "市委第五巡察组常规巡察（2023年1月）" in similar

    # The special inspection's 回头看 found a relapse too, which the evaluation overview counts.
    assert FollowUp.objects.filter(measure__problem__inspection=demo.inspection, outcome="relapse").exists()


def test_meetings_and_accountability_show_to_those_who_read_them(demo):
    inspection, today = demo.inspection, timezone.localdate()
    held = {item.kind: item.count for item in meeting_counts(inspection, inspection.feedback_date, today)}
    assert {kind: held.get(kind) for kind in ("party_group", "leading_group", "special", "dispatch")} == {
        "party_group": 1,
        "leading_group": 1,
        "special": 1,
        "dispatch": 2,
    }
    meetings = Meeting.objects.filter(inspection=inspection)
    assert all(meeting.minutes and meeting.attendees.exists() for meeting in meetings)
    assert {meeting.minutes_type for meeting in meetings} == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    decisions = [decision for meeting in meetings for decision in meeting.decisions.all()]
    assert any(decision.problems.exists() or decision.measures.exists() for decision in decisions)
    assert any(decision.done_at for decision in decisions)

    # The notice published on the portal and both dispatch reports count the meetings held.
    published = NoticePublication.objects.get(state="published")
    assert "召开党组会议1次、领导小组会议1次、专题会1次、调度会2次" in published.document["opening"]
    for report in DispatchReport.objects.filter(inspection=inspection):
        assert {row["kind"]: row["count"] for row in report.data["meetings"]} == {"dispatch": 1}
    latest = DispatchReport.objects.order_by("-created_at", "-id").first()
    assert {row["form"]: row["count"] for row in latest.data["accountability"]}["criticism"] == 1

    # The squad's liaison sees the task given to the squad; the office reads a meeting and its minutes.
    my = page(client_of("unit"), reverse("progress:my-measures"))
    assert "执法支队报送超期措施的整改进展" in my
    office = client_of("office")
    special = meetings.get(kind="special")
    assert "南站地区非法营运整治专题会" in page(office, reverse("meetings:detail", args=[special.pk]))
    assert office.get(reverse("meetings:minutes", args=[special.pk])).status_code == 200
    # The measure the 专题会 decided on shows the decision.
    measure = Measure.objects.get(problem__inspection=inspection, problem__number=10, order=3)
    assert "南站地区非法营运整治专题会" in page(office, reverse("ledger:measure-detail", args=[measure.pk]))

    # Accountability: the office and the supervisors read it; a unit does not; the portal never shows it.
    names = ("梁志远", "罗建华", "邹文", "黎淑仪")
    for username in ("office", "supervisor", "xcb"):
        listed = page(client_of(username), reverse("accountability:list"))
        assert all(name in listed for name in names), username
    assert client_of("unit").get(reverse("accountability:list")).status_code == 403
    public = Client()
    for url in ("/portal/", reverse("portal:notice", args=[published.pk])):
        text = page(public, url)
        assert not any(name in text for name in names), url


def test_the_inspection_office_follows_two_organisations_and_evaluates_both_rounds(demo):
    xcb = User.objects.get(username="xcb")
    rounds = {item.name: item for item in evaluation.overview(xcb)}
    assert list(rounds) == ["十二届市委第五轮", "十二届市委第三轮"]
    current = rounds["十二届市委第五轮"]
    assert current.organisations == 2
    rows = {row.inspection.inspected.name: row for row in current.rows}
    assert set(rows) == {"广州市交通运输局", "广州市水务局"}
    assert rows["广州市交通运输局"].relapses >= 1 and rows["广州市交通运输局"].evaluation.state == "draft"
    water = rows["广州市水务局"].figures.figures
    assert water.total == 5 and water.overdue == 1 and water.signed_off == 1
    earlier = rounds["十二届市委第三轮"].rows[0]
    assert earlier.evaluation.state == "issued" and earlier.evaluation.get_result_display() == "较好"
    assert earlier.figures.figures.completion_rate == 100

    overview = page(client_of("xcb"), reverse("evaluation:overview"))
    assert "十二届市委第五轮" in overview and "（2 个单位）" in overview
    assert "市水务局" in overview and "较好" in overview and "评估中" in overview

    # The bureau reads the evaluation sent to it, not the draft; each bureau sees only its own ledger.
    office = User.objects.get(username="office")
    assert list(Evaluation.objects.restrict(office).values_list("inspection", flat=True)) == [demo.earlier.pk]
    assert "较好" in page(client_of("office"), reverse("evaluation:inspection", args=[demo.earlier.pk]))
    water_office = client_of("water")
    assert water_office.get(reverse("evaluation:inspection", args=[demo.inspection.pk])).status_code == 404
    ledger = page(water_office, "/measures/")
    assert "排水许可" in ledger and "南站" not in ledger
    assert "排水许可" not in page(client_of("office"), "/measures/")
    assert demo.water.inspected.name == "广州市水务局" and date(2024, 1, 23) == demo.water.feedback_date
