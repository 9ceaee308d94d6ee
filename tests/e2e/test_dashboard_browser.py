"""The dashboard of the demo in a real browser: the office signs in through the login form, every
chart container gets an ECharts canvas of real size drawn from the same numbers as its table view,
every table view is there with the dashboard's numbers, and axe-core finds no serious or critical
violation, on the page of the inspection and on the page of all inspections."""

from __future__ import annotations

import re

import pytest

from rectify.insights import services
from rectify.org.models import User

from .session import Session
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser

STACK = ("signed_off", "ongoing", "in_progress", "not_started")


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "favicon" not in message.location.get("url", "")
            and errors.append(f"{message.text} {message.location}")
        ),
    )
    return errors


def assert_every_chart_drawn(page) -> list[str]:
    """Each chart container holds a canvas of real size, drawn by ECharts; returns their ids."""
    ids = page.eval_on_selector_all(".dashboard-chart", "nodes => nodes.map(node => node.id)")
    assert ids
    for chart_id in ids:
        container = page.locator(f"#{chart_id}")
        canvas = container.locator("canvas").first
        canvas.wait_for()
        box = canvas.bounding_box()
        assert box["width"] > 200 and box["height"] > 150, chart_id
        size = canvas.evaluate("canvas => [canvas.width, canvas.height]")
        assert size[0] > 0 and size[1] > 0, chart_id
        assert container.get_attribute("role") == "img" and "数据表" in container.get_attribute("aria-label")
        assert page.evaluate("id => !!echarts.getInstanceByDom(document.getElementById(id))", chart_id)
    return ids


def series_data(page, chart_id: str) -> list[list]:
    """The values each series of a chart draws (plain numbers, whatever form the option gives)."""
    return page.evaluate(
        """id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series.map(
               series => series.data.map(point => typeof point === 'object' ? point.value : point))""",
        chart_id,
    )


def open_tables(page) -> None:
    for summary in page.locator("details.dashboard-data > summary").all():
        if not summary.evaluate("node => node.parentElement.open"):
            summary.click()


def column(page, table: str, figure: str) -> list[int]:
    cells = page.locator(f'table[data-table="{table}"] tbody td[data-figure="{figure}"]').all_inner_texts()
    return [int(re.sub(r"\D", "", cell)) for cell in cells]


def test_the_office_sees_every_chart_drawn_with_its_table(page, live_server, demo):
    errors = watch_errors(page)
    Session(page, live_server.url).sign_in("office")
    office = User.objects.get(username="office")
    board = services.dashboard(office, demo.inspection.pk)

    page.get_by_role("link", name="数据看板", exact=True).click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.get_by_label("巡察", exact=True).select_option(str(demo.inspection.pk))
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(f"{live_server.url}/dashboard/inspections/{demo.inspection.pk}/")

    drawn = assert_every_chart_drawn(page)
    expected = {"status", "warnings", "parts", "problems", "categories", "behind", "units", "leaders"}
    expected |= {"timeline", "indicators"}
    feedback = {"feedback_channels", "feedback_status"} if board.feedback.figures.total else set()
    assert set(drawn) == {f"chart-{name}" for name in expected | feedback}

    # The big numbers.
    cards = page.locator(".dashboard-cards")
    assert cards.locator('[data-stat="measures"] .stat-number').inner_text() == str(board.totals.measures)
    assert cards.locator('[data-stat="overdue"] .stat-number').inner_text() == str(board.totals.overdue)
    assert cards.locator('[data-stat="completion_rate"] .stat-number').inner_text() == (
        f"{board.totals.completion_rate}%"
    )

    # Every table view is there, with the numbers of the dashboard and of its chart.
    open_tables(page)
    tables = page.eval_on_selector_all("table.dashboard-table", "nodes => nodes.map(n => n.dataset.table)")
    feedback_tables = {"feedback-channels", "feedback-status", "feedback-kinds"} if feedback else set()
    if board.feedback.figures.by_unit:
        feedback_tables.add("feedback-units")
    assert set(tables) == expected | feedback_tables
    for table in tables:
        assert page.locator(f'table[data-table="{table}"] caption').inner_text().strip()
    assert column(page, "status", "total") == [row.count for row in board.by_status]
    assert sorted(series_data(page, "chart-status")[0]) == sorted(
        row.count for row in board.by_status if row.count
    )
    assert column(page, "warnings", "total") == [row.count for row in board.warnings]
    assert series_data(page, "chart-warnings") == [[row.count for row in board.warnings]]
    for table, rows in (
        ("parts", board.by_area),
        ("units", board.by_unit),
        ("leaders", board.by_leader),
        ("categories", board.by_category),
    ):
        assert column(page, table, "total") == [row.figures.total for row in rows], table
        assert column(page, table, "overdue") == [row.figures.overdue for row in rows], table
        drawn_rows = [row for row in rows if row.figures.total]
        assert series_data(page, f"chart-{table}") == [
            [getattr(row.figures, key) for row in drawn_rows] for key in STACK
        ], table
    assert column(page, "problems", "problems") == [row.problems for row in board.by_area]
    assert column(page, "problems", "rectified_problems") == [row.rectified_problems for row in board.by_area]
    assert column(page, "timeline", "signed_off_cumulative") == [
        p.signed_off_cumulative for p in board.timeline
    ]
    assert series_data(page, "chart-timeline")[3] == [p.signed_off_cumulative for p in board.timeline]
    assert column(page, "behind", "overdue") == [row.figures.overdue for row in board.behind]
    assert page.locator('table[data-table="indicators"] tbody tr').count() == board.indicators.total

    # A link of a table view opens the ledger on that number.
    first_area = board.by_area[0]
    page.locator('table[data-table="parts"] tbody tr').first.locator('td[data-figure="total"] a').click()
    page.wait_for_url(re.compile(r".*/measures/\?.*area=.*"))
    assert page.locator(".result-count strong").inner_text() == str(first_area.figures.total)

    page.go_back()
    page.wait_for_url(f"{live_server.url}/dashboard/inspections/{demo.inspection.pk}/")
    assert_every_chart_drawn(page)
    assert_accessible(page, "数据看板（一次巡察）")
    assert errors == []


def test_the_dashboard_of_all_inspections_and_of_a_liaison(page, live_server, demo):
    from rectify.feedback import services as feedback

    office = User.objects.get(username="office")
    for channel, kind in (("phone", "opinion"), ("letter", "demand"), ("email", "opinion")):
        feedback.register_item(
            office,
            organisation=demo.inspection.inspected,
            channel=channel,
            kind=kind,
            content="关于整改进展的意见。",
            inspection=demo.inspection,
        )
    errors = watch_errors(page)
    session = Session(page, live_server.url)
    session.sign_in("supervisor")
    page.goto(f"{live_server.url}/dashboard/")
    drawn = assert_every_chart_drawn(page)
    assert {"chart-parts", "chart-feedback_channels", "chart-feedback_status"} <= set(drawn)
    board = services.dashboard(User.objects.get(username="supervisor"))
    open_tables(page)
    assert column(page, "parts", "total") == [row.figures.total for row in board.by_inspection]
    assert column(page, "feedback-channels", "total") == [row.count for row in board.feedback.by_channel]
    assert series_data(page, "chart-feedback_channels") == [[row.count for row in board.feedback.by_channel]]
    assert page.locator('[data-stat="feedback_open"] .stat-number').inner_text() == str(
        board.feedback.figures.open
    )
    assert board.feedback.figures.open >= 3  # the three registered above wait for an answer
    assert_accessible(page, "数据看板（全部巡察）")

    session.sign_in("unit")
    page.goto(f"{live_server.url}/dashboard/inspections/{demo.inspection.pk}/")
    assert_every_chart_drawn(page)
    mine = services.dashboard(User.objects.get(username="unit"), demo.inspection.pk)
    assert page.locator('[data-stat="measures"] .stat-number').inner_text() == str(mine.totals.measures)
    assert mine.totals.measures < board.totals.measures
    assert errors == []
