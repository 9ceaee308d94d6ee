"""整改评估: the inspection office's overview of the organisations it inspected, by round, and its
evaluation of each rectification against its own rubric, sent to the inspected organisation. Through
the services, the pages and the API, for every role."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from rectify import record
from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.evaluation import services
from rectify.evaluation.models import Evaluation, EvaluationState, Result, Score
from rectify.insights.services import dashboard
from rectify.ledger.choices import InspectionScope, MeasureStatus
from rectify.ledger.models import Inspection, Measure
from rectify.notices.importer import scope_of
from rectify.org.models import User
from rectify.progress.models import FollowUp, FollowUpOutcome
from rectify.supervision.models import Notification


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def full_marks(rubric) -> dict[int, tuple[object, str]]:
    return {item.pk: (item.max_score, "") for item in rubric.items.all()}


@pytest.fixture
def rounds(ledger, world):
    """Bureau A's inspection in the sixth round, B's in the fifth; one of A's measures relapsed."""
    Inspection.objects.filter(pk=ledger.inspection.pk).update(round_name="十二届市委第六轮")
    Inspection.objects.filter(pk=ledger.other.pk).update(
        round_name="十二届市委第五轮", scope=InspectionScope.SPECIAL
    )
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(status=MeasureStatus.REOPENED)
    FollowUp.objects.create(
        measure=measure,
        due_on=date(2025, 6, 1),
        scheduled_by=world.alice,
        outcome=FollowUpOutcome.RELAPSE,
        note="回头看发现执法程序不规范问题再次出现。",
        checked_by=world.alice,
        checked_at=timezone.now(),
    )
    return ledger


def test_the_inspection_office_sees_every_organisation_by_round_with_the_dashboards_figures(rounds, world):
    groups = services.overview(world.sam)
    # Newest feedback first; both were fed back the same day, so the later inspection (B's) leads.
    assert [group.name for group in groups] == ["十二届市委第五轮", "十二届市委第六轮"]
    assert [group.organisations for group in groups] == [1, 1]
    rows = {row.inspection.pk: row for group in groups for row in group.rows}
    assert set(rows) == {rounds.inspection.pk, rounds.other.pk}
    a = rows[rounds.inspection.pk]
    assert a.relapses == 1 and rows[rounds.other.pk].relapses == 0
    assert a.may_evaluate and a.evaluation is None
    # The same figures as the dashboard's table of inspections: one query behind both.
    board = {row.id: row for row in dashboard(world.sam).by_inspection}
    assert a.figures.figures == board[rounds.inspection.pk].figures
    assert (a.figures.problems, a.figures.figures.total) == (3, 5)
    assert rows[rounds.other.pk].inspection.get_scope_display() == "专项"


def test_each_role_sees_its_own_share_of_the_overview(rounds, world):
    def inspections(user):
        return {row.inspection.pk for group in services.overview(user) for row in group.rows}

    assert inspections(world.alice) == {rounds.inspection.pk}
    assert inspections(world.charlie) == {rounds.other.pk}
    assert inspections(world.vera) == {rounds.inspection.pk}
    with pytest.raises(AccessDenied):
        services.overview(world.nobody)
    # Only supervisors of an inspection office above the organisation evaluate.
    assert services.may_evaluate_any(world.sam)
    assert not services.may_evaluate_any(world.vera) and not services.may_evaluate_any(world.alice)


def test_a_draft_stays_with_the_evaluators_and_a_sent_evaluation_reaches_the_organisation(rounds, world):
    inspection = rounds.inspection
    rubric = services.rubric_for_user(world.sam)
    items = list(rubric.items.all())
    assert len(items) == 5 and sum(item.max_score for item in items) == 100
    scores = full_marks(rubric)
    scores[items[1].pk] = (Decimal("24.5"), "2个问题整改不到位，1项措施反弹")
    with set_actor(world.sam):
        draft = services.save_evaluation(
            world.sam, inspection.pk, scores=scores, result=Result.EXCELLENT, comment="整改总体到位。"
        )
    assert draft.state == EvaluationState.DRAFT and draft.office == world.orgs["city"]
    sheet = services.sheet(world.sam, inspection.pk)
    assert (
        sheet.total == Decimal("94.5")
        and sheet.full_marks == 100
        and sheet.suggested_result == Result.EXCELLENT
    )
    # The inspected organisation does not see a draft.
    assert services.sheet(world.alice, inspection.pk).evaluation is None
    with set_actor(world.sam):
        sent = services.issue_evaluation(world.sam, inspection.pk, draft.version)
    assert sent.state == EvaluationState.ISSUED and sent.issued_at is not None
    seen = services.sheet(world.alice, inspection.pk)
    assert seen.issued and seen.total == Decimal("94.5")
    assert [line.note for line in seen.lines][1] == "2个问题整改不到位，1项措施反弹"
    assert not seen.may_evaluate
    told = Notification.objects.filter(kind="evaluation").values_list("recipient__username", flat=True)
    assert set(told) == {"alice", "larry"}
    # Bureau B's office sees nothing of A's, not even that the inspection exists.
    with pytest.raises(NotFound):
        services.sheet(world.charlie, inspection.pk)
    # Sent is final.
    with pytest.raises(StaleEdit):
        services.save_evaluation(world.sam, inspection.pk, scores=scores, result=Result.GOOD, comment="改")
    with pytest.raises(StaleEdit):
        services.issue_evaluation(world.sam, inspection.pk)


def test_bad_scores_and_incomplete_evaluations_are_refused_and_change_nothing(rounds, world):
    inspection = rounds.inspection
    rubric = services.rubric_for_user(world.sam)
    first = rubric.items.first()
    for points, message in [
        (first.max_score + 1, f"“{first.title}”的得分应在0至{first.max_score}分之间。"),
        (-1, f"“{first.title}”的得分应在0至{first.max_score}分之间。"),
        ("十分", f"“{first.title}”的得分应为数字。"),
        ("3.25", f"“{first.title}”的得分最多保留一位小数。"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services.save_evaluation(world.sam, inspection.pk, scores={first.pk: (points, "")})
        assert refused.value.message == message
    assert not Evaluation.objects.exists()
    with pytest.raises(InvalidInput, match="评估指标不存在"):
        services.save_evaluation(world.sam, inspection.pk, scores={999999: (1, "")})
    with pytest.raises(InvalidInput, match="评估结果应为"):
        services.save_evaluation(world.sam, inspection.pk, scores={}, result="great")
    with pytest.raises(InvalidInput, match="请先填写"):
        services.issue_evaluation(world.sam, inspection.pk)
    draft = services.save_evaluation(world.sam, inspection.pk, scores={first.pk: (10, "")})
    with pytest.raises(InvalidInput, match="还有4项评估指标未打分"):
        services.issue_evaluation(world.sam, inspection.pk)
    services.save_evaluation(world.sam, inspection.pk, scores=full_marks(rubric), version=draft.version)
    with pytest.raises(InvalidInput, match="请选择评估结果"):
        services.issue_evaluation(world.sam, inspection.pk)
    # Someone saved meanwhile: the stale version is refused.
    with pytest.raises(StaleEdit):
        services.save_evaluation(world.sam, inspection.pk, scores={}, version=draft.version)
    assert Evaluation.objects.get().state == EvaluationState.DRAFT
    # A discipline group's supervisor, the office and a liaison do not evaluate.
    for user in (world.vera, world.alice, world.bob):
        with pytest.raises(AccessDenied, match="巡察机构"):
            services.save_evaluation(user, inspection.pk, scores={})


def test_the_rubric_is_the_offices_own_and_keeps_what_evaluations_used(rounds, world):
    added = services.save_rubric_item(
        world.sam, title="整改情况报告质量", max_score="10", guidance="按时、真实、完整"
    )
    assert added.position == 6
    with pytest.raises(InvalidInput, match="已有名为"):
        services.save_rubric_item(world.sam, title="整改情况报告质量", max_score=5)
    with pytest.raises(InvalidInput, match="分值应为1至100之间的整数"):
        services.save_rubric_item(world.sam, title="其他", max_score="0")
    with pytest.raises(InvalidInput, match="请填写评估指标名称"):
        services.save_rubric_item(world.sam, title="  ", max_score=5)
    with pytest.raises(AccessDenied):
        services.save_rubric_item(world.alice, title="其他", max_score=5)
    rubric = services.rubric_for_user(world.sam)
    draft = services.save_evaluation(
        world.sam, rounds.inspection.pk, scores=full_marks(rubric), result=Result.GOOD, comment="较好。"
    )
    with pytest.raises(InvalidInput, match="已在整改评估中打分，不能删除"):
        services.delete_rubric_item(world.sam, added.pk)
    services.issue_evaluation(world.sam, rounds.inspection.pk, draft.version)
    with pytest.raises(InvalidInput, match="分值不能再改"):
        services.save_rubric_item(world.sam, item_id=added.pk, title="整改情况报告质量", max_score=20)
    renamed = services.save_rubric_item(world.sam, item_id=added.pk, title="整改报告质量", max_score=10)
    assert renamed.title == "整改报告质量"
    unused = services.save_rubric_item(world.sam, title="临时指标", max_score=5)
    services.delete_rubric_item(world.sam, unused.pk)
    assert not rubric.items.filter(pk=unused.pk).exists()
    # The sent evaluation still reads its own items and marks.
    assert services.sheet(world.alice, rounds.inspection.pk).full_marks == 110


def test_the_office_records_round_and_kind_and_the_import_reads_the_kind(rounds, world):
    services.classify_inspection(
        world.sam, rounds.inspection.pk, round_name=" 十二届市委第七轮 ", scope=InspectionScope.FOLLOW_UP
    )
    inspection = Inspection.objects.get(pk=rounds.inspection.pk)
    assert (inspection.round_name, inspection.scope) == ("十二届市委第七轮", "follow_up")
    with pytest.raises(InvalidInput, match="巡察类别应为"):
        services.classify_inspection(world.sam, inspection.pk, round_name="", scope="other")
    with pytest.raises(AccessDenied):
        services.classify_inspection(world.alice, inspection.pk, round_name="", scope="routine")
    assert scope_of("关于巡察“回头看”整改进展情况的通报") == InspectionScope.FOLLOW_UP
    assert scope_of("中共某局党组关于专项巡察整改进展情况的通报", "市委第三巡察组") == InspectionScope.SPECIAL
    assert scope_of("中共某局党组关于巡察整改进展情况的通报") == InspectionScope.ROUTINE


def test_the_trail_reads_the_evaluation_as_sentences(rounds, world):
    rubric = services.rubric_for_user(world.sam)
    with set_actor(world.sam):
        draft = services.save_evaluation(
            world.sam, rounds.inspection.pk, scores=full_marks(rubric), result=Result.GOOD, comment="较好。"
        )
        services.issue_evaluation(world.sam, rounds.inspection.pk, draft.version)
    entries = list(LogEntry.objects.filter(content_type__app_label="evaluation").order_by("timestamp", "id"))
    sentences = [sentence.text for sentence in record.describe(entries) if sentence]
    assert any("开始对" in text and "进行整改评估" in text for text in sentences)
    assert any("评估“整改责任落实（20分）”得20" in text for text in sentences)
    assert "向被巡察单位反馈整改评估" in sentences
    assert not any("True" in text or "None" in text or "evaluation" in text for text in sentences)


# ------------------------------------------------------------------ pages


def test_pages_score_save_send_and_show(rounds, world):
    sam = signed_in("sam")
    page = sam.get("/evaluation/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "十二届市委第六轮" in text and "甲局" in text and "开始评估" in text and "评估指标" in text
    url = f"/evaluation/inspections/{rounds.inspection.pk}/"
    form = sam.get(url)
    assert form.status_code == 200 and "保存并反馈被巡察单位" in form.content.decode()
    items = list(services.rubric_for_user(world.sam).items.all())
    data = {f"points-{item.pk}": str(item.max_score) for item in items}
    data[f"points-{items[0].pk}"] = "25"  # above the item's 20
    data[f"note-{items[0].pk}"] = "责任分解不够细"
    data.update(result="good", comment="整改较好。", version="")
    refused = sam.post(url, data | {"issue": "1"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert (
        "“整改责任落实”的得分应在0至20分之间。" in body and "责任分解不够细" in body and "整改较好。" in body
    )
    assert not Evaluation.objects.exists()
    data[f"points-{items[0].pk}"] = "18"
    saved = sam.post(url, data)
    assert saved.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.state == EvaluationState.DRAFT and Score.objects.count() == 5
    assert "巡察机构尚未反馈" in signed_in("alice").get(url).content.decode()
    sent = sam.post(url, data | {"version": str(evaluation.version), "issue": "1"})
    assert sent.status_code == 302
    shown = signed_in("alice").get(url).content.decode()
    assert "评估结果：较好" in shown and "总分 98.0 分（满分 100 分）" in shown and "责任分解不够细" in shown
    assert "保存草稿" not in shown
    assert signed_in("charlie").get(url).status_code == 404
    assert "整改评估" in signed_in("alice").get("/evaluation/").content.decode()


def test_rubric_and_classification_pages(rounds, world):
    sam = signed_in("sam")
    page = sam.get("/evaluation/rubric/")
    assert page.status_code == 200 and "满分 100 分" in page.content.decode()
    added = sam.post("/evaluation/rubric/", {"new-title": "整改报告质量", "new-max_score": "10"})
    assert added.status_code == 302
    refused = sam.post("/evaluation/rubric/", {"new-title": "整改报告质量", "new-max_score": "abc"})
    assert refused.status_code == 400 and "分值应为1至100之间的整数" in refused.content.decode()
    item = services.rubric_for_user(world.sam).items.get(title="整改报告质量")
    prefix = f"item-{item.pk}"
    changed = sam.post(
        f"/evaluation/rubric/{item.pk}/",
        {f"{prefix}-title": "报告质量", f"{prefix}-max_score": "8", "save": "1"},
    )
    assert changed.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.max_score) == ("报告质量", 8)
    deleted = sam.post(
        f"/evaluation/rubric/{item.pk}/",
        {f"{prefix}-title": "报告质量", f"{prefix}-max_score": "8", "delete": "1"},
    )
    assert deleted.status_code == 302 and not type(item).objects.filter(pk=item.pk).exists()
    assert signed_in("alice").get("/evaluation/rubric/").status_code == 403
    classify = f"/evaluation/inspections/{rounds.inspection.pk}/classify/"
    assert sam.post(classify, {"round_name": "第七轮", "scope": "special"}).status_code == 302
    assert Inspection.objects.get(pk=rounds.inspection.pk).scope == "special"
    assert signed_in("alice").post(classify, {"round_name": "x", "scope": "special"}).status_code == 403


# ------------------------------------------------------------------ API


def api(client: Client, method: str, url: str, body: dict | None = None):
    return getattr(client, method)(
        f"/api/v1{url}", data=json.dumps(body) if body is not None else None, content_type="application/json"
    )


def test_api_overview_score_send_and_read(rounds, world):
    sam = signed_in("sam")
    overview = api(sam, "get", "/evaluation/overview")
    assert overview.status_code == 200
    rows = {row["inspection_id"]: row for group in overview.json() for row in group["rows"]}
    assert rows[rounds.inspection.pk]["relapses"] == 1 and rows[rounds.inspection.pk]["measures"] == 5
    assert rows[rounds.other.pk]["scope"] == "special"
    rubric = api(sam, "get", "/evaluation/rubric").json()
    assert [item["max_score"] for item in rubric] == [20, 30, 20, 15, 15]
    url = f"/inspections/{rounds.inspection.pk}/evaluation"
    empty = api(sam, "get", url).json()
    assert empty["state"] is None and empty["may_evaluate"] and len(empty["scores"]) == 5
    scores = [{"item_id": item["id"], "points": item["max_score"] - 2, "note": "略有不足"} for item in rubric]
    too_much = api(sam, "put", url, {"scores": [{"item_id": rubric[0]["id"], "points": 21}]})
    assert too_much.status_code == 400 and "得分应在0至20分之间" in too_much.json()["detail"]
    saved = api(sam, "put", url, {"scores": scores, "result": "good", "comment": "较好。"})
    assert saved.status_code == 200 and Decimal(str(saved.json()["total"])) == 90
    assert api(signed_in("alice"), "get", url).json()["state"] is None
    stale = api(sam, "post", f"{url}/issue", {"version": 0})
    assert stale.status_code == 409
    sent = api(sam, "post", f"{url}/issue", {"version": saved.json()["version"]})
    assert sent.status_code == 200 and sent.json()["state"] == "issued"
    read = api(signed_in("alice"), "get", url).json()
    assert read["result"] == "good" and read["office"]["name"] == world.orgs["city"].display_name
    assert api(sam, "put", url, {"scores": []}).status_code == 409
    assert api(signed_in("charlie"), "get", url).status_code == 404
    assert api(signed_in("vera"), "put", url, {"scores": []}).status_code == 403


def test_api_rubric_items(rounds, world):
    sam = signed_in("sam")
    added = api(sam, "post", "/evaluation/rubric", {"title": "整改报告质量", "max_score": 10})
    assert added.status_code == 201
    item_id = added.json()["id"]
    assert (
        api(sam, "post", "/evaluation/rubric", {"title": "整改报告质量", "max_score": 10}).status_code == 400
    )
    changed = api(sam, "put", f"/evaluation/rubric/{item_id}", {"title": "报告质量", "max_score": 5})
    assert changed.status_code == 200 and changed.json()["title"] == "报告质量"
    assert api(sam, "delete", f"/evaluation/rubric/{item_id}").status_code == 204
    assert api(sam, "delete", f"/evaluation/rubric/{item_id}").status_code == 404
    assert api(signed_in("alice"), "get", "/evaluation/rubric").status_code == 403


def test_nothing_of_an_evaluation_reaches_the_portal(rounds, world):
    rubric = services.rubric_for_user(world.sam)
    draft = services.save_evaluation(
        world.sam,
        rounds.inspection.pk,
        scores=full_marks(rubric),
        result=Result.POOR,
        comment="整改评估意见甲乙丙",
    )
    services.issue_evaluation(world.sam, rounds.inspection.pk, draft.version)
    anonymous = Client()
    for path in ("/portal/", "/portal/feed/"):
        response = anonymous.get(path)
        assert "整改评估意见甲乙丙" not in response.content.decode()
    assert anonymous.get(f"/evaluation/inspections/{rounds.inspection.pk}/").status_code == 302
    assert anonymous.get("/api/v1/evaluation/overview").status_code == 401
    assert timedelta(0) <= timezone.now() - Evaluation.objects.get().issued_at < timedelta(minutes=5)


def test_the_inspection_says_its_kind_on_its_page_and_in_the_api(rounds, world):
    alice = signed_in("alice")
    page = alice.get(f"/inspections/{rounds.inspection.pk}/").content.decode()
    assert "巡察（常规）" in page
    other = signed_in("charlie").get(f"/api/v1/inspections/{rounds.other.pk}").json()
    assert other["scope"] == "special" and other["round_name"] == "十二届市委第五轮"


def test_the_overview_says_whether_the_situation_report_was_sent_on_time(rounds, world):
    from rectify.org.models import Membership, Role
    from rectify.reports import services as reports

    def row(user, inspection):
        return next(r for g in services.overview(user) for r in g.rows if r.inspection.pk == inspection.pk)

    Inspection.objects.filter(pk=rounds.inspection.pk).update(
        feedback_date=timezone.localdate() - timedelta(days=10)
    )
    due = reports.situation_due(Inspection.objects.get(pk=rounds.inspection.pk))
    assert (
        row(world.sam, rounds.inspection).submission.text
        == f"未报送（应于{due.year}年{due.month}月{due.day}日前报送）"
    )
    # B was fed back on 2024-06-01: due 2024-08-01, long past.
    assert row(world.sam, rounds.other).submission.state == "overdue"
    reviewer = User.objects.create_user("olga", password="x", full_name="欧佳")
    Membership.objects.create(user=reviewer, organisation=world.orgs["a"], role=Role.OFFICE)
    document = reports.create_draft(world.alice, rounds.inspection.pk, "situation")
    reports.decide(world.alice, document.pk, "submit")
    reports.decide(reviewer, document.pk, "accept")
    reports.decide(world.larry, document.pk, "approve")
    reports.decide(world.alice, document.pk, "send")
    assert row(world.sam, rounds.inspection).submission.text == "按时报送"
    page = signed_in("sam").get("/evaluation/").content.decode()
    assert f'href="/rectification-documents/{document.pk}/">按时报送</a>' in page
    api = signed_in("sam").get("/api/v1/evaluation/overview").json()
    rows = {r["inspection_id"]: r for group in api for r in group["rows"]}
    assert rows[rounds.inspection.pk]["situation_report"] == "on_time"
    assert rows[rounds.other.pk]["situation_report_text"] == "未报送（应于2024年8月1日前报送）"
