"""The 整改文书 workflow, the notice's rule (notices.approval): the office drafts and edits, another
office member reviews, the leading group's head approves, the office sends a report; returns need a
reason; an approved work plan and a sent report never change; who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound, RectifyError, StaleEdit
from rectify.ledger.models import Measure
from rectify.org.models import Membership, Role, User
from rectify.reports import services
from rectify.reports.models import FinalDocument, RectificationDocument


@pytest.fixture
def reviewer(world):
    """A second member of A's office, who reviews what Alice drafts."""
    user = User.objects.create_user("olga", password="x", full_name="欧佳")
    Membership.objects.create(user=user, organisation=world.orgs["a"], role=Role.OFFICE)
    return user


def _approved(world, ledger, reviewer, kind="situation"):
    document = services.create_draft(world.alice, ledger.inspection.pk, kind)
    services.decide(world.alice, document.pk, "submit")
    services.decide(reviewer, document.pk, "accept", "同意")
    return services.decide(world.larry, document.pk, "approve", "同意报送")


def test_a_report_goes_from_draft_to_sent_with_a_step_each(world, ledger, reviewer):
    ledger.inspection.feedback_date = timezone.localdate() - timedelta(days=30)
    ledger.inspection.save()
    document = _approved(world, ledger, reviewer)
    assert document.state == "approved"
    sent = services.decide(world.alice, document.pk, "send")
    assert sent.state == "sent" and sent.sent_on == timezone.localdate() and sent.sent_late_days == 0
    assert [step.action for step in sent.steps.all()] == ["create", "submit", "accept", "approve", "send"]
    assert services.situation_submissions([ledger.inspection])[ledger.inspection.pk].text == "按时报送"


def test_a_report_sent_after_its_due_date_is_late_by_so_many_days(world, ledger, reviewer):
    ledger.inspection.feedback_date = timezone.localdate() - timedelta(days=90)
    ledger.inspection.save()
    due = services.situation_due(ledger.inspection)
    submission = services.situation_submissions([ledger.inspection])[ledger.inspection.pk]
    assert (
        submission.state == "overdue"
        and submission.text == f"未报送（应于{due.year}年{due.month}月{due.day}日前报送）"
    )
    document = _approved(world, ledger, reviewer)
    sent = services.decide(world.alice, document.pk, "send")
    late = (timezone.localdate() - due).days
    assert sent.sent_late_days == late > 0
    assert (
        services.situation_submissions([ledger.inspection])[ledger.inspection.pk].text
        == f"逾期报送（逾期{late}天）"
    )


def test_the_drafter_may_not_review_a_unit_may_not_see_and_the_other_bureau_never_finds_it(
    world, ledger, reviewer
):
    document = services.create_draft(world.alice, ledger.inspection.pk, "situation")
    services.decide(world.alice, document.pk, "submit")
    with pytest.raises(AccessDenied, match="起草人不能审核"):
        services.decide(world.alice, document.pk, "accept")
    with pytest.raises(AccessDenied, match="只有整改办（起草人以外的人员）可以审核"):
        services.decide(world.larry, document.pk, "accept")
    with pytest.raises(NotFound):
        services.decide(world.bob, document.pk, "accept")  # a unit's liaison never sees it
    with pytest.raises(NotFound):
        services.get_document(world.charlie, document.pk)
    with pytest.raises(NotFound):
        services.get_document(world.vera, document.pk)  # supervisors read it once approved
    services.decide(reviewer, document.pk, "accept")
    with pytest.raises(AccessDenied, match="当前环节须由本单位领导小组成员审批"):
        services.decide(reviewer, document.pk, "approve")
    services.decide(world.larry, document.pk, "approve")
    assert services.get_document(world.vera, document.pk).state == "approved"
    assert services.get_document(world.sam, document.pk).state == "approved"  # the 巡察办 above


def test_wrong_states_unknown_decisions_and_returns_without_a_reason_are_refused_and_change_nothing(
    world, ledger, reviewer
):
    document = services.create_draft(world.alice, ledger.inspection.pk, "situation")
    with pytest.raises(RectifyError) as wrong:
        services.decide(reviewer, document.pk, "accept")
    assert wrong.value.status == 409
    with pytest.raises(InvalidInput):
        services.decide(world.alice, document.pk, "publish")
    services.decide(world.alice, document.pk, "submit")
    with pytest.raises(InvalidInput, match="退回理由"):
        services.decide(reviewer, document.pk, "return", "  ")
    returned = services.decide(reviewer, document.pk, "return", "请补充会议情况")
    assert returned.state == "draft" and returned.return_reason == "请补充会议情况"
    assert RectificationDocument.objects.get(pk=document.pk).steps.count() == 3


def test_an_approved_work_plan_and_a_sent_report_are_final_and_a_correction_is_a_new_version(
    world, ledger, reviewer
):
    draft = services.create_draft(world.alice, ledger.inspection.pk, "work_plan")
    with pytest.raises(InvalidInput, match="无需报送"):
        services.decide(world.alice, draft.pk, "send")
    RectificationDocument.objects.filter(pk=draft.pk).delete()
    plan = _approved(world, ledger, reviewer, "work_plan")
    with pytest.raises(FinalDocument, match="已批准，不能再更改"):
        services.decide(world.alice, plan.pk, "send")
    with pytest.raises(FinalDocument) as final:
        services.update_draft(world.alice, plan.pk, {"opening": "改"})
    assert final.value.status == 409
    with pytest.raises(FinalDocument):
        services.decide(world.larry, plan.pk, "return", "再改")
    plan.title = "改过"
    with pytest.raises(FinalDocument):
        plan.save()
    second = services.create_draft(world.alice, ledger.inspection.pk, "work_plan")
    assert second.version == 2
    with pytest.raises(StaleEdit, match="尚未办结的整改工作方案"):
        services.create_draft(world.alice, ledger.inspection.pk, "work_plan")
    report = _approved(world, ledger, reviewer)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.decide(world.alice, report.pk, "send", sent_on=timezone.localdate() + timedelta(days=1))
    services.decide(world.alice, report.pk, "send")
    with pytest.raises(FinalDocument):
        services.decide(world.alice, report.pk, "send")


def test_only_the_office_drafts_and_an_interim_report_needs_a_day_not_in_the_future(world, ledger):
    with pytest.raises(AccessDenied):
        services.create_draft(world.larry, ledger.inspection.pk, "situation")
    with pytest.raises(NotFound):
        services.create_draft(world.charlie, ledger.inspection.pk, "situation")
    with pytest.raises(InvalidInput):
        services.create_draft(world.alice, ledger.inspection.pk, "minutes")
    with pytest.raises(InvalidInput, match="截至日期"):
        services.create_draft(world.alice, ledger.inspection.pk, "interim")
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.create_draft(
            world.alice, ledger.inspection.pk, "interim", on=timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(InvalidInput, match="不能早于反馈日期"):
        services.create_draft(world.alice, ledger.inspection.pk, "interim", on=date(2024, 5, 1))
    assert not RectificationDocument.objects.exists()


def test_the_offices_wording_is_kept_when_the_figures_are_taken_from_the_ledger_again(world, ledger):
    document = services.create_draft(world.alice, ledger.inspection.pk, "situation")
    assert "已完成0项" in document.content["document"]["sections"][0]["paragraphs"][-1]
    edited = services.update_draft(
        world.alice,
        document.pk,
        {"opening": "我局高度重视巡察整改。\n现将整改情况报告如下。", "part5": "持续抓好整改。"},
    )
    Measure.objects.filter(pk=ledger.measures[(1, 1)].pk).update(status="signed_off")
    again = services.regenerate(world.alice, edited.pk)
    content = again.content["document"]
    assert content["opening"] == "我局高度重视巡察整改。\n现将整改情况报告如下。"
    assert content["sections"][4]["paragraphs"] == ["持续抓好整改。"]
    assert "已完成1项" in content["sections"][0]["paragraphs"][-1]  # the figures are today's
    assert content["areas"][0]["problems"][0]["measures"][0]["text"].endswith("目前已完成整改。")
    restored = services.update_draft(world.alice, edited.pk, {"part5": ""})
    assert restored.content["document"]["sections"][4]["paragraphs"] != ["持续抓好整改。"]
    assert restored.content["document"]["opening"].startswith("我局高度重视")
    with pytest.raises(InvalidInput, match="没有可修改的部分"):
        services.update_draft(world.alice, edited.pk, {"part9": "x"})
    with pytest.raises(AccessDenied):
        services.update_draft(world.larry, edited.pk, {"opening": "领导改"})


def test_an_interim_report_says_what_the_ledger_said_on_its_day(world, ledger):
    from rectify.progress.models import SignOff

    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(status="signed_off")
    signoff = SignOff.objects.create(
        measure=measure, requested_by=world.alice, state="approved", level="leader", closed_at=timezone.now()
    )
    SignOff.objects.filter(pk=signoff.pk).update(requested_at=timezone.now() - timedelta(days=5))
    yesterday = timezone.localdate() - timedelta(days=1)
    document = services.create_draft(world.alice, ledger.inspection.pk, "interim", on=yesterday)
    first = document.content["document"]["areas"][0]["problems"][0]["measures"][0]["text"]
    assert first.endswith("目前已报送完成情况，正在审核销号。")  # signed off only today
    assert document.content["figures"]["done"] == 0


def test_the_trail_reads_each_move_as_a_sentence(world, ledger, reviewer):
    from auditlog.context import set_actor
    from auditlog.models import LogEntry

    from rectify import record

    with set_actor(world.alice):
        document = services.create_draft(world.alice, ledger.inspection.pk, "situation")
        services.decide(world.alice, document.pk, "submit")
    with set_actor(reviewer):
        services.decide(reviewer, document.pk, "return", "请补充问责情况")
    stored = RectificationDocument.objects.get(pk=document.pk)
    entries = LogEntry.objects.get_for_object(stored).order_by("pk")
    texts = [sentence.text for sentence in record.describe(entries) if sentence]
    name = f"{document.title}（第1版）"
    assert texts == [f"起草{name}", f"提交{name}审核", f"退回{name}修改，理由：请补充问责情况"]
