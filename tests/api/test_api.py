"""The REST API over real HTTP requests through Django's full stack (middleware, auth, CSRF)."""

import json

import pytest
from django.test import Client

from ..conftest import GUANGZHOU, PASSWORD


def token_for(client: Client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def api(ledger):
    return Client(enforce_csrf_checks=True)


def test_token_then_bearer_lists_only_visible_inspections(api, world, ledger):
    alice = token_for(api, "alice")
    data = api.get("/api/v1/inspections", headers=alice).json()
    assert data["count"] == 1 and data["items"][0]["id"] == ledger.inspection.pk
    sam = token_for(api, "sam")
    assert api.get("/api/v1/inspections", headers=sam).json()["count"] == 2


def test_wrong_password_and_missing_token_answer_in_chinese(api, world):
    response = api.post(
        "/api/v1/auth/token", {"username": "alice", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401 and "密码不正确" in response.json()["detail"]
    response = api.get("/api/v1/measures")
    assert response.status_code == 401 and "令牌" in response.json()["detail"]
    response = api.get("/api/v1/measures", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_repeated_failures_lock_the_account(api, world):
    for _ in range(5):
        api.post(
            "/api/v1/auth/token", {"username": "bob", "password": "wrong"}, content_type="application/json"
        )
    response = api.post(
        "/api/v1/auth/token", {"username": "bob", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 429 and "锁定" in response.json()["detail"]


def test_inspection_detail_counts(api, world, ledger):
    data = api.get(f"/api/v1/inspections/{ledger.inspection.pk}", headers=token_for(api, "alice")).json()
    assert (data["problem_count"], data["measure_count"], data["measures_by_status"]) == (
        3,
        5,
        {"not_started": 5},
    )
    assert data["inspected"]["name"] == "甲局" and data["onsite_start"] == "2024-03-01"
    response = api.get(f"/api/v1/inspections/{ledger.inspection.pk}", headers=token_for(api, "charlie"))
    assert response.status_code == 404 and "无权查看" in response.json()["detail"]


def test_measures_filter_and_page(api, world, ledger):
    bob = token_for(api, "bob")
    data = api.get("/api/v1/measures", {"page_size": 2}, headers=bob).json()
    assert data["count"] == 4 and len(data["items"]) == 2
    item = data["items"][0]
    assert {
        "id",
        "version",
        "problem_number",
        "lead_leader",
        "units",
        "supporting_units",
        "deadline",
        "category",
        "status",
        "is_overdue",
    } <= item.keys()
    assert item["units"] == [{"id": world.orgs["a1"].pk, "name": "甲局执法支队"}]
    page2 = api.get("/api/v1/measures", {"page_size": 2, "page": 2}, headers=bob).json()
    assert {i["id"] for i in page2["items"]}.isdisjoint({i["id"] for i in data["items"]})
    assert api.get("/api/v1/measures", {"q": "审批"}, headers=bob).json()["count"] == 2
    assert api.get("/api/v1/measures", {"status": "signed_off"}, headers=bob).json()["count"] == 0


def test_page_size_over_200_is_refused(api, world, ledger):
    response = api.get("/api/v1/measures", {"page_size": 201}, headers=token_for(api, "alice"))
    assert response.status_code == 422 and "请求参数有误" in response.json()["detail"]


def test_patch_with_current_version_then_stale_version(api, world, ledger):
    alice = token_for(api, "alice")
    measure = ledger.measures[(1, 1)]
    url = f"/api/v1/measures/{measure.pk}"
    body = {"version": 1, "deadline": "2025-10-31", "units": [world.orgs["a2"].pk], "lead_leader": None}
    response = api.patch(url, json.dumps(body), content_type="application/json", headers=alice)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["version"], data["deadline"], data["lead_leader"]) == (2, "2025-10-31", None)
    assert [u["id"] for u in data["units"]] == [world.orgs["a2"].pk]
    assert [u["id"] for u in data["supporting_units"]] == []
    stale = api.patch(
        url,
        json.dumps({"version": 1, "category": "long_term"}),
        content_type="application/json",
        headers=alice,
    )
    assert stale.status_code == 409 and "已被他人修改" in stale.json()["detail"]
    assert api.get(url, headers=alice).json()["category"] == "deadline"


def test_patch_is_for_the_office_only(api, world, ledger):
    url = f"/api/v1/measures/{ledger.measures[(1, 1)].pk}"
    body = json.dumps({"version": 1, "deadline": "2025-10-31"})
    assert (
        api.patch(url, body, content_type="application/json", headers=token_for(api, "bob")).status_code
        == 403
    )
    assert (
        api.patch(url, body, content_type="application/json", headers=token_for(api, "charlie")).status_code
        == 404
    )
    bad = api.patch(
        url,
        json.dumps({"version": 1, "units": [999999]}),
        content_type="application/json",
        headers=token_for(api, "alice"),
    )
    assert bad.status_code == 400 and "不存在" in bad.json()["detail"]


def test_session_callers_need_the_csrf_token(api, world, ledger):
    api.force_login(world.alice)
    assert api.get("/api/v1/inspections").status_code == 200
    url = f"/api/v1/measures/{ledger.measures[(1, 1)].pk}"
    response = api.patch(
        url, json.dumps({"version": 1, "deadline": "2025-10-31"}), content_type="application/json"
    )
    assert response.status_code == 403


def test_import_dry_run_returns_the_document_and_writes_nothing(api, world):
    from rectify.ledger.models import Inspection

    with GUANGZHOU.open("rb") as notice:
        response = api.post(
            "/api/v1/inspections/import?dry_run=true",
            {"organisation": "bureau-a", "file": notice},
            headers=token_for(api, "alice"),
        )
    assert response.status_code == 200, response.content
    document = response.json()["document"]
    assert len(document["areas"]) == 4 and sum(len(a["problems"]) for a in document["areas"]) == 17
    assert not Inspection.objects.filter(inspected=world.orgs["a"], notice_title=document["title"]).exists()


def test_import_writes_the_ledger(api, world):
    from rectify.ledger.models import Measure

    with GUANGZHOU.open("rb") as notice:
        response = api.post(
            "/api/v1/inspections/import",
            {"organisation": "bureau-a", "file": notice},
            headers=token_for(api, "alice"),
        )
    assert response.status_code == 201, response.content
    inspection_id = response.json()["inspection"]["id"]
    assert Measure.objects.filter(problem__inspection_id=inspection_id).count() == 36


def test_import_refuses_bad_files_and_strangers(api, world, tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01\x02 not a notice")
    with junk.open("rb") as f:
        response = api.post(
            "/api/v1/inspections/import",
            {"organisation": "bureau-a", "file": f},
            headers=token_for(api, "alice"),
        )
    assert response.status_code == 400 and response.json()["detail"]
    with GUANGZHOU.open("rb") as f:
        response = api.post(
            "/api/v1/inspections/import",
            {"organisation": "bureau-a", "file": f},
            headers=token_for(api, "charlie"),
        )
    assert response.status_code == 403


def test_openapi_schema_and_docs_are_served(api, world):
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/measures/{measure_id}" in schema["paths"]
    assert "/api/v1/auth/token" in schema["paths"]
    api.force_login(world.alice)
    docs = api.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()  # works offline on an intranet


def test_api_changes_are_in_the_audit_trail_with_the_token_user(api, world, ledger):
    from auditlog.models import LogEntry

    measure = ledger.measures[(1, 1)]
    body = json.dumps({"version": 1, "deadline": "2025-10-31"})
    api.patch(
        f"/api/v1/measures/{measure.pk}",
        body,
        content_type="application/json",
        headers=token_for(api, "alice"),
    )
    entry = LogEntry.objects.get_for_object(measure).latest("timestamp")
    assert entry.actor == world.alice
    assert entry.changes_dict["deadline"] == ["None", "2025-10-31"]
    assert entry.changes_dict["version"] == ["1", "2"]
