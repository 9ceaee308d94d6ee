"""Summary rows of the measures (supervision.models.InspectionTally): per inspection and status, how
many measures, how many overdue and how many carrying a warning on the day they were counted; the same
per responsible unit, lead leader and category (UnitTally, LeaderTally, CategoryTally); its problems and
how many are rectified (ProblemTally); and of their progress reports (ReportTally): per inspection and
month, how many submitted and accepted.

`refresh` is the one function that recomputes them. The services that change a measure's status,
deadline or time nodes, import measures or change a warning policy call it in their transaction
(ledger.extensions.measures_changed, which supervision fills from AppConfig.ready; a report's
submission and review go through it too), and the daily tick
counts every inspection again for the new day. A reader uses only the rows counted today and counts
the other inspections' measures directly, so a figure is exact even before the tick has run.
tests/supervision/test_tallies.py applies random operations through the services and compares every
row with a direct count."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models, transaction
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from rectify.dbdates import LocalDate
from rectify.ledger.choices import UnitRole
from rectify.ledger.models import Inspection, Measure, MeasureUnit, Problem
from rectify.ledger.querysets import counted_problems, overdue_q
from rectify.org.access import VIEW, Access
from rectify.progress.models import ProgressReport, ReportState

from .deadlines import warned_only, with_warning_level
from .models import (
    CategoryTally,
    GroupTally,
    InspectionTally,
    LeaderTally,
    ProblemTally,
    ReportTally,
    UnitTally,
    WarningLevel,
)

GROUPINGS: tuple[type[GroupTally], ...] = (UnitTally, LeaderTally, CategoryTally)
# (group, status, measures, overdue): a grouping's rows summed over inspections
GroupSum = tuple[object, str, int, int]


def refresh(inspection_ids: Iterable[int] | None = None, on: date | None = None) -> int:
    """Count again the summary rows of these inspections (all of them when None) for the day `on`
    (today), the measures' and the reports', replacing the rows they had; returns the number of the
    measures' rows written.

    The inspections' rows are locked first (in id order, FOR NO KEY UPDATE), so two transactions
    refreshing the same inspection take turns, and the second counts with the first's changes
    committed."""
    on = on or timezone.localdate()
    with transaction.atomic():
        inspections = Inspection.objects.order_by("pk")
        if inspection_ids is not None:
            inspections = inspections.filter(pk__in=list(inspection_ids))
        # FOR NO KEY UPDATE: two refreshes of an inspection take turns, while rows that merely refer to
        # it (a feedback item, a summary row) are written meanwhile; FOR UPDATE blocked those too and
        # deadlocked concurrent submissions on PostgreSQL.
        ids = list(inspections.select_for_update(no_key=True).values_list("pk", flat=True))
        if not ids:
            return 0
        measures = Measure.objects.filter(problem__inspection_id__in=ids)
        tallies = _count(measures, on)
        reports = ProgressReport.objects.filter(measure__problem__inspection_id__in=ids)
        written: dict[type[models.Model], list] = {
            InspectionTally: tallies,
            **_count_groups(measures, on),
            ProblemTally: _count_problems(Problem.objects.filter(inspection_id__in=ids), on),
            ReportTally: _count_reports(reports, on),
        }
        for model, rows in written.items():
            model.objects.filter(inspection_id__in=ids).delete()
            model.objects.bulk_create(rows, batch_size=2000)
    return len(tallies)


LEVELS = [level for level in WarningLevel if level > WarningLevel.NONE]  # a column each


def level_counts(rows: Iterable[InspectionTally]) -> dict[int, int]:
    """How many measures of these rows carry each warning level."""
    return {level.value: sum(getattr(row, level.name.lower()) for row in rows) for level in LEVELS}


def _count(measures: QuerySet[Measure], on: date) -> list[InspectionTally]:
    """The summary rows of these measures on `on`, counted directly (one grouped query, not saved)."""
    rows = (
        with_warning_level(measures, on)
        .values("problem__inspection_id", "status")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=overdue_q(on)),
            warned_n=Count("pk", filter=Q(warning_level__gt=WarningLevel.NONE)),
            **{level.name.lower(): Count("pk", filter=Q(warning_level=level)) for level in LEVELS},
        )
        .order_by()
    )
    return [
        InspectionTally(
            inspection_id=row["problem__inspection_id"],
            status=row["status"],
            measures=row["n"],
            overdue=row["late"],
            warned=row["warned_n"],
            **{level.name.lower(): row[level.name.lower()] for level in LEVELS},
            counted_on=on,
        )
        for row in rows
    ]


def _count_groups(measures: QuerySet[Measure], on: date) -> dict[type[GroupTally], list[GroupTally]]:
    """The rows of every grouping (GROUPINGS) of these measures on `on`, counted directly (not saved):
    the leaders' and categories' from one grouped query, the units' from two (the responsible units,
    the measures without one)."""
    folded: dict[tuple[type[GroupTally], int, object, str], list[int]] = {}

    def add(model: type[GroupTally], inspection_id: int, key: object, status: str, n: int, late: int) -> None:
        counts = folded.setdefault((model, inspection_id, key, status), [0, 0])
        counts[0] += n
        counts[1] += late

    counts = {"n": Count("pk"), "late": Count("pk", filter=overdue_q(on))}
    by_leader_and_category = (
        measures.values_list("problem__inspection_id", "status", "lead_leader_id", "category")
        .annotate(**counts)
        .order_by()
    )
    for inspection_id, status, leader_id, category, n, late in by_leader_and_category:
        add(LeaderTally, inspection_id, leader_id, status, n, late)
        add(CategoryTally, inspection_id, category, status, n, late)
    responsible = MeasureUnit.objects.filter(role=UnitRole.RESPONSIBLE)
    by_unit = (
        responsible.filter(measure__in=measures.values("pk"))
        .values_list("measure__problem__inspection_id", "unit_id", "measure__status")
        .annotate(n=Count("measure_id"), late=Count("measure_id", filter=overdue_q(on, "measure__")))
        .order_by()
    )
    for inspection_id, unit_id, status, n, late in by_unit:
        add(UnitTally, inspection_id, unit_id, status, n, late)
    without_unit = (
        measures.exclude(
            Exists(responsible.filter(measure=OuterRef("pk")))
        )  # an anti-join: NOT IN read them all
        .values_list("problem__inspection_id", "status")
        .annotate(**counts)
        .order_by()
    )
    for inspection_id, status, n, late in without_unit:
        add(UnitTally, inspection_id, None, status, n, late)
    groups: dict[type[GroupTally], list[GroupTally]] = {model: [] for model in GROUPINGS}
    for (model, inspection_id, key, status), (n, late) in folded.items():
        groups[model].append(
            model(
                inspection_id=inspection_id,
                status=status,
                measures=n,
                overdue=late,
                counted_on=on,
                **{model.KEY: key},
            )
        )
    return groups


def _count_problems(problems: QuerySet[Problem], on: date) -> list[ProblemTally]:
    """The problem rows of these problems' inspections on `on`, counted directly (one query, not saved)."""
    return [
        ProblemTally(
            inspection_id=row["inspection_id"],
            problems=row["problems"],
            rectified=row["rectified"],
            counted_on=on,
        )
        for row in counted_problems(problems, "inspection_id")
    ]


def _count_reports(reports: QuerySet[ProgressReport], on: date) -> list[ReportTally]:
    """The report rows of these reports on `on`, counted directly (not saved): submitted per month of
    submission, accepted per month of review. Grouped by local day in the database (LocalDate, native
    on SQLite too), the days folded into months here: two queries."""
    months: dict[tuple[int, date], list[int]] = {}
    accepted = reports.filter(state=ReportState.ACCEPTED)
    for position, (field, chosen) in enumerate((("submitted_at", reports), ("reviewed_at", accepted))):
        rows = (
            chosen.filter(**{f"{field}__isnull": False})
            .annotate(day=LocalDate(field))
            .values_list("measure__problem__inspection_id", "day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for inspection_id, day, n in rows:
            months.setdefault((inspection_id, day.replace(day=1)), [0, 0])[position] += n
    return [
        ReportTally(inspection_id=inspection_id, month=month, submitted=sent, accepted=taken, counted_on=on)
        for (inspection_id, month), (sent, taken) in months.items()
    ]


def _scope(user, on: date) -> tuple[QuerySet[InspectionTally], QuerySet[Inspection]] | None:
    """(the rows counted on `on` of the inspections the user sees, those inspections without such rows),
    or None when the rows cannot answer for the user: a unit's head or liaison sees measures one by
    one through the units, not whole inspections."""
    access = Access.of(user)
    if access.unit_paths and not access.is_superuser:
        return None
    # For everyone else a measure is visible exactly when its inspection is (the same organisation path).
    visible = Inspection.objects.restrict(user, VIEW)
    counted = InspectionTally.objects.filter(counted_on=on, inspection__in=visible.values("pk"))
    uncounted = visible.exclude(
        Exists(InspectionTally.objects.filter(counted_on=on, inspection=OuterRef("pk")))
    )
    return counted, uncounted


def visible_rows(user, on: date | None = None) -> list[InspectionTally] | None:
    """The summary rows of every inspection the user sees on `on` (today): the rows counted that day,
    and for the inspections without them the same rows counted directly (none once the tick or a
    change has counted them), so they are exact before the day's tick too. Two queries. None when the
    rows cannot answer for the user (see _scope). The dashboard and GET /api/v1/stats over all
    inspections, and the inspection office's overview, take their status, overdue and per-inspection
    figures from here."""
    on = on or timezone.localdate()
    scope = _scope(user, on)
    if scope is None:
        return None
    counted, uncounted = scope
    return [
        *counted.order_by(),
        *_count(Measure.objects.filter(problem__inspection__in=uncounted.values("pk")), on),
    ]


def warned_parts(user, on: date | None = None) -> tuple[Coalesce, QuerySet[Measure]] | None:
    """How the navigation counts the measures the user may see that carry a warning on `on`: the sum
    of today's summary rows of the inspections the user sees (a scalar subquery), plus the warned
    measures of those inspections without rows counted today (a queryset, empty once the tick or a
    change has counted them). None when the rows cannot answer for the user: a unit's head or liaison
    sees measures one by one through the units, not whole inspections."""
    on = on or timezone.localdate()
    scope = _scope(user, on)
    if scope is None:
        return None
    counted, uncounted = scope
    summed = Subquery(
        counted.order_by().values(total=Func(F("warned"), function="SUM", output_field=IntegerField())),
        output_field=IntegerField(),
    )
    return Coalesce(summed, 0), warned_only(
        Measure.objects.filter(problem__inspection__in=uncounted.values("pk")), on
    )


def report_months(user, on: date | None = None) -> dict[date, tuple[int, int]] | None:
    """(submitted, accepted) reports per month (its first day) over every inspection the user sees:
    today's rows of the inspections counted today, and the others' reports counted directly: three
    queries, the last two finding nothing once the day's rows exist. None when the rows cannot answer
    for the user (see _scope).
    The dashboard's timeline over all inspections comes from here."""
    on = on or timezone.localdate()
    scope = _scope(user, on)
    if scope is None:
        return None
    counted, uncounted = scope
    summed = (
        ReportTally.objects.filter(counted_on=on, inspection__in=counted.values("inspection_id"))
        .values("month")
        .annotate(submitted=Sum("submitted"), accepted=Sum("accepted"))
        .values_list("month", "submitted", "accepted")
        .order_by()
    )
    uncounted_reports = ProgressReport.objects.filter(measure__problem__inspection__in=uncounted.values("pk"))
    direct = [(row.month, row.submitted, row.accepted) for row in _count_reports(uncounted_reports, on)]
    months: dict[date, tuple[int, int]] = {}
    for month, submitted, accepted in [*summed, *direct]:
        before = months.get(month, (0, 0))
        months[month] = (before[0] + submitted, before[1] + accepted)
    return months


def group_sums(user, on: date | None = None) -> dict[type[GroupTally], list[GroupSum]] | None:
    """Per grouping (GROUPINGS), the measures and the overdue ones per group and status over every
    inspection the user sees on `on` (today): today's rows summed in the database, and the other
    inspections' measures counted directly (nothing to count once the tick or a change has counted
    them): six queries. None when the rows cannot answer for the user (see _scope). The dashboard's
    per-unit, per-leader and per-category figures across inspections come from here."""
    on = on or timezone.localdate()
    scope = _scope(user, on)
    if scope is None:
        return None
    counted, uncounted = scope
    found: dict[type[GroupTally], list[GroupSum]] = {}
    for model in GROUPINGS:
        summed = (
            model.objects.filter(counted_on=on, inspection__in=counted.values("inspection_id"))
            .values_list(model.KEY, "status")
            .annotate(n=Sum("measures"), late=Sum("overdue"))
            .order_by()
        )
        found[model] = list(summed)
    direct = _count_groups(Measure.objects.filter(problem__inspection__in=uncounted.values("pk")), on)
    for model, rows in direct.items():
        found[model] += [(getattr(row, model.KEY), row.status, row.measures, row.overdue) for row in rows]
    return found


def problem_sums(user, on: date | None = None) -> list[dict] | None:
    """Per inspection the user sees on `on` (today) with problems: its id, title and feedback date,
    its problems and how many are rectified (ledger.querysets.counted_problems): today's rows, and
    the other inspections counted directly: two queries. None when the rows cannot answer for the
    user (see _scope)."""
    on = on or timezone.localdate()
    scope = _scope(user, on)
    if scope is None:
        return None
    counted, uncounted = scope
    fields = ("inspection_id", "inspection__title", "inspection__feedback_date")
    kept = ProblemTally.objects.filter(counted_on=on, inspection__in=counted.values("inspection_id"))
    direct = counted_problems(Problem.objects.filter(inspection__in=uncounted.values("pk")), *fields)
    return [*kept.values(*fields, "problems", "rectified"), *direct]
