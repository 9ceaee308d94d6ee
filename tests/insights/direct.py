"""The dashboard's figures counted the plain way, to compare with insights.services: every measure,
problem, report and sign-off the user may see is read into Python and counted there, one by one,
with the definitions written out again (completed, overdue, the three-colour ladder, the month of a
moment in Beijing time). Slow and obvious on purpose; only for the small data of the tests."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date, timedelta

from django.utils import timezone

from rectify.insights import services
from rectify.ledger.choices import MeasureCategory, MeasureStatus
from rectify.ledger.models import Measure, MeasureUnit, Problem
from rectify.org.access import VIEW
from rectify.progress.models import Indicator, ProgressReport, SignOff
from rectify.supervision.models import WarningPolicy

OPEN = {"not_started", "in_progress", "reopened"}
DONE = {"signed_off", "ongoing"}
RUNNING = {"in_progress", "signoff_requested", "reopened"}


def figures(measures: list[Measure], on: date) -> dict:
    total = len(measures)
    signed_off = sum(m.status == "signed_off" for m in measures)
    ongoing = sum(m.status == "ongoing" for m in measures)
    done = signed_off + ongoing
    return {
        "total": total,
        "signed_off": signed_off,
        "ongoing": ongoing,
        "in_progress": sum(m.status in RUNNING for m in measures),
        "not_started": sum(m.status == "not_started" for m in measures),
        "overdue": sum(is_overdue(m, on) for m in measures),
        "completed": done,
        "completion_rate": round(100 * done / total, 1) if total else 0.0,
    }


def is_overdue(measure: Measure, on: date) -> bool:
    return measure.deadline is not None and measure.deadline < on and measure.status in OPEN


def due(measure: Measure) -> date | None:
    """The date the warning follows: the measure's next open time node (时间节点), else its deadline."""
    nodes = sorted(node.due_on for node in measure.milestones.all() if node.state == "open")
    return nodes[0] if nodes else measure.deadline


def level(measure: Measure, on: date, policies: dict) -> int:
    """0 none, 1 green, 2 yellow, 3 red, 4 escalated (supervision.models.WarningLevel)."""
    day = due(measure)
    if measure.status not in OPEN or day is None:
        return 0
    policy = policies.get(measure.problem.inspection.inspected_id)
    green, yellow, escalate = (
        (policy.green_days, policy.yellow_days, policy.escalate_days) if policy else (20, 10, 15)
    )
    if day < on - timedelta(days=escalate):
        return 4
    if day < on:
        return 3
    if day <= on + timedelta(days=yellow):
        return 2
    if day <= on + timedelta(days=green):
        return 1
    return 0


def month(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def count(user, inspection=None, on: date | None = None) -> dict:
    """Every panel of the dashboard, counted by hand."""
    on = on or timezone.localdate()
    measures = list(
        Measure.objects.restrict(user, VIEW)
        .select_related("problem__inspection", "problem__area", "lead_leader")
        .prefetch_related("milestones")
    )
    problems = list(Problem.objects.restrict(user, VIEW).select_related("area", "inspection"))
    if inspection is not None:
        measures = [m for m in measures if m.problem.inspection_id == inspection.pk]
        problems = [p for p in problems if p.inspection_id == inspection.pk]
    ids = {m.pk for m in measures}
    every_status = defaultdict(list)  # problem id → the statuses of all its measures (also invisible ones)
    for problem_id, status in Measure.objects.values_list("problem_id", "status"):
        every_status[problem_id].append(status)

    def rectified(problem) -> bool:
        statuses = every_status[problem.pk]
        return bool(statuses) and all(status in DONE for status in statuses)

    def parts(key) -> dict:
        groups = defaultdict(lambda: {"measures": [], "problems": 0, "rectified": 0})
        for problem in problems:
            groups[key(problem)]["problems"] += 1
            groups[key(problem)]["rectified"] += rectified(problem)
        for measure in measures:
            groups[key(measure.problem)]["measures"].append(measure)
        return {
            group: {
                **figures(values["measures"], on),
                "problems": values["problems"],
                "rectified": values["rectified"],
            }
            for group, values in groups.items()
        }

    units = defaultdict(list)
    names = {}
    paths = {}
    with_unit = set()
    for link in MeasureUnit.objects.filter(role="responsible").select_related("unit"):
        if link.measure_id in ids:
            units[link.unit_id].append(next(m for m in measures if m.pk == link.measure_id))
            paths[link.unit_id] = link.unit.path
            names[link.unit_id] = link.unit.name
            with_unit.add(link.measure_id)
    leaders = defaultdict(list)
    for measure in measures:
        leaders[measure.lead_leader_id].append(measure)
    categories = defaultdict(list)
    for measure in measures:
        categories[measure.category].append(measure)

    policies = {policy.organisation_id: policy for policy in WarningPolicy.objects.all()}
    levels = Counter(level(m, on, policies) for m in measures)

    reports = [r for r in ProgressReport.objects.all() if r.measure_id in ids]
    signoffs = [
        s for s in SignOff.objects.filter(state="approved").order_by("closed_at", "id") if s.measure_id in ids
    ]
    last_approval = {}
    for signoff in signoffs:
        last_approval[signoff.measure_id] = signoff  # ordered: the last one stays
    status_of = {m.pk: m.status for m in measures}
    timeline = {
        "submitted": Counter(month(r.submitted_at) for r in reports),
        "accepted": Counter(month(r.reviewed_at) for r in reports if r.state == "accepted"),
        "approved": Counter(month(s.closed_at) for s in signoffs),
        "signed": Counter(
            month(s.closed_at) for pk, s in last_approval.items() if status_of[pk] == "signed_off"
        ),
    }

    indicators = []
    for indicator in Indicator.objects.filter(measure_id__in=ids).prefetch_related("observations"):
        observations = sorted(indicator.observations.all(), key=lambda o: o.observed_on)
        latest = observations[-1] if observations else None
        indicators.append(
            {
                "id": indicator.pk,
                "latest": latest.value if latest else None,
                "latest_on": latest.observed_on if latest else None,
                "meets_target": indicator.meets_target(latest.value) if latest else None,
            }
        )

    by_unit = {unit_id: figures(items, on) for unit_id, items in units.items()}
    behind = sorted(
        (unit_id for unit_id, f in by_unit.items() if f["completed"] < f["total"]),
        key=lambda unit_id: (
            -by_unit[unit_id]["overdue"],
            by_unit[unit_id]["completion_rate"],
            -by_unit[unit_id]["total"],
            paths[unit_id],  # ties in the order of the unit table (by path), as the service ranks them
        ),
    )
    return {
        "measures": measures,
        "statuses": Counter(m.status for m in measures),
        "totals": {
            **figures(measures, on),
            "problems": len(problems),
            "rectified_problems": sum(rectified(p) for p in problems),
        },
        "by_area": parts(lambda problem: problem.area_id),
        "by_inspection": parts(lambda problem: problem.inspection_id),
        "by_unit": by_unit,
        "unit_names": names,
        "without_unit": figures([m for m in measures if m.pk not in with_unit], on),
        "by_leader": {leader: figures(items, on) for leader, items in leaders.items()},
        "by_category": {category: figures(items, on) for category, items in categories.items()},
        "levels": levels,
        "timeline": timeline,
        "indicators": indicators,
        "behind": behind,
    }


def _figures_of(row) -> dict:
    return asdict(row.figures)


def assert_matches(board, expected: dict) -> None:
    """Every panel of `board` (insights.services.Dashboard) equals the count by hand."""
    totals, want = board.totals, expected["totals"]
    assert (totals.measures, totals.signed_off, totals.ongoing, totals.completed) == (
        want["total"],
        want["signed_off"],
        want["ongoing"],
        want["completed"],
    )
    assert (totals.completion_rate, totals.overdue) == (want["completion_rate"], want["overdue"])
    assert (totals.problems, totals.rectified_problems) == (want["problems"], want["rectified_problems"])
    levels = expected["levels"]
    assert (totals.red, totals.escalated) == (levels[3], levels[4])
    # An overdue measure is red (or escalated); so is one whose time node (时间节点) has passed undone.
    assert totals.overdue <= levels[3] + levels[4]
    assert {row.status: row.count for row in board.by_status} == {
        status: expected["statuses"].get(status, 0) for status in MeasureStatus.values
    }

    parts = board.by_area if board.inspection else board.by_inspection
    wanted_parts = expected["by_area"] if board.inspection else expected["by_inspection"]
    assert (board.by_inspection if board.inspection else board.by_area) == []
    assert {
        row.id: {**_figures_of(row), "problems": row.problems, "rectified": row.rectified_problems}
        for row in parts
    } == wanted_parts

    named_units = [row for row in board.by_unit if row.id is not None]
    assert {row.id: _figures_of(row) for row in named_units} == expected["by_unit"]
    assert {row.id: row.name for row in named_units} == expected["unit_names"]
    without = [row for row in board.by_unit if row.id is None]
    if expected["without_unit"]["total"]:
        assert [_figures_of(row) for row in without] == [expected["without_unit"]]
    else:
        assert without == []
    assert {row.id: _figures_of(row) for row in board.by_leader} == expected["by_leader"]
    zero = figures([], board.on)
    assert {row.key.removeprefix("category-"): _figures_of(row) for row in board.by_category} == {
        category: expected["by_category"].get(category, zero) for category in MeasureCategory.values
    }
    assert {row.level: row.count for row in board.warnings} == {n: levels[n] for n in (1, 2, 3, 4)}

    timeline = expected["timeline"]
    months = [point.month for point in board.timeline]
    every = set().union(*(set(counter) for counter in timeline.values()))
    # The line shows the last TIMELINE_MONTHS months at most; what was signed off before them starts
    # its cumulative count (the demo's earlier round was signed off years ago).
    assert len(months) <= services.TIMELINE_MONTHS and months == sorted(months)
    assert set(months) >= {month for month in every if not months or month >= months[0]}
    running = sum(n for month, n in timeline["signed"].items() if months and month < months[0])
    for point in board.timeline:
        running += timeline["signed"][point.month]
        assert (
            point.reports_submitted,
            point.reports_accepted,
            point.signoffs_approved,
            point.signed_off_in_month,
            point.signed_off_cumulative,
        ) == (
            timeline["submitted"][point.month],
            timeline["accepted"][point.month],
            timeline["approved"][point.month],
            timeline["signed"][point.month],
            running,
        )

    summary = board.indicators
    wanted_indicators = {item["id"]: item for item in expected["indicators"]}
    assert summary.total == len(wanted_indicators)
    assert summary.met == sum(item["meets_target"] is True for item in expected["indicators"])
    assert summary.short == sum(item["meets_target"] is False for item in expected["indicators"])
    assert summary.no_data == sum(item["meets_target"] is None for item in expected["indicators"])
    for row in summary.rows:
        item = wanted_indicators[row.id]
        assert (row.latest, row.latest_on, row.meets_target) == (
            item["latest"],
            item["latest_on"],
            item["meets_target"],
        )
    assert [row.id for row in board.behind] == expected["behind"][:10]


def ledger_count(client, url: str) -> int:
    """How many rows the page at `url` (the ledger or the warning page) lists."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def assert_links_show_the_same_counts(client, board) -> int:
    """Each link of the dashboard opens a page that lists the number shown beside it. Returns how
    many links were followed."""
    checks = [
        (board.totals.measures_url, board.totals.measures),
        (board.totals.signed_off_url, board.totals.signed_off),
        (board.totals.overdue_url, board.totals.overdue),
        (board.totals.red_url, board.totals.red),
        (board.totals.escalated_url, board.totals.escalated),
    ]
    checks += [(row.url, row.count) for row in board.by_status]
    checks += [(row.url, row.count) for row in board.warnings]
    for row in [*board.by_area, *board.by_inspection, *board.by_unit, *board.by_leader, *board.by_category]:
        if row.url:
            checks += [
                (row.url, row.figures.total),
                (row.signed_off_url, row.figures.signed_off),
                (row.overdue_url, row.figures.overdue),
            ]
    for url, number in checks:
        assert ledger_count(client, url) == number, url
    return len(checks)
