"""Consultation endpoints: staff list and detail, and the public ones (no sign-in)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from rectify.feedback.consultations import services as consultations
from rectify.feedback.models import ConsultationComment

pytestmark = pytest.mark.django_db


def api(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post_json(client: Client, url: str, data: dict, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_staff_list_and_detail_follow_who_may_see(world, open_consultation, mechanism):
    consultations.submit_public_comment(open_consultation.pk, content="意见", contact="zhang@example.com")
    body = api(world.larry).get(f"/api/v1/consultations?mechanism={mechanism.pk}").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["status"] == "open" and item["accepts_comments"] is True
    assert item["comment_count"] == 1 and item["pending_count"] == 1
    assert item["mechanism"] == {"id": mechanism.pk, "title": "《甲市停车场条例》"}
    detail = api(world.vera).get(f"/api/v1/consultations/{open_consultation.pk}").json()
    assert detail["comments"][0]["contact"] == "z***@example.com" and "draft_text" in detail
    assert api(world.charlie).get("/api/v1/consultations").json()["count"] == 0
    response = api(world.charlie).get(f"/api/v1/consultations/{open_consultation.pk}")
    assert response.status_code == 404 and response.json()["detail"] == "征求意见不存在，或您无权查看。"
    assert api().get("/api/v1/consultations").status_code == 401
    assert api(world.alice).get("/api/v1/consultations?status=closed").json()["count"] == 0


def test_public_list_detail_and_comment(world, open_consultation, lapsed_consultation):
    body = api().get("/api/v1/public/consultations").json()
    assert [item["id"] for item in body["items"]] == [open_consultation.pk, lapsed_consultation.pk]
    assert body["items"][0]["phase"] == "open" and body["items"][1]["phase"] == "closed"
    detail = api().get(f"/api/v1/public/consultations/{open_consultation.pk}").json()
    assert detail["draft_text"].startswith("第一条") and detail["comments"] == [] and detail["summary"] == ""
    response = post_json(
        api(), f"/api/v1/public/consultations/{open_consultation.pk}/comments", {"content": "建议补充罚则。"}
    )
    assert (
        response.status_code == 201
        and response.json()["closes_on"] == open_consultation.closes_on.isoformat()
    )
    assert (
        ConsultationComment.objects.filter(consultation=open_consultation).get().content == "建议补充罚则。"
    )
    response = post_json(
        api(), f"/api/v1/public/consultations/{lapsed_consultation.pk}/comments", {"content": "迟了"}
    )
    assert response.status_code == 400 and "征求意见已截止" in response.json()["detail"]
    response = post_json(
        api(), f"/api/v1/public/consultations/{open_consultation.pk}/comments", {"content": " "}
    )
    assert response.status_code == 400 and response.json()["detail"] == "请填写意见内容。"


def test_published_comments_show_gist_decision_and_reason_never_the_sender(world, lapsed_consultation):
    consultations.close_consultation(world.alice, lapsed_consultation.pk)
    first, second = lapsed_consultation.comments.order_by("id")
    consultations.decide_comment(world.alice, first.pk, decision="adopted")
    consultations.decide_comment(world.alice, second.pk, decision="not_adopted", reason="不符合上位法。")
    consultations.publish_summary(world.alice, lapsed_consultation.pk, "采纳 1 条。")
    detail = api().get(f"/api/v1/public/consultations/{lapsed_consultation.pk}").json()
    assert detail["phase"] == "published" and detail["summary"] == "采纳 1 条。"
    assert [c["decision"] for c in detail["comments"]] == ["adopted", "not_adopted"]
    assert detail["comments"][1]["reason"] == "不符合上位法。"
    text = json.dumps(detail, ensure_ascii=False)
    assert "张三" not in text and "1234" not in text


def test_drafts_and_unpublished_meetings_are_not_public(world, mechanism, today):
    from .conftest import meeting, online

    draft = consultations.create_consultation(
        world.alice, online(today, today + timedelta(days=9)), mechanism_id=mechanism.pk
    )
    record = consultations.create_consultation(world.alice, meeting(today), mechanism_id=mechanism.pk)
    for pk in (draft.pk, record.pk, 999999):
        response = api().get(f"/api/v1/public/consultations/{pk}")
        assert response.status_code == 404 and response.json()["detail"] == "该征求意见不存在或尚未公开。"
    response = post_json(api(), f"/api/v1/public/consultations/{draft.pk}/comments", {"content": "意见"})
    assert response.status_code == 404
    assert api().get("/api/v1/public/consultations").json()["count"] == 0


def test_public_comments_are_rate_limited_per_address_and_sized(world, open_consultation, settings):
    settings.RECTIFY_FEEDBACK_RATE = "2/h"
    url = f"/api/v1/public/consultations/{open_consultation.pk}/comments"
    assert [post_json(api(), url, {"content": f"意见{n}"}).status_code for n in range(2)] == [201, 201]
    response = post_json(api(), url, {"content": "第三条"})
    assert response.status_code == 429 and "提交过于频繁" in response.json()["detail"]
    assert post_json(api(), url, {"content": "别处"}, REMOTE_ADDR="10.9.8.7").status_code == 201
    response = post_json(api(), url, {"content": "长" * 30000}, REMOTE_ADDR="10.9.8.6")
    assert response.status_code == 413
    assert ConsultationComment.objects.count() == 3
