"""Time nodes (时间节点) in a real browser on a 390 px phone: the office adds two nodes on the measure
page, whose date field offers no day after the deadline, and the unit marks the
first done with its report's evidence; the section fits the screen and axe finds nothing serious."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ..conftest import PASSWORD
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def measure(transactional_db, live_server, ledger, settings, tmp_path):
    from rectify.ledger.models import Measure

    settings.MEDIA_ROOT = tmp_path
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=date(2026, 12, 31))
    return measure


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/inspections/")


def add(page, day: str, text: str) -> None:
    form = page.locator("#milestone-add")
    form.get_by_label("节点日期").fill(day)
    form.get_by_label("节点任务（到期应完成的内容）").fill(text)
    form.get_by_role("button", name="增加时间节点").click()
    page.wait_for_load_state()


def test_office_plans_nodes_and_the_unit_marks_one_done_on_a_phone(page, live_server, measure, world):
    from rectify.progress.services import submit_report

    page.set_viewport_size({"width": 390, "height": 844})
    url = f"{live_server.url}/measures/{measure.pk}/"
    log_in(page, live_server.url, "alice")
    page.goto(url)
    # The browser itself offers no date after the deadline (the server's refusal is tested apart).
    assert page.locator("#milestone-due").get_attribute("max") == "2026-12-31"
    add(page, "2026-06-30", "出台制度")
    add(page, "2026-03-31", "完成制度起草")
    items = page.locator(".milestone-list > li")
    assert items.count() == 2
    assert "完成制度起草" in items.nth(0).inner_text() and "出台制度" in items.nth(1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "措施页（时间节点）")

    submit_report(
        world.bob,
        measure.pk,
        text="制度草案已完成。",
        files=[SimpleUploadedFile("制度草案.pdf", PDF, content_type="application/pdf")],
    )
    page.context.clear_cookies()
    log_in(page, live_server.url, "bob")
    page.goto(url)
    first = page.locator(".milestone-list > li").nth(0)
    first.get_by_role("button", name="标记完成").click()
    page.wait_for_load_state()
    first = page.locator(".milestone-list > li").nth(0)
    assert "已完成" in first.inner_text() and "包博" in first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "措施页（时间节点已完成）")
