"""The dashboard (数据看板): the figures of the ledger for one inspection, or for every inspection the
user may see, each computed by an aggregate query in the database (GROUP BY, conditional counts,
EXISTS), never by reading measures into Python. The web page and the API both call `dashboard()`.

Who sees what: the same rule as the ledger. Office, leaders and supervisors count every measure of
their organisation and the organisations below it; a responsible unit's head and liaison count the
measures of their own unit (what they see in the ledger); anyone without a role is refused.

Definitions, shared with the ledger and the dispatch report (supervision.dispatch):
- a measure is completed when it is signed off (已销号) or, being long-term, carried on (长期坚持);
- a problem is rectified when it has measures and every one of them is completed;
- overdue (超期) is derived on the day asked: an open measure whose deadline has passed;
- by responsible unit counts the measures a unit itself is responsible for (责任单位), as dispatch
  does; its links open the ledger filtered by that responsible unit (?responsible=), so they list
  exactly the row's measures (the ledger's wider ?unit= filter adds supporting and subordinate units).

Public feedback (意见诉求) is counted by feedback.stats.feedback_figures, under its own visibility
rule (the receiving organisation's office, leaders and supervisors; units for what is routed to them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from rectify.errors import AccessDenied
from rectify.feedback.models import Channel, FeedbackKind, FeedbackStatus
from rectify.feedback.stats import FeedbackFigures, feedback_figures
from rectify.ledger.choices import MeasureCategory, MeasureStatus
from rectify.ledger.models import Inspection, Measure, MeasureUnit, Problem
from rectify.ledger.querysets import counted_problems, overdue_q
from rectify.ledger.services import get_inspection, measure_queryset
from rectify.org.access import VIEW, Access
from rectify.org.models import Organisation, Role, User
from rectify.progress.models import Indicator, Observation, ProgressReport, ReportState
from rectify.progress.services import STANDING, approved_signoffs
from rectify.supervision import tallies
from rectify.supervision.deadlines import with_warning_level
from rectify.supervision.dispatch import (
    FIGURES,
    NO_AREA,
    NO_LEADER,
    NO_UNIT,
    RUNNING,
    group_counts,
    rate,
    warnings_by_level,
)
from rectify.supervision.forms import SLUG_OF_LEVEL
from rectify.supervision.models import CategoryTally, InspectionTally, LeaderTally, UnitTally, WarningLevel
from rectify.supervision.tallies import GroupSum

DENIED = "您没有可查看的整改数据：数据看板面向整改办、领导小组成员、纪检监察（巡察）机构和责任单位。"
LEADERS_ONLY = "“我牵头的”列出您作为牵头领导负责的整改措施，面向领导小组成员；您没有这一角色。"
TIMELINE_MONTHS = 24  # the progress line shows at most the last two years, month by month
INDICATOR_LIMIT = 50  # indicators listed (those furthest from their target first); counts cover all
BEHIND_LIMIT = 10  # units in the "furthest behind" ranking


# ------------------------------------------------------------------ what the dashboard returns


@dataclass(frozen=True)
class Figures:
    """Counts of the measures of one group, and the share completed (per cent, one decimal)."""

    total: int
    signed_off: int
    ongoing: int
    in_progress: int  # 推进中: in progress, waiting for sign-off, or reopened after a relapse
    not_started: int
    overdue: int
    completed: int
    completion_rate: float

    @classmethod
    def of(cls, counts: Mapping[str, int | None]) -> Figures:
        values = {key: counts.get(key) or 0 for key in FIGURES}
        completed = values["signed_off"] + values["ongoing"]
        return cls(**values, completed=completed, completion_rate=rate(completed, values["total"]))


@dataclass(frozen=True)
class GroupRow:
    """One bar of a chart and one row of its table: an area, inspection, unit, leader or category.

    `url` opens the ledger filtered to the row (empty when the ledger cannot filter so); it shows
    `figures.total` measures, `signed_off_url` `figures.signed_off` and `overdue_url` `figures.overdue`."""

    key: str
    id: int | None
    name: str
    figures: Figures
    url: str = ""
    signed_off_url: str = ""
    overdue_url: str = ""
    problems: int | None = None
    rectified_problems: int | None = None
    dashboard_url: str = ""

    @property
    def unfinished(self) -> int:
        return self.figures.total - self.figures.completed

    @property
    def unrectified_problems(self) -> int:
        return (self.problems or 0) - (self.rectified_problems or 0)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class LevelCount:
    level: int
    slug: str
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Totals:
    problems: int
    rectified_problems: int
    measures: int
    signed_off: int
    ongoing: int
    completed: int
    completion_rate: float
    problem_completion_rate: float
    overdue: int
    red: int  # 红色预警, not yet escalated
    escalated: int
    measures_url: str
    signed_off_url: str
    overdue_url: str
    red_url: str
    escalated_url: str


@dataclass(frozen=True)
class MonthPoint:
    """One month of the progress line (the month of Asia/Shanghai time)."""

    month: str  # "2025-03"
    reports_submitted: int
    reports_accepted: int
    signoffs_approved: int
    signed_off_in_month: int
    signed_off_cumulative: int


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    name: str
    measure_id: int
    measure_label: str
    unit: str
    direction: str
    baseline: Decimal
    target: Decimal
    latest: Decimal | None
    latest_on: date | None
    meets_target: bool | None  # None: no value recorded yet
    progress: float | None  # share of the way from the baseline to the target, per cent
    url: str


@dataclass(frozen=True)
class IndicatorSummary:
    total: int
    met: int
    short: int
    no_data: int
    rows: list[IndicatorRow]


@dataclass(frozen=True)
class CountRow:
    value: str
    label: str
    count: int
    url: str  # "" when the list cannot show exactly these


@dataclass(frozen=True)
class FeedbackPanel:
    """Public feedback (意见诉求) counted by feedback.stats, with links into the feedback list where
    it can filter so (all inspections only: the list has no inspection filter), and its statistics
    page (which can)."""

    figures: FeedbackFigures
    stats_url: str
    overdue_url: str
    by_channel: list[CountRow]
    by_kind: list[CountRow]
    by_status: list[CountRow]


@dataclass(frozen=True)
class InspectionRef:
    id: int
    title: str
    inspected: str


@dataclass(frozen=True)
class Dashboard:
    on: date
    inspection: InspectionRef | None  # None: every inspection the user may see
    totals: Totals
    by_status: list[StatusCount]
    by_area: list[GroupRow]  # one inspection: its areas, with their problems
    by_inspection: list[GroupRow]  # all inspections: one row each, with their problems
    by_unit: list[GroupRow]
    by_leader: list[GroupRow]
    by_category: list[GroupRow]
    warnings: list[LevelCount]
    timeline: list[MonthPoint]
    indicators: IndicatorSummary
    behind: list[GroupRow]
    feedback: FeedbackPanel | None  # None on a leader's own board: feedback is not led by anyone
    led_by: str = ""  # the leader's name when only the measures that leader leads are counted


# ------------------------------------------------------------------ the entry point


def leads_measures(user: User) -> bool:
    """Whether the user is a lead leader (领导小组成员牵头整改), whose home is 我牵头的."""
    access = Access.of(user)
    return Role.LEADER in access.roles


def led_measures(user: User, inspection_id: int | None = None) -> QuerySet[Measure]:
    """The measures the user leads, as the ledger lists them (with the warning light), nearest deadline
    first; those of one inspection when asked."""
    measures = measure_queryset(user).filter(lead_leader=user)
    if inspection_id is not None:
        measures = measures.filter(problem__inspection_id=inspection_id)
    return with_warning_level(measures).order_by(
        F("deadline").asc(nulls_last=True), "problem__number", "order"
    )


def may_view(user: User) -> bool:
    """Whether the user holds any role that reads the dashboard (all roles do; nobody else)."""
    access = Access.of(user)
    return access.is_authenticated and (access.is_superuser or bool(access.roles))


def dashboard(
    user: User, inspection_id: int | None = None, on: date | None = None, *, led_only: bool = False
) -> Dashboard:
    """Every figure of the dashboard for one inspection (NotFound when the user may not see it) or,
    without one, for every inspection the user may see; with `led_only`, of the measures the user
    leads (牵头) and their problems only. The same number of queries whatever the amount of data (one
    fewer when no measure has a responsible unit; feedback.stats adds two when some feedback was
    replied to)."""
    if not may_view(user):
        raise AccessDenied(DENIED)
    on = on or timezone.localdate()
    inspection = get_inspection(user, inspection_id) if inspection_id is not None else None
    measures = Measure.objects.restrict(user, VIEW)
    problems = Problem.objects.restrict(user, VIEW)
    # The same measures' reports by the reports' own rule (whoever sees a measure sees its reports),
    # not as reports of a list of measures: a province's office then reads its million reports
    # without joining each one to the measures.
    reports = ProgressReport.objects.restrict(user, VIEW)
    if inspection is not None:
        measures = measures.filter(problem__inspection=inspection)
        problems = problems.filter(inspection=inspection)
        reports = reports.filter(measure__problem__inspection=inspection)
    if led_only:
        measures = measures.filter(lead_leader=user)
        problems = problems.filter(pk__in=measures.values("problem_id"))
        reports = reports.filter(measure__lead_leader=user)
    links = _Links(inspection.pk if inspection else None, leader_id=user.pk if led_only else None)

    # Across inspections, their figures come from the summary rows where those answer for the user
    # (everyone but units' people; not a leader's own measures), rather than from every measure. One
    # inspection is counted directly: one query rather than the rows' two, and bounded by its size.
    rows = None if led_only or inspection else tallies.visible_rows(user, on)
    groups = None if rows is None else tallies.group_sums(user, on)
    status_counts, overdue = _status_counts(measures, on, rows)
    warnings = [
        LevelCount(
            level=row["level"],
            slug=SLUG_OF_LEVEL[row["level"]],
            label=row["label"],
            count=row["count"],
            url=links.warnings(SLUG_OF_LEVEL[row["level"]]),
        )
        for row in warnings_by_level(measures, on, rows)
    ]
    if inspection is not None:
        by_area = _by_area(measures, problems, on, links)
        by_inspection: list[GroupRow] = []
        parts = by_area
    else:
        by_area = []
        by_inspection = _by_inspection(
            measures, problems, on, links, rows, None if rows is None else tallies.problem_sums(user, on)
        )
        parts = by_inspection
    by_unit = _by_unit(measures, on, links, groups[UnitTally] if groups else None)
    level_count = {row.level: row.count for row in warnings}
    completed = status_counts[MeasureStatus.SIGNED_OFF] + status_counts[MeasureStatus.ONGOING]
    total = sum(status_counts.values())
    problem_total = sum(row.problems or 0 for row in parts)
    rectified = sum(row.rectified_problems or 0 for row in parts)
    totals = Totals(
        problems=problem_total,
        rectified_problems=rectified,
        measures=total,
        signed_off=status_counts[MeasureStatus.SIGNED_OFF],
        ongoing=status_counts[MeasureStatus.ONGOING],
        completed=completed,
        completion_rate=rate(completed, total),
        problem_completion_rate=rate(rectified, problem_total),
        overdue=overdue,
        red=level_count.get(WarningLevel.RED, 0),
        escalated=level_count.get(WarningLevel.ESCALATED, 0),
        measures_url=links.ledger(),
        signed_off_url=links.ledger(status=MeasureStatus.SIGNED_OFF),
        overdue_url=links.ledger(overdue=1),
        red_url=links.warnings("red"),
        escalated_url=links.warnings("escalated"),
    )
    return Dashboard(
        on=on,
        inspection=(
            InspectionRef(inspection.pk, inspection.title, inspection.inspected.name) if inspection else None
        ),
        totals=totals,
        by_status=[
            StatusCount(
                status.value, str(status.label), status_counts[status], links.ledger(status=status.value)
            )
            for status in MeasureStatus
        ],
        by_area=by_area,
        by_inspection=by_inspection,
        by_unit=by_unit,
        by_leader=_by_leader(measures, on, links, groups[LeaderTally] if groups else None),
        by_category=_by_category(measures, on, links, groups[CategoryTally] if groups else None),
        warnings=warnings,
        timeline=_timeline(measures, reports, on, None if rows is None else tallies.report_months(user, on)),
        indicators=_indicators(measures),
        behind=_behind(by_unit),
        feedback=None if led_only else _feedback(user, inspection, on),
        led_by=user.display_name if led_only else "",
    )


# ------------------------------------------------------------------ links into the ledger


class _Links:
    """Addresses of the filtered ledger and warning pages, with the real names of their parameters
    (ledger.forms.MeasureFilterForm, supervision.forms.WarningFilterForm)."""

    def __init__(self, inspection_id: int | None, leader_id: int | None = None):
        self.inspection_id = inspection_id
        self.leader_id = leader_id
        self.ledger_path = reverse("ledger:measure-list")
        self.warnings_path = reverse("warnings:list")

    def ledger(self, **params) -> str:
        query = {"inspection": self.inspection_id, "leader": self.leader_id, **params}
        return self.ledger_path + "?" + urlencode({k: v for k, v in query.items() if v is not None})

    def warnings(self, level: str) -> str:
        query = {"inspection": self.inspection_id, "level": level, "mine": 1 if self.leader_id else None}
        return self.warnings_path + "?" + urlencode({k: v for k, v in query.items() if v is not None})

    def group(self, **filters) -> dict[str, str]:
        return {
            "url": self.ledger(**filters),
            "signed_off_url": self.ledger(**filters, status=MeasureStatus.SIGNED_OFF),
            "overdue_url": self.ledger(**filters, overdue=1),
        }


# ------------------------------------------------------------------ the parts


def _feedback(user: User, inspection: Inspection | None, on: date) -> FeedbackPanel:
    figures = feedback_figures(user, inspection=inspection, on=on)
    stats = reverse("feedback:stats") + (f"?inspection={inspection.pk}" if inspection else "")
    items = reverse("feedback:list")

    def rows(field: str, choices, counts: dict[str, int]) -> list[CountRow]:
        return [
            CountRow(
                value,
                str(label),
                counts.get(value, 0),
                "" if inspection else f"{items}?{urlencode({field: value})}",
            )
            for value, label in choices
        ]

    return FeedbackPanel(
        figures=figures,
        stats_url=stats,
        overdue_url="" if inspection else f"{items}?overdue=1",
        by_channel=rows("channel", Channel.choices, figures.by_channel),
        by_kind=rows("kind", FeedbackKind.choices, figures.by_kind),
        by_status=rows("status", FeedbackStatus.choices, figures.by_status),
    )


def _status_counts(
    measures: QuerySet[Measure], on: date, rows: list[InspectionTally] | None
) -> tuple[dict[str, int], int]:
    """Measures per status, and how many are overdue: summed from the summary rows when given (no
    query), else one query."""
    if rows is not None:
        counts = dict.fromkeys(MeasureStatus.values, 0)
        for row in rows:
            counts[row.status] += row.measures
        return counts, sum(row.overdue for row in rows)
    counts = measures.aggregate(
        **{status.value: Count("id", filter=Q(status=status)) for status in MeasureStatus},
        overdue=Count("id", filter=overdue_q(on)),
    )
    overdue = counts.pop("overdue")
    return counts, overdue


def _figures_by(measures: QuerySet[Measure], field: str, on: date) -> dict:
    """The measures' counts (group_counts) per value of `field`: one query."""
    return {row[field]: row for row in measures.values(field).annotate(**group_counts("", on)).order_by()}


_FIGURE_OF_STATUS = {
    MeasureStatus.SIGNED_OFF: "signed_off",
    MeasureStatus.ONGOING: "ongoing",
    MeasureStatus.NOT_STARTED: "not_started",
    **dict.fromkeys(RUNNING, "in_progress"),
}


def _figures_of_sums(sums: Iterable[GroupSum]) -> dict:
    """The counts of group_counts per group, from (group, status, measures, overdue) rows (summary
    rows, supervision.tallies): the same sums group_counts makes of the measures, no query."""
    groups: dict = {}
    for key, status, measures, overdue in sums:
        group = groups.setdefault(key, dict.fromkeys(FIGURES, 0))
        group["total"] += measures
        group[_FIGURE_OF_STATUS[status]] += measures
        group["overdue"] += overdue
    return groups


def _figures_by_inspection(measures: QuerySet[Measure], on: date, rows: list[InspectionTally] | None) -> dict:
    """The counts of group_counts per inspection: from the summary rows when given (no query), else one
    query."""
    if rows is None:
        return _figures_by(measures, "problem__inspection_id", on)
    return _figures_of_sums((row.inspection_id, row.status, row.measures, row.overdue) for row in rows)


def _problem_groups(problems: QuerySet[Problem], *fields: str) -> list[dict]:
    """Problems and rectified problems per group (area or inspection, with the `fields` that name and
    order it): one query (ledger.querysets.counted_problems). Every group with a visible measure is
    here: a measure is visible only with its problem."""
    return list(counted_problems(problems, *fields))


def _by_area(
    measures: QuerySet[Measure], problems: QuerySet[Problem], on: date, links: _Links
) -> list[GroupRow]:
    """Per area of the inspection: two queries."""
    groups = _figures_by(measures, "problem__area_id", on)
    areas = sorted(
        _problem_groups(problems, "area_id", "area__title", "area__order"), key=lambda row: row["area__order"]
    )
    rows = []
    for area in areas:
        area_id, title = area["area_id"], area["area__title"]
        # The ledger offers only titled areas as a filter; an untitled area is the whole inspection
        # only when it is the inspection's one area, and then the inspection's link shows it.
        if title:
            filters = links.group(area=area_id)
        elif len(areas) == 1:
            filters = links.group()
        else:
            filters = {}
        rows.append(
            GroupRow(
                key=f"area-{area_id}",
                id=area_id,
                name=title or NO_AREA,
                figures=Figures.of(groups.get(area_id, {})),
                problems=area["problems"],
                rectified_problems=area["rectified"],
                **filters,
            )
        )
    return rows


def _by_inspection(
    measures: QuerySet[Measure],
    problems: QuerySet[Problem],
    on: date,
    links: _Links,
    rows: list[InspectionTally] | None,
    problem_sums: list[dict] | None = None,
) -> list[GroupRow]:
    """Per inspection, newest first: two queries without summary rows; the problems from
    `problem_sums` (supervision.tallies.problem_sums) when given."""
    groups = _figures_by_inspection(measures, on, rows)
    if problem_sums is None:
        problem_sums = _problem_groups(
            problems, "inspection_id", "inspection__title", "inspection__feedback_date"
        )
    inspections = list(problem_sums)
    inspections.sort(key=lambda row: row["inspection_id"], reverse=True)
    inspections.sort(key=lambda row: row["inspection__feedback_date"] or date.min, reverse=True)
    return [
        GroupRow(
            key=f"inspection-{row['inspection_id']}",
            id=row["inspection_id"],
            name=row["inspection__title"],
            figures=Figures.of(groups.get(row["inspection_id"], {})),
            problems=row["problems"],
            rectified_problems=row["rectified"],
            dashboard_url=reverse("insights:inspection", args=[row["inspection_id"]]),
            **links.group(inspection=row["inspection_id"]),
        )
        for row in inspections
    ]


def _by_unit(
    measures: QuerySet[Measure], on: date, links: _Links, sums: list[GroupSum] | None = None
) -> list[GroupRow]:
    """Per responsible unit (a measure with two responsible units counts for each), and the measures
    without one: two queries; from the summary rows' `sums` when given, one (the units' names)."""
    if sums is None:
        groups = list(
            MeasureUnit.objects.filter(role=MeasureUnit.Role.RESPONSIBLE, measure__in=measures.values("pk"))
            .values("unit_id", "unit__name")
            .annotate(**group_counts("measure__", on))
            .order_by("unit__path")
        )
        responsible = MeasureUnit.objects.filter(role=MeasureUnit.Role.RESPONSIBLE, measure=OuterRef("pk"))
        without = measures.exclude(Exists(responsible)).aggregate(**group_counts("", on))
    else:
        figures = _figures_of_sums(sums)
        units = Organisation.objects.filter(pk__in=[key for key in figures if key is not None])
        groups = [
            {"unit_id": pk, "unit__name": name, **figures[pk]}
            for pk, name in units.order_by("path").values_list("pk", "name")
        ]
        without = figures.get(None, {"total": 0})
    rows = [
        GroupRow(
            key=f"unit-{group['unit_id']}",
            id=group["unit_id"],
            name=group["unit__name"],
            figures=Figures.of(group),
            **links.group(responsible=group["unit_id"]),
        )
        for group in groups
    ]
    if without["total"]:
        rows.append(GroupRow(key="unit-none", id=None, name=NO_UNIT, figures=Figures.of(without)))
    return rows


def _by_leader(
    measures: QuerySet[Measure], on: date, links: _Links, sums: list[GroupSum] | None = None
) -> list[GroupRow]:
    """Per lead leader, those without one last: one query (from the summary rows' `sums` when given,
    the leaders' names)."""
    order = ("full_name", "username")
    if sums is None:
        groups = (
            measures.values("lead_leader_id", "lead_leader__full_name", "lead_leader__username")
            .annotate(**group_counts("", on))
            .order_by(*(f"lead_leader__{field}" for field in order))
        )
    else:
        figures = _figures_of_sums(sums)
        leaders = User.objects.filter(pk__in=[key for key in figures if key is not None]).order_by(*order)
        groups = [
            {"lead_leader_id": pk, "lead_leader__full_name": full_name, "lead_leader__username": username}
            | figures[pk]
            for pk, full_name, username in leaders.values_list("pk", *order)
        ]
        if None in figures:
            groups.append({"lead_leader_id": None} | figures[None])
    rows = []
    for group in groups:
        leader_id = group["lead_leader_id"]
        name = group.get("lead_leader__full_name") or group.get("lead_leader__username") or NO_LEADER
        filters = links.group(leader=leader_id) if leader_id else {}
        rows.append(
            GroupRow(
                key=f"leader-{leader_id or 'none'}",
                id=leader_id,
                name=name,
                figures=Figures.of(group),
                **filters,
            )
        )
    rows.sort(key=lambda row: row.id is None)  # measures without a leader last
    return rows


def _by_category(
    measures: QuerySet[Measure], on: date, links: _Links, sums: list[GroupSum] | None = None
) -> list[GroupRow]:
    """Per category: one query, none from the summary rows' `sums`."""
    groups = _figures_by(measures, "category", on) if sums is None else _figures_of_sums(sums)
    return [
        GroupRow(
            key=f"category-{category.value}",
            id=None,
            name=str(category.label),
            figures=Figures.of(groups.get(category.value, {})),
            **links.group(category=category.value),
        )
        for category in MeasureCategory
    ]


def _behind(by_unit: list[GroupRow]) -> list[GroupRow]:
    """The units furthest behind: most overdue first, then the lowest completion, among the units
    with something unfinished. Ranked from the unit rows already counted (no query)."""
    candidates = [row for row in by_unit if row.id is not None and row.figures.completed < row.figures.total]
    candidates.sort(key=lambda row: (-row.figures.overdue, row.figures.completion_rate, -row.figures.total))
    return candidates[:BEHIND_LIMIT]


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_begins(index: int) -> datetime:
    """The instant the month starts in the current time zone."""
    return timezone.make_aware(datetime.combine(_month_start(index), time.min))


def _month_keys(on: date, known: set[date]) -> list[date]:
    """The first days of the months from the first month with anything to the month of `on` (or the
    last month with anything, if later), at most TIMELINE_MONTHS of them, the last ones."""
    if not known:
        return []
    first, end = min(known), max(max(known), on.replace(day=1))
    index_end = _month_index(end)
    index_start = max(_month_index(first), index_end - TIMELINE_MONTHS + 1)
    return [_month_start(index) for index in range(index_start, index_end + 1)]


def _month_of(field: str, first: int, last: int) -> Case:
    """The month index (`_month_index`) of `field` in the current time zone, for the months `first`
    to `last`; an earlier instant gives `first - 1`, a later one `last + 1`. Each month is told by
    comparing with the instant it starts, in a balanced tree of CASEs (five comparisons a row for
    two years), rather than truncating each row's time in the time zone, which SQLite does in Python
    row by row and which took most of the dashboard's time."""

    def tree(low: int, high: int):
        # Rows known to fall in the months low..high (low - 1 stands for earlier, high + 1 for later).
        if low == high:
            return Value(low)
        middle = (low + high + 1) // 2
        return Case(
            When(**{f"{field}__gte": _month_begins(middle)}, then=tree(middle, high)),
            default=tree(low, middle - 1),
            output_field=IntegerField(),
        )

    return tree(first - 1, last + 1)


def _by_month(queryset: QuerySet, field: str, on: date, **counts: Count) -> dict[date, dict[str, int]]:
    """`counts` of `queryset` per month of `field` (in the current time zone, Asia/Shanghai): the
    TIMELINE_MONTHS months up to the month of `on` each, the earlier ones together under the month
    before them (only their sum and their existence are used), and the later ones (recorded after
    `on`) each, by a second query only when there are any."""
    last = _month_index(on)
    first = last - TIMELINE_MONTHS + 1
    rows = queryset.filter(**{f"{field}__isnull": False}).annotate(month=_month_of(field, first, last))
    found = {_month_start(row["month"]): row for row in rows.values("month").annotate(**counts).order_by()}
    if found.pop(_month_start(last + 1), None) is not None:
        month = TruncMonth(field, output_field=DateField())  # in the current time zone
        later = queryset.filter(**{f"{field}__gte": _month_begins(last + 1)}).annotate(month=month)
        found |= {row["month"]: row for row in later.values("month").annotate(**counts).order_by()}
    return found


def _by_month_of(report_months: dict[date, tuple[int, int]], on: date) -> tuple[dict, dict]:
    """The summary rows' (submitted, accepted) per month as `_by_month` gives each: the months before
    the TIMELINE_MONTHS up to `on` together under the month before them, only months with any."""
    first = _month_index(on) - TIMELINE_MONTHS + 1
    submitted: dict[date, dict[str, int]] = {}
    accepted: dict[date, dict[str, int]] = {}
    for month, counts in report_months.items():
        key = _month_start(first - 1) if _month_index(month) < first else month
        for found, n in zip((submitted, accepted), counts, strict=True):
            if n:
                found.setdefault(key, {"n": 0})["n"] += n
    return submitted, accepted


def _timeline(
    measures: QuerySet[Measure],
    reports: QuerySet[ProgressReport],
    on: date,
    report_months: dict[date, tuple[int, int]] | None = None,
) -> list[MonthPoint]:
    """Reports submitted and accepted (`reports`: those of `measures`; or, across inspections, the
    summary rows' `report_months`), sign-offs approved, and the measures signed off now counted at the
    month of their last approval (so the cumulative line ends at today's signed-off measures that went
    through sign-off): three grouped queries (and one more for each of them that has anything
    recorded after the month of `on`), one without the reports."""
    if report_months is None:
        submitted = _by_month(reports, "submitted_at", on, n=Count("id"))
        accepted = _by_month(reports.filter(state=ReportState.ACCEPTED), "reviewed_at", on, n=Count("id"))
    else:
        submitted, accepted = _by_month_of(report_months, on)
    approved = _by_month(
        approved_signoffs(measures), "closed_at", on, n=Count("id"), signed=Count("id", filter=STANDING)
    )
    known = set(submitted) | set(accepted) | set(approved)
    months = _month_keys(on, known)
    start = months[0] if months else None
    cumulative = sum(row["signed"] for month, row in approved.items() if start is None or month < start)
    points = []
    for month in months:
        signed = approved.get(month, {}).get("signed", 0)
        cumulative += signed
        points.append(
            MonthPoint(
                month=f"{month:%Y-%m}",
                reports_submitted=submitted.get(month, {}).get("n", 0),
                reports_accepted=accepted.get(month, {}).get("n", 0),
                signoffs_approved=approved.get(month, {}).get("n", 0),
                signed_off_in_month=signed,
                signed_off_cumulative=cumulative,
            )
        )
    return points


def _indicators(measures: QuerySet[Measure]) -> IndicatorSummary:
    """Each indicator's latest value against its target: the counts (one query) and the list, short
    of target first, then not yet recorded, then met (one query)."""
    latest = Observation.objects.filter(indicator=OuterRef("pk")).order_by("-observed_on")
    increase = Indicator.Direction.INCREASE
    # EXISTS, not IN: SQLite listed every measure of a province's office first, even for no indicator.
    indicators = Indicator.objects.filter(Exists(measures.filter(pk=OuterRef("measure_id")))).annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_on=Subquery(latest.values("observed_on")[:1]),
    )
    standing = Case(
        When(latest_value__isnull=True, then=Value(1)),
        When(Q(direction=increase, latest_value__gte=F("target")), then=Value(2)),
        When(~Q(direction=increase) & Q(latest_value__lte=F("target")), then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )
    indicators = indicators.annotate(standing=standing)  # 0 short of target, 1 no value yet, 2 met
    counts = indicators.aggregate(
        total=Count("id"),
        short=Count("id", filter=Q(standing=0)),
        no_data=Count("id", filter=Q(standing=1)),
        met=Count("id", filter=Q(standing=2)),
    )
    listed = indicators.select_related("measure__problem").order_by(
        "standing", "measure__problem__inspection_id", "measure__problem__number", "measure__order", "id"
    )[:INDICATOR_LIMIT]
    rows = [
        IndicatorRow(
            id=indicator.pk,
            name=indicator.name,
            measure_id=indicator.measure_id,
            measure_label=f"{indicator.measure.problem.number}.{indicator.measure.order}",
            unit=indicator.unit,
            direction=indicator.direction,
            baseline=indicator.baseline,
            target=indicator.target,
            latest=_decimal(indicator.latest_value),
            latest_on=indicator.latest_on,
            meets_target=None if indicator.standing == 1 else indicator.standing == 2,
            progress=_progress(indicator),
            url=reverse("indicators:detail", args=[indicator.pk]),
        )
        for indicator in listed
    ]
    return IndicatorSummary(
        total=counts["total"], met=counts["met"], short=counts["short"], no_data=counts["no_data"], rows=rows
    )


def _decimal(value) -> Decimal | None:
    # SQLite may hand a subquery's decimal back as a float or an int.
    return None if value is None else Decimal(str(value))


def _progress(indicator: Indicator) -> float | None:
    """How far the latest value has come from the baseline towards the target, in per cent (may pass
    100, or fall below 0 when the value moved the wrong way)."""
    if indicator.latest_value is None:
        return None
    latest = _decimal(indicator.latest_value)
    span = indicator.target - indicator.baseline
    if span == 0:
        return 100.0 if indicator.meets_target(latest) else 0.0
    return round(float((latest - indicator.baseline) / span * 100), 1)


def inspection_figures(user: User, on: date | None = None) -> dict[int, GroupRow]:
    """The figures of every inspection the user may see, by inspection id: the same two queries as
    the dashboard's 各巡察 table, so the inspection office's overview and the dashboard agree."""
    on = on or timezone.localdate()
    rows = _by_inspection(
        Measure.objects.restrict(user, VIEW),
        Problem.objects.restrict(user, VIEW),
        on,
        _Links(None),
        tallies.visible_rows(user, on),
    )
    return {row.id: row for row in rows}
