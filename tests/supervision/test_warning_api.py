"""The warning and notification endpoints over real HTTP requests (token or browser session)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from rectify.ledger.models import Measure
from rectify.supervision.models import Notification
from rectify.supervision.services import run_warnings

from ..api.test_api import token_for

TODAY = date(2025, 9, 1)


@pytest.fixture
def warned(ledger):
    """1.1 green, 1.2 yellow, 2.1 red, 3.1 escalated on TODAY; the clock stands on TODAY."""
    deadlines = {
        (1, 1): TODAY + timedelta(days=15),
        (1, 2): TODAY + timedelta(days=5),
        (2, 1): TODAY - timedelta(days=2),
        (3, 1): TODAY - timedelta(days=40),
    }
    for key, deadline in deadlines.items():
        Measure.objects.filter(pk=ledger.measures[key].pk).update(deadline=deadline)
    with time_machine.travel(datetime(2025, 9, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield ledger


@pytest.fixture
def api(warned):
    return Client(enforce_csrf_checks=True)


def names(data: dict, ledger) -> list[str]:
    keys = {measure.pk: f"{number}.{order}" for (number, order), measure in ledger.measures.items()}
    return [keys.get(item["measure_id"], "?") for item in data["items"]]


def test_warnings_worst_first_with_level_deadline_days_units_and_leader(api, warned, world):
    data = api.get("/api/v1/warnings", headers=token_for(api, "alice")).json()
    assert data["count"] == 4 and names(data, warned) == ["3.1", "2.1", "1.2", "1.1"]
    worst = data["items"][0]
    assert worst == {
        "measure_id": warned.measures[(3, 1)].pk,
        "inspection_id": warned.inspection.pk,
        "problem_id": warned.measures[(3, 1)].problem_id,
        "problem_number": 3,
        "problem_title": "审批时限过长的整改",
        "order": 1,
        "text": "压缩审批时限。",
        "level": "escalated",
        "level_label": "红色预警（已升级）",
        "deadline": "2025-07-23",
        "due_on": "2025-07-23",  # no time node: the warning follows the deadline
        "milestone": None,
        "days": -40,
        "status": "not_started",
        "status_label": "未启动",
        "units": [{"id": world.orgs["a1"].pk, "name": "甲局执法支队"}],
        "lead_leader": {"id": world.larry.pk, "name": "李瑞"},
    }
    assert [(item["level"], item["days"]) for item in data["items"][1:]] == [
        ("red", -2),
        ("yellow", 5),
        ("green", 15),
    ]


def test_warning_filters_and_paging(api, warned, world):
    alice = token_for(api, "alice")
    assert names(api.get("/api/v1/warnings?level=yellow", headers=alice).json(), warned) == ["1.2"]
    data = api.get(f"/api/v1/warnings?inspection={warned.other.pk}", headers=alice).json()
    assert data == {"count": 0, "items": []}
    data = api.get(
        f"/api/v1/warnings?inspection={warned.inspection.pk}&page=2&page_size=3", headers=alice
    ).json()
    assert data["count"] == 4 and names(data, warned) == ["1.1"]
    Measure.objects.filter(pk=warned.measures[(2, 1)].pk).update(lead_leader=None)
    larry = token_for(api, "larry")
    assert names(api.get("/api/v1/warnings?mine=true", headers=larry).json(), warned) == ["3.1", "1.2", "1.1"]
    response = api.get("/api/v1/warnings?level=purple", headers=alice)
    assert response.status_code == 422 and "请求参数有误" in response.json()["detail"]


@pytest.mark.parametrize(
    "username, expected",
    [
        ("bob", ["3.1", "1.2", "1.1"]),
        ("lisa", ["3.1", "2.1"]),
        ("sam", ["3.1", "2.1", "1.2", "1.1"]),
        ("charlie", []),
    ],
)
def test_warnings_per_role(api, warned, username, expected):
    data = api.get("/api/v1/warnings", headers=token_for(api, username)).json()
    assert names(data, warned) == expected and data["count"] == len(expected)


def test_anonymous_callers_get_nothing(api):
    for url in ("/api/v1/warnings", "/api/v1/notifications"):
        response = api.get(url)
        assert response.status_code == 401 and "令牌" in response.json()["detail"]
    response = api.post("/api/v1/notifications/read", {"all": True}, content_type="application/json")
    assert response.status_code == 401


def test_notifications_list_unread_filter_and_marking(api, warned, world):
    run_warnings()
    bob = token_for(api, "bob")
    data = api.get("/api/v1/notifications", headers=bob).json()
    assert data["count"] == data["unread_count"] == 3
    first = data["items"][0]
    assert set(first) == {"id", "kind", "title", "body", "url", "created_at", "read_at", "unread"}
    assert first["unread"] is True and first["read_at"] is None and first["url"].startswith("/measures/")
    ids = [item["id"] for item in data["items"]]
    larrys = Notification.objects.filter(recipient=world.larry).values_list("pk", flat=True).first()

    response = api.post(
        "/api/v1/notifications/read", {"ids": [ids[0], larrys]}, content_type="application/json", headers=bob
    )
    assert response.status_code == 200 and response.json() == {"marked": 1, "unread_count": 2}
    assert Notification.objects.get(pk=larrys).read_at is None  # not Bob's: ignored
    unread = api.get("/api/v1/notifications?unread=true", headers=bob).json()
    assert unread["count"] == 2 and ids[0] not in [item["id"] for item in unread["items"]]
    read = api.get("/api/v1/notifications?unread=false", headers=bob).json()
    assert [item["id"] for item in read["items"]] == [ids[0]] and read["items"][0]["unread"] is False

    response = api.post(
        "/api/v1/notifications/read", {"all": True}, content_type="application/json", headers=bob
    )
    assert response.json() == {"marked": 2, "unread_count": 0}
    assert Notification.objects.filter(recipient=world.larry, read_at__isnull=True).count() == 3


@pytest.mark.parametrize(
    "body, message",
    [({}, "请给出要标为已读的通知编号"), ({"ids": []}, "请给出"), ({"ids": [1], "all": True}, "二选一")],
)
def test_marking_needs_ids_or_all(api, warned, body, message):
    response = api.post(
        "/api/v1/notifications/read", body, content_type="application/json", headers=token_for(api, "bob")
    )
    assert response.status_code == 400 and message in response.json()["detail"]


def test_browser_session_needs_the_csrf_token_to_mark(api, warned, world):
    run_warnings()
    api.force_login(world.bob)
    assert api.get("/api/v1/notifications").json()["count"] == 3
    response = api.post("/api/v1/notifications/read", {"all": True}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert Notification.objects.filter(recipient=world.bob, read_at__isnull=True).count() == 3
