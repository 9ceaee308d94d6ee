"""An office rectifying two inspections together, on a phone (390 px): the inspection list offers 合并查看,
the ledger's 巡察 checkboxes pick both, each row names its inspection, and nothing is wider than the
screen."""

import pytest
from playwright.sync_api import expect

from rectify.ledger.models import Inspection, Measure
from rectify.notices.importer import import_notice

from ..conftest import small_notice
from .test_layout_browser import PHONE, TOLERANCE, sign_in
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser


def test_the_office_reads_two_inspections_as_one_ledger_on_a_phone(demo, page, live_server):
    second = import_notice(
        small_notice("关于审计整改进展情况的通报"), organisation=demo.inspection.inspected, user=None
    )
    Inspection.objects.filter(pk=second.pk).update(title="2024年审计", kind="audit")
    total = Measure.objects.filter(problem__inspection__in=[demo.inspection, second]).count()

    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/inspections/")
    page.get_by_role("link", name="合并查看整改台账").click()
    page.wait_for_url("**/measures/?inspection=*")
    expect(page.locator(".result-count")).to_contain_text(f"共 {total} 条")

    # The checkboxes (no script needed to submit them): one ticked off narrows the list, htmx swaps it.
    page.goto(f"{live_server.url}/measures/")
    folded = page.locator("details.filter-fold:not([open]) > summary")
    if folded.count():  # a phone folds the filters so the list shows first
        folded.click()
    checkbox = page.get_by_role("checkbox", name="2024年审计")
    checkbox.check()
    expect(page.locator(".result-count")).to_contain_text("共 5 条")
    page.get_by_role("checkbox", name=demo.inspection.title).check()
    expect(page.locator(".result-count")).to_contain_text(f"共 {total} 条")
    assert page.locator(".row-inspection").count() > 0

    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + TOLERANCE, width
    assert_accessible(page, "/measures/ two inspections at 390")
