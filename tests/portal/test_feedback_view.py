"""What a sender reads with the tracking code, on the tracking page and through the API: the message as
sent, the status in words, the deadline, and only the approved reply with the unit that gave it; never
the sender's name or contacts, the unit's staff, drafts, return reasons or internal notes, nor the unit
before its answer is published."""

from __future__ import annotations

from django.test import Client

from rectify.feedback import services
from rectify.feedback.models import FeedbackItem

TRACK = "/portal/feedback/track/"
DRAFT = "内部草稿：初步考虑不予处理"
RETURN_REASON = "退回理由：口径与台账不一致"
APPROVED = "经核查该路段围挡已于本周调整并恢复人行通道。感谢您的监督。"
CLOSE_NOTE = "内部说明：属市场监管局职责，已电话告知"
UNIT = "甲局执法支队"
PRIVATE = (
    "张三丰",
    "13912345678",
    "139****5678",
    "secret@example.com",
    "艾丽",
    "包博",
    "alice",
    "bob",
)


def read(code: str) -> tuple[str, dict]:
    html = Client().post(TRACK, {"code": code}).content.decode()
    response = Client().get(f"/api/v1/public/feedback/{code}")
    assert response.status_code == 200
    return html, response.json()


def assert_private_kept(html: str, body: dict, *also: str) -> None:
    text = html + str(body)
    for private in PRIVATE + also:
        assert private not in text, private


def fresh(item: FeedbackItem) -> FeedbackItem:
    return FeedbackItem.objects.get(pk=item.pk)


def test_the_sender_reads_the_approved_reply_and_nothing_private(ledger, world):
    client = Client()
    response = client.post(
        "/portal/feedback/new/",
        {
            "organisation": world.orgs["a"].pk,
            "kind": "opinion",
            "content": "施工围挡占用人行道",
            "name": "张三丰",
            "phone": "13912345678",
            "email": "secret@example.com",
            "consent_to_contact": "on",
        },
    )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    html, body = read(item.code)
    assert body["status_label"] == "已受理" and "已受理" in html
    assert body["content"] == "施工围挡占用人行道" and "您的留言" in html and "施工围挡占用人行道" in html
    assert_private_kept(html, body, UNIT)

    item = services.route_item(world.alice, item, unit=world.orgs["a1"], version=item.version)
    services.save_reply(world.bob, fresh(item), text=DRAFT, submit=True, version=fresh(item).version)
    html, body = read(item.code)
    assert body["status_label"] == "办理中" and body["reply_text"] == "" and body["unit"] == ""
    assert_private_kept(html, body, DRAFT, UNIT)

    services.return_reply(world.alice, fresh(item), reason=RETURN_REASON, version=fresh(item).version)
    services.save_reply(world.bob, fresh(item), text=APPROVED, submit=True, version=fresh(item).version)
    html, body = read(item.code)
    assert body["status_label"] == "办理中" and APPROVED not in html + str(body)  # not approved yet
    services.approve_reply(world.alice, fresh(item), version=fresh(item).version)

    html, body = read(item.code)
    assert body["status"] == "replied" and body["status_label"] == "已答复"
    assert body["reply_text"] == APPROVED and body["replied_on"] is not None
    assert "已答复" in html and APPROVED in html and "答复日期" in html
    assert body["unit"] == UNIT and f"{UNIT}的答复" in html and "答复单位" in html
    assert_private_kept(html, body, DRAFT, RETURN_REASON)
    assert set(body) == {
        "code",
        "organisation",
        "kind",
        "kind_label",
        "received_on",
        "due_date",
        "status",
        "status_label",
        "status_explanation",
        "close_reason_label",
        "reply_text",
        "replied_on",
        "content",
        "unit",
    }


def test_an_item_closed_without_a_reply_shows_the_reason_in_words_not_the_note(ledger, world):
    item = services.submit_public(organisation=world.orgs["a"], kind="demand", content="市场价格问题")
    services.close_item(world.alice, item, reason="out_of_scope", note=CLOSE_NOTE, version=item.version)
    html, body = read(item.code)
    assert (body["status_label"], body["close_reason_label"]) == ("已办结", "不属于受理范围")
    assert "已办结" in html and "不属于受理范围" in html and "企业诉求" in html
    assert_private_kept(html, body, CLOSE_NOTE)
