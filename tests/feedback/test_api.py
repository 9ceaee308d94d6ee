"""The staff API of public feedback over real HTTP with Bearer tokens: lists, entry, routing with
optimistic locking, replies, approval, return, closing, contacts; refusals in Chinese."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import Client

from rectify.feedback.models import FeedbackItem, FeedbackStatus

from ..conftest import PASSWORD


def token_for(client: Client, username: str) -> dict:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def api():
    return Client(enforce_csrf_checks=True)


def _json(response, status: int):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_list_filters_and_paging(api, world, fb):
    alice = token_for(api, "alice")
    data = _json(api.get("/api/v1/feedback", headers=alice), 200)
    assert data["count"] == 4
    assert [row["id"] for row in data["items"]] == [
        fb.other_unit.pk,
        fb.pending.pk,
        fb.routed.pk,
        fb.fresh.pk,
    ]
    row = data["items"][-1]
    assert (
        row["status"] == "received" and row["status_label"] == "待分办" and row["channel_label"] == "网上留言"
    )
    assert row["organisation"] == {"id": world.orgs["a"].pk, "name": "甲局"} and row["unit"] is None
    assert row["is_overdue"] is False and row["sender"]["phone"] == "138****5678"
    routed = _json(api.get("/api/v1/feedback?status=routed&page_size=1&page=2", headers=alice), 200)
    assert routed["count"] == 2 and [r["id"] for r in routed["items"]] == [fb.routed.pk]
    assert _json(api.get(f"/api/v1/feedback?unit={world.orgs['a2'].pk}", headers=alice), 200)["count"] == 1
    assert _json(api.get(f"/api/v1/feedback?q={fb.fresh.code}", headers=alice), 200)["count"] == 1
    bad = _json(api.get("/api/v1/feedback?status=lost", headers=alice), 422)
    assert "请求参数有误" in bad["detail"]
    assert _json(api.get("/api/v1/feedback", headers=token_for(api, "bob")), 200)["count"] == 2
    assert _json(api.get("/api/v1/feedback", headers=token_for(api, "nobody")), 200)["count"] == 0
    assert api.get("/api/v1/feedback").status_code == 401


def test_detail_carries_replies_and_actions(api, world, fb):
    data = _json(api.get(f"/api/v1/feedback/{fb.pending.pk}", headers=token_for(api, "alice")), 200)
    assert data["actions"] == ["approve", "close", "return", "reveal"]
    assert [r["status"] for r in data["replies"]] == ["submitted"]
    data = _json(api.get(f"/api/v1/feedback/{fb.routed.pk}", headers=token_for(api, "bob")), 200)
    assert data["actions"] == ["reply"]
    missing = _json(api.get(f"/api/v1/feedback/{fb.routed.pk}", headers=token_for(api, "lisa")), 404)
    assert "不存在" in missing["detail"]


def test_staff_entry(api, world, ledger):
    alice = token_for(api, "alice")
    payload = {
        "organisation": world.orgs["a"].pk,
        "channel": "hotline",
        "kind": "demand",
        "content": "12345 工单：出租车拒载",
        "external_ref": "GD20250301001",
        "phone": "13700001111",
        "problem": ledger.measures[(2, 1)].problem.pk,
    }
    created = _json(
        api.post("/api/v1/feedback", payload, content_type="application/json", headers=alice), 201
    )
    assert created["channel"] == "hotline" and created["problem"]["number"] == 2
    assert created["sender"]["phone"] == "137****1111" and created["code"]
    again = _json(api.post("/api/v1/feedback", payload, content_type="application/json", headers=alice), 400)
    assert "已登记过" in again["detail"]
    refused = api.post(
        "/api/v1/feedback",
        payload | {"external_ref": "x"},
        content_type="application/json",
        headers=token_for(api, "bob"),
    )
    assert _json(refused, 403)["detail"] == "只有甲局的整改办可以登记意见诉求。"
    portal = api.post(
        "/api/v1/feedback", payload | {"channel": "portal"}, content_type="application/json", headers=alice
    )
    assert "来源渠道无效" in _json(portal, 400)["detail"]
    assert FeedbackItem.objects.count() == 1


def test_route_with_version_and_conflict(api, world, ledger, fb):
    alice = token_for(api, "alice")
    problem = ledger.measures[(1, 1)].problem
    url = f"/api/v1/feedback/{fb.fresh.pk}"
    routed = _json(
        api.patch(
            url,
            {"version": 1, "unit": world.orgs["a1"].pk, "problem": problem.pk},
            content_type="application/json",
            headers=alice,
        ),
        200,
    )
    assert (
        routed["status"] == "routed"
        and routed["unit"]["id"] == world.orgs["a1"].pk
        and routed["version"] == 2
    )
    assert routed["problem"]["id"] == problem.pk
    conflict = _json(
        api.patch(
            url, {"version": 1, "unit": world.orgs["a2"].pk}, content_type="application/json", headers=alice
        ),
        409,
    )
    assert "已被他人处理" in conflict["detail"] and conflict["current"]["version"] == 2
    assert conflict["current"]["unit"]["id"] == world.orgs["a1"].pk
    kept = _json(
        api.patch(
            url, {"version": 2, "unit": world.orgs["a2"].pk}, content_type="application/json", headers=alice
        ),
        200,
    )
    assert kept["problem"]["id"] == problem.pk  # not sent: unchanged
    cleared = _json(
        api.patch(
            url,
            {"version": 3, "unit": world.orgs["a2"].pk, "problem": None},
            content_type="application/json",
            headers=alice,
        ),
        200,
    )
    assert cleared["problem"] is None
    outside = api.patch(
        url, {"version": 4, "unit": world.orgs["b1"].pk}, content_type="application/json", headers=alice
    )
    assert "下属单位" in _json(outside, 400)["detail"]
    vera = api.patch(
        url,
        {"version": 4, "unit": world.orgs["a1"].pk},
        content_type="application/json",
        headers=token_for(api, "vera"),
    )
    assert _json(vera, 403)["detail"].startswith("只有甲局的整改办")


# Committed as in production (a request runs in autocommit), so the approval's e-mail goes before the answer.
@pytest.mark.django_db(transaction=True)
def test_reply_approve_return_close_contacts(api, world, fb, mailoutbox):
    bob, alice = token_for(api, "bob"), token_for(api, "alice")
    routed = _json(
        api.patch(
            f"/api/v1/feedback/{fb.fresh.pk}",
            {"version": 1, "unit": world.orgs["a1"].pk},
            content_type="application/json",
            headers=alice,
        ),
        200,
    )
    reply_url = f"/api/v1/feedback/{fb.fresh.pk}/reply"
    draft = _json(api.post(reply_url, {"text": "草稿"}, content_type="application/json", headers=bob), 200)
    assert draft["status"] == "draft"
    assert _json(api.post(reply_url, {"text": "x"}, content_type="application/json", headers=alice), 403)[
        "detail"
    ]
    submitted = _json(
        api.post(
            reply_url,
            {"text": "已安排驻点巡查", "submit": True, "version": routed["version"]},
            content_type="application/json",
            headers=bob,
        ),
        200,
    )
    assert submitted["status"] == "submitted" and submitted["id"] == draft["id"]

    returned = _json(
        api.post(
            f"{reply_url}/return",
            {"reason": "请写明巡查时段"},
            content_type="application/json",
            headers=alice,
        ),
        200,
    )
    assert returned["status"] == "routed" and [r["status"] for r in returned["replies"]] == ["returned"]
    assert _json(
        api.post(f"{reply_url}/return", {"reason": "x"}, content_type="application/json", headers=alice), 400
    )
    _json(
        api.post(
            reply_url,
            {"text": "早晚高峰驻点巡查", "submit": True},
            content_type="application/json",
            headers=bob,
        ),
        200,
    )
    approval = _json(
        api.post(f"{reply_url}/approve", {}, content_type="application/json", headers=alice), 200
    )
    assert approval["emailed"] is True and approval["item"]["status"] == "replied"
    assert "电子邮件" in approval["detail"] and len(mailoutbox) == 1

    closed = _json(
        api.post(
            f"/api/v1/feedback/{fb.routed.pk}/close",
            {"reason": "duplicate", "note": "同一事项", "duplicate_of": fb.pending.pk},
            content_type="application/json",
            headers=alice,
        ),
        200,
    )
    assert closed["status"] == "closed" and closed["duplicate_of"] == fb.pending.pk
    assert closed["close_reason_label"] == "重复反映"
    invisible = api.post(
        f"/api/v1/feedback/{fb.other_unit.pk}/close",
        {"reason": "duplicate", "note": "x", "duplicate_of": fb.foreign.pk},
        content_type="application/json",
        headers=alice,
    )
    assert "不存在" in _json(invisible, 400)["detail"]
    assert FeedbackItem.objects.get(pk=fb.other_unit.pk).status == FeedbackStatus.ROUTED

    contacts = _json(api.post(f"/api/v1/feedback/{fb.fresh.pk}/contacts", headers=alice), 200)
    assert contacts == {
        "name": "张三",
        "phone": "13812345678",
        "email": "zhang@example.com",
        "consent_to_contact": True,
    }
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.alice and entry.additional_data["feedback_id"] == fb.fresh.pk


def test_browser_session_needs_csrf(api, world, fb):
    api.force_login(world.alice)
    response = api.post(f"/api/v1/feedback/{fb.fresh.pk}/contacts")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
