"""Where the organisation's policy says 延期须经牵头领导审批, an extension the office agrees to goes on to
the measure's lead leader, who agrees (the deadline moves) or refuses with a reason; each step tells
those who wait on it, and the leader's home (我牵头的) lists what waits for him or her. Through the pages
and the API, with the refusal path."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from rectify.ledger.models import Measure
from rectify.org.models import User
from rectify.supervision import deadline_extensions as extensions
from rectify.supervision.models import DeadlineExtension, Notification, WarningPolicy

DEADLINE = date(2025, 9, 30)
LATER = date(2025, 12, 31)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def post_json(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def measure(ledger):
    """Measure 1.1 (unit A1 responsible, 李瑞 leads), with a deadline already set."""
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=DEADLINE)
    measure.refresh_from_db()
    return measure


@pytest.fixture
def policy(world):
    """The office turns the policy on through its page."""
    office = signed_in("alice")
    page = office.get("/warnings/policy/").content.decode()
    assert "延期须经牵头领导审批" in page
    form = {
        "organisation": world.orgs["a"].pk,
        "green_days": 20,
        "yellow_days": 10,
        "escalate_days": 15,
        "signoff_stuck_days": 7,
        "order_escalate_days": 3,
        "feedback_reply_workdays": 15,
        "extension_needs_leader": "on",
    }
    assert office.post("/warnings/policy/", form).status_code == 302
    assert WarningPolicy.objects.get(organisation=world.orgs["a"]).extension_needs_leader
    return form


def told(user: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_the_office_agrees_the_leader_approves_through_the_pages(measure, world, policy):
    liaison, office, leader = signed_in("bob"), signed_in("alice"), signed_in("larry")
    liaison.post(
        f"/measures/{measure.pk}/extensions/", {"new_deadline": "2025-12-31", "reason": "需联合执法"}
    )
    extension = DeadlineExtension.objects.get()
    assert told(world.alice, "extension_requested")  # the office hears of the request
    assert (
        "待我审批的延期申请" not in leader.get("/dashboard/leading/").content.decode()
    )  # not the leader's turn yet

    response = office.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve", "comment": "属实"})
    assert response.status_code == 302
    assert "已报牵头领导李瑞审批" in office.get(response["Location"]).content.decode()
    extension.refresh_from_db()
    assert extension.state == "leader_pending" and extension.office_by == world.alice
    assert Measure.objects.get(pk=measure.pk).deadline == DEADLINE  # not moved until the leader agrees
    notice = told(world.larry, "extension_leader")
    assert notice and notice[0].title == "措施 1.1延期申请待您审批"
    # The office cannot decide twice; the leader's home lists the request; the measure page has his form.
    again = office.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve"})
    assert again.status_code == 403 and "须由牵头领导李瑞审批" in again.content.decode()
    home = leader.get("/dashboard/leading/").content.decode()
    assert "待我审批的延期申请（1 份）" in home and "需联合执法" in home and "整改办艾丽已同意" in home
    page = leader.get(f"/measures/{measure.pk}/").content.decode()
    assert "待牵头领导李瑞审批" in page and "提交审批" in page

    response = leader.post(f"/extensions/{extension.pk}/decide/", {"decision": "approve", "comment": "同意"})
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).deadline == LATER
    extension.refresh_from_db()
    assert (extension.state, extension.decided_by) == ("approved", world.larry)
    assert told(world.bob, "extension_decided")[0].title == "措施 1.1延期申请已同意"
    assert "待我审批的延期申请" not in leader.get("/dashboard/leading/").content.decode()


def test_the_leader_refuses_with_a_reason_through_the_api(measure, world, policy):
    asked = extensions.request_extension(world.bob, measure.pk, LATER, "需联合执法")
    office, leader = signed_in("alice"), signed_in("larry")
    assert leader.get("/api/v1/extensions/awaiting").json() == []
    assert [e["id"] for e in office.get("/api/v1/extensions/awaiting").json()] == [asked.pk]
    decide = f"/api/v1/extensions/{asked.pk}/decide"
    assert post_json(leader, decide, {"decision": "approve"}).status_code == 403  # the office's turn
    body = post_json(office, decide, {"decision": "approve"}).json()
    assert body["state"] == "leader_pending" and body["office_by"]["name"] == "艾丽"
    waiting = leader.get("/api/v1/extensions/awaiting").json()
    assert [(e["id"], e["state_label"]) for e in waiting] == [(asked.pk, "待牵头领导审批")]
    assert post_json(signed_in("bob"), decide, {"decision": "approve"}).status_code == 403
    no_reason = post_json(leader, decide, {"decision": "refuse", "comment": " "})
    assert no_reason.status_code == 400 and "请填写审批意见" in no_reason.json()["detail"]
    refused = post_json(leader, decide, {"decision": "refuse", "comment": "应按原时限完成。"})
    assert refused.status_code == 200
    body = refused.json()
    assert (body["state"], body["decided_by"]["name"], body["comment"]) == (
        "refused",
        "李瑞",
        "应按原时限完成。",
    )
    assert Measure.objects.get(pk=measure.pk).deadline == DEADLINE
    for person in (world.bob, world.alice):  # the requester and the office that agreed hear of it
        assert "未同意" in told(person, "extension_decided")[0].title
    assert post_json(leader, decide, {"decision": "approve"}).status_code == 403  # decided: not his turn


def test_without_a_lead_leader_the_office_decides(measure, world, policy):
    Measure.objects.filter(pk=measure.pk).update(lead_leader=None)
    asked = extensions.request_extension(world.bob, measure.pk, LATER, "需联合执法")
    decided = extensions.decide_extension(world.alice, asked.pk, "approve")
    assert decided.state == "approved" and Measure.objects.get(pk=measure.pk).deadline == LATER


def test_without_the_policy_the_office_decides_alone(measure, world):
    asked = extensions.request_extension(world.bob, measure.pk, LATER, "需联合执法")
    decided = extensions.decide_extension(world.alice, asked.pk, "approve")
    assert decided.state == "approved" and not told(world.larry, "extension_leader")
