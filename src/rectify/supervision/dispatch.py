"""Dispatch reports (调度报告): the figures of one inspection's ledger for a date range, computed in
the database and stored as plain JSON, so a report reads the same later and the next dispatch can
say what changed since.

Who: the rectification office of the inspected organisation and the supervisors over it build
dispatches; the leaders there may read them too. Units and outsiders may not.

What is "as of" what: statuses are those at the moment of building; deadlines are measured against
the range's end (截至日期), so a measure is overdue when its deadline is before `end` and it is still
open. "Done in the range" counts sign-offs approved and reports accepted between `start` and `end`.

The number of queries is fixed: every figure is an aggregate, and only the listed items (overdue
measures, measures signed off in the range, measures whose report is missing, what changed since
the previous dispatch) are read row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from rectify.accountability.models import AccountabilityForm
from rectify.accountability.services import counts_by_form
from rectify.errors import AccessDenied, InvalidInput, NotFound
from rectify.ledger.choices import MeasureStatus
from rectify.ledger.models import Area, Inspection, Measure, MeasureUnit, Problem
from rectify.ledger.querysets import overdue_q
from rectify.ledger.services import InspectionSummary, get_inspection, summarise
from rectify.meetings.models import MeetingKind
from rectify.meetings.services import meeting_counts
from rectify.org.access import VIEW, Access, path_q
from rectify.org.models import User
from rectify.progress.models import ProgressReport, ReportState, SignOff
from rectify.progress.services import STANDING, approved_signoffs, signed_off_between

from . import tallies
from .deadlines import warned, with_report_missing
from .models import (
    DISPATCH_BUILDER_ROLES,
    DISPATCH_READER_ROLES,
    DeadlineExtension,
    DispatchReport,
    ExtensionState,
    InspectionTally,
    WarningLevel,
)

FORMAT_VERSION = 1
BUILD_DENIED = "只有被巡察单位的整改办和纪检监察（巡察）机构可以生成调度报告。"
READ_DENIED = "只有整改办、纪检监察（巡察）机构和领导可以查看调度报告。"

S = MeasureStatus
RUNNING = (S.IN_PROGRESS, S.SIGNOFF_REQUESTED, S.REOPENED)  # 推进中
WARNING_LEVELS = [WarningLevel.GREEN, WarningLevel.YELLOW, WarningLevel.RED, WarningLevel.ESCALATED]
NO_REPORT = "未报送进展"
NO_UNIT = "（未明确责任单位）"
NO_LEADER = "（未明确牵头领导）"
NO_AREA = "（未分方面）"

# Figures compared with the previous dispatch: (key in data["totals"], label).
COMPARED = [
    ("measures", "整改措施总数"),
    ("signed_off", "已销号"),
    ("ongoing", "长期坚持"),
    ("in_progress", "推进中"),
    ("not_started", "未启动"),
    ("overdue", "超期未完成"),
    ("completion_rate", "整改完成率（%）"),
    ("rectified_problems", "已整改到位问题"),
    ("red_warnings", "红色预警（含已升级）"),
    ("reports_missing", "未按期报送进展"),
]


# ------------------------------------------------------------------ who may


def _holds(user: User, roles, inspection: Inspection) -> bool:
    access = Access.of(user)
    return access.is_superuser or any(access.has_role(role, inspection.inspected) for role in roles)


def may_build(user: User, inspection: Inspection) -> bool:
    return _holds(user, DISPATCH_BUILDER_ROLES, inspection)


def may_read(user: User, inspection: Inspection) -> bool:
    return _holds(user, DISPATCH_READER_ROLES, inspection)


def _inspections_for(user: User, roles) -> QuerySet[Inspection]:
    access = Access.of(user)
    inspections = Inspection.objects.select_related("inspected")
    if not access.is_authenticated:
        return inspections.none()
    if access.is_superuser:
        return inspections
    condition = path_q("inspected__path", access.paths(roles))
    return inspections.filter(condition) if condition is not None else inspections.none()


def buildable_inspections(user: User) -> QuerySet[Inspection]:
    """Inspections the user may build dispatches for."""
    return _inspections_for(user, DISPATCH_BUILDER_ROLES)


def readable_inspections(user: User) -> QuerySet[Inspection]:
    """Inspections whose dispatches the user may read."""
    return _inspections_for(user, DISPATCH_READER_ROLES)


def may_use_dispatch(user: User) -> bool:
    """Whether the user holds any role that reads dispatches (the list page is theirs)."""
    access = Access.of(user)
    return access.is_authenticated and (access.is_superuser or bool(access.paths(DISPATCH_READER_ROLES)))


def readable_dispatches(user: User, inspection_id: int | None = None) -> QuerySet[DispatchReport]:
    """The dispatches the user may read; with `inspection_id`, those covering that inspection (alone or
    with others)."""
    dispatches = DispatchReport.objects.restrict(user, VIEW)
    if inspection_id:
        dispatches = dispatches.filter(inspections=inspection_id)
    return dispatches.select_related("inspection__inspected", "created_by").order_by("-created_at", "-id")


def get_dispatch(user: User, dispatch_id: int) -> DispatchReport:
    """A stored dispatch the user may read: NotFound when the user may not even see its inspection,
    AccessDenied when the user sees the inspection but not its dispatches (a responsible unit)."""
    dispatch = (
        DispatchReport.objects.select_related("inspection__inspected", "created_by")
        .filter(pk=dispatch_id)
        .first()
    )
    if dispatch is None:
        raise NotFound("调度报告不存在，或您无权查看。")
    get_inspection(user, dispatch.inspection_id)  # NotFound for outsiders
    if not may_read(user, dispatch.inspection):
        raise AccessDenied(READ_DENIED)
    return dispatch


def check_range(start: date | None, end: date | None, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if start is None or end is None:
        raise InvalidInput("请填写调度的起始日期和截止日期。")
    if end < start:
        raise InvalidInput("截止日期不能早于起始日期。")
    if end > today:
        raise InvalidInput(f"截止日期不能晚于今天（{today.isoformat()}）。")


# ------------------------------------------------------------------ building


SEVERAL_ORGANISATIONS = "合并调度的巡察须属于同一被巡察单位。"


@transaction.atomic
def build_dispatch(user: User, inspection_ids: int | Iterable[int], start: date, end: date) -> DispatchReport:
    """Compute the dispatch of one inspection, or of several of one organisation worked together
    (合并调度), for [start, end], compare it with the previous one of the same inspections, and store it."""
    inspections = _covered(user, inspection_ids)
    check_range(start, end)
    previous = (
        DispatchReport.objects.select_for_update()
        .filter(_covering_exactly(inspections))
        .order_by("-created_at", "-id")
        .first()
    )
    data = compute(user, inspections, start, end)
    data["comparison"] = compare(data, previous, inspections) if previous is not None else None
    if len(inspections) > 1:
        _name_inspections(data, inspections)
    report = DispatchReport.objects.create(
        inspection=inspections[0], start=start, end=end, created_by=user, data=data
    )
    report.inspections.set(inspections)
    return report


def _covered(user: User, inspection_ids: int | Iterable[int]) -> list[Inspection]:
    """The inspections asked for, in the order given, once each: each one the user may build dispatches
    for (NotFound, AccessDenied), all of one organisation (InvalidInput)."""
    ids = [inspection_ids] if isinstance(inspection_ids, int) else list(dict.fromkeys(inspection_ids))
    if not ids:
        raise InvalidInput("请选择巡察。")
    inspections = [get_inspection(user, inspection_id) for inspection_id in ids]  # NotFound for outsiders
    if not all(may_build(user, inspection) for inspection in inspections):
        raise AccessDenied(BUILD_DENIED)
    if len({inspection.inspected_id for inspection in inspections}) > 1:
        raise InvalidInput(SEVERAL_ORGANISATIONS)
    return inspections


def _covering_exactly(inspections: list[Inspection]) -> Q:
    """Dispatches covering these inspections and no other, in whatever order they were named (the
    previous one to compare with)."""
    Covered = DispatchReport.inspections.through
    covers = [
        Exists(Covered.objects.filter(dispatchreport=OuterRef("pk"), inspection=inspection))
        for inspection in inspections
    ]
    others = Covered.objects.filter(dispatchreport=OuterRef("pk")).exclude(inspection__in=inspections)
    return Q(*covers) & ~Exists(others)


def several_name(inspections: list[dict] | list[Inspection]) -> str:
    """“十二届市委第六轮巡察和2024年审计”: how a dispatch over several inspections names them."""
    names = [item["name"] if isinstance(item, dict) else item.short_name for item in inspections]
    return "、".join(names[:-1]) + "和" + names[-1] if len(names) > 1 else "".join(names)


def _facts(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "title": inspection.title,
        "name": inspection.short_name,
        "kind": str(inspection.get_kind_display()),
        "inspecting_body": inspection.inspecting_body,
        "inspected": {"id": inspection.inspected_id, "name": inspection.inspected.name},
        "feedback_date": _iso(inspection.feedback_date),
        "deadline": _iso(inspection.deadline),
        "report_period": str(inspection.get_report_period_display()),
    }


def _name_inspections(data: dict, inspections: list[Inspection]) -> None:
    """Each listed measure of a dispatch over several inspections says its inspection (措施 numbers
    repeat across them)."""
    names = {inspection.pk: inspection.short_name for inspection in inspections}
    of_problem = dict(Problem.objects.filter(inspection__in=inspections).values_list("pk", "inspection_id"))
    comparison = data.get("comparison") or {}
    lists = [
        data["late"],
        data["reports_missing"],
        data["period"]["signed_off"],
        comparison.get("newly_signed_off", []),
        comparison.get("newly_overdue", []),
    ]
    for items in lists:
        for item in items:
            item["inspection"] = names.get(of_problem.get(item["problem_id"]), "")


def _summary_of(user: User, inspections: list[Inspection], end: date) -> InspectionSummary:
    """The ledger's summary (ledger.services.summarise) of each inspection, added up."""
    summaries = [summarise(user, inspection, on=end) for inspection in inspections]
    by_status: dict[str, int] = {}
    for summary in summaries:
        for status, count in summary.by_status.items():
            by_status[status] = by_status.get(status, 0) + count
    return InspectionSummary(
        problems=sum(summary.problems for summary in summaries),
        measures=sum(summary.measures for summary in summaries),
        by_status=by_status,
        overdue=sum(summary.overdue for summary in summaries),
        rectified_problems=sum(summary.rectified_problems for summary in summaries),
    )


def compute(user: User, inspections: Inspection | list[Inspection], start: date, end: date) -> dict[str, Any]:
    """Every figure of the dispatch, as JSON-safe values (ISO dates, ids and names). Over several
    inspections the figures are those of all their measures together, with a row per inspection."""
    inspections = [inspections] if isinstance(inspections, Inspection) else inspections
    inspection = inspections[0]
    several = len(inspections) > 1
    now = timezone.now()
    measures = Measure.objects.filter(problem__inspection__in=inspections)
    summary = _summary_of(user, inspections, end)
    by_status = summary.by_status
    warnings = warnings_by_level(measures, end)
    missing = _reports_missing(measures, end)
    totals = {
        "problems": summary.problems,
        "rectified_problems": summary.rectified_problems,
        "measures": summary.measures,
        "signed_off": by_status.get(S.SIGNED_OFF, 0),
        "ongoing": by_status.get(S.ONGOING, 0),
        "in_progress": sum(by_status.get(status, 0) for status in RUNNING),
        "not_started": by_status.get(S.NOT_STARTED, 0),
        "overdue": summary.overdue,
        "red_warnings": sum(row["count"] for row in warnings if row["level"] >= WarningLevel.RED),
        "reports_missing": len(missing),
    }
    totals["completion_rate"] = rate(totals["signed_off"] + totals["ongoing"], totals["measures"])
    facts = _facts(inspection)
    if not several:
        del facts["name"]  # a single-inspection dispatch is stored as it always was
    covering = {}
    if several:
        covering = {
            "inspections": [_facts(item) for item in inspections],
            "covers": several_name(inspections),
            "by_inspection": _by_inspection(inspections, measures, end),
        }
    return {
        "format": FORMAT_VERSION,
        "inspection": facts,
        **covering,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": end.isoformat(),
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "generated_by": {"id": user.pk, "name": user.display_name},
        "totals": totals,
        "by_status": [
            {"status": status.value, "label": str(status.label), "count": by_status.get(status.value, 0)}
            for status in MeasureStatus
        ],
        "period": _period(measures, start, end),
        "late": _late(measures, end),
        "by_area": _by_area(inspections, end),
        "by_unit": _by_unit(measures, end),
        "by_leader": _by_leader(measures, end),
        "warnings": warnings,
        "reports_missing": missing,
        **_meetings_and_accountability(inspections, start, end),
    }


def _meetings_and_accountability(inspections: list[Inspection], start: date, end: date) -> dict[str, Any]:
    """Meetings held and people held accountable in the range, counted by the functions the notice and
    the 整改情况报告 use (meetings.services, accountability.services), added up over the inspections
    in the order of the kinds and forms."""
    return {
        "meetings": _added(
            [meeting_counts(inspection, start, end) for inspection in inspections], "kind", MeetingKind.values
        ),
        "accountability": _added(
            [counts_by_form(inspection, start, end) for inspection in inspections],
            "form",
            AccountabilityForm.values,
        ),
    }


def _added(counts: list[list], key: str, order: list[str]) -> list[dict]:
    """Lists of counts by kind (KindCount, FormCount; `key` names the kind), one per inspection, as one:
    each kind once, its counts added, in `order`."""
    added: dict[str, dict] = {}
    for items in counts:
        for item in items:
            row = added.setdefault(getattr(item, key), {**vars(item), "count": 0})
            row["count"] += item.count
    return [added[kind] for kind in order if kind in added]


def rate(done: int, total: int) -> float:
    """Completion rate in per cent, one decimal."""
    return round(100 * done / total, 1) if total else 0.0


def _iso(day: date | datetime | None) -> str | None:
    if day is None:
        return None
    if isinstance(day, datetime):
        return timezone.localtime(day).isoformat(timespec="seconds")
    return day.isoformat()


# ------------------------------------------------------------------ the parts


def group_counts(prefix: str, on: date) -> dict[str, Count]:
    """Aggregates of measures reached through `prefix` ("" for Measure itself)."""

    def status_in(*statuses) -> Q:
        return Q(**{f"{prefix}status__in": statuses})

    key = f"{prefix}id"
    return {
        "total": Count(key),
        "signed_off": Count(key, filter=status_in(S.SIGNED_OFF)),
        "ongoing": Count(key, filter=status_in(S.ONGOING)),
        "in_progress": Count(key, filter=status_in(*RUNNING)),
        "not_started": Count(key, filter=status_in(S.NOT_STARTED)),
        "overdue": Count(key, filter=overdue_q(on, prefix)),
    }


FIGURES = ("total", "signed_off", "ongoing", "in_progress", "not_started", "overdue")


def _row(row_id, name: str, counts: dict) -> dict:
    row = {"id": row_id, "name": name, **{key: counts[key] for key in FIGURES}}
    row["completion_rate"] = rate(counts["signed_off"] + counts["ongoing"], counts["total"])
    return row


def _by_area(inspections: list[Inspection], on: date) -> list[dict]:
    """Per area; over several inspections each area is named with its inspection."""
    names = {inspection.pk: inspection.short_name for inspection in inspections}
    areas = (
        Area.objects.filter(inspection__in=inspections)
        .annotate(**group_counts("problems__measures__", on))
        .order_by("inspection_id", "order")
    )
    rows = []
    for area in areas:
        name = area.title or NO_AREA
        if len(inspections) > 1:
            name = f"{names[area.inspection_id]}：{name}"
        rows.append(_row(area.pk, name, {key: getattr(area, key) for key in FIGURES}))
    return rows


def _by_inspection(inspections: list[Inspection], measures: QuerySet[Measure], on: date) -> list[dict]:
    """Per inspection, in the order the dispatch names them (a dispatch over several)."""
    counts = {
        row["problem__inspection_id"]: row
        for row in measures.values("problem__inspection_id").annotate(**group_counts("", on)).order_by()
    }
    empty = dict.fromkeys(FIGURES, 0)
    return [
        _row(inspection.pk, inspection.short_name, counts.get(inspection.pk, empty))
        for inspection in inspections
    ]


def _by_unit(measures: QuerySet[Measure], on: date) -> list[dict]:
    """Per responsible unit; a measure with two responsible units counts for each."""
    links = (
        MeasureUnit.objects.filter(measure__in=measures, role=MeasureUnit.Role.RESPONSIBLE)
        .values("unit_id", "unit__name", "unit__path")
        .annotate(**group_counts("measure__", on))
        .order_by("unit__path")
    )
    rows = [_row(link["unit_id"], link["unit__name"], link) for link in links]
    without = measures.exclude(
        pk__in=MeasureUnit.objects.filter(role=MeasureUnit.Role.RESPONSIBLE).values("measure_id")
    ).aggregate(**group_counts("", on))
    if without["total"]:
        rows.append(_row(None, NO_UNIT, without))
    return rows


def _by_leader(measures: QuerySet[Measure], on: date) -> list[dict]:
    groups = (
        measures.values("lead_leader_id", "lead_leader__full_name", "lead_leader__username")
        .annotate(**group_counts("", on))
        .order_by("lead_leader__full_name", "lead_leader__username")
    )
    rows = [
        _row(
            group["lead_leader_id"],
            group["lead_leader__full_name"] or group["lead_leader__username"] or NO_LEADER,
            group,
        )
        for group in groups
    ]
    rows.sort(key=lambda row: row["id"] is None)  # measures without a leader last
    return rows


def warnings_by_level(
    measures: QuerySet[Measure], on: date, rows: list[InspectionTally] | None = None
) -> list[dict]:
    """The measures at each warning level on `on`; from the summary rows when given (the rows of
    exactly these measures' inspections, tallies.visible_rows), else counted."""
    if rows is None:
        counts = dict(warned(measures, on).values_list("warning_level").annotate(n=Count("id")).order_by())
    else:
        counts = tallies.level_counts(rows)
    return [
        {"level": int(level), "label": str(level.label), "count": counts.get(level.value, 0)}
        for level in WARNING_LEVELS
    ]


def _unit_names(listed: QuerySet[Measure]) -> dict[int, list[str]]:
    """Responsible units of the listed measures, in one query (a subquery, so it runs even when
    the list is empty and the number of queries does not depend on the data)."""
    names: dict[int, list[str]] = {}
    links = (
        MeasureUnit.objects.filter(role=MeasureUnit.Role.RESPONSIBLE, measure__in=listed.values("pk"))
        .order_by("measure_id", "unit__path")
        .values_list("measure_id", "unit__name")
    )
    for measure_id, name in links:
        names.setdefault(measure_id, []).append(name)
    return names


def _listed(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    return measures.select_related("problem", "lead_leader").order_by("problem__number", "order")


def _item(measure: Measure, units: dict[int, list[str]]) -> dict:
    leader = measure.lead_leader
    return {
        "id": measure.pk,
        "label": f"{measure.problem.number}.{measure.order}",
        "problem_id": measure.problem_id,
        "problem": measure.problem.title,
        "text": measure.text,
        "status": measure.status,
        "status_label": str(MeasureStatus(measure.status).label),
        "deadline": _iso(measure.deadline),
        "leader": leader.display_name if leader else "",
        "units": units.get(measure.pk, []),
    }


def _late(measures: QuerySet[Measure], on: date) -> list[dict]:
    """Overdue measures, longest overdue first, each with why: its latest report, or none."""
    latest = ProgressReport.objects.filter(measure=OuterRef("pk")).order_by("-submitted_at", "-id")
    late = (
        _listed(measures.overdue(on))
        .annotate(
            latest_text=Subquery(latest.values("text")[:1]),
            latest_state=Subquery(latest.values("state")[:1]),
            latest_at=Subquery(latest.values("submitted_at")[:1]),
            latest_period=Subquery(latest.values("period_label")[:1]),
            latest_comment=Subquery(latest.values("review_comment")[:1]),
        )
        .order_by("deadline", "problem__number", "order")
    )
    units = _unit_names(late)
    items = []
    for measure in late:
        item = _item(measure, units)
        item["days_overdue"] = (on - measure.deadline).days
        if measure.latest_text is None:
            item["reason"] = NO_REPORT
            item["report"] = None
        else:
            item["reason"] = measure.latest_text
            item["report"] = {
                "state": measure.latest_state,
                "state_label": str(ReportState(measure.latest_state).label),
                "submitted_at": _iso(measure.latest_at),
                "period": measure.latest_period,
                "review_comment": measure.latest_comment or "",
            }
        items.append(item)
    return items


def _reports_missing(measures: QuerySet[Measure], on: date) -> list[dict]:
    missing = _listed(with_report_missing(measures, on).filter(report_missing=True))
    units = _unit_names(missing)
    return [_item(measure, units) for measure in missing]


def _signed_off(measures: QuerySet[Measure], approved: QuerySet[SignOff]) -> list[dict]:
    """The items of the measures that the `approved` sign-offs signed off, each with the time of its
    latest one."""
    signed = _listed(
        measures.filter(pk__in=approved.values("measure_id")).annotate(
            signed_at=Subquery(
                approved.filter(measure=OuterRef("pk")).order_by("-closed_at").values("closed_at")[:1]
            )
        )
    )
    units = _unit_names(signed)
    return [{**_item(measure, units), "signed_at": _iso(measure.signed_at)} for measure in signed]


def _period(measures: QuerySet[Measure], start: date, end: date) -> dict:
    """What was done in the range: sign-offs approved, reports accepted (and received, returned)."""
    signed_items = _signed_off(measures, signed_off_between(measures, start, end))
    in_range = {"reviewed_at__date__gte": start, "reviewed_at__date__lte": end}
    accepted = Q(state=ReportState.ACCEPTED, **in_range)
    reports = ProgressReport.objects.filter(measure__in=measures).aggregate(
        accepted=Count("id", filter=accepted),
        accepted_measures=Count("measure", filter=accepted, distinct=True),
        returned=Count("id", filter=Q(state=ReportState.RETURNED, **in_range)),
        submitted=Count("id", filter=Q(submitted_at__date__gte=start, submitted_at__date__lte=end)),
    )
    # 本期延期: extension requests approved in the range (the deadlines moved), and those asked.
    extended = DeadlineExtension.objects.filter(measure__in=measures).aggregate(
        approved=Count(
            "id",
            filter=Q(state=ExtensionState.APPROVED, decided_at__date__gte=start, decided_at__date__lte=end),
        ),
        requested=Count("id", filter=Q(requested_at__date__gte=start, requested_at__date__lte=end)),
    )
    return {
        "extensions_approved": extended["approved"],
        "extensions_requested": extended["requested"],
        "signed_off": signed_items,
        "signed_off_count": len(signed_items),
        "reports_accepted": reports["accepted"],
        "reports_accepted_measures": reports["accepted_measures"],
        "reports_returned": reports["returned"],
        "reports_submitted": reports["submitted"],
    }


# ------------------------------------------------------------------ what changed since the last one


def compare(data: dict, previous: DispatchReport, inspections: Inspection | list[Inspection]) -> dict:
    """What changed since `previous`: counts before and now, measures signed off since it was
    built, measures overdue now that were not then, and those no longer overdue."""
    before = previous.data or {}
    before_totals = before.get("totals", {})
    deltas = []
    for key, label in COMPARED:
        now_value = data["totals"].get(key)
        before_value = before_totals.get(key)
        change = None
        if isinstance(now_value, int | float) and isinstance(before_value, int | float):
            change = (
                round(now_value - before_value, 1) if key == "completion_rate" else now_value - before_value
            )
        deltas.append(
            {"key": key, "label": label, "before": before_value, "now": now_value, "change": change}
        )

    if isinstance(inspections, Inspection):
        inspections = [inspections]
    measures = Measure.objects.filter(problem__inspection__in=inspections)
    since = approved_signoffs(measures).filter(STANDING, closed_at__gt=previous.created_at)
    newly_signed = _signed_off(measures, since)

    was_late = {item["id"]: item for item in before.get("late", [])}
    now_late = {item["id"] for item in data["late"]}
    newly_overdue = [item for item in data["late"] if item["id"] not in was_late]
    gone = [item for pk, item in was_late.items() if pk not in now_late]
    current = {}
    if gone:
        current = {
            row["pk"]: row
            for row in Measure.objects.filter(pk__in=[item["id"] for item in gone]).values(
                "pk", "status", "deadline"
            )
        }
    no_longer = []
    for item in gone:
        row = current.get(item["id"])
        if row is None:
            now_status, label, deadline = "", "已删除", None
        else:
            now_status, label, deadline = (
                row["status"],
                str(MeasureStatus(row["status"]).label),
                row["deadline"],
            )
        no_longer.append(
            {
                **{key: item.get(key) for key in ("id", "label", "problem", "text", "units", "leader")},
                **({"inspection": item["inspection"]} if "inspection" in item else {}),
                "deadline_before": item.get("deadline"),
                "deadline": _iso(deadline),
                "status": now_status,
                "status_label": label,
            }
        )
    return {
        "previous": {
            "id": previous.pk,
            "start": previous.start.isoformat(),
            "end": previous.end.isoformat(),
            "generated_at": _iso(previous.created_at),
        },
        "deltas": deltas,
        "newly_signed_off": newly_signed,
        "newly_overdue": newly_overdue,
        "no_longer_overdue": no_longer,
    }
