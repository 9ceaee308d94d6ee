"""Time nodes (时间节点) inside a measure: planned by the office in date order and within the deadline,
done only with a progress report carrying evidence, shown on the measure page, told in the timeline.
Measure 1.1 of bureau A is unit A1's (Bob the liaison); Alice is bureau A's office, Charlie bureau B's."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.models import Measure
from rectify.ledger.services import measure_history
from rectify.progress import milestones
from rectify.progress.models import Milestone
from rectify.progress.services import review_report, submit_report

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DEADLINE = date(2026, 12, 31)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def measure(ledger, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=DEADLINE)
    measure.refresh_from_db()
    return measure


@pytest.fixture
def planned(measure, world):
    first = milestones.add_milestone(
        world.alice, measure.pk, due_on=date(2026, 3, 31), deliverable="完成制度起草"
    )
    second = milestones.add_milestone(
        world.alice, measure.pk, due_on=date(2026, 6, 30), deliverable="出台制度"
    )
    return first, second


def report_with_evidence(measure, user):
    return submit_report(
        user,
        measure.pk,
        text="制度草案已完成，附草案。",
        files=[SimpleUploadedFile("制度草案.pdf", PDF, content_type="application/pdf")],
    )


# ------------------------------------------------------------------ planning


def test_office_plans_milestones_listed_in_date_order(measure, world, planned):
    milestones.add_milestone(world.alice, measure.pk, due_on=date(2026, 1, 15), deliverable="开展调研")
    assert [item.deliverable for item in milestones.milestones_of(world.bob, measure.pk)] == [
        "开展调研",
        "完成制度起草",
        "出台制度",
    ]


def test_a_milestone_after_the_deadline_or_before_the_feedback_is_refused(measure, world):
    with pytest.raises(InvalidInput, match="不能晚于该措施的整改时限（2026年12月31日）"):
        milestones.add_milestone(world.alice, measure.pk, due_on=date(2027, 1, 1), deliverable="出台制度")
    with pytest.raises(InvalidInput, match="不能早于巡察反馈日期"):
        milestones.add_milestone(world.alice, measure.pk, due_on=date(2024, 1, 1), deliverable="出台制度")
    with pytest.raises(InvalidInput, match="请填写节点任务"):
        milestones.add_milestone(world.alice, measure.pk, due_on=date(2026, 5, 1), deliverable="  ")
    assert not Milestone.objects.exists()


def test_only_the_office_plans_and_outsiders_do_not_see(measure, world, planned):
    with pytest.raises(AccessDenied, match="只有整改办"):
        milestones.add_milestone(world.bob, measure.pk, due_on=date(2026, 5, 1), deliverable="自定节点")
    with pytest.raises(NotFound):
        milestones.add_milestone(world.charlie, measure.pk, due_on=date(2026, 5, 1), deliverable="自定节点")
    with pytest.raises(NotFound):
        milestones.get_milestone(world.charlie, planned[0].pk)
    assert Milestone.objects.count() == 2


def test_the_same_deliverable_twice_is_refused_by_the_service_and_the_database(measure, world, planned):
    with pytest.raises(InvalidInput, match="已有节点任务为“出台制度”"):
        milestones.add_milestone(world.alice, measure.pk, due_on=date(2026, 7, 1), deliverable="出台制度")
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(measure=measure, due_on=date(2026, 7, 1), deliverable="出台制度")


def test_the_database_refuses_a_done_milestone_without_evidence(measure, world, planned):
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=planned[0].pk).update(
            state="done", done_by=world.bob, done_at=timezone.now()
        )


# ------------------------------------------------------------------ done with evidence


def test_done_only_with_a_report_carrying_evidence(measure, world, planned):
    first, _ = planned
    bare = submit_report(world.bob, measure.pk, text="正在起草。")
    with pytest.raises(InvalidInput, match="请选择作为佐证的整改进展报告"):
        milestones.complete_milestone(world.bob, first.pk, report_id=None)
    with pytest.raises(InvalidInput, match="没有佐证材料"):
        milestones.complete_milestone(world.bob, first.pk, report_id=bare.pk)
    first.refresh_from_db()
    assert first.state == "open"
    report = report_with_evidence(measure, world.bob)
    done = milestones.complete_milestone(world.bob, first.pk, report_id=report.pk)
    assert (done.state, done.report, done.done_by) == ("done", report, world.bob)
    with pytest.raises(InvalidInput, match="已标记完成"):
        milestones.complete_milestone(world.alice, first.pk, report_id=report.pk)


def test_a_returned_report_or_another_measures_report_is_no_evidence(ledger, measure, world, planned):
    report = report_with_evidence(measure, world.bob)
    review_report(world.alice, report.pk, decision="return", comment="材料不全")
    with pytest.raises(InvalidInput, match="已被退回"):
        milestones.complete_milestone(world.bob, planned[0].pk, report_id=report.pk)
    other = report_with_evidence(ledger.measures[(1, 2)], world.bob)
    with pytest.raises(InvalidInput, match="不是该措施的报告"):
        milestones.complete_milestone(world.bob, planned[0].pk, report_id=other.pk)


def test_a_unit_not_responsible_cannot_mark_done_and_the_office_can_reopen(measure, world, planned):
    report = report_with_evidence(measure, world.bob)
    with pytest.raises(NotFound):  # unit A2 does not see measure 1.1
        milestones.complete_milestone(world.lisa, planned[0].pk, report_id=report.pk)
    with pytest.raises(AccessDenied, match="只有该措施的责任单位或整改办"):
        milestones.complete_milestone(world.larry, planned[0].pk, report_id=report.pk)
    done = milestones.complete_milestone(world.alice, planned[0].pk, report_id=report.pk)
    with pytest.raises(InvalidInput, match="已完成的时间节点不能修改"):
        milestones.change_milestone(world.alice, done.pk, due_on=date(2026, 4, 1), deliverable="完成制度起草")
    with pytest.raises(AccessDenied, match="只有整改办可以把时间节点改回未完成"):
        milestones.reopen_milestone(world.bob, done.pk)
    reopened = milestones.reopen_milestone(world.alice, done.pk)
    assert (reopened.state, reopened.report_id, reopened.done_by_id) == ("open", None, None)


def test_rows_say_done_open_and_overdue_and_which_is_next(measure, world, planned):
    rows = milestones.milestone_rows(milestones.measure_milestones(measure), today=date(2026, 4, 10))
    assert [(row.number, row.state_word, row.is_next) for row in rows] == [
        (1, "已超期", True),
        (2, "未完成", False),
    ]


# ------------------------------------------------------------------ the measure page and the timeline


def test_the_measure_page_lists_milestones_and_the_forms_each_may_use(measure, world, planned):
    url = reverse("ledger:measure-detail", args=[measure.pk])
    office = signed_in(world.alice).get(url).content.decode()
    assert '<h2 id="milestones-title">时间节点</h2>' in office
    assert "完成制度起草" in office and "出台制度" in office
    assert 'id="milestone-add"' in office and "修改或删除" in office
    unit = signed_in(world.bob).get(url).content.decode()
    assert 'id="milestone-add"' not in unit
    assert "标记完成须有附佐证材料的整改进展" in unit  # no report with evidence yet
    report_with_evidence(measure, world.bob)
    unit = signed_in(world.bob).get(url).content.decode()
    assert reverse("progress:complete-milestone", args=[planned[0].pk]) in unit


def test_page_actions_add_complete_and_refuse_in_chinese_keeping_what_was_typed(measure, world, planned):
    office = signed_in(world.alice)
    url = reverse("ledger:measure-detail", args=[measure.pk])
    response = office.post(
        reverse("progress:add-milestone", args=[measure.pk]),
        {"due_on": "2027-02-01", "deliverable": "全面完成", "next": url},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不能晚于该措施的整改时限" in page and 'value="全面完成"' in page
    response = office.post(
        reverse("progress:add-milestone", args=[measure.pk]),
        {"due_on": "2026-09-30", "deliverable": "全面完成", "next": url},
    )
    assert response.status_code == 302
    assert Milestone.objects.filter(measure=measure).count() == 3
    report = report_with_evidence(measure, world.bob)
    response = signed_in(world.bob).post(
        reverse("progress:complete-milestone", args=[planned[0].pk]), {"report": report.pk, "next": url}
    )
    assert response.status_code == 302
    planned[0].refresh_from_db()
    assert planned[0].state == "done"
    response = office.post(reverse("progress:delete-milestone", args=[planned[1].pk]), {"next": url})
    assert response.status_code == 302 and not Milestone.objects.filter(pk=planned[1].pk).exists()


def test_the_timeline_tells_milestone_changes_as_sentences(measure, world, planned):
    report = report_with_evidence(measure, world.bob)
    milestones.complete_milestone(world.bob, planned[0].pk, report_id=report.pk)
    milestones.change_milestone(world.alice, planned[1].pk, due_on=date(2026, 7, 31), deliverable="出台制度")
    sentences = [entry.sentence for entry in measure_history(measure)]
    assert any("安排时间节点：2026年3月31日前完成制度起草" in text for text in sentences), sentences
    assert any("标记时间节点“2026-03-31 完成制度起草”已完成，以进展报告为佐证" in text for text in sentences)
    assert any("将节点日期由2026年6月30日改为2026年7月31日" in text for text in sentences), sentences


# ------------------------------------------------------------------ the Excel cell


def test_the_excel_cell_reads_back_what_it_wrote(measure, world, planned):
    report = report_with_evidence(measure, world.bob)
    milestones.complete_milestone(world.bob, planned[0].pk, report_id=report.pk)
    text = milestones.milestones_text(milestones.measure_milestones(measure))
    assert text == "2026-03-31 完成制度起草（已完成）；2026-06-30 出台制度"
    assert milestones.parse_milestones(text, DEADLINE) == [
        milestones.PlannedMilestone(date(2026, 3, 31), "完成制度起草", True),
        milestones.PlannedMilestone(date(2026, 6, 30), "出台制度", False),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("三月底完成起草", "无法识别"),
        ("2026-06-30 出台制度；2026-03-31 完成起草", "应按日期先后排列"),
        ("2027-03-31 完成起草", "晚于整改时限"),
        ("2026-02-30 完成起草", "不存在"),
        ("2026-03-31 完成起草；2026-04-30 完成起草", "重复"),
    ],
)
def test_a_wrong_excel_cell_is_refused_in_chinese(text, message):
    with pytest.raises(InvalidInput, match=message):
        milestones.parse_milestones(text, DEADLINE)


def test_dates_in_other_written_forms_are_read(measure):
    parsed = milestones.parse_milestones("2026年3月31日完成起草;2026/6/30 出台制度", DEADLINE)
    assert [(item.due_on, item.deliverable) for item in parsed] == [
        (date(2026, 3, 31), "完成起草"),
        (date(2026, 6, 30), "出台制度"),
    ]
