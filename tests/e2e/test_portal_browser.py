"""The public notice in a real browser: the office drafts, edits and submits it, the office head
accepts it, the party head approves it and the office publishes it, each signing in through the
login form; then an anonymous visitor reads it on the portal, switches the font size and elder mode
(remembered across pages), and axe-core finds no serious or critical violation on any portal page,
in normal and in elder mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from .session import Session as BaseSession

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CREDIT = "11440100TESTA0001X"


@pytest.fixture
def server(ledger, world, live_server):
    """The conftest ledger served for real, with bureau A's credit code, its office head (Olga)
    and its party head (Paula, named in the warning policy)."""
    from rectify.org.models import Membership, Role, User
    from rectify.supervision.models import WarningPolicy

    bureau = world.orgs["a"]
    bureau.credit_code = CREDIT
    bureau.save()
    for username, name, role in (("olga", "欧佳", Role.OFFICE), ("paula", "潘莉", Role.LEADER)):
        user = User.objects.create_user(username, password=PASSWORD, full_name=name)
        Membership.objects.create(user=user, organisation=bureau, role=role)
    WarningPolicy.objects.create(organisation=bureau, party_head=User.objects.get(username="paula"))
    return live_server.url


class Session(BaseSession):
    """The browser as whoever signed in last, deciding on publications."""

    def decide(self, publication_url: str, button: str, comment: str = "") -> None:
        page = self.page
        page.goto(publication_url)
        if comment:
            page.get_by_label("意见（可不填）").first.fill(comment)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".messages")).to_be_visible()


def assert_accessible(page: Page, label: str) -> None:
    """axe-core on the page as it is: no serious or critical violation (printed when there are)."""
    # Evaluated through the DevTools protocol: a <script> tag added to the page would be refused by
    # the site's Content Security Policy, as it should be.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    report = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]][:5],
        }
        for v in bad
    ]
    if report:
        print(f"axe violations on {label}:\n" + json.dumps(report, ensure_ascii=False, indent=2))
    assert not report, f"{label}: {[item['id'] for item in report]}"


def test_publish_through_the_workflow_and_read_it_as_the_public(page, browser, server, ledger):
    inspection = ledger.inspection
    session = Session(page, server)

    # The office drafts from the ledger, rewords a measure and submits.
    session.sign_in("alice")
    page.goto(f"{server}/publications/inspection/{inspection.pk}/")
    page.get_by_role("button", name="根据台账起草通报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("修改通报稿（第1版）")
    page.get_by_label("问题1 措施1（必填）").fill("规范执法程序，编制执法工作手册。")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".messages")).to_contain_text("通报现为“待整改办审核”")
    publication_url = page.url
    assert re.search(r"/publications/\d+/$", publication_url)
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)  # not the drafter's to review

    # The office head accepts; the party head approves; the office publishes.
    session.sign_in("olga")
    session.decide(publication_url, "审核通过", "同意提交领导小组组长审批。")
    expect(page.locator(".messages")).to_contain_text("待领导小组组长审批")
    session.sign_in("larry")
    page.goto(publication_url)
    expect(page.get_by_role("button", name="批准发布")).to_have_count(0)  # a leader, but not the head
    session.sign_in("paula")
    session.decide(publication_url, "批准发布")
    expect(page.locator(".messages")).to_contain_text("已批准，待发布")
    session.sign_in("alice")
    session.decide(publication_url, "发布")
    expect(page.locator(".messages")).to_contain_text(f"已发布，索引号 {CREDIT}/")

    # An anonymous visitor reads it on the portal.
    visitor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    public = visitor.new_page()
    public.set_default_timeout(15000)
    try:
        public.goto(f"{server}/portal/")
        expect(public.get_by_role("heading", level=1)).to_have_text("巡察整改进展情况通报")
        assert_accessible(public, "list")
        link = public.get_by_role("link", name="中共甲局党组关于巡察整改进展情况的通报")
        link.click()
        expect(public.get_by_role("heading", level=1)).to_have_text("中共甲局党组关于巡察整改进展情况的通报")
        meta = public.get_by_role("table")
        expect(meta).to_contain_text(f"{CREDIT}/")
        expect(meta).to_contain_text("机关党建、通告")
        expect(public.locator(".portal-body")).to_contain_text("规范执法程序，编制执法工作手册。")
        expect(public.locator("[data-view-count]")).to_have_text("1")
        for name in ("艾丽", "欧佳", "潘莉", "同意提交领导小组组长审批。"):
            expect(public.locator("body")).not_to_contain_text(name)
        assert_accessible(public, "notice")

        # Font size: 大, remembered on the next page; pressed state announced.
        root = public.locator("html")
        large = public.get_by_role("button", name="大", exact=True)
        expect(public.get_by_role("button", name="中", exact=True)).to_have_attribute("aria-pressed", "true")
        size_before = public.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        large.click()
        expect(root).to_have_attribute("data-font", "large")
        expect(large).to_have_attribute("aria-pressed", "true")
        expect(public.get_by_role("button", name="中", exact=True)).to_have_attribute("aria-pressed", "false")
        size_large = public.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert size_large > size_before

        # 长者模式: larger still, higher contrast, remembered.
        elder = public.get_by_role("button", name="长者模式")
        expect(elder).to_have_attribute("aria-pressed", "false")
        elder.click()
        expect(elder).to_have_attribute("aria-pressed", "true")
        expect(root).to_have_class(re.compile(r"\belder\b"))
        size_elder = public.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert size_elder > size_large
        assert_accessible(public, "notice (长者模式)")
        public.reload()
        expect(root).to_have_class(re.compile(r"\belder\b"))
        expect(root).to_have_attribute("data-font", "large")
        # The reload is counted, but the page is the one kept from the first view (portal.pages):
        # its count reaches the page when the page is rendered again.
        expect(public.locator("[data-view-count]")).to_have_text("1")
        public.get_by_role("link", name="通报列表").click()
        expect(root).to_have_class(re.compile(r"\belder\b"))
        expect(public.get_by_role("button", name="长者模式")).to_have_attribute("aria-pressed", "true")
        assert_accessible(public, "list (长者模式)")
        public.get_by_role("button", name="长者模式").click()
        public.get_by_role("button", name="小", exact=True).click()
        expect(root).not_to_have_class(re.compile(r"\belder\b"))
        expect(root).to_have_attribute("data-font", "small")

        # The filters work (without script too: a plain GET form).
        public.get_by_label("发布年度").select_option(index=1)
        public.get_by_role("button", name="筛选").click()
        expect(public.get_by_role("status")).to_contain_text("共 1 篇通报")
        assert_accessible(public, "list (filtered)")

        # A notice that is not (or not yet) published: the portal's own not-found page.
        public.goto(f"{server}/portal/notices/999999/")
        expect(public.get_by_role("heading", level=1)).to_have_text("通报不存在")
        assert_accessible(public, "not found (长者模式 off, 小)")
        public.go_back()

        # Printing keeps the notice only.
        public.get_by_role("link", name="中共甲局党组关于巡察整改进展情况的通报").click()
        public.emulate_media(media="print")
        expect(public.locator(".portal-header")).to_be_hidden()
        expect(public.locator(".portal-body")).to_be_visible()
    finally:
        visitor.close()


def test_the_portal_reads_without_javascript(browser, server, ledger, world):
    from rectify.org.models import User

    from ..publications.test_publishing import publish_through

    world.people.update({name: User.objects.get(username=name) for name in ("olga", "paula")})
    published = publish_through(ledger.inspection, world, approver="paula")  # the party head approves
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{server}/portal/")
        expect(page.locator("[data-portal-tools]")).to_be_hidden()  # the optional switchers need script
        page.get_by_label("发布机构").select_option(label="甲局")
        page.get_by_role("button", name="筛选").click()
        expect(page.get_by_role("status")).to_contain_text("共 1 篇通报")
        page.get_by_role("link", name=published.title).click()
        expect(page.get_by_role("table")).to_contain_text(published.index_number)
        expect(page.get_by_text("打印本页：使用浏览器的打印功能")).to_be_visible()
    finally:
        context.close()
