"""The portal's consultation pages (公开征求意见): after the closing date no form is shown and comments
are refused; a visitor comments and is thanked; the form keeps what was typed and escapes it, needs
CSRF, refuses the honeypot, too many comments from one address and an oversized request."""

from __future__ import annotations

import pytest
from django.test import Client

from rectify.feedback.models import ConsultationComment

pytestmark = pytest.mark.django_db


def test_after_the_closing_date_the_portal_shows_no_form_and_refuses_comments(world, lapsed_consultation):
    url = f"/portal/consultations/{lapsed_consultation.pk}/"
    page = Client().get(url).content.decode()
    assert "征求意见已截止" in page and 'name="content"' not in page
    response = Client().post(url, {"content": "迟到的意见"})
    assert response.status_code == 400 and "征求意见已截止" in response.content.decode()
    assert lapsed_consultation.comments.count() == 2


def test_a_visitor_comments_and_is_thanked(world, open_consultation):
    visitor = Client()
    url = f"/portal/consultations/{open_consultation.pk}/"
    response = visitor.post(
        url, {"content": "<script>alert(1)</script>建议延长共享时段。", "contact": "020-38180385"}
    )
    assert response.status_code == 302 and response.url.endswith("/thanks/")
    assert "您的意见已收到" in visitor.get(response.url).content.decode()
    comment = ConsultationComment.objects.get()
    assert comment.content == "alert(1)建议延长共享时段。" and comment.sender_contact == "020-38180385"
    assert comment.channel == "portal"
    # Somebody else's browser is not thanked for it.
    assert Client().get(response.url).status_code == 302


def test_the_portal_form_keeps_input_on_error_and_escapes_it(world, open_consultation):
    url = f"/portal/consultations/{open_consultation.pk}/"
    response = Client().post(url, {"content": "", "name": "<i>赵</i>", "contact": "12"})
    page = response.content.decode()
    assert response.status_code == 400 and "请填写意见建议" in page
    assert "&lt;i&gt;赵&lt;/i&gt;" in page and "<i>赵</i>" not in page
    response = Client().post(url, {"content": "好的意见", "contact": "12"})
    assert response.status_code == 400 and "联系电话格式不正确" in response.content.decode()
    assert "好的意见" in response.content.decode()
    assert not ConsultationComment.objects.exists()


def test_the_portal_form_needs_csrf_and_refuses_the_honeypot_and_too_many(world, open_consultation, settings):
    settings.RECTIFY_FEEDBACK_RATE = "3/h"
    url = f"/portal/consultations/{open_consultation.pk}/"
    assert Client(enforce_csrf_checks=True).post(url, {"content": "意见"}).status_code == 403
    response = Client().post(url, {"content": "机器人", "website": "http://spam.example"})
    assert response.status_code == 400 and "隐藏项被填写" in response.content.decode()
    statuses = [Client().post(url, {"content": f"意见{n}"}).status_code for n in range(2)]
    assert statuses == [302, 302]  # the honeypot try above counted too: the allowance is used up
    response = Client().post(url, {"content": "第四条"})
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert "第四条" in response.content.decode()  # kept for later
    assert ConsultationComment.objects.count() == 2
    response = Client(REMOTE_ADDR="10.1.2.3").post(url, {"content": "另一个地址"})
    assert response.status_code == 302


def test_an_oversized_request_is_refused(world, open_consultation):
    response = Client().post(f"/portal/consultations/{open_consultation.pk}/", {"content": "长" * 30000})
    assert response.status_code == 413 and not ConsultationComment.objects.exists()
