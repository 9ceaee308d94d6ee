"""The dispatch endpoints over HTTP: build and read, in every format, with Chinese errors."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook

from rectify.documents import DOCX_TYPE, XLSX_TYPE
from rectify.supervision import dispatch
from rectify.supervision.models import DispatchReport

from ..conftest import PASSWORD

TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)
YESTERDAY = TODAY - timedelta(days=1)
URL = "/api/v1/dispatch-reports"


@pytest.fixture
def api(ledger):
    return Client(enforce_csrf_checks=True)


def token_for(client: Client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


def query(ledger, **extra) -> dict:
    return {"inspection": ledger.inspection.pk, "start": START.isoformat(), "end": TODAY.isoformat(), **extra}


def build(api, body: dict, headers: dict | None = None):
    """POST the range (a dispatch is stored, so building is never a GET); `format` goes in the query."""
    body = dict(body)
    kind = body.pop("format", None)
    url = f"{URL}?format={kind}" if kind else URL
    return api.post(url, body, content_type="application/json", headers=headers or {})


def test_build_returns_json_and_stores_it(api, world, ledger):
    response = build(api, query(ledger), headers=token_for(api, "alice"))
    assert response.status_code == 201 and response["Content-Type"].startswith("application/json")
    body = response.json()
    stored = DispatchReport.objects.get()
    assert body["id"] == stored.pk and body["inspection_id"] == ledger.inspection.pk
    assert (body["start"], body["end"]) == (START.isoformat(), TODAY.isoformat())
    assert body["created_by"] == {"id": world.alice.pk, "name": "艾丽"}
    assert body["data"] == stored.data and body["data"]["totals"]["measures"] == 5
    assert body["links"]["docx"] == f"{URL}/{stored.pk}?format=docx"
    assert body["links"]["web"] == f"/dispatch/{stored.pk}/"
    again = api.get(body["links"]["self"], headers=token_for(api, "alice")).json()
    assert again["data"] == body["data"]


def test_every_format_and_content_type(api, world, ledger):
    headers = token_for(api, "vera")
    html = build(api, query(ledger, format="html"), headers=headers)
    assert html.status_code == 201 and html["Content-Type"] == "text/html; charset=utf-8"
    page = html.content.decode()
    assert (
        page.startswith("<!DOCTYPE html>") and f"关于{ledger.inspection.title}整改工作调度情况的报告" in page
    )
    assert "<caption>按责任单位统计</caption>" in page and "一、总体进展" in page
    docx = build(api, query(ledger, format="docx"), headers=headers)
    assert docx.status_code == 201 and docx["Content-Type"] == DOCX_TYPE
    assert docx["Content-Disposition"].startswith("attachment;") and ".docx" in docx["Content-Disposition"]
    texts = [paragraph.text for paragraph in WordDocument(BytesIO(docx.content)).paragraphs]
    assert "三、超期及原因" in texts
    xlsx = build(api, query(ledger, format="xlsx"), headers=headers)
    assert xlsx.status_code == 201 and xlsx["Content-Type"] == XLSX_TYPE
    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["总体", "按方面", "按单位", "按领导", "超期事项", "变化"]
    assert DispatchReport.objects.count() == 3
    stored = DispatchReport.objects.order_by("id").first()
    for kind, content_type in [
        ("html", "text/html"),
        ("docx", DOCX_TYPE),
        ("xlsx", XLSX_TYPE),
        ("json", "application/json"),
    ]:
        response = api.get(f"{URL}/{stored.pk}", {"format": kind}, headers=headers)
        assert response.status_code == 200 and response["Content-Type"].startswith(content_type), kind
    assert DispatchReport.objects.count() == 3  # reading stores nothing


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"inspection": None}, 400, "请选择巡察"),  # neither inspection nor inspections
        ({"inspection": "abc"}, 422, "inspection：应为整数"),
        ({"start": None}, 422, "start：必填"),
        ({"end": "2025-13-01"}, 422, "end：日期格式不正确"),
        ({"start": TODAY.isoformat(), "end": YESTERDAY.isoformat()}, 400, "不能早于起始日期"),
        ({"end": (TODAY + timedelta(days=1)).isoformat()}, 400, "不能晚于今天"),
        ({"format": "pdf"}, 422, "format：应为以下之一"),
    ],
)
def test_bad_requests_answer_in_chinese(api, world, ledger, params, status, message):
    arguments = {key: value for key, value in query(ledger, **params).items() if value is not None}
    response = build(api, arguments, headers=token_for(api, "alice"))
    assert response.status_code == status and message in response.json()["detail"]
    assert not DispatchReport.objects.exists()


def test_who_may_build_and_read(api, world, ledger):
    stored = dispatch.build_dispatch(world.alice, ledger.inspection.pk, START, TODAY)
    larry = token_for(api, "larry")
    refused = build(api, query(ledger), headers=larry)
    assert refused.status_code == 403 and "整改办" in refused.json()["detail"]
    assert api.get(f"{URL}/{stored.pk}", headers=larry).status_code == 200
    bob = token_for(api, "bob")
    assert build(api, query(ledger), headers=bob).status_code == 403
    read = api.get(f"{URL}/{stored.pk}", {"format": "docx"}, headers=bob)
    assert read.status_code == 403 and "调度报告" in read.json()["detail"]
    charlie = token_for(api, "charlie")
    hidden = build(api, query(ledger), headers=charlie)
    assert hidden.status_code == 404 and "无权查看" in hidden.json()["detail"]
    assert api.get(f"{URL}/{stored.pk}", headers=charlie).status_code == 404
    sam = token_for(api, "sam")
    assert build(api, query(ledger, format="xlsx"), headers=sam).status_code == 201
    missing = api.get(f"{URL}/999999", headers=token_for(api, "alice"))
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    assert build(api, query(ledger)).status_code == 401
    assert DispatchReport.objects.count() == 2


def test_documented_in_openapi(api, world):
    schema = api.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/dispatch-reports"]["post"]
    assert operation["tags"] == ["调度"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {"format"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][body]["required"]) == {"start", "end"}
    assert {"inspection", "inspections"} <= set(schema["components"]["schemas"][body]["properties"])
    assert "/api/v1/dispatch-reports/{dispatch_id}" in schema["paths"]


def test_listing_dispatches_is_a_get_that_stores_nothing(api, world, ledger):
    """Defect 5: `GET /api/v1/dispatch-reports` built and stored a report; now it only lists them."""
    alice = token_for(api, "alice")
    listed = api.get(URL, query(ledger), headers=alice)
    assert listed.status_code == 200 and listed.json() == {"count": 0, "items": []}
    assert not DispatchReport.objects.exists()
    stored = dispatch.build_dispatch(world.alice, ledger.inspection.pk, START, TODAY)
    listed = api.get(URL, {"inspection": ledger.inspection.pk}, headers=alice).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == stored.pk
    assert listed["items"][0]["links"]["self"] == f"{URL}/{stored.pk}"
    assert "data" not in listed["items"][0]
    assert api.get(URL, headers=token_for(api, "charlie")).json()["count"] == 0
    assert DispatchReport.objects.count() == 1
