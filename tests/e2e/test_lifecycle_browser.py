"""One measure's whole life in a real browser, each person signing in through the login form in
turn: report with a PDF, returned, answered, accepted, three-level sign-off, a follow-up finding a
relapse, reported again, signed off again; and the measure's 变更记录 tells it all."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .session import Session as BaseSession

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def server(ledger, live_server, settings, tmp_path):
    """The conftest ledger (transactional here, as live_server asks) served for real."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return live_server.url


class Session(BaseSession):
    """The browser as whoever signed in last, with a folder for the files it uploads."""

    def __init__(self, page: Page, base: str, tmp_path):
        super().__init__(page, base)
        self.tmp_path = tmp_path

    def nav(self, name: str) -> None:
        self.page.get_by_role("navigation", name="主导航").get_by_role("link", name=name).click()

    def evidence(self, name: str) -> str:
        path = self.tmp_path / name
        path.write_bytes(PDF)
        return str(path)

    def fill_report(self, text: str, files: list[str], percent: str = "") -> None:
        page = self.page
        page.get_by_label("进展情况").fill(text)
        if percent:
            page.get_by_label("完成比例（%）").fill(percent)
        page.get_by_label("佐证材料（可多选）").set_input_files([self.evidence(name) for name in files])
        page.get_by_role("button", name="报送", exact=True).click()
        page.wait_for_url(re.compile(r".*/measures/\d+/#reports$"))

    def approve_through_three_levels(self, warning: str = "") -> None:
        """Each level approves; when the accepted report is short of done, each sees `warning` and
        must write a comment."""
        page = self.page
        for name in ("hana", "alice", "larry"):
            self.sign_in(name)
            self.nav("待审批销号")
            item = page.get_by_role("article").filter(has_text="规范执法程序")
            if warning:
                expect(item.get_by_role("note")).to_contain_text(warning)
            label = "审批意见（必填）" if warning else "审批意见（可不填）"
            item.get_by_label(label).fill(f"{name} 同意销号。")
            item.get_by_role("button", name="同意").click()
            expect(page.locator(".messages")).to_contain_text("已同意措施 1.1的销号申请")


def test_a_measure_from_first_report_through_relapse_to_sign_off(page, server, ledger, tmp_path):
    measure = ledger.measures[(1, 1)]
    measure_url = f"{server}/measures/{measure.pk}/"
    browser = Session(page, server, tmp_path)

    # The liaison reports, with a PDF, from 我的整改.
    browser.sign_in("bob")
    browser.nav("我的整改")
    row = page.get_by_role("row").filter(has_text="规范执法程序")
    expect(row).to_contain_text("尚未报送整改进展")
    row.get_by_role("link", name="报送进展").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("报送整改进展")
    browser.fill_report("已制定执法规范，正在组织实施。", ["执法规范.pdf"], percent="40")
    expect(page.locator(".messages")).to_contain_text("已报送措施 1.1的整改进展")
    expect(page.get_by_role("link", name="执法规范.pdf")).to_be_visible()

    # The office returns it with a reason.
    browser.sign_in("alice")
    browser.nav("待审核进展")
    item = page.get_by_role("article").filter(has_text="规范执法程序")
    item.get_by_label("退回理由（必填）").fill("佐证材料不完整，请补充培训记录。")
    item.get_by_role("button", name="退回").click()
    expect(page.locator(".messages")).to_contain_text("已退回措施 1.1的整改进展")
    expect(page.get_by_text("没有待审核的整改进展报告。")).to_be_visible()

    # The unit sees the reason and answers with a second version.
    browser.sign_in("bob")
    browser.nav("我的整改")
    row = page.get_by_role("row").filter(has_text="规范执法程序")
    expect(row).to_contain_text("佐证材料不完整，请补充培训记录。")
    row.get_by_role("link", name="答复退回").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("答复退回的报告")
    expect(page.get_by_text("佐证材料不完整，请补充培训记录。").first).to_be_visible()
    browser.fill_report("已补充培训记录。", ["培训记录.pdf"], percent="80")
    expect(page.get_by_role("heading", name="（第 2 版）")).to_be_visible()

    # The office accepts it.
    browser.sign_in("alice")
    browser.nav("待审核进展")
    item = page.get_by_role("article").filter(has_text="规范执法程序")
    expect(item).to_contain_text("答复的第 1 版")
    item.get_by_role("button", name="采纳").click()
    expect(page.locator(".messages")).to_contain_text("已采纳")

    # The unit asks for sign-off; unit head, office and lead leader approve in turn.
    browser.sign_in("bob")
    page.goto(measure_url)
    page.get_by_label("申请说明").fill("各项整改已完成，佐证材料齐全。")
    page.get_by_role("button", name="申请销号").click()
    expect(page.locator(".messages")).to_contain_text("已提交措施 1.1的销号申请")
    browser.approve_through_three_levels(warning="最近一次采纳的进展报告完成比例为 80%，尚未达到完成阶段")
    expect(page.locator(".messages")).to_contain_text("该措施已销号")

    # The office schedules a follow-up and finds a relapse.
    browser.sign_in("alice")
    page.goto(measure_url)
    page.get_by_label("计划检查日期").fill("2030-06-01")
    page.get_by_role("button", name="安排回头看").click()
    expect(page.locator(".messages")).to_contain_text("已安排措施 1.1的回头看")
    page.get_by_label("反弹", exact=True).check()
    page.get_by_label("检查情况").fill("抽查发现执法程序问题再次出现。")
    page.get_by_label("新的整改时限").fill("2099-06-30")
    page.get_by_role("button", name="记录检查结果").click()
    expect(page.get_by_role("heading", name="回头看发现反弹，措施重新整改")).to_be_visible()
    expect(page.locator(".alert-reopen")).to_contain_text("抽查发现执法程序问题再次出现。")

    # The unit sees the relapse, reports again; the office accepts; sign-off again.
    browser.sign_in("bob")
    browser.nav("我的整改")
    row = page.get_by_role("row").filter(has_text="规范执法程序")
    expect(row).to_contain_text("回头看发现反弹：抽查发现执法程序问题再次出现。")
    row.get_by_role("link", name="重新整改并报送").click()
    browser.fill_report("已重新整改，建立执法程序月度检查。", ["月度检查.pdf"], percent="100")
    browser.sign_in("alice")
    browser.nav("待审核进展")
    page.get_by_role("article").filter(has_text="规范执法程序").get_by_role("button", name="采纳").click()
    expect(page.locator(".messages")).to_contain_text("已采纳")
    browser.sign_in("bob")
    page.goto(measure_url)
    page.get_by_role("button", name="申请销号").click()
    expect(page.locator(".messages")).to_contain_text("已提交措施 1.1的销号申请")
    browser.approve_through_three_levels()

    # Signed off, the relapse cleared, and the history tells every step.
    page.goto(measure_url)
    expect(page.locator(".facts .status")).to_have_text("已销号")
    expect(page.locator(".alert-reopen")).to_have_count(0)
    expect(page.locator(".signoff-card.signoff-approved")).to_have_count(2)
    history = page.locator("section", has=page.get_by_role("heading", name="变更记录"))
    steps = ("报送第 1 版进展", "退回进展报告", "申请销号", "同意销号申请")
    steps += ("安排回头看", "问题反弹", "措施销号")
    for step in steps:
        expect(history).to_contain_text(step)
