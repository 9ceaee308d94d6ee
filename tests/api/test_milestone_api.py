"""The time node endpoints: list, add, change, delete, mark done with evidence, set back to open;
refusals in Chinese with their status, nothing changed; permission like the measure's."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rectify.ledger.models import Measure
from rectify.progress.models import Milestone
from rectify.progress.services import submit_report
from tests.api.test_api import token_for

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def measure(ledger, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=date(2026, 12, 31))
    return measure


def test_the_office_plans_the_unit_marks_done_with_evidence_outsiders_see_nothing(measure, world):
    api = Client(enforce_csrf_checks=True)
    alice, bob, charlie = (token_for(api, name) for name in ("alice", "bob", "charlie"))
    url = f"/api/v1/measures/{measure.pk}/milestones"
    body = {"due_on": "2026-03-31", "deliverable": "完成制度起草"}
    created = api.post(url, body, content_type="application/json", headers=alice)
    assert created.status_code == 201, created.content
    node = created.json()
    assert (node["state"], node["state_label"], node["report_id"], node["done_by"]) == (
        "open",
        "未完成",
        None,
        None,
    )

    late = api.post(
        url,
        {"due_on": "2027-01-31", "deliverable": "全面完成"},
        content_type="application/json",
        headers=alice,
    )
    assert late.status_code == 400 and "不能晚于该措施的整改时限" in late.json()["detail"]
    by_unit = api.post(
        url, {"due_on": "2026-05-01", "deliverable": "自定"}, content_type="application/json", headers=bob
    )
    assert by_unit.status_code == 403
    assert api.get(url, headers=charlie).status_code == 404
    assert api.get(f"/api/v1/milestones/{node['id']}", headers=charlie).status_code == 404
    assert Milestone.objects.count() == 1

    changed = api.put(
        f"/api/v1/milestones/{node['id']}",
        {"due_on": "2026-04-30", "deliverable": "完成制度起草并征求意见"},
        content_type="application/json",
        headers=alice,
    )
    assert changed.status_code == 200 and changed.json()["due_on"] == "2026-04-30"

    bare = submit_report(world.bob, measure.pk, text="正在起草。")
    refused = api.post(
        f"/api/v1/milestones/{node['id']}/complete",
        {"report_id": bare.pk},
        content_type="application/json",
        headers=bob,
    )
    assert refused.status_code == 400 and "没有佐证材料" in refused.json()["detail"]
    report = submit_report(
        world.bob,
        measure.pk,
        text="草案已完成。",
        files=[SimpleUploadedFile("草案.pdf", PDF, content_type="application/pdf")],
    )
    done = api.post(
        f"/api/v1/milestones/{node['id']}/complete",
        {"report_id": report.pk},
        content_type="application/json",
        headers=bob,
    )
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["report_id"], done.json()["done_by"]["name"]) == (
        "done",
        report.pk,
        "包博",
    )
    assert api.delete(f"/api/v1/milestones/{node['id']}", headers=alice).status_code == 400
    assert api.post(f"/api/v1/milestones/{node['id']}/reopen", headers=bob).status_code == 403
    assert api.post(f"/api/v1/milestones/{node['id']}/reopen", headers=alice).json()["state"] == "open"
    assert api.delete(f"/api/v1/milestones/{node['id']}", headers=alice).status_code == 204
    assert api.get(url, headers=bob).json() == []
