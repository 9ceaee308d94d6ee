"""GET /api/v1/stats: the dashboard's numbers as JSON, from the same service, with a token or the
browser's session; bad input gets a Chinese 400, an inspection one may not see a 404."""

from __future__ import annotations

from dataclasses import asdict

from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from rectify.insights import services

from .conftest import signed_in


def as_json(board) -> dict:
    import json

    return json.loads(json.dumps(asdict(board), cls=DjangoJSONEncoder))


def token_client(username: str) -> Client:
    from tests.conftest import PASSWORD

    client = Client()
    token = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    ).json()["token"]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_stats_of_one_inspection_are_the_dashboard_numbers(world, lived):
    response = token_client("alice").get(f"/api/v1/stats?inspection={lived.inspection.pk}")
    assert response.status_code == 200
    data = response.json()
    board = services.dashboard(world.alice, lived.inspection.pk)
    expected = as_json(board)
    for decimal_field in ("baseline", "target", "latest"):  # JSON numbers, not strings
        for row in expected["indicators"]["rows"]:
            row[decimal_field] = None if row[decimal_field] is None else float(row[decimal_field])
        for row in data["indicators"]["rows"]:
            row[decimal_field] = None if row[decimal_field] is None else float(row[decimal_field])
    assert data == expected
    assert data["inspection"] == {
        "id": lived.inspection.pk,
        "title": lived.inspection.title,
        "inspected": "甲局",
    }
    assert data["totals"]["measures"] == 5 and data["totals"]["completion_rate"] == 60.0
    assert [row["name"] for row in data["by_area"]] == ["关于执法方面", "关于服务方面"]
    assert data["by_unit"][1]["url"].startswith("/measures/?") and "responsible=" in data["by_unit"][1]["url"]


def test_stats_across_inspections_for_the_session(world, lived):
    response = signed_in(world.sam).get("/api/v1/stats")
    assert response.status_code == 200
    data = response.json()
    assert data["inspection"] is None and data["by_area"] == []
    assert {row["id"] for row in data["by_inspection"]} == {lived.inspection.pk, lived.other.pk}
    assert data["totals"]["measures"] == 10


def test_a_liaison_gets_his_unit_numbers(world, lived):
    data = token_client("bob").get(f"/api/v1/stats?inspection={lived.inspection.pk}").json()
    assert data["totals"]["measures"] == 4 and [row["name"] for row in data["by_unit"]] == ["甲局执法支队"]


def test_bad_and_forbidden_requests(world, lived):
    client = token_client("alice")
    bad = client.get("/api/v1/stats?inspection=abc")
    assert bad.status_code == 422 and bad.json()["detail"] == "请求参数有误：inspection：应为整数"
    missing = client.get("/api/v1/stats?inspection=999999")
    assert missing.status_code == 404 and "无权查看" in missing.json()["detail"]
    assert token_client("charlie").get(f"/api/v1/stats?inspection={lived.inspection.pk}").status_code == 404
    assert client.get("/api/v1/stats?inspection=").status_code == 200  # empty: all inspections
    assert Client().get("/api/v1/stats").status_code == 401


def test_the_endpoint_is_documented_under_its_chinese_tag(world):
    schema = signed_in(world.alice).get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/stats"]["get"]
    assert operation["tags"] == ["数据看板"] and operation["summary"] == "数据看板统计"
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
