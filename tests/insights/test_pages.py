"""The dashboard pages through the full stack: every chart has its container (role="img", a summary in
aria-label), its JSON, and a table with the same numbers; the inspection picker; and a number of
queries that does not grow with the data."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.feedback import services as feedback_services
from rectify.insights import services
from rectify.ledger.models import Measure, MeasureUnit
from rectify.notices.document import InspectionFacts, NoticeArea, NoticeDocument, NoticeMeasure, NoticeProblem
from rectify.notices.importer import import_notice
from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User
from rectify.progress.models import Indicator, Observation, ProgressReport, SignOff

from .conftest import at, months_ago, signed_in

# The page's queries: session, user, the dashboard's own (SERVICE_QUERIES for one inspection; across
# inspections the summary rows' sums and their direct counts instead, and the feedback's three sums),
# the navigation's counts (4 for the office) and the inspection picker.
PAGE_QUERIES = 31
SERVICE_QUERIES = 22  # access, inspection, statuses, warnings (2), areas (2), units (3), leaders,
# categories, timeline (3), indicators (2), feedback (5 when anything was replied, else 3)


def charts_of(page: str) -> dict:
    found = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_the_inspection_page_has_every_chart_with_its_table(world, lived):
    response = signed_in(world.alice).get(f"/dashboard/inspections/{lived.inspection.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    charts = charts_of(page)
    expected = {"status", "warnings", "parts", "problems", "categories", "behind", "units", "leaders"}
    expected |= {"timeline", "indicators"}
    assert set(charts) == {f"chart-{name}" for name in expected}
    for element_id in charts:
        container = re.search(
            rf'<div class="dashboard-chart" id="{element_id}" role="img" aria-label="([^"]+)"', page
        )
        assert container, element_id
        assert "数据表" in container.group(1)
    for table in expected - {"units"} | {"units"}:
        assert f'data-table="{table}"' in page, table
    assert page.count("<caption>") == len(expected)

    board = response.context["board"]
    assert charts["chart-status"]["items"] == [
        {
            "name": row.label,
            "value": row.count,
            "colour": charts["chart-status"]["items"][n]["colour"],
            "url": row.url,
        }
        for n, row in enumerate(row for row in board.by_status if row.count)
    ]
    parts = charts["chart-parts"]
    assert parts["categories"] == [row.name for row in board.by_area]
    assert [series["values"] for series in parts["series"]] == [
        [getattr(row.figures, key) for row in board.by_area]
        for key in ("signed_off", "ongoing", "in_progress", "not_started")
    ]
    assert charts["chart-timeline"]["months"] == [point.month for point in board.timeline]
    assert charts["chart-timeline"]["series"][3]["values"] == [
        p.signed_off_cumulative for p in board.timeline
    ]
    assert charts["chart-units"]["urls"] == ["", ""]  # a unit's ledger holds more: the table says how many
    assert charts["chart-behind"]["values"] == [1, 1]

    # The big numbers, each a link into the ledger or the warnings.
    assert re.search(
        r'data-stat="measures"><a href="/measures/\?inspection=\d+"><span class="stat-number">5<', page
    )
    assert '<span class="stat-number">60.0%</span>' in page
    assert f'href="/warnings/?inspection={lived.inspection.pk}&amp;level=red"' in page
    assert "另有 1 条已升级" in page
    assert 'href="/dashboard/inspections/' not in page.split("<main")[1].split("数据看板</span>")[0]
    assert page.count('src="/static/insights/dashboard.js"') == 1 and "echarts.min.js" in page


def test_the_page_for_all_inspections_lists_them_and_links_to_each(world, lived):
    page = signed_in(world.sam).get("/dashboard/").content.decode()
    assert f'href="/dashboard/inspections/{lived.inspection.pk}/"' in page
    assert f'href="/dashboard/inspections/{lived.other.pk}/"' in page
    assert '<option value="">全部巡察</option>' in page and "按巡察" in page
    charts = charts_of(page)
    assert charts["chart-parts"]["categories"] == [lived.other.title, lived.inspection.title]


def test_an_empty_dashboard_says_so_instead_of_drawing(world, ledger):
    page = signed_in(world.charlie).get(f"/dashboard/inspections/{ledger.other.pk}/").content.decode()
    charts = charts_of(page)
    assert (
        "chart-timeline" not in charts and "chart-indicators" not in charts and "chart-warnings" not in charts
    )
    assert "暂无可统计的数据" in page and "chart-status" in charts


def test_the_picker_goes_to_the_inspection_page(world, lived):
    client = signed_in(world.alice)
    response = client.get(f"/dashboard/?inspection={lived.inspection.pk}")
    assert (
        response.status_code == 302
        and response["Location"] == f"/dashboard/inspections/{lived.inspection.pk}/"
    )
    bad = client.get("/dashboard/?inspection=abc")
    assert bad.status_code == 400 and "巡察编号“abc”无效" in bad.content.decode()
    assert client.get("/dashboard/").status_code == 200
    assert client.post("/dashboard/").status_code == 405


def test_the_inspection_page_links_to_its_dashboard(world, lived):
    page = signed_in(world.alice).get(f"/inspections/{lived.inspection.pk}/").content.decode()
    assert f'href="/dashboard/inspections/{lived.inspection.pk}/"' in page


def grow(world) -> None:
    """Twice the inspections, many more problems, measures, units, leaders, reports, sign-offs,
    indicators and feedback in bureau A: none of it may cost another query."""
    problems = [
        NoticeProblem(number, f"第{number}个问题", [NoticeMeasure(f"措施{order}。") for order in range(1, 6)])
        for number in range(1, 13)
    ]
    document = NoticeDocument(
        title="中共甲局党组关于第二轮巡察整改进展情况的通报",
        inspection=InspectionFacts(body="市委第二巡察组", theme="专项巡察"),
        areas=[NoticeArea(title=f"关于第{n}方面", problems=problems[n * 4 : n * 4 + 4]) for n in range(3)],
    )
    inspection = import_notice(document, organisation=world.orgs["a"], user=world.alice)
    units = [
        Organisation.objects.create(
            name=f"甲局新单位{n}", code=f"a-new-{n}", kind=OrganisationKind.DEPARTMENT, parent=world.orgs["a"]
        )
        for n in range(8)
    ]
    leaders = []
    for n in range(4):
        leader = User.objects.create_user(f"leader{n}", full_name=f"领导{n}")
        Membership.objects.create(user=leader, organisation=world.orgs["a"], role=Role.LEADER)
        leaders.append(leader)
    today = timezone.localdate()
    statuses = ["not_started", "in_progress", "signoff_requested", "signed_off", "ongoing", "reopened"]
    for n, measure in enumerate(Measure.objects.filter(problem__inspection=inspection).order_by("pk")):
        measure.status = statuses[n % len(statuses)]
        measure.deadline = today + timedelta(days=n * 3 - 60)
        measure.lead_leader = leaders[n % len(leaders)]
        measure.category = ["immediate", "deadline", "long_term"][n % 3]
        measure.save()
        MeasureUnit.objects.create(measure=measure, unit=units[n % len(units)], role="responsible")
        MeasureUnit.objects.create(measure=measure, unit=units[(n + 1) % len(units)], role="supporting")
        report = ProgressReport.objects.create(
            measure=measure,
            period_start=today.replace(day=1),
            period_label="本期",
            text="进展。",
            state="accepted",
            author=world.bob,
            reviewer=world.alice,
            reviewed_at=at(months_ago(n % 6)),
        )
        ProgressReport.objects.filter(pk=report.pk).update(submitted_at=at(months_ago(n % 7)))
        if measure.status == "signed_off":
            SignOff.objects.create(
                measure=measure,
                requested_by=world.bob,
                state="approved",
                level="",
                closed_at=at(months_ago(n % 5)),
            )
        if n % 4 == 0:
            indicator = Indicator.objects.create(
                measure=measure, name=f"指标{n}", baseline=Decimal(0), target=Decimal(10)
            )
            for k in range(3):
                Observation.objects.create(
                    indicator=indicator,
                    observed_on=today - timedelta(days=k),
                    value=Decimal(n % 13),
                    recorded_by=world.alice,
                )
    for n in range(12):
        item = feedback_services.register_item(
            world.alice,
            organisation=world.orgs["a"],
            channel=["phone", "letter", "email", "visit"][n % 4],
            kind=["opinion", "demand"][n % 2],
            content=f"第{n}条意见。",
            inspection=inspection if n % 2 else None,
            received_at=timezone.now() - timedelta(days=n * 5),
        )
        if n % 3:
            feedback_services.route_item(world.alice, item, unit=units[n % len(units)], version=item.version)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_data(world, feedback, django_assert_max_num_queries):
    lived = feedback

    def measure() -> dict[str, int]:
        alice = User.objects.get(username="alice")  # fresh: nothing cached on the user object
        client = signed_in(alice)
        return {
            "service, one inspection": _queries(lambda: services.dashboard(alice, lived.inspection.pk)),
            "service, all": _queries(lambda: services.dashboard(User.objects.get(username="alice"))),
            "page, one inspection": _queries(
                lambda: client.get(f"/dashboard/inspections/{lived.inspection.pk}/")
            ),
            "page, all": _queries(lambda: client.get("/dashboard/")),
            "api, all": _queries(lambda: client.get("/api/v1/stats")),
        }

    small = measure()
    grow(world)
    assert Measure.objects.count() == 70
    large = measure()
    assert large == small
    assert small["service, one inspection"] <= SERVICE_QUERIES
    client = signed_in(User.objects.get(username="alice"))
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(f"/dashboard/inspections/{lived.inspection.pk}/").status_code == 200
