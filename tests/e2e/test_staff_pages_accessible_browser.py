"""The staff pages added for feedback and insights, in a real browser on the demo: each opens for
the office without a script error, and axe-core finds no serious or critical violation."""

from __future__ import annotations

import pytest

from rectify.feedback.models import Consultation, FeedbackItem, HotlineBatch, QrCode

from .session import Session
from .test_dashboard_browser import watch_errors
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser


def test_new_staff_pages_are_accessible(demo, page, live_server):
    item = FeedbackItem.objects.filter(status="routed").order_by("pk").first()
    received = FeedbackItem.objects.filter(status="received").order_by("pk").first()
    pages = {
        "意见诉求": "/feedback/",
        "意见诉求详情": f"/feedback/{item.pk}/",
        "分办": f"/feedback/{received.pk}/route/",
        "登记来电来信": "/feedback/new/",
        "意见诉求统计": "/feedback/stats/",
        "二维码": "/feedback/qr/",
        "二维码海报": f"/feedback/qr/{QrCode.objects.order_by('pk').first().pk}/poster/",
        "12345工单导入": "/feedback/hotline/",
        "12345工单批次": f"/feedback/hotline/batches/{HotlineBatch.objects.get().pk}/",
        "征求意见": "/consultations/",
        "征求意见详情": f"/consultations/{Consultation.objects.order_by('pk').first().pk}/",
        "举一反三": "/recurrence/",
        "全文检索": "/search/?q=非法营运",
        "导入台账": "/ledgers/import/",
        "审计日志": "/audit/",
        "安全事件": "/audit/security/",
        "登录记录": "/account/logins/",
    }
    errors = watch_errors(page)
    session = Session(page, live_server.url)
    session.sign_in("office")
    for label, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (label, response.status)
        assert page.locator("h1").count() == 1, label
        assert_accessible(page, label)
    assert not errors, errors
