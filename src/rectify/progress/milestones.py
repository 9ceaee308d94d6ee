"""Time nodes (时间节点) inside a measure: the rules, in one place, for the measure page, the API, the
Excel ledger (export and import) and the demo.

- A milestone has a date and a deliverable; the dates run in order and none is after the measure's
  deadline nor before the inspection's feedback date. The office plans them (whoever may change the
  measure: the same `restrict(user, CHANGE)` as the measure's assignment).
- It is done only with evidence: the responsible unit or the office marks it done by naming a
  progress report of the measure, not returned, that carries evidence files. The office may set it
  back to open (the evidence did not show it).
- The next open milestone is what the warnings follow besides the final deadline
  (supervision.deadlines reads `next_open`).
- In the Excel ledger the milestones are one cell: "2026-03-31 完成制度起草（已完成）；2026-06-30 出台制度".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput, NotFound, filled
from rectify.ledger.choices import MeasureStatus
from rectify.ledger.extensions import measures_changed
from rectify.ledger.models import Measure
from rectify.ledger.services import get_measure
from rectify.org.access import CHANGE, VIEW, is_office
from rectify.org.models import User

from .models import Evidence, Milestone, MilestoneState, ProgressReport, ReportState
from .services import is_responsible

DELIVERABLE_MAX = 200
PLAN_DENIED = "只有整改办可以安排和调整整改措施的时间节点。"
COMPLETE_DENIED = "只有该措施的责任单位或整改办可以标记时间节点完成。"
NOT_FOUND = "时间节点不存在，或您无权查看。"


def label(measure: Measure) -> str:
    return f"措施 {measure.problem.number}.{measure.order}"


# ------------------------------------------------------------------ reading


def measure_milestones(measure: Measure) -> list[Milestone]:
    """The measure's milestones in date order, with their evidence report (one query)."""
    return list(measure.milestones.select_related("report", "done_by").order_by("due_on", "id"))


def milestones_of(user: User, measure_id: int) -> list[Milestone]:
    return measure_milestones(get_measure(user, measure_id))


def get_milestone(user: User, milestone_id: int) -> Milestone:
    try:
        return (
            Milestone.objects.restrict(user, VIEW)
            .select_related("measure__problem__inspection__inspected", "report", "done_by")
            .get(pk=milestone_id)
        )
    except Milestone.DoesNotExist:
        raise NotFound(NOT_FOUND) from None


def next_open(prefix: str = "") -> QuerySet[Milestone]:
    """The measure's next open milestone (earliest date first), as a subquery of a measure queryset:
    `Subquery(next_open().values("due_on")[:1])`. `prefix` reaches the measure ("measure__")."""
    return Milestone.objects.filter(measure=OuterRef(f"{prefix}pk"), state=MilestoneState.OPEN).order_by(
        "due_on", "id"
    )


def with_next_milestone(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    """Annotate `next_milestone_due` and `next_milestone_deliverable` (None without an open one), in the
    measures' own query: the ledger row and the warnings show them."""
    upcoming = next_open()
    return measures.annotate(
        next_milestone_due=Subquery(upcoming.values("due_on")[:1]),
        next_milestone_deliverable=Subquery(upcoming.values("deliverable")[:1]),
    )


@dataclass(frozen=True)
class MilestoneRow:
    """A milestone as the measure page lists it: done, open or overdue on the day asked."""

    milestone: Milestone
    number: int
    overdue: bool
    is_next: bool

    @property
    def state_word(self) -> str:
        if self.milestone.state == MilestoneState.DONE:
            return "已完成"
        return "已超期" if self.overdue else "未完成"


def milestone_rows(milestones: list[Milestone], today: date | None = None) -> list[MilestoneRow]:
    today = today or timezone.localdate()
    open_ones = [item for item in milestones if item.state == MilestoneState.OPEN]
    first_open = open_ones[0].pk if open_ones else None
    return [
        MilestoneRow(
            item,
            number,
            overdue=item.state == MilestoneState.OPEN and item.due_on < today,
            is_next=item.pk == first_open,
        )
        for number, item in enumerate(milestones, start=1)
    ]


def evidence_reports(measure: Measure) -> list[ProgressReport]:
    """The measure's reports a milestone may be marked done with: not returned, with evidence files."""
    return list(
        measure.reports.exclude(state=ReportState.RETURNED)
        .filter(pk__in=Evidence.objects.values("report_id"))
        .prefetch_related("evidence")
        .order_by("-submitted_at", "-id")
    )


# ------------------------------------------------------------------ the rules


def check_date(measure: Measure, due_on: date) -> None:
    """A milestone's date: not after the measure's deadline, not before the inspection's feedback."""
    if measure.deadline and due_on > measure.deadline:
        raise InvalidInput(
            f"时间节点日期（{date_label(due_on)}）不能晚于该措施的整改时限（{date_label(measure.deadline)}）。"
        )
    feedback = measure.problem.inspection.feedback_date
    if feedback and due_on < feedback:
        raise InvalidInput(
            f"时间节点日期（{date_label(due_on)}）不能早于巡察反馈日期（{date_label(feedback)}）。"
        )


def check_deliverable(text: str | None) -> str:
    text = " ".join(filled(text, "节点任务（到期应完成的内容）").split())
    if len(text) > DELIVERABLE_MAX:
        raise InvalidInput(f"节点任务不能超过 {DELIVERABLE_MAX} 字。")
    if "；" in text or ";" in text:
        raise InvalidInput("节点任务中不能有分号：Excel 台账以分号分隔各时间节点。")
    return text


def _planned_measure(user: User, measure_id: int) -> Measure:
    measure = get_measure(user, measure_id)
    if not Measure.objects.restrict(user, CHANGE).filter(pk=measure.pk).exists():
        raise AccessDenied(PLAN_DENIED)
    if measure.status == MeasureStatus.SIGNED_OFF:
        raise InvalidInput(f"{label(measure)}已销号，时间节点不再调整。")
    return measure


def _duplicate(measure: Measure, deliverable: str, exclude: int | None = None) -> None:
    same = Milestone.objects.filter(measure=measure, deliverable=deliverable)
    if exclude:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise InvalidInput(f"该措施已有节点任务为“{deliverable}”的时间节点。")


@transaction.atomic
def add_milestone(user: User, measure_id: int, *, due_on: date | None, deliverable: str) -> Milestone:
    measure = _planned_measure(user, measure_id)
    if due_on is None:
        raise InvalidInput("请填写时间节点的日期。")
    deliverable = check_deliverable(deliverable)
    check_date(measure, due_on)
    _duplicate(measure, deliverable)
    milestone = Milestone.objects.create(measure=measure, due_on=due_on, deliverable=deliverable)
    measures_changed([measure.problem.inspection_id])  # the warnings follow the next open node
    return milestone


@transaction.atomic
def change_milestone(user: User, milestone_id: int, *, due_on: date | None, deliverable: str) -> Milestone:
    milestone = get_milestone(user, milestone_id)
    measure = _planned_measure(user, milestone.measure_id)
    if milestone.state == MilestoneState.DONE:
        raise InvalidInput("已完成的时间节点不能修改；如完成情况有误，请先改回未完成。")
    if due_on is None:
        raise InvalidInput("请填写时间节点的日期。")
    deliverable = check_deliverable(deliverable)
    check_date(measure, due_on)
    _duplicate(measure, deliverable, exclude=milestone.pk)
    milestone.due_on, milestone.deliverable = due_on, deliverable
    milestone.save(update_fields=["due_on", "deliverable"])
    measures_changed([measure.problem.inspection_id])
    return milestone


@transaction.atomic
def delete_milestone(user: User, milestone_id: int) -> Milestone:
    """Remove an open milestone; the removed record (with its measure) is returned to be named."""
    milestone = get_milestone(user, milestone_id)
    _planned_measure(user, milestone.measure_id)
    if milestone.state == MilestoneState.DONE:
        raise InvalidInput("已完成的时间节点不能删除。")
    measure_id = milestone.measure_id
    milestone.delete()
    milestone.measure_id = measure_id
    measures_changed([milestone.measure.problem.inspection_id])
    return milestone


@transaction.atomic
def complete_milestone(user: User, milestone_id: int, *, report_id: int | None) -> Milestone:
    """Mark the milestone done with a report of the measure that carries evidence."""
    milestone = get_milestone(user, milestone_id)
    measure = milestone.measure
    if not (is_responsible(user, measure) or is_office(user, measure.problem.inspection.inspected)):
        raise AccessDenied(COMPLETE_DENIED)
    if milestone.state == MilestoneState.DONE:
        raise InvalidInput(f"时间节点“{milestone.deliverable}”已标记完成。")
    if not report_id:
        raise InvalidInput("请选择作为佐证的整改进展报告：时间节点须附佐证材料才算完成。")
    report = (
        ProgressReport.objects.filter(pk=report_id, measure=measure)
        .exclude(state=ReportState.RETURNED)
        .first()
    )
    if report is None:
        raise InvalidInput("所选整改进展不是该措施的报告，或已被退回。请选择该措施未被退回的进展报告。")
    if not report.evidence.exists():
        raise InvalidInput(
            "所选整改进展没有佐证材料：时间节点须附佐证材料才算完成。请先报送附有佐证材料的整改进展。"
        )
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.state == MilestoneState.DONE:  # marked by someone else meanwhile
        raise InvalidInput(f"时间节点“{milestone.deliverable}”已标记完成。")
    locked.state, locked.report, locked.done_by, locked.done_at = (
        MilestoneState.DONE,
        report,
        user,
        timezone.now(),
    )
    locked.save(update_fields=["state", "report", "done_by", "done_at"])
    measures_changed([measure.problem.inspection_id])
    return locked


@transaction.atomic
def reopen_milestone(user: User, milestone_id: int) -> Milestone:
    """The office sets a milestone back to open: its evidence did not show it done."""
    milestone = get_milestone(user, milestone_id)
    if not is_office(user, milestone.measure.problem.inspection.inspected):
        raise AccessDenied("只有整改办可以把时间节点改回未完成。")
    if milestone.state != MilestoneState.DONE:
        raise InvalidInput(f"时间节点“{milestone.deliverable}”尚未完成。")
    milestone.state, milestone.report, milestone.done_by, milestone.done_at = (
        MilestoneState.OPEN,
        None,
        None,
        None,
    )
    milestone.save(update_fields=["state", "report", "done_by", "done_at"])
    measures_changed([milestone.measure.problem.inspection_id])
    return milestone


# ------------------------------------------------------------------ the Excel ledger's cell

SEPARATOR = "；"
_ITEM_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(.+?)\s*(?:[（(]([^（）()]*)[）)])?$"
)
DONE_WORD = "已完成"


def milestones_text(milestones: list[Milestone]) -> str:
    """ "2026-03-31 完成制度起草（已完成）；2026-06-30 出台制度": each node, its state when done."""
    return SEPARATOR.join(
        f"{item.due_on:%Y-%m-%d} {item.deliverable}"
        + (f"（{DONE_WORD}）" if item.state == MilestoneState.DONE else "")
        for item in milestones
    )


@dataclass(frozen=True)
class PlannedMilestone:
    due_on: date
    deliverable: str
    done: bool  # written in the cell; imported as open, since a milestone is done only with evidence


def parse_milestones(
    text: str, deadline: date | None = None, earliest: date | None = None
) -> list[PlannedMilestone]:
    """The cell read back; InvalidInput (in Chinese) naming the node that is wrong. `earliest`: the
    inspection's feedback date, before which no node may fall."""
    items: list[PlannedMilestone] = []
    for number, part in enumerate(re.split(r"[；;\n]+", text or ""), start=1):
        part = part.strip()
        if not part:
            continue
        match = _ITEM_RE.match(part)
        if match is None:
            raise InvalidInput(
                f"第 {number} 个时间节点“{part[:30]}”无法识别，应写作“2026-03-31 完成制度起草”，"
                "多个节点以分号分隔。"
            )
        year, month, day, deliverable, note = match.groups()
        try:
            due_on = date(int(year), int(month), int(day))
        except ValueError:
            raise InvalidInput(f"第 {number} 个时间节点的日期“{year}-{month}-{day}”不存在。") from None
        if len(deliverable) > DELIVERABLE_MAX:
            raise InvalidInput(f"第 {number} 个时间节点的任务超过 {DELIVERABLE_MAX} 字。")
        if items and due_on < items[-1].due_on:
            raise InvalidInput(f"时间节点应按日期先后排列：第 {number} 个（{due_on:%Y-%m-%d}）早于前一个。")
        if deadline and due_on > deadline:
            raise InvalidInput(
                f"第 {number} 个时间节点（{due_on:%Y-%m-%d}）晚于整改时限（{deadline:%Y-%m-%d}）。"
            )
        if earliest and due_on < earliest:
            raise InvalidInput(
                f"第 {number} 个时间节点（{due_on:%Y-%m-%d}）早于巡察反馈日期（{earliest:%Y-%m-%d}）。"
            )
        if any(item.deliverable == deliverable for item in items):
            raise InvalidInput(f"时间节点“{deliverable}”重复。")
        items.append(PlannedMilestone(due_on, deliverable, (note or "").strip() == DONE_WORD))
    return items


def read_cell(
    text: str, deadline: date | None, feedback_date: date | None
) -> tuple[list[PlannedMilestone], str]:
    """The Excel import's reading of a 时间节点 cell (ledger.extensions.ImportColumn): the nodes, and a
    note when some were marked done, since they are imported open."""
    items = parse_milestones(text, deadline, feedback_date)
    done = [item.deliverable for item in items if item.done]
    note = (
        f"时间节点“{'”“'.join(done)}”在表中为已完成，导入后为未完成：时间节点须附佐证材料，"
        "由责任单位在系统中标记完成。"
        if done
        else ""
    )
    return items, note


def create_planned(pairs: list[tuple[Measure, list[PlannedMilestone]]]) -> None:
    """Write imported milestones (all open) for measures just created, in one insert."""
    Milestone.objects.bulk_create(
        Milestone(measure=measure, due_on=item.due_on, deliverable=item.deliverable)
        for measure, items in pairs
        for item in items
    )
