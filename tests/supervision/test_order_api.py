"""Supervision orders through the REST API: real HTTP requests with Bearer tokens, the same rules as
the pages, errors as JSON in Chinese with the right status codes."""

from __future__ import annotations

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document

from rectify.supervision.models import Notification, SupervisionOrder

from ..api.test_api import token_for


@pytest.fixture
def api(ledger):
    return Client(enforce_csrf_checks=True)


def post(client: Client, url: str, body: dict, headers: dict):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def order_body(ledger, world, unit="a1", keys=((1, 1), (1, 2)), **fields) -> dict:
    return {
        "unit": world.orgs[unit].pk,
        "measures": [ledger.measures[key].pk for key in keys],
        "reason": "整改进度滞后。",
        "demanded_action": "七日内报送整改情况。",
        "answer_due": (timezone.localdate() + timedelta(days=7)).isoformat(),
        **fields,
    }


def test_issue_list_get_and_answer(api, ledger, world):
    alice = token_for(api, "alice")
    response = post(api, "/api/v1/supervision-orders", order_body(ledger, world), alice)
    assert response.status_code == 201, response.content
    data = response.json()
    year = timezone.localdate().year
    assert data["number"] == f"督办〔{year}〕1号" and (data["year"], data["serial"]) == (year, 1)
    assert data["issuer"] == {"id": world.orgs["a"].pk, "name": "甲局"}
    assert data["unit"]["name"] == "甲局执法支队" and data["issued_by"]["name"] == "艾丽"
    assert [(m["problem_number"], m["order"]) for m in data["measures"]] == [(1, 1), (1, 2)]
    assert (data["state"], data["state_label"], data["is_overdue"], data["answer"]) == (
        "issued",
        "待答复",
        False,
        "",
    )
    assert data["docx_url"] == f"/api/v1/supervision-orders/{data['id']}/docx"

    bob = token_for(api, "bob")
    listed = api.get("/api/v1/supervision-orders", headers=bob).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]
    assert api.get(f"/api/v1/supervision-orders/{data['id']}", headers=bob).json()["number"] == data["number"]

    answered = post(api, f"/api/v1/supervision-orders/{data['id']}/answer", {"answer": "已整改。"}, bob)
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert (body["state"], body["answer"], body["answered_by"]["name"]) == ("answered", "已整改。", "包博")
    assert body["answered_at"] is not None
    assert Notification.objects.filter(kind="order_answered", recipient=world.alice).exists()

    again = post(api, f"/api/v1/supervision-orders/{data['id']}/answer", {"answer": "再答。"}, bob)
    assert again.status_code == 409 and "已经答复" in again.json()["detail"]


def test_who_may_issue_answer_and_see(api, ledger, world):
    body = order_body(ledger, world)
    for username in ("bob", "hana", "larry"):
        refused = post(api, "/api/v1/supervision-orders", body, token_for(api, username))
        assert refused.status_code == 403 and "整改办" in refused.json()["detail"], username
    outsider = post(api, "/api/v1/supervision-orders", body, token_for(api, "charlie"))
    assert outsider.status_code == 404 and "不存在" in outsider.json()["detail"]
    assert not SupervisionOrder.objects.exists()

    order = post(api, "/api/v1/supervision-orders", body, token_for(api, "vera")).json()
    for username, status in {"charlie": 404, "lisa": 404, "larry": 404, "sam": 200, "hana": 200}.items():
        response = api.get(f"/api/v1/supervision-orders/{order['id']}", headers=token_for(api, username))
        assert response.status_code == status, username
    assert api.get("/api/v1/supervision-orders", headers=token_for(api, "charlie")).json()["count"] == 0
    answer_url = f"/api/v1/supervision-orders/{order['id']}/answer"
    refused = post(api, answer_url, {"answer": "代答。"}, token_for(api, "alice"))
    assert refused.status_code == 403 and "负责人或联络员" in refused.json()["detail"]
    hidden = post(api, answer_url, {"answer": "x"}, token_for(api, "lisa"))
    assert hidden.status_code == 404 and "不存在" in hidden.json()["detail"]
    assert api.get("/api/v1/supervision-orders").status_code == 401


def test_bad_requests_answer_in_chinese(api, ledger, world):
    alice = token_for(api, "alice")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    cases = [
        (order_body(ledger, world, answer_due=yesterday), 400, "答复期限不能早于今天"),
        (order_body(ledger, world, reason=" "), 400, "请填写督办事由"),
        (order_body(ledger, world, unit="a2"), 400, "不是措施 1.1、1.2 的责任单位或配合单位"),
        (order_body(ledger, world, unit="a2") | {"unit": 999999}, 400, "请选择被督办单位"),
        (order_body(ledger, world, measures=[]), 400, "请至少选择一项督办事项"),
        (order_body(ledger, world, demanded_action="要" * 5001), 400, "督办要求不能超过 5000 字"),
        ({"unit": world.orgs["a1"].pk}, 422, "请求参数有误"),
        (order_body(ledger, world, answer_due="明天"), 422, "answer_due"),
    ]
    for body, status, message in cases:
        response = post(api, "/api/v1/supervision-orders", body, alice)
        assert response.status_code == status, (body, response.content)
        assert message in response.json()["detail"], response.json()
    assert not SupervisionOrder.objects.exists()
    order = post(api, "/api/v1/supervision-orders", order_body(ledger, world), alice).json()
    empty = post(
        api, f"/api/v1/supervision-orders/{order['id']}/answer", {"answer": "  "}, token_for(api, "bob")
    )
    assert empty.status_code == 400 and "请填写答复内容" in empty.json()["detail"]
    assert api.get("/api/v1/supervision-orders/999999", headers=alice).status_code == 404


def test_numbers_follow_on_and_the_list_filters(api, ledger, world):
    alice = token_for(api, "alice")
    first = post(api, "/api/v1/supervision-orders", order_body(ledger, world), alice).json()
    second = post(
        api, "/api/v1/supervision-orders", order_body(ledger, world, unit="a2", keys=[(2, 1)]), alice
    ).json()
    assert (first["serial"], second["serial"]) == (1, 2)
    post(api, f"/api/v1/supervision-orders/{first['id']}/answer", {"answer": "好。"}, token_for(api, "bob"))

    def ids(query: str) -> list[int]:
        data = api.get(f"/api/v1/supervision-orders?{query}", headers=alice).json()
        return sorted(item["id"] for item in data["items"])

    assert ids("") == sorted([first["id"], second["id"]])
    assert ids("state=answered") == [first["id"]]
    assert ids(f"unit={world.orgs['a2'].pk}") == [second["id"]]
    assert ids("overdue=true") == []
    assert ids("overdue=false") == sorted([first["id"], second["id"]])
    SupervisionOrder.objects.filter(pk=second["id"]).update(
        answer_due=timezone.localdate() - timedelta(days=1)
    )
    assert ids("overdue=true") == [second["id"]]
    assert api.get("/api/v1/supervision-orders?state=nope", headers=alice).status_code == 422


def test_the_docx_downloads_through_the_api(api, ledger, world):
    alice = token_for(api, "alice")
    order = post(api, "/api/v1/supervision-orders", order_body(ledger, world), alice).json()
    response = api.get(order["docx_url"], headers=token_for(api, "hana"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert Document(BytesIO(response.content)).paragraphs[1].text == order["number"]
    assert api.get(order["docx_url"], headers=token_for(api, "charlie")).status_code == 404
