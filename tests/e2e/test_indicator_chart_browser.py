"""Indicator charts in a real browser: ECharts draws the values against the target on the measure
page, the data table holds the same numbers, and a value recorded through the form joins the chart."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser

VALUES = ["60.5", "75", "82.25", "90"]


@pytest.fixture
def indicator(transactional_db, live_server, ledger, world):
    from rectify.progress.services import add_indicator, add_observation

    measure = ledger.measures[(1, 1)]
    indicator = add_indicator(
        world.alice,
        measure.pk,
        name="案件线上办理率",
        unit="%",
        baseline=Decimal("60"),
        target=Decimal("95"),
        direction="increase",
    )
    today = timezone.localdate()
    for n, value in enumerate(VALUES):
        add_observation(
            world.bob,
            indicator.pk,
            observed_on=today - timedelta(days=30 * (len(VALUES) - n)),
            value=Decimal(value),
        )
    return indicator


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/inspections/")


def chart_points(page, chart_id: str) -> list:
    return page.evaluate(
        """id => {
            const chart = echarts.getInstanceByDom(document.getElementById(id));
            return chart.getOption().series[0].data.map(point => point.value);
        }""",
        chart_id,
    )


def test_measure_page_draws_the_chart_and_the_table_holds_the_same_numbers(page, live_server, indicator):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "favicon" not in message.location.get("url", "")
            and errors.append(f"{message.text} {message.location}")
        ),
    )
    log_in(page, live_server.url, "bob")
    page.goto(f"{live_server.url}/measures/{indicator.measure_id}/")

    card = page.locator(f"#indicator-{indicator.pk}")
    chart = card.locator(".indicator-chart")
    chart.locator("canvas, svg").first.wait_for()  # ECharts drew inside the chart container
    assert chart.locator("canvas, svg").count() >= 1
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert chart.get_attribute("role") == "img" and "案件线上办理率" in chart.get_attribute("aria-label")

    points = chart_points(page, f"indicator-chart-{indicator.pk}")
    assert [value for _, value in points] == [float(v) for v in VALUES]
    mark_lines = page.evaluate(
        """id => echarts.getInstanceByDom(document.getElementById(id))
                 .getOption().series[0].markLine.data.map(line => line.yAxis)""",
        f"indicator-chart-{indicator.pk}",
    )
    assert mark_lines == [95, 60]  # the target, and the baseline

    # The warning is shown, and the table view holds the same numbers, with the same dates.
    assert "未达目标" in card.locator(".indicator-warning").inner_text()
    card.locator("summary", has_text="数据表（4 个数值）").click()
    table = card.get_by_role("table", name="案件线上办理率的填报数值")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert [rows.nth(n).locator("td").nth(1).inner_text() for n in range(rows.count())] == VALUES
    dates = [rows.nth(n).locator("td").first.inner_text() for n in range(rows.count())]
    assert dates == [date for date, _ in points]

    # A value recorded through the form joins the chart and the table.
    card.locator("summary", has_text="填报数值").click()
    card.get_by_label("观测日期").fill(timezone.localdate().isoformat())
    card.get_by_label("数值（%）").fill("96")
    card.get_by_role("button", name="填报").click()
    page.wait_for_url(f"**/measures/{indicator.measure_id}/#indicator-{indicator.pk}")
    assert "已填报" in page.locator(".messages").inner_text()
    chart.locator("canvas, svg").first.wait_for()
    assert [value for _, value in chart_points(page, f"indicator-chart-{indicator.pk}")][-1] == 96
    assert card.locator(".indicator-warning").count() == 0 and "已达到目标值" in card.inner_text()
    assert errors == []


def test_indicator_page_draws_the_same_chart(page, live_server, indicator):
    log_in(page, live_server.url, "vera")  # a supervisor reads; no form
    page.goto(f"{live_server.url}/indicators/{indicator.pk}/")
    chart = page.locator(f"#indicator-chart-{indicator.pk}")
    chart.locator("canvas, svg").first.wait_for()
    table = page.get_by_role("table", name="案件线上办理率的填报数值")
    assert table.is_visible()  # open on this page
    cells = table.locator("tbody td.num-wide").all_inner_texts()
    assert cells == VALUES
    assert [value for _, value in chart_points(page, f"indicator-chart-{indicator.pk}")] == [
        float(v) for v in VALUES
    ]
    assert page.locator("form[action$='/observations/']").count() == 0
