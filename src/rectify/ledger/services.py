"""Business rules of the ledger. Views, the API and commands call these; none repeats them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from rectify import record
from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit, filled
from rectify.org.access import CHANGE, VIEW, Access
from rectify.org.models import Organisation, Role, User, units_within

from .choices import (
    OPEN_STATUSES,
    LedgerColumn,
    MeasureCategory,
    MeasureStatus,
    MechanismKind,
    MechanismStatus,
    ReportPeriod,
)
from .extensions import measures_changed
from .models import DeadlineChange, Inspection, LedgerView, Measure, MeasureUnit, Mechanism, Problem


def today() -> date:
    return timezone.localdate()


def get_inspection(user: User, inspection_id: int, action: str = VIEW) -> Inspection:
    """The inspection, if the user may take `action` on it (VIEW_ALL: the whole of it, as the office,
    leaders and supervisors see it, not a unit's share); NotFound otherwise."""
    try:
        return Inspection.objects.restrict(user, action).select_related("inspected").get(pk=inspection_id)
    except Inspection.DoesNotExist:
        raise NotFound("巡察不存在，或您无权查看。") from None


def with_rectifying(inspections: QuerySet[Inspection]) -> QuerySet[Inspection]:
    """`inspections`, each marked `rectifying` when still being rectified (a measure of it is open), in
    the same query."""
    open_measures = Measure.objects.filter(problem__inspection=OuterRef("pk"), status__in=OPEN_STATUSES)
    return inspections.annotate(rectifying=Exists(open_measures))


@dataclass(frozen=True)
class WorkedTogether:
    """Inspections of one organisation being rectified at the same time, which an office may read as one
    ledger (结合…巡察反馈意见整改工作): the ledger page's link over all of them."""

    organisation: Organisation
    inspections: list[Inspection]

    @property
    def names(self) -> str:
        return "、".join(inspection.short_name for inspection in self.inspections)

    @property
    def ledger_query(self) -> str:
        return "&".join(f"inspection={inspection.pk}" for inspection in self.inspections)


def worked_together(inspections) -> list[WorkedTogether]:
    """The organisations among `inspections` (with_rectifying, each loaded with `inspected`) with more
    than one being rectified, in the order met, each with those inspections by id."""
    by_organisation: dict[int, list[Inspection]] = {}
    for inspection in inspections:
        if inspection.rectifying:
            by_organisation.setdefault(inspection.inspected_id, []).append(inspection)
    return [
        WorkedTogether(group[0].inspected, sorted(group, key=lambda inspection: inspection.pk))
        for group in by_organisation.values()
        if len(group) > 1
    ]


def get_problem(user: User, problem_id: int) -> Problem:
    try:
        return Problem.objects.restrict(user, VIEW).select_related("inspection", "area").get(pk=problem_id)
    except Problem.DoesNotExist:
        raise NotFound("问题不存在，或您无权查看。") from None


def get_measure(user: User, measure_id: int, on: date | None = None) -> Measure:
    try:
        return measure_queryset(user, on).get(pk=measure_id)
    except Measure.DoesNotExist:
        raise NotFound("整改措施不存在，或您无权查看。") from None


def measure_queryset(user: User, on: date | None = None) -> QuerySet[Measure]:
    """Measures the user may see, with everything a ledger row shows loaded in a fixed number of queries."""
    return (
        Measure.objects.restrict(user, VIEW)
        .with_overdue(on or today())
        .select_related("problem__inspection", "problem__area", "lead_leader", "responsible_unit")
        .prefetch_related("unit_links__unit")
    )


@dataclass(frozen=True)
class InspectionSummary:
    problems: int
    measures: int
    by_status: dict[str, int]
    overdue: int
    rectified_problems: int

    @property
    def status_rows(self) -> list[tuple[str, str, int]]:
        return [(status.value, status.label, self.by_status.get(status.value, 0)) for status in MeasureStatus]


def summarise(user: User, inspection: Inspection, on: date | None = None) -> InspectionSummary:
    """Counts of the measures the user may see, by status, computed in the database."""
    on = on or today()
    measures = Measure.objects.restrict(user, VIEW).filter(problem__inspection=inspection)
    by_status = dict(measures.values_list("status").annotate(n=Count("id")).order_by())
    problems = Problem.objects.restrict(user, VIEW).filter(inspection=inspection)
    done = (MeasureStatus.SIGNED_OFF, MeasureStatus.ONGOING)
    rectified = (
        problems.annotate(
            open_measures=Count("measures", filter=~Q(measures__status__in=done)),
            all_measures=Count("measures"),
        )
        .filter(open_measures=0, all_measures__gt=0)
        .count()
    )
    return InspectionSummary(
        problems=problems.count(),
        measures=sum(by_status.values()),
        by_status=by_status,
        overdue=measures.overdue(on).count(),
        rectified_problems=rectified,
    )


def problem_status_counts(problems: QuerySet[Problem], user: User) -> QuerySet[Problem]:
    """Annotate each problem with its visible measure count and its open (not finished) measure count."""
    visible = Measure.objects.restrict(user, VIEW).values("pk")
    return problems.annotate(
        measure_count=Count("measures", filter=Q(measures__in=visible)),
        open_count=Count(
            "measures",
            filter=Q(measures__in=visible)
            & Q(measures__status__in=(*OPEN_STATUSES, MeasureStatus.SIGNOFF_REQUESTED)),
        ),
    )


def assignable_leaders(inspection: Inspection) -> QuerySet[User]:
    """Leaders who hold the leader role in the inspected organisation or above it."""
    ancestors = inspection.inspected.ancestor_paths
    return (
        User.objects.filter(
            is_active=True, memberships__role=Role.LEADER, memberships__organisation__path__in=ancestors
        )
        .distinct()
        .order_by("full_name", "username")
    )


def assignable_units(inspection: Inspection) -> QuerySet[Organisation]:
    """Units that can carry a measure: the inspected organisation's own units (org.models.units_within).
    A body outside it (a district government, for example) is named in `Measure.outside_units`."""
    return units_within(inspection.inspected)


UNSET: Any = object()


@transaction.atomic
def update_measure_assignment(
    user: User,
    measure_id: int,
    *,
    version: int,
    lead_leader: User | None = UNSET,
    responsible_unit: Organisation | None = UNSET,
    units: list[Organisation] = UNSET,
    supporting_units: list[Organisation] = UNSET,
    outside_units: str = UNSET,
    deadline: date | None = UNSET,
    category: str = UNSET,
    reason: str = "",
) -> Measure:
    """Change who does a measure and by when. Only the office may; the edit must start from the
    current `version`, else StaleEdit tells the user someone else saved first and nothing changes.

    A measure always has one 主责单位 (`responsible_unit`), always one of its responsible `units`.
    Naming responsible units without it keeps the current one if it is still among them, else takes
    the first named; leaving none is refused.

    Changing the lead leader or the units of a signed-off measure needs a `reason` (REASON_NEEDED), kept
    with each entry of the audit trail the change writes, which reads it ("…，理由：…")."""
    measure = _lock_measure(user, measure_id)
    reason = (reason or "").strip()
    measure.change_reason = reason  # read by Measure.get_additional_data into the audit entries
    if measure.version != version:
        raise StaleEdit(
            f"该整改措施已被他人修改（您编辑的是第 {version} 版，当前为第 {measure.version} 版），"
            "本次修改未保存。请在最新版本的基础上重新修改。"
        )
    inspection = measure.problem.inspection
    before = (measure.lead_leader_id, measure.deadline, measure.category, measure.outside_units)
    if lead_leader is not UNSET:
        if lead_leader is not None and not assignable_leaders(inspection).filter(pk=lead_leader.pk).exists():
            raise InvalidInput(f"“{lead_leader}”不是本单位的领导小组成员，不能担任牵头领导。")
        measure.lead_leader = lead_leader
    if outside_units is not UNSET:
        measure.outside_units = (outside_units or "").strip()[:255]
    if category is not UNSET:
        if category not in MeasureCategory.values:
            raise InvalidInput(f"整改类型“{category}”无效，应为：立行立改、限期整改或长期坚持。")
        measure.category = category
    if deadline is not UNSET:
        if measure.deadline is not None and deadline != measure.deadline:
            raise InvalidInput(DEADLINE_FIXED)
        if deadline is not None and inspection.feedback_date and deadline < inspection.feedback_date:
            raise InvalidInput(f"整改时限不能早于巡察反馈日期（{inspection.feedback_date.isoformat()}）。")
        measure.deadline = deadline
    if (
        measure.category != MeasureCategory.LONG_TERM
        and measure.deadline is None
        and (deadline is not UNSET or category is not UNSET)
    ):
        raise InvalidInput("立行立改和限期整改的措施必须填写整改时限；长期坚持的措施可不填。")
    before += (measure.responsible_unit_id,)
    if responsible_unit is not UNSET or units is not UNSET:
        measure.responsible_unit = _main_unit(measure, responsible_unit, units)
        if units is not UNSET and measure.responsible_unit not in units:
            units = [measure.responsible_unit, *units]
    units_changed = (
        units is not UNSET or supporting_units is not UNSET or responsible_unit is not UNSET
    ) and _replace_units(measure, units, supporting_units)
    after = (
        measure.lead_leader_id,
        measure.deadline,
        measure.category,
        measure.outside_units,
        measure.responsible_unit_id,
    )
    if measure.status == MeasureStatus.SIGNED_OFF and not reason:
        people_changed = (after[0], after[4]) != (before[0], before[4])
        if units_changed or people_changed:
            raise InvalidInput(REASON_NEEDED)  # the transaction undoes the units already replaced
    if units_changed or after != before:
        # Saving what was already there would move the version on and make others' edits stale.
        measure.version += 1
        measure.save()
        # The summary rows count measures by leader, unit, category and deadline.
        measures_changed([inspection.pk])
    return get_measure(user, measure.pk)


REASON_NEEDED = "该措施已销号，更换牵头领导或责任单位须填写修改理由，理由将记入变更记录。本次修改未保存。"

# A deadline, once set, moves only through an extension request decided by the office (supervision).
DEADLINE_FIXED = "整改时限已确定，如需调整请提交延期申请。本次修改未保存。"


@transaction.atomic
def move_deadline(measure_id: int, new_deadline: date, *, kind: str, reason: str, by: User) -> DeadlineChange:
    """Move the measure's deadline later, recording the move (old → new, reason, who) in its one history
    of deadlines, and moving its version on. The caller has checked who decides: supervision's extension
    procedure (kind 延期) or progress's follow-up finding a relapse (kind 反弹重启). The ledger's own edit
    refuses to move a deadline once set (DEADLINE_FIXED)."""
    measure = Measure.objects.select_for_update(of=("self",)).get(pk=measure_id)
    change = DeadlineChange.objects.create(
        measure=measure,
        kind=kind,
        old_deadline=measure.deadline,
        new_deadline=new_deadline,
        reason=reason,
        decided_by=by,
    )
    measure.deadline = new_deadline
    measure.version += 1
    measure.save()
    measures_changed(Problem.objects.filter(pk=measure.problem_id).values_list("inspection_id", flat=True))
    return change


NO_MAIN_UNIT = (
    "每项整改措施必须有且只有一个主责单位，请选择主责单位后再保存；"
    "没有主责单位的措施不会出现在任何单位的“我的整改”中。本次修改未保存。"
)


def _main_unit(measure: Measure, chosen: Organisation | None, units: list[Organisation]) -> Organisation:
    """The 主责单位 after an edit: the one chosen, else the current one if it stays responsible,
    else the first responsible unit named. InvalidInput when there is none."""
    if chosen is None:
        raise InvalidInput(NO_MAIN_UNIT)
    if chosen is not UNSET:
        return chosen
    if measure.responsible_unit in units:
        return measure.responsible_unit
    if units:
        return units[0]
    raise InvalidInput(NO_MAIN_UNIT)


def _lock_measure(user: User, measure_id: int) -> Measure:
    """The measure, locked for the rest of the transaction, if the user may change it."""
    visible = Measure.objects.restrict(user, VIEW).filter(pk=measure_id)
    if not visible.exists():
        raise NotFound("整改措施不存在，或您无权查看。")
    try:
        return (
            Measure.objects.restrict(user, CHANGE)
            .select_for_update(of=("self",))
            .select_related("problem__inspection")
            .get(pk=measure_id)
        )
    except Measure.DoesNotExist:
        raise AccessDenied("只有整改办可以修改整改措施的分工和时限。") from None


def _replace_units(measure: Measure, units: list[Organisation], supporting: list[Organisation]) -> bool:
    """Make the measure's units these; True if anything changed."""
    current = {link.unit_id: link.role for link in measure.unit_links.all()}
    responsible_ids = (
        [u.pk for u in units]
        if units is not UNSET
        else [pk for pk, role in current.items() if role == MeasureUnit.Role.RESPONSIBLE]
    )
    if measure.responsible_unit_id not in responsible_ids:
        responsible_ids = [measure.responsible_unit_id, *responsible_ids]
    supporting_ids = (
        [u.pk for u in supporting]
        if supporting is not UNSET
        else [
            pk
            for pk, role in current.items()
            if role == MeasureUnit.Role.SUPPORTING and pk not in responsible_ids
        ]
    )
    both = set(responsible_ids) & set(supporting_ids)
    if both:
        names = "、".join(Organisation.objects.filter(pk__in=both).values_list("name", flat=True))
        raise InvalidInput(f"{names} 不能同时是责任单位和配合单位。")
    chosen = set(responsible_ids + supporting_ids)
    inspected = measure.problem.inspection.inspected
    refused = chosen - set(
        assignable_units(measure.problem.inspection).filter(pk__in=chosen).values_list("pk", flat=True)
    )
    if refused:
        names = "、".join(
            Organisation.objects.filter(pk__in=refused).order_by("path").values_list("name", flat=True)
        )
        raise InvalidInput(
            f"{names} 不是{inspected.name}或其下属单位（巡察机构和纪检监察组也不能承担整改任务），"
            "不能作为责任单位或配合单位；系统外的承办单位请填在“系统外承办单位”中，只记名称，不开通权限。"
        )
    wanted = {pk: MeasureUnit.Role.RESPONSIBLE for pk in responsible_ids}
    wanted.update({pk: MeasureUnit.Role.SUPPORTING for pk in supporting_ids})
    if wanted == current:
        return False
    for link in list(measure.unit_links.all()):
        if wanted.get(link.unit_id) != link.role:
            link.delete()  # one by one, so the audit trail records each removal
    kept = {link.unit_id for link in measure.unit_links.all()}
    for pk, role in wanted.items():
        if pk not in kept:
            MeasureUnit.objects.create(measure=measure, unit_id=pk, role=role)
    return True


@dataclass(frozen=True)
class HistoryEntry:
    timestamp: datetime
    actor: str
    action: str
    changes: list[tuple[str, str, str]]
    sentence: str  # what was done, as an official writes it (rectify.record), after the actor's name


ACTION_LABELS = {
    LogEntry.Action.CREATE: "创建",
    LogEntry.Action.UPDATE: "修改",
    LogEntry.Action.DELETE: "删除",
    LogEntry.Action.ACCESS: "查看",
}


def measure_history(measure: Measure, limit: int = 200) -> list[HistoryEntry]:
    """The measure's audit trail, newest first, each entry a sentence (rectify.record) with its raw change:
    its own changes, its unit assignments, and every report, review, sign-off, follow-up and indicator
    hanging from it. A fixed number of queries: related names are looked up once per model."""
    unit_type = ContentType.objects.get_for_model(MeasureUnit)
    entries = list(
        LogEntry.objects.filter(additional_data__measure_id=measure.pk)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")[:limit]
    )
    history = []
    for entry, sentence in zip(entries, record.describe(entries, subject=False), strict=True):
        if sentence is None or not sentence.text:
            continue  # an attachment counted on its report's line, or bookkeeping only
        model = entry.content_type.model_class()
        if entry.content_type_id == unit_type.pk:
            verb = {LogEntry.Action.CREATE: "增加", LogEntry.Action.DELETE: "移除"}.get(entry.action, "修改")
            action, changes = f"{verb}{entry.object_repr}", []
        else:
            action = ACTION_LABELS.get(entry.action, "修改")
            if model is not Measure:
                action += str(model._meta.verbose_name) if model else entry.content_type.model
            changes = sentence.raw
        actor = entry.actor.display_name if entry.actor else "系统"
        history.append(HistoryEntry(entry.timestamp, actor, action, changes, sentence.text))
    return history


def mechanism_list(user: User, inspection_id: int | None = None) -> QuerySet[Mechanism]:
    # Only the problems this user may see: a unit must not learn other units' problems through a rule.
    problems = Prefetch("problems", queryset=Problem.objects.restrict(user, VIEW).order_by("number"))
    mechanisms = (
        Mechanism.objects.restrict(user, VIEW).select_related("inspection").prefetch_related(problems)
    )
    if inspection_id:
        mechanisms = mechanisms.filter(inspection_id=inspection_id)
    return mechanisms.order_by("inspection_id", "id")


@transaction.atomic
def save_mechanism(
    user: User,
    *,
    inspection_id: int,
    title: str,
    kind: str,
    status: str,
    issued_on: date | None = None,
    document_number: str = "",
    problem_ids: list[int] = (),
    mechanism_id: int | None = None,
) -> Mechanism:
    """The office records a rule made or revised (长效机制), new or edited, and the problems it answers."""
    inspection = get_inspection(user, inspection_id)
    if not Access.of(user).is_office_for(inspection.inspected):
        raise AccessDenied("只有整改办可以登记和修改长效机制。")
    title = filled(title, "制度名称")
    if kind not in MechanismKind.values:
        raise InvalidInput("制度类型应为“制定”或“修订”。")
    if status not in MechanismStatus.values:
        raise InvalidInput("制度状态应为起草中、审议中或已印发。")
    if status == MechanismStatus.ISSUED and issued_on is None:
        raise InvalidInput("已印发的制度必须填写印发日期。")
    problems = list(Problem.objects.filter(inspection=inspection, pk__in=problem_ids))
    if len(problems) != len(set(problem_ids)):
        raise InvalidInput("所选问题不属于本次巡察。")
    if mechanism_id is None:
        mechanism = Mechanism(inspection=inspection)
    else:
        mechanism = (
            Mechanism.objects.select_for_update().filter(pk=mechanism_id, inspection=inspection).first()
        )
        if mechanism is None:
            raise NotFound("长效机制不存在，或不属于该巡察。")
    mechanism.title = title[:255]
    mechanism.kind = kind
    mechanism.status = status
    mechanism.issued_on = issued_on
    mechanism.document_number = (document_number or "").strip()[:64]
    mechanism.save()
    mechanism.problems.set(problems)
    return mechanism


def set_report_period(user: User, inspection_id: int, period: str) -> Inspection:
    """The office sets how often units report on this inspection's measures."""
    inspection = get_inspection(user, inspection_id)
    if not Access.of(user).is_office_for(inspection.inspected):
        raise AccessDenied("只有整改办可以设置进展报送周期。")
    if period not in ReportPeriod.values:
        raise InvalidInput("报送周期应为每月、每季度或每半年。")
    inspection.report_period = period
    inspection.save(update_fields=["report_period"])
    return inspection


def ledger_view(user: User) -> LedgerView:
    """How the user likes the ledger shown: the saved choice, or the defaults (not saved) if none."""
    return LedgerView.objects.filter(user=user).first() or LedgerView(user=user)


def save_ledger_view(user: User, *, compact: bool, columns: list[str]) -> LedgerView:
    """Remember the user's ledger view (standard or compact) and the compact view's columns, in the
    product's column order. An unknown column is refused and nothing changes."""
    unknown = set(columns) - set(LedgerColumn.values)
    if unknown:
        raise InvalidInput("所选的列不存在：" + "、".join(sorted(unknown)))
    chosen = [column for column in LedgerColumn.values if column in columns]
    view, _ = LedgerView.objects.update_or_create(user=user, defaults={"compact": compact, "columns": chosen})
    return view
