"""The public feedback API: POST /api/v1/public/feedback (no sign-in, no session, no CSRF token, one
allowance with the portal form) and GET /api/v1/public/feedback/{code} (what the sender may read)."""

from __future__ import annotations

import json

from django.test import Client
from django.utils import timezone

from rectify.feedback.models import Channel, FeedbackItem
from rectify.feedback.qr.services import create_qr
from rectify.feedback.services import due_date_for

API = "/api/v1/public/feedback"


def post(body: dict, client: Client | None = None):
    client = client or Client(enforce_csrf_checks=True)
    return client.post(API, json.dumps(body), content_type="application/json")


def test_anyone_submits_with_json_and_gets_the_code_and_deadline(ledger, world):
    response = post(
        {"kind": "demand", "content": "<b>审批</b>材料重复提交", "organisation": world.orgs["a"].pk}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    item = FeedbackItem.objects.get()
    assert body == {
        "code": item.code,
        "due_date": due_date_for(world.orgs["a"], timezone.localdate(item.received_at)).isoformat(),
    }
    assert (item.kind, item.channel, item.content) == ("demand", Channel.PORTAL, "审批材料重复提交")
    # JSON without a session: Django's CSRF check does not stand in the way, and no cookie is set.
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_a_published_problem_names_the_organisation(published, ledger, world):
    problem = ledger.measures[(2, 1)].problem
    response = post({"kind": "opinion", "content": "非法营运车辆又多了", "problem": problem.pk})
    assert response.status_code == 201
    item = FeedbackItem.objects.get()
    assert (item.organisation, item.problem, item.inspection) == (world.orgs["a"], problem, ledger.inspection)
    response = post(
        {"kind": "opinion", "content": "x", "problem": problem.pk, "organisation": world.orgs["b"].pk}
    )
    assert response.status_code == 400 and "不一致" in response.json()["detail"]


def test_a_qr_code_names_its_organisation_problem_and_itself(ledger, world):
    measure = ledger.measures[(1, 2)]
    qr = create_qr(world.alice, organisation=world.orgs["a"], label="执法站公示牌", measure=measure)
    response = post({"kind": "opinion", "content": "执法人员态度很好", "qr": qr.token})
    assert response.status_code == 201
    item = FeedbackItem.objects.get()
    assert (item.qr, item.measure, item.problem, item.organisation) == (
        qr,
        measure,
        measure.problem,
        world.orgs["a"],
    )
    qr.active = False
    qr.save()
    response = post({"kind": "opinion", "content": "x", "qr": qr.token})
    assert response.status_code == 400 and "该二维码已停用" in response.json()["detail"]


def test_bad_submissions_are_refused_in_chinese_and_store_nothing(ledger, world):
    org = world.orgs["a"].pk
    unpublished = ledger.measures[(1, 1)].problem
    for body, status, words in (
        ({"kind": "opinion", "content": "x"}, 400, "请指明受理单位"),
        ({"kind": "opinion", "content": "x", "organisation": 999999}, 400, "受理单位不存在"),
        ({"kind": "opinion", "content": "x", "problem": unpublished.pk}, 400, "该问题不存在或尚未公开"),
        ({"kind": "opinion", "content": "x", "qr": "no-such-token"}, 400, "该二维码无效"),
        ({"kind": "complaint", "content": "x", "organisation": org}, 422, "请求参数有误"),
        ({"kind": "opinion", "content": "<p> </p>", "organisation": org}, 400, "请填写内容"),
        ({"kind": "opinion", "content": "字" * 2001, "organisation": org}, 400, "内容不能超过 2000 个字"),
        (
            {"kind": "opinion", "content": "x", "organisation": org, "phone": "12345"},
            400,
            "联系电话格式不正确",
        ),
        (
            {"kind": "opinion", "content": "x", "organisation": org, "phone": "13812345678"},
            400,
            "请勾选同意联系",
        ),
    ):
        response = post(body)
        assert response.status_code == status, (body, response.content)
        assert words in response.json()["detail"], body
    assert not FeedbackItem.objects.exists()


def test_look_up_by_code(ledger, world):
    code = post({"kind": "opinion", "content": "路灯不亮", "organisation": world.orgs["a"].pk}).json()["code"]
    response = Client().get(f"{API}/{code.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == code and body["status_label"] == "已受理" and body["kind_label"] == "意见建议"
    assert body["reply_text"] == "" and body["replied_on"] is None and body["organisation"] == "甲局"
    for unknown in ("AAAA-BBBB-CCCC", "nonsense"):
        response = Client().get(f"{API}/{unknown}")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到与该查询码对应的留言。"}


def test_the_routes_are_documented_under_their_chinese_tag(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["paths"]["/api/v1/public/feedback"]["post"]["tags"] == ["公众留言"]
    assert schema["paths"]["/api/v1/public/feedback/{code}"]["get"]["tags"] == ["公众留言"]
    assert "security" not in schema["paths"]["/api/v1/public/feedback"]["post"]
