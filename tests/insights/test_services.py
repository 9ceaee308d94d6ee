"""insights.services on bureau A's lived ledger: every panel equals the count by hand, the figures
agree with the ledger's own summary and the dispatch report, and the links open the ledger on the
same number of measures."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rectify.errors import AccessDenied, NotFound
from rectify.insights import services
from rectify.ledger.services import summarise
from rectify.progress.models import ProgressReport, SignOff
from rectify.supervision import dispatch

from . import direct
from .conftest import SHANGHAI, at, months_ago, signed_in


def test_every_panel_equals_the_count_by_hand(world, lived):
    board = services.dashboard(world.alice, lived.inspection.pk)
    direct.assert_matches(board, direct.count(world.alice, lived.inspection))

    totals = board.totals
    assert (totals.measures, totals.signed_off, totals.ongoing, totals.overdue) == (5, 2, 1, 2)
    assert (totals.problems, totals.rectified_problems, totals.red, totals.escalated) == (3, 1, 1, 1)
    assert totals.completion_rate == 60.0 and totals.problem_completion_rate == 33.3
    areas = {row.name: row for row in board.by_area}
    assert (areas["关于执法方面"].problems, areas["关于执法方面"].rectified_problems) == (2, 0)
    assert (areas["关于服务方面"].problems, areas["关于服务方面"].rectified_problems) == (1, 1)
    assert areas["关于服务方面"].figures.completion_rate == 100.0
    units = {row.name: row for row in board.by_unit}
    assert (
        units["甲局执法支队"].figures.total == 4 and units["甲局法规处"].figures.total == 1
    )  # responsible only
    assert units["甲局法规处"].url.endswith(f"responsible={units['甲局法规处'].id}")  # not its supported 3.1
    assert [row.name for row in board.behind] == ["甲局法规处", "甲局执法支队"]  # 1 overdue at 0 %, 1 at 75 %
    categories = {row.name: row.figures.total for row in board.by_category}
    assert categories == {"立行立改": 1, "限期整改": 3, "长期坚持": 1}


def test_the_figures_agree_with_the_ledger_summary_and_the_dispatch_report(world, lived):
    board = services.dashboard(world.alice, lived.inspection.pk)
    summary = summarise(world.alice, lived.inspection)
    assert (board.totals.problems, board.totals.rectified_problems) == (
        summary.problems,
        summary.rectified_problems,
    )
    assert board.totals.measures == summary.measures and board.totals.overdue == summary.overdue
    assert {row.status: row.count for row in board.by_status if row.count} == summary.by_status

    today = timezone.localdate()
    data = dispatch.compute(world.alice, lived.inspection, today - timedelta(days=30), today)
    assert board.totals.completion_rate == data["totals"]["completion_rate"]
    figures = ("total", "signed_off", "ongoing", "in_progress", "not_started", "overdue", "completion_rate")
    for mine, theirs in (
        (board.by_area, data["by_area"]),
        (board.by_unit, data["by_unit"]),
        (board.by_leader, data["by_leader"]),
    ):
        assert [(row.id, row.name) for row in mine] == [(row["id"], row["name"]) for row in theirs]
        assert [[getattr(row.figures, key) for key in figures] for row in mine] == [
            [row[key] for key in figures] for row in theirs
        ]
    assert [(row.level, row.count) for row in board.warnings] == [
        (row["level"], row["count"]) for row in data["warnings"]
    ]


def test_every_link_opens_the_ledger_on_the_number_shown(world, lived):
    board = services.dashboard(world.alice, lived.inspection.pk)
    assert direct.assert_links_show_the_same_counts(signed_in(world.alice), board) > 30
    across = services.dashboard(world.alice)
    assert direct.assert_links_show_the_same_counts(signed_in(world.alice), across) > 30
    units = {row.name: row for row in board.by_unit}
    expected = f"/measures/?inspection={lived.inspection.pk}&responsible={world.orgs['a2'].pk}"
    assert units["甲局法规处"].url == expected


def test_the_timeline_counts_by_month_and_the_relapse_leaves_the_cumulative_line(world, lived):
    board = services.dashboard(world.alice, lived.inspection.pk)
    points = {point.month: point for point in board.timeline}
    label = [f"{months_ago(n):%Y-%m}" for n in range(5)]
    assert list(points) == label[::-1]  # from the first month with anything to this month
    assert [points[m].reports_submitted for m in label[::-1]] == [1, 1, 2, 3, 2]
    assert [points[m].reports_accepted for m in label[::-1]] == [1, 1, 2, 2, 1]
    assert [points[m].signoffs_approved for m in label[::-1]] == [1, 0, 1, 0, 1]
    # 1.2's sign-off four months ago was undone by the relapse; 1.1 and 3.2 remain signed off.
    assert [points[m].signed_off_cumulative for m in label[::-1]] == [0, 0, 1, 1, 2]
    assert board.timeline[-1].signed_off_cumulative == board.totals.signed_off


def test_asked_on_an_earlier_day_the_line_still_reaches_the_months_recorded_after_it(world, lived):
    today = services.dashboard(world.alice, lived.inspection.pk)
    earlier = services.dashboard(world.alice, lived.inspection.pk, on=months_ago(3))
    assert earlier.timeline == today.timeline and len(today.timeline) == 5


def test_what_is_older_than_the_line_counts_only_in_its_cumulative_figure(world, lived):
    signed = services.dashboard(world.alice, lived.inspection.pk).totals.signed_off
    long_ago = at(months_ago(services.TIMELINE_MONTHS + 6))
    ProgressReport.objects.update(submitted_at=long_ago, reviewed_at=long_ago)
    SignOff.objects.update(closed_at=long_ago)
    for on in (None, months_ago(3)):
        board = services.dashboard(world.alice, lived.inspection.pk, on=on)
        expected = [f"{months_ago(n):%Y-%m}" for n in range(services.TIMELINE_MONTHS - 1, -1, -1)]
        if on is not None:  # the line ends at the month asked, nothing being recorded after it
            expected = [f"{months_ago(n):%Y-%m}" for n in range(services.TIMELINE_MONTHS + 2, 2, -1)]
        assert [point.month for point in board.timeline] == expected
        assert {(p.reports_submitted, p.reports_accepted, p.signoffs_approved) for p in board.timeline} == {
            (0, 0, 0)
        }
        assert {point.signed_off_cumulative for point in board.timeline} == {signed} and signed == 2


def test_a_moment_counts_in_its_beijing_month(world, lived):
    """A report sent at 04:00 on the 1st in Beijing is 20:00 on the last day of the month before in
    UTC: it counts in the Beijing month, on SQLite and PostgreSQL alike."""
    first = timezone.localdate().replace(day=1)
    moment = datetime.combine(first, time(4), tzinfo=SHANGHAI)
    report = ProgressReport.objects.create(
        measure=lived.measures[(2, 1)],
        period_start=first,
        period_label="本月",
        text="连夜报送。",
        author=world.bob,
    )
    ProgressReport.objects.filter(pk=report.pk).update(submitted_at=moment)
    assert moment.astimezone(UTC).month != first.month
    board = services.dashboard(world.alice, lived.inspection.pk)
    assert board.timeline[-1].month == f"{first:%Y-%m}" and board.timeline[-1].reports_submitted == 3
    direct.assert_matches(board, direct.count(world.alice, lived.inspection))


def test_indicators_against_their_targets(world, lived):
    summary = services.dashboard(world.alice, lived.inspection.pk).indicators
    assert (summary.total, summary.met, summary.short, summary.no_data) == (3, 1, 1, 1)
    rows = [(row.name, row.latest, row.meets_target, row.progress) for row in summary.rows]
    assert rows == [
        ("办理时限", Decimal(8), False, 80.0),  # short first: 20 → 8 of the way to 5
        ("培训人次", None, None, None),
        ("案件线上办理率", Decimal(92), True, 106.7),
    ]
    assert summary.rows[0].latest_on == timezone.localdate()
    assert summary.rows[0].url == f"/indicators/{summary.rows[0].id}/"


def test_across_inspections_one_row_per_inspection(world, lived):
    board = services.dashboard(world.sam)  # the city's supervisor sees bureaus A and B
    assert board.inspection is None and board.by_area == []
    # Newest feedback first; the same day here, so the later one first.
    assert [row.id for row in board.by_inspection] == [lived.other.pk, lived.inspection.pk]
    rows = {row.id: row for row in board.by_inspection}
    assert rows[lived.inspection.pk].figures.total == 5 and rows[lived.other.pk].figures.total == 5
    assert rows[lived.other.pk].figures.not_started == 5
    assert rows[lived.inspection.pk].dashboard_url == f"/dashboard/inspections/{lived.inspection.pk}/"
    direct.assert_matches(board, direct.count(world.sam))
    # Bureau B's measures are not yet given to its units: the bureau itself answers for them.
    assert not [row for row in board.by_unit if row.id is None]
    held = next(row for row in board.by_unit if row.id == world.orgs["b"].pk)
    assert (held.name, held.figures.total) == ("乙局", 5)
    assert next(row for row in board.by_leader if row.id is None).figures.total == 5


def test_an_inspection_the_user_may_not_see_is_not_found(world, lived):
    with pytest.raises(NotFound):
        services.dashboard(world.charlie, lived.inspection.pk)
    with pytest.raises(NotFound):
        services.dashboard(world.alice, 999999)
    with pytest.raises(AccessDenied):
        services.dashboard(world.nobody)


def test_on_a_past_day_the_deadlines_are_measured_against_it(world, lived):
    """Overdue and the warning ladder are derived on the day asked, never stored."""
    earlier = timezone.localdate() - timedelta(days=10)
    board = services.dashboard(world.alice, lived.inspection.pk, on=earlier)
    assert board.on == earlier
    assert board.totals.overdue == 1  # 2.1 only: 1.2 is due five days later
    assert {row.slug: row.count for row in board.warnings} == {
        "green": 0,
        "yellow": 1,
        "red": 0,
        "escalated": 1,
    }
    direct.assert_matches(board, direct.count(world.alice, lived.inspection, on=earlier))
