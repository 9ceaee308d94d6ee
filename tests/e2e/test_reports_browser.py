"""整改文书 in a real browser on a 390 px phone: the office reaches them from 更多, drafts a 整改情况报告
from the inspection's page, saves its wording and submits it; every page fits the screen and axe
finds nothing serious."""

import pytest

from ..conftest import PASSWORD
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def inspection(transactional_db, live_server, ledger):
    return ledger.inspection


def fits(page, label: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, label
    assert_accessible(page, label)


def test_the_office_drafts_edits_and_submits_a_report_on_a_phone(page, live_server, inspection):
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/inspections/")
    page.goto(f"{base}/rectification-documents/")
    fits(page, "整改文书")
    page.get_by_role("link", name=inspection.title).first.click()
    page.wait_for_url(f"{base}/rectification-documents/inspection/{inspection.pk}/")
    fits(page, "本次巡察的整改文书")
    page.get_by_label("文书类型").select_option("situation")
    page.get_by_role("button", name="起草").click()
    page.wait_for_url("**/edit/")
    fits(page, "修改整改情况报告")
    page.get_by_label("开头").fill("我局党组高度重视巡察整改。现将整改情况报告如下。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "我局党组高度重视巡察整改。" in page.locator(".notice-preview").inner_text()
    fits(page, "整改情况报告")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "待整改办审核" in page.locator("dl.facts").inner_text()
