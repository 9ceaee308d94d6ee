"""Public feedback in a real browser (事事有回音): an anonymous visitor leaves an opinion on the portal
and reads the tracking code; the office routes it, the unit replies, the office approves, each
signing in through the login form; the visitor reads the reply with the code. axe-core finds no
serious or critical violation on the form, the confirmation and the tracking page (also in 长者模式),
and the form works without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from .session import Session
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser

OPINION = "环市路施工围挡占用人行道，行人只能走机动车道，请尽快整改。"
REPLY = "经核查施工单位已于本周调整围挡并恢复了人行通道。感谢您的监督。"
CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")


@pytest.fixture
def server(ledger, world, live_server):
    """The conftest ledger served for real, with empty rate-limit counts."""
    cache.clear()
    yield live_server.url
    cache.clear()


def test_an_opinion_is_answered_and_the_visitor_reads_the_reply(page, browser, server):
    visitor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.set_default_timeout(15000)
    try:
        # The visitor leaves an opinion on the portal.
        public.goto(f"{server}/portal/")
        public.get_by_role("link", name="我要留言").click()
        expect(public.get_by_role("heading", level=1)).to_have_text("我要留言")
        assert_accessible(public, "feedback form")
        public.get_by_role("button", name="提交留言").click()  # nothing filled in yet
        summary = public.get_by_role("alert").filter(has_text="未能提交")
        expect(summary).to_be_focused()  # the script takes the reader to the mistakes
        expect(summary).to_contain_text("受理单位：请选择受理单位。")
        assert_accessible(public, "feedback form with errors")
        public.get_by_label("受理单位", exact=True).select_option(label="甲局")
        expect(public.get_by_label("意见建议")).to_be_checked()
        expect(public.get_by_label("企业名称")).to_be_hidden()  # only for 企业诉求
        public.get_by_label("企业诉求").check()
        expect(public.get_by_label("企业名称")).to_be_visible()
        public.get_by_label("意见建议").check()
        public.get_by_label("内容", exact=True).fill(OPINION)
        expect(public.locator(".feedback-counter")).to_have_text(f"已输入 {len(OPINION)} / 2000 字")
        expect(public.locator("#id_website")).not_to_be_in_viewport()  # the honeypot
        public.get_by_role("button", name="提交留言").click()

        expect(public.get_by_role("heading", level=1)).to_have_text("留言已提交")
        code = public.locator("[data-tracking-code]").inner_text().strip()
        assert CODE.fullmatch(code), code
        expect(public).to_have_title(re.compile(f"查询码 {code}"))
        assert code not in public.url
        expect(public.get_by_role("table")).to_contain_text("已受理")
        assert_accessible(public, "confirmation")

        # The office routes it to the law-enforcement unit.
        session = Session(page, server)
        session.sign_in("alice")
        page.goto(f"{server}/feedback/")
        page.get_by_role("link", name=code).click()
        detail_url = page.url
        page.get_by_role("link", name="分办", exact=True).click()
        page.get_by_label("承办单位").select_option(label="甲局执法支队")
        page.get_by_role("button", name="分办", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("已交甲局执法支队办理")

        # The unit drafts the reply and submits it; the office approves it.
        session.sign_in("bob")
        page.goto(detail_url)
        page.get_by_role("link", name="拟写答复").click()
        page.get_by_label("答复内容").fill(REPLY)
        page.get_by_role("button", name="提交整改办审核").click()
        expect(page.locator(".messages")).to_contain_text("答复已提交整改办审核")
        session.sign_in("alice")
        page.goto(detail_url)
        page.get_by_role("button", name="通过并发布").click()
        expect(page.locator(".messages")).to_contain_text("答复已审核发布")

        # The visitor reads the reply with the code, as typed from paper.
        public.get_by_role("link", name="查询答复").first.click()
        expect(public.get_by_role("heading", level=1)).to_have_text("查询答复")
        public.get_by_label("查询码").fill(code.lower().replace("-", " "))
        public.get_by_role("button", name="查询", exact=True).click()
        result = public.locator(".feedback-result")
        expect(result).to_contain_text("已答复")
        expect(result.locator(".feedback-reply-text")).to_contain_text(REPLY)
        expect(result).to_contain_text("甲局执法支队的答复")  # the unit that answered, once it has
        for private in ("艾丽", "包博"):
            expect(public.locator("body")).not_to_contain_text(private)
        assert_accessible(public, "tracking result")

        # 长者模式 keeps the pages readable and accessible.
        public.get_by_role("button", name="长者模式").click()
        expect(public.locator("html")).to_have_class(re.compile(r"\belder\b"))
        assert_accessible(public, "tracking result (长者模式)")
        public.get_by_role("link", name="我要留言").first.click()
        assert_accessible(public, "feedback form (长者模式)")
    finally:
        visitor.close()


def test_the_form_works_without_javascript_and_points_at_mistakes(browser, server):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    public = context.new_page()
    public.set_default_timeout(15000)
    try:
        public.goto(f"{server}/portal/feedback/new/")
        expect(public.locator(".feedback-counter")).to_be_hidden()  # the counter needs script
        expect(public.get_by_label("企业名称")).to_be_visible()  # shown to everyone without script
        public.get_by_label("联系电话（可不填）").fill("12345")
        public.get_by_role("button", name="提交留言").click()

        summary = public.get_by_role("alert").filter(has_text="未能提交")
        expect(summary).to_contain_text("受理单位：请选择受理单位。")
        expect(summary).to_contain_text("内容：请填写内容。")
        expect(summary).to_contain_text("联系电话格式不正确")
        expect(public.get_by_label("联系电话（可不填）")).to_have_value("12345")  # nothing typed is lost
        expect(public.get_by_label("内容", exact=True)).to_have_attribute("aria-invalid", "true")
        summary.get_by_role("link", name=re.compile("^内容")).click()
        assert public.url.endswith("#id_content")

        public.get_by_label("受理单位", exact=True).select_option(label="甲局")
        public.get_by_label("内容", exact=True).fill("公交站台雨棚破损。")
        public.get_by_label("联系电话（可不填）").fill("020-12345678")
        public.get_by_label("我同意工作人员为办理本件通过以上电话或电子邮箱与我联系").check()
        public.get_by_role("button", name="提交留言").click()
        expect(public.get_by_role("heading", level=1)).to_have_text("留言已提交")
        assert CODE.fullmatch(public.locator("[data-tracking-code]").inner_text().strip())
    finally:
        context.close()
