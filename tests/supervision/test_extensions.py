"""延期 as a procedure: asked by the responsible unit or the office with a reason, decided by the office;
the deadline moves only by approval, and the warnings follow the approved date. Through the services,
the measure page and the API, for every role."""

from __future__ import annotations

import json
from datetime import date

import pytest
from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.test import Client

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.ledger import services as ledger_services
from rectify.ledger.models import Measure
from rectify.org.models import User
from rectify.supervision import deadline_extensions as extensions
from rectify.supervision.deadlines import with_warning_level
from rectify.supervision.models import DeadlineExtension, ExtensionState, WarningLevel

DEADLINE = date(2025, 9, 30)
LATER = date(2025, 12, 31)
TODAY = date(2025, 10, 10)  # the deadline has passed: red


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def measure(ledger):
    """Measure 1.1 (unit A1 responsible), with a deadline already set."""
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=DEADLINE)
    measure.refresh_from_db()
    return measure


def level(measure: Measure) -> int:
    return with_warning_level(Measure.objects.filter(pk=measure.pk), TODAY).get().warning_level


def test_unit_asks_office_approves_deadline_moves_and_warning_follows(measure, world):
    assert level(measure) == WarningLevel.RED
    with set_actor(world.bob):
        asked = extensions.request_extension(world.bob, measure.pk, LATER, "  需协调市级部门联合执法  ")
    assert asked.state == ExtensionState.PENDING and asked.old_deadline == DEADLINE
    assert asked.reason == "需协调市级部门联合执法"
    version = Measure.objects.get(pk=measure.pk).version
    with set_actor(world.alice):
        decided = extensions.decide_extension(world.alice, asked.pk, "approve", "")
    assert decided.state == ExtensionState.APPROVED and decided.decided_by == world.alice
    moved = Measure.objects.get(pk=measure.pk)
    assert moved.deadline == LATER and moved.version == version + 1
    assert level(moved) == WarningLevel.NONE  # the red light follows the approved date
    sentences = [entry.sentence for entry in ledger_services.measure_history(moved)]
    assert any(
        "申请将整改时限由2025年9月30日延至2025年12月31日，理由：需协调市级部门联合执法" in s
        for s in sentences
    )
    assert any(s.startswith("同意延期") for s in sentences)


def test_refusal_needs_a_comment_and_keeps_the_deadline(measure, world):
    asked = extensions.request_extension(world.hana, measure.pk, LATER, "人员不足")
    with pytest.raises(InvalidInput, match="审批意见"):
        extensions.decide_extension(world.alice, asked.pk, "refuse", "  ")
    refused = extensions.decide_extension(world.alice, asked.pk, "refuse", "理由不充分")
    assert refused.state == ExtensionState.REFUSED
    assert Measure.objects.get(pk=measure.pk).deadline == DEADLINE
    with pytest.raises(StaleEdit, match="不能重复审批"):
        extensions.decide_extension(world.alice, asked.pk, "approve", "")
    # A new request may follow a decided one.
    extensions.request_extension(world.bob, measure.pk, LATER, "补充说明理由")


def test_bad_requests_are_refused_and_change_nothing(measure, ledger, world):
    with pytest.raises(InvalidInput, match="延期理由"):
        extensions.request_extension(world.bob, measure.pk, LATER, "   ")
    with pytest.raises(InvalidInput, match="应晚于现整改时限"):
        extensions.request_extension(world.bob, measure.pk, DEADLINE, "理由")
    no_deadline = ledger.measures[(1, 2)]
    with pytest.raises(InvalidInput, match="尚未确定整改时限"):
        extensions.request_extension(world.alice, no_deadline.pk, LATER, "理由")
    assert not DeadlineExtension.objects.exists()
    extensions.request_extension(world.bob, measure.pk, LATER, "理由")
    with pytest.raises(StaleEdit, match="待审批"):
        extensions.request_extension(world.alice, measure.pk, date(2026, 1, 31), "另一理由")
    assert DeadlineExtension.objects.count() == 1


def test_who_may_ask_and_decide(measure, world):
    with pytest.raises(AccessDenied):
        extensions.request_extension(world.larry, measure.pk, LATER, "理由")  # leader sees, may not ask
    with pytest.raises(AccessDenied):
        extensions.request_extension(world.vera, measure.pk, LATER, "理由")
    with pytest.raises(NotFound):
        extensions.request_extension(world.charlie, measure.pk, LATER, "理由")  # another bureau
    with pytest.raises(NotFound):
        extensions.request_extension(world.lisa, measure.pk, LATER, "理由")  # unit A2: not hers
    asked = extensions.request_extension(world.alice, measure.pk, LATER, "整改办统筹调整")
    with pytest.raises(AccessDenied):
        extensions.decide_extension(world.bob, asked.pk, "approve", "")
    with pytest.raises(AccessDenied):
        extensions.decide_extension(world.sam, asked.pk, "approve", "")
    with pytest.raises(NotFound):
        extensions.decide_extension(world.charlie, asked.pk, "approve", "")
    with pytest.raises(InvalidInput, match="审批结果无效"):
        extensions.decide_extension(world.alice, asked.pk, "maybe", "")
    assert extensions.measure_extensions(measure).get().state == ExtensionState.PENDING
    # Supervisors see every extension.
    assert DeadlineExtension.objects.restrict(world.sam).count() == 1


def test_stale_request_cannot_be_approved(measure, world):
    asked = extensions.request_extension(world.bob, measure.pk, LATER, "理由")
    Measure.objects.filter(pk=measure.pk).update(deadline=date(2025, 10, 31))
    with pytest.raises(StaleEdit, match="整改时限已有变动"):
        extensions.decide_extension(world.alice, asked.pk, "approve", "")
    assert Measure.objects.get(pk=measure.pk).deadline == date(2025, 10, 31)


def test_database_keeps_the_rules(measure, world):
    def make(**fields):
        values = {"measure": measure, "old_deadline": DEADLINE, "new_deadline": LATER, "reason": "理由"}
        with pytest.raises(IntegrityError), transaction.atomic():
            DeadlineExtension.objects.create(requested_by=world.bob, **{**values, **fields})

    make(new_deadline=DEADLINE)
    make(reason="")
    DeadlineExtension.objects.create(
        measure=measure, old_deadline=DEADLINE, new_deadline=LATER, reason="理由", requested_by=world.bob
    )
    make()  # a second pending request


def test_office_edit_no_longer_moves_a_set_deadline(measure, ledger, world):
    with pytest.raises(InvalidInput, match="整改时限已确定，如需调整请提交延期申请"):
        ledger_services.update_measure_assignment(world.alice, measure.pk, version=1, deadline=LATER)
    with pytest.raises(InvalidInput, match="延期申请"):
        ledger_services.update_measure_assignment(world.alice, measure.pk, version=1, deadline=None)
    assert Measure.objects.get(pk=measure.pk).deadline == DEADLINE
    # The same date changes nothing and is accepted; a first deadline may still be set.
    ledger_services.update_measure_assignment(world.alice, measure.pk, version=1, deadline=DEADLINE)
    first = ledger.measures[(1, 2)]
    done = ledger_services.update_measure_assignment(world.alice, first.pk, version=1, deadline=LATER)
    assert done.deadline == LATER


def test_edit_page_keeps_a_set_deadline(measure, world):
    office = signed_in("alice")
    page = office.get(f"/measures/{measure.pk}/edit/").content.decode()
    assert "整改时限已确定，如需调整请在措施页面提交延期申请" in page
    form = {
        "version": 1,
        "lead_leader": world.larry.pk,
        "responsible_unit": world.orgs["a1"].pk,
        "units": [world.orgs["a1"].pk],
        "deadline": "2026-06-30",  # a disabled field: what is posted is ignored
        "category": "deadline",
    }
    response = office.post(f"/measures/{measure.pk}/edit/", form)
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).deadline == DEADLINE


def test_api_patch_refuses_to_move_a_set_deadline(measure):
    office = signed_in("alice")
    response = office.patch(
        f"/api/v1/measures/{measure.pk}",
        data=json.dumps({"version": 1, "deadline": "2026-06-30"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "整改时限已确定，如需调整请提交延期申请" in response.json()["detail"]
    assert Measure.objects.get(pk=measure.pk).deadline == DEADLINE


def test_through_the_pages_ask_then_approve(measure, world):
    liaison = signed_in("bob")
    page = liaison.get(f"/measures/{measure.pk}/").content.decode()
    assert 'id="extensions"' in page and "提交延期申请" in page
    refused = liaison.post(
        f"/measures/{measure.pk}/extensions/", {"new_deadline": "2025-12-31", "reason": " "}
    )
    assert refused.status_code == 400
    assert "请填写延期理由" in refused.content.decode()
    assert not DeadlineExtension.objects.exists()
    earlier = liaison.post(
        f"/measures/{measure.pk}/extensions/", {"new_deadline": "2025-09-01", "reason": "理由"}
    )
    assert earlier.status_code == 400 and "应晚于现整改时限" in earlier.content.decode()
    asked = liaison.post(
        f"/measures/{measure.pk}/extensions/", {"new_deadline": "2025-12-31", "reason": "需协调联合执法"}
    )
    assert asked.status_code == 302
    again = liaison.post(
        f"/measures/{measure.pk}/extensions/", {"new_deadline": "2026-01-31", "reason": "再次"}
    )
    assert again.status_code == 409
    extension = DeadlineExtension.objects.get()
    # The liaison may not decide; the leader sees the request but no form; another bureau sees nothing.
    assert liaison.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve"}).status_code == 403
    leader_page = signed_in("larry").get(f"/measures/{measure.pk}/").content.decode()
    assert "需协调联合执法" in leader_page and "提交审批" not in leader_page
    assert (
        signed_in("charlie").post(f"/extensions/{extension.pk}/decide/", {"decision": "approve"}).status_code
        == 404
    )
    assert (
        signed_in("charlie")
        .post(f"/measures/{measure.pk}/extensions/", {"new_deadline": "2025-12-31", "reason": "理由"})
        .status_code
        == 404
    )

    office = signed_in("alice")
    assert "提交审批" in office.get(f"/measures/{measure.pk}/").content.decode()
    no_comment = office.post(f"/extensions/{extension.pk}/decide/", {"decision": "refuse", "comment": ""})
    assert no_comment.status_code == 400 and "请填写审批意见" in no_comment.content.decode()
    approved = office.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve", "comment": "同意"})
    assert approved.status_code == 302
    assert Measure.objects.get(pk=measure.pk).deadline == LATER
    twice = office.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve"})
    assert twice.status_code == 409 and "不能重复审批" in twice.content.decode()
    page = office.get(f"/measures/{measure.pk}/").content.decode()
    assert "已同意" in page and "2025年9月30日" in page and "2025年12月31日" in page


def test_ledger_marks_an_extended_deadline(measure, world):
    office = signed_in("alice")
    assert "已延期" not in office.get("/measures/").content.decode()
    asked = extensions.request_extension(world.bob, measure.pk, LATER, "理由")
    assert "已延期" not in office.get("/measures/").content.decode()  # pending: not yet
    extensions.decide_extension(world.alice, asked.pk, "approve", "")
    page = office.get("/measures/").content.decode()
    assert page.count("已延期") == 1 and "2025-12-31" in page


def post_json(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_through_the_api(measure, world):
    url = f"/api/v1/measures/{measure.pk}/extensions"
    liaison = signed_in("bob")
    assert liaison.get(url).json() == []
    missing = post_json(liaison, url, {"new_deadline": "2025-12-31", "reason": ""})
    assert missing.status_code == 400 and missing.json()["detail"] == "请填写延期理由。"
    assert (
        post_json(signed_in("larry"), url, {"new_deadline": "2025-12-31", "reason": "理由"}).status_code
        == 403
    )
    assert (
        post_json(signed_in("charlie"), url, {"new_deadline": "2025-12-31", "reason": "理由"}).status_code
        == 404
    )
    asked = post_json(liaison, url, {"new_deadline": "2025-12-31", "reason": "需协调联合执法"})
    assert asked.status_code == 201
    body = asked.json()
    assert body["state"] == "pending" and body["state_label"] == "待审批"
    assert body["old_deadline"] == "2025-09-30" and body["requested_by"]["name"] == "包博"
    second = post_json(liaison, url, {"new_deadline": "2026-01-31", "reason": "再次"})
    assert second.status_code == 409
    decide = f"/api/v1/extensions/{body['id']}/decide"
    assert post_json(liaison, decide, {"decision": "approve"}).status_code == 403
    assert post_json(signed_in("charlie"), decide, {"decision": "approve"}).status_code == 404
    office = signed_in("alice")
    assert post_json(office, decide, {"decision": "refuse"}).status_code == 400
    approved = post_json(office, decide, {"decision": "approve", "comment": "同意"})
    assert approved.status_code == 200 and approved.json()["decided_by"]["name"] == "艾丽"
    assert post_json(office, decide, {"decision": "refuse", "comment": "晚了"}).status_code == 409
    assert Measure.objects.get(pk=measure.pk).deadline == LATER
    listed = signed_in("sam").get(url).json()  # the city's supervisor sees every extension
    assert [item["state"] for item in listed] == ["approved"]


def test_dispatch_report_counts_extensions_of_the_period(measure, world):
    from io import BytesIO

    from django.utils import timezone
    from openpyxl import load_workbook

    from rectify.supervision import dispatch_render
    from rectify.supervision.dispatch import build_dispatch

    asked = extensions.request_extension(world.bob, measure.pk, LATER, "理由")
    extensions.decide_extension(world.alice, asked.pk, "approve", "")
    extensions.request_extension(world.bob, measure.pk, date(2026, 3, 31), "再延")
    today = timezone.localdate()
    report = build_dispatch(world.alice, measure.problem.inspection_id, today, today)
    period = report.data["period"]
    assert (period["extensions_approved"], period["extensions_requested"]) == (1, 2)
    book = load_workbook(BytesIO(dispatch_render.xlsx_bytes(report)))
    overall = {row[0]: row[1] for row in book["总体"].iter_rows(min_row=2, values_only=True)}
    assert overall["本期延期"] == 1
    page = signed_in("alice").get(f"/dispatch/{report.pk}/").content.decode()
    assert "同意延期1项（收到延期申请2份）" in page  # no spaces round numbers in a 报告
