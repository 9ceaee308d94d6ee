"""The whole rectification cycle in a real browser, each person signing in through the login form:
the office imports the inspection's feedback, a 党组会议 records a decision that becomes a task, the
整改工作方案 is drafted, reviewed and approved, the unit reports a time node done with evidence, the
整改情况报告 is approved and sent to the inspection body, and the 巡察办 evaluates the rectification,
which the organisation then reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .session import Session as BaseSession

pytestmark = pytest.mark.browser

FEEDBACK = Path(__file__).parents[1] / "fixtures" / "notices" / "v3_city_restart_numbering.txt"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def server(world, live_server, settings, tmp_path):
    from rectify.org.models import Membership, Role, User

    from ..conftest import PASSWORD

    settings.MEDIA_ROOT = tmp_path / "media"
    # The office head, who reviews what another member of the office drafted.
    head = User.objects.create_user("olga", password=PASSWORD, full_name="欧佳")
    Membership.objects.create(user=head, organisation=world.orgs["a"], role=Role.OFFICE)
    return live_server.url


class Session(BaseSession):
    def __init__(self, page: Page, base: str, tmp_path: Path):
        super().__init__(page, base)
        self.tmp_path = tmp_path

    def nav(self, name: str) -> None:
        navigation = self.page.get_by_role("navigation", name="主导航")
        link = navigation.get_by_role("link", name=re.compile(f"^{name}"))
        if not link.is_visible():
            navigation.get_by_text("更多", exact=True).click()
        link.click()

    def file(self, name: str, content: bytes = PDF) -> str:
        path = self.tmp_path / name
        path.write_bytes(content)
        return str(path)

    def draft_document(self, kind: str, part: str, wording: str) -> None:
        """From 整改文书, the office drafts a document of `kind` for the (only) inspection, rewords
        `part` and saves it."""
        page = self.page
        self.nav("整改文书")
        page.get_by_role("main").get_by_role("link").filter(has_text="巡察").first.click()
        page.get_by_label("文书类型").select_option(label=kind)
        page.get_by_role("button", name="起草").click()
        self.expect_message(f"已根据台账生成{kind}")
        page.get_by_label(part).fill(wording)
        page.get_by_role("button", name="保存").click()
        expect(page.get_by_role("navigation", name="位置")).to_contain_text(f"{kind}第1版")
        expect(page.get_by_role("main")).to_contain_text(wording)

    def take_through_approval(self, approve: str) -> str:
        """The drafter submits, the office head accepts, the leader approves: each signs in and finds
        the document under 整改文书."""
        page = self.page
        title = page.get_by_role("heading", level=1).first.inner_text().split("（")[0]
        page.get_by_role("button", name="提交审核").click()
        self.expect_message("提交审核")
        for person, button in (("olga", "审核通过"), ("larry", approve)):
            self.sign_in(person)
            self.nav("整改文书")
            page.get_by_role("link", name=title).first.click()
            page.get_by_role("button", name=button, exact=True).click()
            self.expect_message(button)
        return page.url

    def expect_message(self, text: str) -> None:
        expect(self.page.locator(".messages")).to_contain_text(text)


def test_from_feedback_to_the_inspection_offices_evaluation(page, server, world, tmp_path):
    from rectify.ledger.models import Inspection, Measure

    browser = Session(page, server, tmp_path)

    # 1. The office imports the feedback: the notice is read, previewed and written into the ledger.
    browser.sign_in("alice")
    browser.nav("导入通报")
    page.get_by_label("被巡察组织").select_option(label="甲局")
    page.get_by_label("通报文件").set_input_files(str(FEEDBACK))
    page.get_by_role("button", name="上传并预览").click()
    page.get_by_role("button", name="确认导入").click()
    browser.expect_message("已导入巡察")
    inspection = Inspection.objects.get(inspected=world.orgs["a"])
    measure = Measure.objects.filter(problem__inspection=inspection).order_by("problem__number", "order")[0]
    measure_url = f"{server}/measures/{measure.pk}/"

    # The office hands the first measure to the enforcement unit, with a deadline.
    page.goto(f"{measure_url}edit/")
    page.get_by_label("主责单位").select_option(label="甲局执法支队")
    page.get_by_label("整改时限").fill("2099-12-31")
    page.get_by_role("button", name="保存").click()
    browser.expect_message("已保存")

    # 2. A 党组会议 records a decision on the first problem and hands it to the unit as a task.
    browser.nav("整改会议")
    page.get_by_role("link", name=re.compile("登记会议")).first.click()
    page.get_by_label("党组会议").check()
    page.get_by_label("会议日期").fill("2024-09-20")
    page.get_by_label("会议名称").fill("局党组会议专题研究巡察整改工作")
    page.get_by_label("主持人").select_option(label="李瑞")
    page.get_by_label("会议纪要").set_input_files(browser.file("党组会议纪要.pdf"))
    page.get_by_role("button", name="保存").click()
    browser.expect_message("党组会议")
    page.get_by_role("link", name="记录决定事项").click()
    page.get_by_label("决定事项").fill("由执法支队牵头制定稳就业政策宣传工作方案，9月底前报局党组。")
    page.get_by_role("group", name="相关问题").get_by_role("checkbox").first.check()
    page.get_by_label("承办单位").select_option(label="甲局执法支队")
    page.get_by_label("完成时限").fill("2099-09-30")
    page.get_by_role("button", name="保存").click()
    decision = page.get_by_role("heading", name=re.compile("由执法支队牵头制定稳就业政策宣传工作方案"))
    expect(decision).to_be_visible()

    # 3. The 整改工作方案, drafted from the ledger, reviewed by the office head, approved by the leader.
    browser.draft_document(
        "整改工作方案", "四、工作要求", "各责任单位每月25日前报送整改进展，整改办汇总后报局党组。"
    )
    expect(page.get_by_role("main")).to_contain_text("问题清单")
    browser.take_through_approval(approve="批准")

    # 4. The office sets a time node; the unit reports with evidence and marks the node done.
    browser.sign_in("alice")
    page.goto(measure_url)
    form = page.locator("#milestone-add")
    form.get_by_label("节点日期").fill("2099-06-30")
    form.get_by_label("节点任务（到期应完成的内容）").fill("形成政策明白卡")
    form.get_by_role("button", name="增加时间节点").click()
    expect(page.locator(".milestone-list > li")).to_contain_text("形成政策明白卡")

    browser.sign_in("bob")
    browser.nav("我的整改")
    page.get_by_role("row").filter(has_text=measure.text[:10]).get_by_role("link", name="报送进展").click()
    page.get_by_label("进展情况").fill("已形成稳就业政策明白卡，并通过政务新媒体推送。")
    page.get_by_label("佐证材料（可多选）").set_input_files([browser.file("政策明白卡.pdf")])
    page.get_by_role("button", name="报送", exact=True).click()
    page.wait_for_url(re.compile(r".*/measures/\d+/#reports$"))
    node = page.locator(".milestone-list > li").first
    node.get_by_role("button", name="标记完成").click()
    expect(page.locator(".milestone-list > li").first).to_contain_text("已完成")

    # The office accepts the report.
    browser.sign_in("alice")
    browser.nav("待审核进展")
    page.get_by_role("article").filter(has_text="政策明白卡").get_by_role("button", name="采纳").click()
    browser.expect_message("已采纳")

    # 5. The 整改情况报告 to the inspection body: drafted from the ledger, approved, then sent.
    browser.draft_document(
        "整改情况报告", "五、下一步工作", "持续巩固整改成效，对已完成的整改事项适时开展回头看。"
    )
    # It counts the meeting and says where each measure stands, never better than the ledger.
    expect(page.get_by_role("main")).to_contain_text("共召开党组会议1次")
    expect(page.get_by_role("main")).to_contain_text("目前正在推进，计划于2099年12月31日前完成")
    report_url = browser.take_through_approval(approve="批准")
    browser.sign_in("alice")
    page.goto(report_url)
    page.get_by_role("button", name="报送").click()
    expect(page.locator(".facts, main").first).to_contain_text("已报送")

    # 6. The 巡察办 sees the organisation it inspected and evaluates the rectification.
    browser.sign_in("sam")
    browser.nav("整改评估")
    row = page.get_by_role("row").filter(has_text="甲局")
    # The report was due two months after the 2024 feedback: it is received, late.
    expect(row).to_contain_text("逾期报送")
    row.get_by_role("link").first.click()
    for field in page.get_by_label(re.compile("得分（满分")).all():
        field.fill(field.get_attribute("max") or "10")
    page.get_by_label("评估结果").select_option(label="较好")
    page.get_by_label("评估意见").fill("整改工作部署及时，整改情况报告按要求报送，建议持续巩固整改成效。")
    page.get_by_role("button", name="保存并反馈被巡察单位").click()
    browser.expect_message("反馈")

    # The organisation's office reads it.
    browser.sign_in("alice")
    browser.nav("整改评估")
    expect(page.get_by_role("main")).to_contain_text("较好")
