"""Long-term mechanisms, the audit trail and a measure's history through the REST API, per role."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from rectify.ledger.models import Mechanism, Problem

from .test_api import token_for


@pytest.fixture
def api(ledger):
    return Client(enforce_csrf_checks=True)


def send(client: Client, method: str, url: str, body: dict, headers: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", headers=headers)


def problem(ledger, number: int, inspection=None) -> Problem:
    return Problem.objects.get(inspection=inspection or ledger.inspection, number=number)


# ------------------------------------------------------------------ mechanisms


def test_the_office_records_and_edits_mechanisms(api, world, ledger):
    alice = token_for(api, "alice")
    p1, p2, p3 = (problem(ledger, n).pk for n in (1, 2, 3))
    body = {
        "inspection": ledger.inspection.pk,
        "title": "《行政执法程序规定》",
        "kind": "revised",
        "problems": [p1],
    }
    response = send(api, "post", "/api/v1/mechanisms", body, alice)
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["kind_label"], created["status"], created["status_label"], created["issued_on"]) == (
        "修订",
        "drafting",
        "起草中",
        None,
    )
    assert created["problems"] == [{"id": p1, "number": 1, "title": "执法不规范的整改"}]
    url = f"/api/v1/mechanisms/{created['id']}"

    issued = send(
        api,
        "patch",
        url,
        {"status": "issued", "issued_on": "2025-05-01", "document_number": "甲发〔2025〕3号"},
        alice,
    )
    assert issued.status_code == 200, issued.content
    assert (issued.json()["status"], issued.json()["issued_on"], issued.json()["title"]) == (
        "issued",
        "2025-05-01",
        "《行政执法程序规定》",
    )
    assert [p["id"] for p in issued.json()["problems"]] == [p1]  # not sent, kept
    replaced = send(api, "patch", url, {"problems": [p3, p1]}, alice).json()
    assert [p["number"] for p in replaced["problems"]] == [1, 3]
    assert (
        send(api, "patch", url, {"inspection": ledger.inspection.pk, "title": "新名称"}, alice).status_code
        == 200
    )

    refused = {
        "no date when issued": ("post", "/api/v1/mechanisms", {**body, "status": "issued"}, 400, "印发日期"),
        "problem of another inspection": (
            "post",
            "/api/v1/mechanisms",
            {**body, "problems": [problem(ledger, 1, ledger.other).pk]},
            400,
            "不属于",
        ),
        "empty title": ("post", "/api/v1/mechanisms", {**body, "title": "  "}, 400, "制度名称"),
        "unknown kind": ("post", "/api/v1/mechanisms", {**body, "kind": "abolished"}, 422, "kind"),
        "unknown inspection": ("post", "/api/v1/mechanisms", {**body, "inspection": 999999}, 404, "无权查看"),
        "moved to another inspection": ("patch", url, {"inspection": ledger.other.pk}, 400, "其他巡察"),
        "issued date removed": ("patch", url, {"issued_on": None}, 400, "印发日期"),
        "kind emptied": ("patch", url, {"kind": None}, 400, "制度类型"),
        "unknown mechanism": ("patch", "/api/v1/mechanisms/999999", {"title": "x"}, 404, "无权查看"),
    }
    before = list(Mechanism.objects.values_list("pk", "title", "status", "issued_on", "kind"))
    for name, (method, target, payload, status, message) in refused.items():
        response = send(api, method, target, payload, alice)
        assert (response.status_code, message in response.json()["detail"]) == (status, True), name
    assert list(Mechanism.objects.values_list("pk", "title", "status", "issued_on", "kind")) == before
    assert Mechanism.objects.get().problems.count() == 2
    other = send(api, "post", "/api/v1/mechanisms", {**body, "problems": [p2]}, alice)
    assert other.status_code == 201


def test_mechanisms_are_seen_per_role(api, world, ledger):
    from rectify.ledger.services import save_mechanism

    def make(user, inspection, title, numbers):
        problems = [problem(ledger, n, inspection).pk for n in numbers]
        return save_mechanism(
            user,
            inspection_id=inspection.pk,
            title=title,
            kind="made",
            status="drafting",
            problem_ids=problems,
        ).pk

    first = make(world.alice, ledger.inspection, "执法规范", [1])  # problem 1: unit A1
    second = make(world.alice, ledger.inspection, "营运整治", [2])  # problem 2: unit A2
    third = make(world.alice, ledger.inspection, "审批制度", [])  # no problem: no unit sees it
    theirs = make(world.charlie, ledger.other, "乙局制度", [1])

    def seen(name: str, **query) -> list[int]:
        data = api.get("/api/v1/mechanisms", query, headers=token_for(api, name)).json()
        assert data["count"] == len(data["items"])
        return [item["id"] for item in data["items"]]

    assert seen("alice") == seen("vera") == seen("larry") == [first, second, third]
    assert seen("sam") == [first, second, third, theirs]
    assert seen("sam", inspection=ledger.other.pk) == [theirs]
    assert seen("charlie") == [theirs]
    assert seen("bob") == seen("hana") == [first]
    assert seen("lisa") == [second]
    assert seen("nobody") == []
    assert api.get(f"/api/v1/mechanisms/{first}", headers=token_for(api, "lisa")).status_code == 404
    assert api.get(f"/api/v1/mechanisms/{theirs}", headers=token_for(api, "vera")).status_code == 404
    assert (
        api.get(f"/api/v1/mechanisms/{theirs}", headers=token_for(api, "charlie")).json()["title"]
        == "乙局制度"
    )
    page = api.get("/api/v1/mechanisms", {"page_size": 2, "page": 2}, headers=token_for(api, "alice")).json()
    assert (page["count"], [item["id"] for item in page["items"]]) == (3, [third])
    assert (
        api.get("/api/v1/mechanisms", {"page_size": 201}, headers=token_for(api, "alice")).status_code == 422
    )
    assert api.get("/api/v1/mechanisms").status_code == 401


# ------------------------------------------------------------------ audit


def entries_under(organisation) -> set[int]:
    return set(
        LogEntry.objects.filter(additional_data__org_path__startswith=organisation.path).values_list(
            "pk", flat=True
        )
    )


def audit(client: Client, name: str, **query) -> dict:
    response = client.get("/api/v1/audit", {"page_size": 200, **query}, headers=token_for(client, name))
    assert response.status_code == 200, response.content
    return response.json()


def test_the_audit_trail_is_seen_within_the_callers_organisations(api, world, ledger):
    vera = audit(api, "vera")
    assert {item["id"] for item in vera["items"]} == entries_under(world.orgs["a"]) and vera["count"] > 20
    charlie = audit(api, "charlie")
    assert {item["id"] for item in charlie["items"]} == entries_under(world.orgs["b"])
    theirs = {"model": "ledger.inspection", "object_id": ledger.other.pk}
    assert audit(api, "vera", **theirs)["count"] == 0
    assert audit(api, "alice", **theirs)["count"] == 0
    assert audit(api, "charlie", **theirs)["count"] == 1
    assert audit(api, "sam", **theirs)["count"] == 1
    assert audit(api, "sam")["count"] == len(entries_under(world.orgs["city"]))
    for name in ("lisa", "bob", "hana", "larry", "nobody"):
        response = api.get("/api/v1/audit", headers=token_for(api, name))
        assert response.status_code == 403 and "审计日志" in response.json()["detail"], name
    assert api.get("/api/v1/audit").status_code == 401


def test_audit_filters_and_entries(api, world, ledger):
    alice = token_for(api, "alice")
    measure = ledger.measures[(1, 1)]
    started = timezone.now()
    response = send(
        api, "patch", f"/api/v1/measures/{measure.pk}", {"version": 1, "deadline": "2025-10-31"}, alice
    )
    assert response.status_code == 200
    mechanism = send(
        api,
        "post",
        "/api/v1/mechanisms",
        {"inspection": ledger.inspection.pk, "title": "执法规范", "problems": [problem(ledger, 1).pk]},
        alice,
    ).json()

    edits = audit(api, "vera", model="ledger.measure", object_id=measure.pk)
    [edit] = [item for item in edits["items"] if item["action"] == "update"]
    assert edit["actor"] == {"id": world.alice.pk, "name": "艾丽"} and edit["action_label"] == "修改"
    assert (edit["model"], edit["object_id"]) == ("ledger.measure", measure.pk)
    assert edit["changes"]["deadline"] == [None, "2025-10-31"] and edit["object_repr"].startswith("1.1")
    # The importer bulk-creates measures, so their creation is not in the trail (see the report).
    assert {item["action"] for item in edits["items"]} == {"update"}

    timeline = audit(api, "alice", measure=measure.pk)
    assert {item["model"] for item in timeline["items"]} == {"ledger.measure", "ledger.measureunit"}
    by_alice = audit(api, "sam", actor=world.alice.pk, since=started.isoformat())
    assert {item["model"] for item in by_alice["items"]} == {"ledger.measure", "ledger.mechanism"}
    assert all(item["actor"]["id"] == world.alice.pk for item in by_alice["items"])
    linked = [i for i in by_alice["items"] if i["model"] == "ledger.mechanism" and "problems" in i["changes"]]
    assert linked and linked[0]["changes"]["problems"] == [[], ["1. 执法不规范的整改"]]
    assert linked[0]["object_id"] == mechanism["id"]

    naive_future = (timezone.localtime() + timedelta(hours=1)).replace(tzinfo=None).isoformat()
    assert audit(api, "alice", since=naive_future)["count"] == 0
    assert audit(api, "alice", until=(started - timedelta(days=1)).isoformat())["count"] == 0
    found = audit(api, "alice", q="执法规范")
    assert found["count"] >= 1 and all("执法规范" in item["object_repr"] for item in found["items"])

    whole = audit(api, "alice")
    first = audit(api, "alice", page_size=5)
    second = audit(api, "alice", page_size=5, page=2)
    assert first["count"] == second["count"] == whole["count"] and len(first["items"]) == 5
    assert [i["id"] for i in first["items"] + second["items"]] == [i["id"] for i in whole["items"][:10]]
    stamps = [item["timestamp"] for item in whole["items"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first


@pytest.mark.parametrize(
    "query, status, message",
    [
        ({"model": "auth.user"}, 400, "不支持"),
        ({"model": "nonsense"}, 400, "不支持"),
        ({"object_id": 1}, 400, "对象类型"),
        ({"since": "2025-06-01T00:00:00", "until": "2025-05-01T00:00:00"}, 400, "不能晚于"),
        ({"since": "yesterday"}, 422, "since"),
        ({"actor": "alice"}, 422, "actor"),
        ({"page_size": 201}, 422, "page_size"),
        ({"page": 0}, 422, "page"),
        ({"q": "x" * 101}, 422, "q"),
        ({"until": "0001-01-01T00:00:00+01:00"}, 400, "截止时间超出可用的范围"),
        ({"since": "9999-12-31T23:59:59-01:00"}, 400, "起始时间超出可用的范围"),
    ],
)
def test_bad_audit_queries_are_refused_in_chinese(api, world, ledger, query, status, message):
    response = api.get("/api/v1/audit", query, headers=token_for(api, "alice"))
    assert response.status_code == status and message in response.json()["detail"]


def test_measure_history_through_the_api(api, world, ledger):
    measure = ledger.measures[(1, 2)]
    alice = token_for(api, "alice")
    send(api, "patch", f"/api/v1/measures/{measure.pk}", {"version": 1, "deadline": "2025-10-31"}, alice)
    history = api.get(f"/api/v1/measures/{measure.pk}/history", headers=token_for(api, "bob")).json()
    newest = history[0]
    assert (newest["actor"], newest["action"]) == ("艾丽", "修改")
    assert {"field": "整改时限", "before": "（空）", "after": "2025年10月31日"} in newest["changes"]
    actions = [entry["action"] for entry in history]
    assert "增加责任单位：甲局执法支队" in actions and "增加配合单位：甲局执法支队一大队" in actions
    for name in ("lisa", "charlie"):
        response = api.get(f"/api/v1/measures/{measure.pk}/history", headers=token_for(api, name))
        assert response.status_code == 404 and "无权查看" in response.json()["detail"]


def test_mechanism_and_audit_lists_answer_in_a_fixed_number_of_queries(api, world, ledger):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rectify.ledger.services import save_mechanism

    alice = token_for(api, "alice")

    def counts() -> tuple[int, int]:
        result = []
        for url in ("/api/v1/mechanisms", "/api/v1/audit"):
            api.get(url, headers=alice)  # the token's first use of the minute records it; not counted
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url, {"page_size": 200}, headers=alice).status_code == 200
            result.append(len(queries))
        return tuple(result)

    def make(title: str, numbers: list[int]) -> None:
        save_mechanism(
            world.alice,
            inspection_id=ledger.inspection.pk,
            title=title,
            kind="made",
            status="drafting",
            problem_ids=[problem(ledger, n).pk for n in numbers],
        )

    make("一", [1])
    few = counts()
    for number, title in enumerate(("二", "三", "四"), start=1):
        make(title, [number, 3])
    assert counts() == few
