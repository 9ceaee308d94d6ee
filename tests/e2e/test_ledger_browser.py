"""The office's day in a real browser: log in, filter the ledger, open a problem."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "Browser-pass-2025"


@pytest.fixture
def demo_server(transactional_db, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("demo", no_serve=True, password=PASSWORD)
    return live_server.url


def test_office_logs_in_filters_the_ledger_and_opens_a_problem(page, demo_server):
    page.goto(f"{demo_server}/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{demo_server}/inspections/")
    assert page.get_by_role(
        "link", name="市委第七巡察组优化营商环境促进民营经济发展壮大专项巡察"
    ).is_visible()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="整改台账").click()
    page.wait_for_url(f"{demo_server}/measures/")
    # The special inspection's 36 measures and the earlier round's 15, signed off.
    assert "共 51 条整改措施" in page.locator(".result-count").inner_text()

    # htmx swaps the table in place as the filter changes, and puts the filter in the address; 问题方面
    # lists the areas of the inspections ticked, brought in by the same answer.
    page.get_by_role("checkbox", name="市委第七巡察组优化营商环境促进民营经济发展壮大专项巡察").check()
    expect(page.locator(".result-count")).to_contain_text("共 36 条")
    page.get_by_label("问题方面").select_option(label="关于法治环境方面")
    # expect(), not wait_for_function: the site's CSP refuses the eval() that one polls with.
    expect(page.locator(".result-count")).to_contain_text("共 10 条")
    assert "area=" in page.url
    page.get_by_label("关键词").fill("南站")
    expect(page.locator(".result-count")).to_contain_text("共 3 条")

    page.get_by_role("link", name="10. 加强南站非法营运监管的整改").first.click()
    page.wait_for_url("**/problems/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "10. 加强南站非法营运监管的整改"
    measures = page.locator("section", has=page.get_by_role("heading", name="整改措施（3）"))
    assert measures.locator("table tbody tr").count() == 3
    # The earlier round's 南站 problem, signed off, comes up as a similar one (举一反三).
    expect(page.locator("#similar-problems")).to_contain_text("南站")
