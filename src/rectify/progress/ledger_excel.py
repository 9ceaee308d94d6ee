"""Excel ledgers (整改台账) out: the problem, task and responsibility lists and the combined ledger.
Here, not in the ledger app, because the columns 整改进展, 完成情况 and 佐证材料 come from progress; the
import, which writes only the ledger, is ledger.excel_import.

Every workbook has the layout offices pass around: a title row (“甲局关于市委第一巡察组反馈问题整改台账”),
a row of facts (巡察、巡察组、类型、反馈日期、统计截至 — the import reads them back), the header on row 3
(frozen, filtered, repeated on every printed page), then the rows, each as tall as its wrapped text (a
problem's merged text spread over its measures' rows). Printed as documents.print_setup sets every
export: A4 landscape, fitted to the width, “第 N 页 共 M 页” at the foot.

The lists and their columns:

- 整改台账 (``all``), one row per measure: 序号 问题类别 问题表现 整改措施 责任领导 责任单位 配合单位
  整改时限 延期情况 整改类型 整改进展 完成情况 佐证材料 时间节点 — everything, the file the import reads back.
- 问题清单 (``problems``), one row per problem: 序号 问题类别 问题表现 整改措施 (all of the problem's,
  numbered) 责任领导 责任单位 配合单位 (each named once) 整改时限 (the latest) 完成情况 (how many of
  its measures are done).
- 任务清单 (``tasks``), one row per measure, what is to be done and how far it got: 序号 问题类别 问题表现
  整改措施 责任单位 整改时限 延期情况 整改类型 整改进展 完成情况 佐证材料 时间节点.
- 责任清单 (``responsibility``), one row per measure, who answers for it: 序号 问题类别 问题表现 整改措施
  责任领导 责任单位 配合单位 整改时限 整改类型; the three columns of people and units in bold on a tint.

In the lists of measures 序号, 问题类别 and 问题表现 are merged over a problem's measure rows. 序号 is the
problem's number; 问题表现 is the problem's title, then its description on the following lines.
整改时限 is a date, or 长期坚持 for a long-term measure without one; 延期情况 says each move of it
once set (ledger.DeadlineChange: an approved extension, or a relapse's new deadline), one a line.
整改进展 is the latest accepted report (its period and the start of its text), 完成情况 the status
in words (已销号 with the day it was signed off; 已超期 added to an open measure past its deadline),
佐证材料 the names of the files of the accepted reports. 时间节点 is the measure's nodes in date
order, "2026-03-31 完成制度起草（已完成）；2026-06-30 出台制度" (progress.milestones writes and reads
the cell).

A reader gets only what he or she may see (the restricted querysets), in a fixed number of queries
whatever the size of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from rectify.documents import (
    EXCEL_HEADING_FONT,
    EXCEL_TITLE_SIZE,
    date_label,
    excel_font,
    new_workbook,
    table_cell_style,
    write_table,
)
from rectify.errors import InvalidInput
from rectify.ledger.choices import MeasureCategory, MeasureStatus
from rectify.ledger.filters import MeasureFilterSet, check, chosen_inspections
from rectify.ledger.models import DeadlineChange, Inspection, Measure, Problem
from rectify.ledger.services import get_inspection, today
from rectify.org.access import VIEW
from rectify.org.models import User

from .milestones import milestones_text
from .models import Evidence, Milestone, ProgressReport, ReportState, SignOff, SignOffState

HEADER_ROW = 3  # title on row 1, facts on row 2
PROGRESS_CHARS = 120  # 整改进展 is a glimpse; the whole report is on the measure's page
LONG_TERM_LABEL = str(MeasureCategory.LONG_TERM.label)
DONE_STATUSES = (MeasureStatus.SIGNED_OFF, MeasureStatus.ONGOING)

# Excel widths (characters) of every column any list may carry.
WIDTHS = {
    "序号": 6,
    "问题类别": 14,
    "问题表现": 38,
    "整改措施": 44,
    "责任领导": 10,
    "责任单位": 16,
    "配合单位": 16,
    "整改时限": 12,
    "延期情况": 22,
    "整改类型": 10,
    "整改进展": 32,
    "完成情况": 16,
    "佐证材料": 24,
    "时间节点": 30,
}
# A ledger over several inspections opens with the inspection of each problem (措施 numbers repeat).
INSPECTION_COLUMN = "巡察"
INSPECTION_WIDTH = 16
PROBLEM_COLUMNS = (INSPECTION_COLUMN, "序号", "问题类别", "问题表现")  # merged over a problem's measure rows
EMPHASIS_FILL = "FFF4DC"
EMPHASIS_STYLE = "台账强调"  # the cell style of the emphasised columns


@dataclass(frozen=True)
class LedgerList:
    key: str
    label: str  # the sheet's name and the end of the title
    headers: tuple[str, ...]
    per_problem: bool = False
    emphasised: tuple[str, ...] = ()


def _without(*left_out: str) -> tuple[str, ...]:
    """The ledger's columns, in its order, less those a list leaves out."""
    return tuple(header for header in WIDTHS if header not in left_out)


LISTS = {
    "all": LedgerList("all", "整改台账", tuple(WIDTHS)),
    "problems": LedgerList(
        "problems",
        "问题清单",
        _without("延期情况", "时间节点", "整改类型", "整改进展", "佐证材料"),
        per_problem=True,
    ),
    "tasks": LedgerList("tasks", "任务清单", _without("责任领导", "配合单位")),
    "responsibility": LedgerList(
        "responsibility",
        "责任清单",
        _without("延期情况", "时间节点", "整改进展", "完成情况", "佐证材料"),
        emphasised=("责任领导", "责任单位", "配合单位"),
    ),
}
LIST_ERROR = (
    "list 应为 all（整改台账）、problems（问题清单）、tasks（任务清单）或 responsibility（责任清单）。"
)


def ledger_list(key: str | None) -> LedgerList:
    try:
        return LISTS[key or "all"]
    except KeyError:
        raise InvalidInput(LIST_ERROR) from None


@dataclass
class ProblemEntry:
    problem: Problem
    measures: list[Measure] = field(default_factory=list)
    inspection_name: str = ""


@dataclass
class Ledger:
    inspections: list[Inspection]
    on: date
    problems: list[ProblemEntry]

    @property
    def inspection(self) -> Inspection:
        return self.inspections[0]

    @property
    def several(self) -> bool:
        return len(self.inspections) > 1

    def headers(self, spec: LedgerList) -> tuple[str, ...]:
        return (INSPECTION_COLUMN, *spec.headers) if self.several else spec.headers


def load_ledger(
    user: User, inspection_id: int, on: date | None = None, conditions: dict | None = None
) -> Ledger:
    """The problems and measures of the inspection the user may see, with everything the columns
    show, in ledger order (area, then number). Nine queries whatever the size. `conditions` are the
    ledger page's filters (ledger.filters): with any, only the measures they match and their problems."""
    on = on or today()
    inspection = get_inspection(user, inspection_id)
    measures = MeasureFilterSet(conditions or {}, user=user, on=on).qs.filter(problem__inspection=inspection)
    return _load(user, [inspection], on, measures, filtered=bool(conditions))


def load_ledgers(user: User, conditions: dict, on: date | None = None) -> Ledger:
    """One ledger over the inspections the filters name (`inspection`, repeated), an office working
    several together: their problems one inspection after another, limited by the other filters.
    InvalidInput (400) for an inspection the user may not see, or none named."""
    on = on or today()
    filters = MeasureFilterSet(conditions, user=user, on=on)
    check(filters)
    inspections = chosen_inspections(filters)
    if not inspections:
        raise InvalidInput("请选择要合并导出的巡察（inspection，可重复）。")
    filtered = any(key != "inspection" and value not in ("", None, []) for key, value in conditions.items())
    return _load(user, inspections, on, filters.qs, filtered=filtered)


def _load(
    user: User, inspections: list[Inspection], on: date, measures: QuerySet[Measure], *, filtered: bool
) -> Ledger:
    names = {inspection.pk: inspection.short_name for inspection in inspections}
    problems = (
        Problem.objects.restrict(user, VIEW)
        .filter(inspection__in=inspections)
        .select_related("area")
        .order_by("inspection_id", "area__order", "number")
    )
    signed = SignOff.objects.filter(measure=OuterRef("pk"), state=SignOffState.APPROVED).order_by(
        "-closed_at"
    )
    measures = (
        measures.annotate(signed_at=Subquery(signed.values("closed_at")[:1]))
        .prefetch_related(
            # to_attr: a list each, without the queryset Django would otherwise build per measure.
            Prefetch(
                "deadline_changes", queryset=DeadlineChange.objects.all(), to_attr="deadline_change_list"
            ),
            Prefetch(
                "milestones", queryset=Milestone.objects.order_by("due_on", "id"), to_attr="milestone_list"
            ),
        )
        .order_by("problem_id", "order")
    )
    entries = {
        problem.pk: ProblemEntry(problem, inspection_name=names[problem.inspection_id])
        for problem in problems
    }
    loaded = {}
    for measure in measures:
        measure.latest_report, measure.evidence_names = None, []
        loaded[measure.pk] = measure
        entries[measure.problem_id].measures.append(measure)
    _attach_accepted_reports(loaded, inspections)
    shown = [entry for entry in entries.values() if entry.measures or not filtered]
    return Ledger(inspections=inspections, on=on, problems=shown)


def _attach_accepted_reports(measures: dict[int, Measure], inspections: list[Inspection]) -> None:
    """Each measure's latest accepted report as `latest_report` (period, text) and the names of the
    files of all its accepted reports, latest report first, as `evidence_names`. Read as plain rows:
    a measure gathers reports month after month (ten a measure at province scale), and a model
    instance with a prefetch cache for each of them took most of the export's time. The rows of the
    measures the reader may not see are read with the others and left out here."""
    accepted = ProgressReport.objects.filter(
        state=ReportState.ACCEPTED, measure__problem__inspection__in=inspections
    )
    reports = accepted.order_by("measure_id", "-reviewed_at", "-id")
    for measure_id, period_label, text in reports.values_list("measure_id", "period_label", "text"):
        measure = measures.get(measure_id)
        if measure is not None and measure.latest_report is None:
            measure.latest_report = (period_label, text)
    evidence = Evidence.objects.filter(report__in=accepted).order_by(
        "report__measure_id", "-report__reviewed_at", "-report_id", "id"
    )
    for measure_id, name in evidence.values_list("report__measure_id", "original_name"):
        if measure_id in measures:
            measures[measure_id].evidence_names.append(name)


# ------------------------------------------------------------------ cell values


def problem_text(problem: Problem) -> str:
    """The title, then the description on the next lines (the import splits them there again)."""
    description = problem.description.strip()
    if not description or description == problem.title:
        return problem.title
    return f"{problem.title}\n{description}"


def _names(items) -> str:
    seen: list[str] = []
    for name in items:
        if name and name not in seen:
            seen.append(name)
    return "、".join(seen)


def _leader(measure: Measure) -> str:
    return measure.lead_leader.display_name if measure.lead_leader else ""


def _units(measure: Measure) -> str:
    return _names(unit.name for unit in measure.responsible_units)


def _supporting(measure: Measure) -> str:
    return _names(unit.name for unit in measure.supporting_units)


def _deadline(measure: Measure) -> date | str | None:
    if measure.deadline:
        return measure.deadline
    return LONG_TERM_LABEL if measure.category == MeasureCategory.LONG_TERM else None


def _deadline_changes(measure: Measure) -> str:
    """Each move of the deadline once set, as a sentence: "经批准由2026-11-30延至2027-03-31"."""
    return "\n".join(change.sentence for change in measure.deadline_change_list)


def _progress(measure: Measure) -> str:
    if measure.latest_report is None:
        return ""
    period_label, text = measure.latest_report
    text = " ".join(text.split())
    if len(text) > PROGRESS_CHARS:
        text = text[:PROGRESS_CHARS] + "…"
    return f"{period_label}：{text}"


def _completion(measure: Measure) -> str:
    if measure.status == MeasureStatus.SIGNED_OFF and measure.signed_at:
        return f"已销号（{date_label(timezone.localtime(measure.signed_at).date())}）"
    label = str(MeasureStatus(measure.status).label)
    return f"{label}（已超期）" if measure.is_overdue else label


def _evidence(measure: Measure) -> str:
    return "\n".join(dict.fromkeys(measure.evidence_names))


MEASURE_VALUES: dict[str, Callable[[Measure], object]] = {
    "整改措施": lambda measure: measure.text,
    "责任领导": _leader,
    "责任单位": _units,
    "配合单位": _supporting,
    "整改时限": _deadline,
    "延期情况": _deadline_changes,
    "整改类型": lambda measure: str(MeasureCategory(measure.category).label),
    "整改进展": _progress,
    "完成情况": _completion,
    "佐证材料": _evidence,
    "时间节点": lambda measure: milestones_text(measure.milestone_list),
}


def _problem_values(entry: ProblemEntry) -> dict[str, object]:
    problem = entry.problem
    return {
        INSPECTION_COLUMN: entry.inspection_name,
        "序号": problem.number,
        "问题类别": problem.area.title,
        "问题表现": problem_text(problem),
    }


def _problem_summary(entry: ProblemEntry) -> dict[str, object]:
    """The 问题清单's row: the problem's measures folded into one line each."""
    measures = entry.measures
    texts = [measure.text for measure in measures]
    dates = [measure.deadline for measure in measures if measure.deadline]
    long_term = any(measure.category == MeasureCategory.LONG_TERM for measure in measures)
    done = sum(measure.status in DONE_STATUSES for measure in measures)
    overdue = sum(bool(measure.is_overdue) for measure in measures)
    if not measures:
        completion = ""
    elif done == len(measures):
        completion = "已整改到位"
    else:
        completion = f"整改中（{done}/{len(measures)} 项已完成" + (
            f"，{overdue} 项超期）" if overdue else "）"
        )
    return {
        **_problem_values(entry),
        "整改措施": texts[0] if len(texts) == 1 else "\n".join(f"{n}. {t}" for n, t in enumerate(texts, 1)),
        "责任领导": _names(_leader(measure) for measure in measures),
        "责任单位": _names(unit.name for measure in measures for unit in measure.responsible_units),
        "配合单位": _names(unit.name for measure in measures for unit in measure.supporting_units),
        "整改时限": max(dates) if dates else (LONG_TERM_LABEL if long_term else None),
        "完成情况": completion,
    }


def _rows(ledger: Ledger, spec: LedgerList) -> tuple[list[list], list[tuple[int, int]]]:
    """The rows, and the (first, count) row offsets of each problem's block of measure rows."""
    headers = ledger.headers(spec)
    rows: list[list] = []
    blocks: list[tuple[int, int]] = []
    for entry in ledger.problems:
        if spec.per_problem:
            values = _problem_summary(entry)
            rows.append([values.get(header) for header in headers])
            continue
        problem_values = _problem_values(entry)
        start = len(rows)
        for measure in entry.measures or [None]:
            # The problem's cells are merged over its rows: only the first row carries them.
            values = {**problem_values} if len(rows) == start else {}
            if measure is not None:
                values.update(
                    (header, MEASURE_VALUES[header](measure))
                    for header in headers
                    if header in MEASURE_VALUES
                )
            rows.append([values.get(header) for header in headers])
        blocks.append((start, len(rows) - start))
    return rows, blocks


# ------------------------------------------------------------------ the workbook


def title_of(inspection: Inspection, spec: LedgerList) -> str:
    source = inspection.inspecting_body or inspection.title
    return f"{inspection.inspected.name}关于{source}反馈问题整改{spec.label.removeprefix('整改')}"


def combined_title(inspections: list[Inspection], spec: LedgerList) -> str:
    """“甲局关于十二届市委第六轮巡察和2024年审计反馈问题整改台账”: the organisations, then each inspection."""
    organisations = "、".join(dict.fromkeys(inspection.inspected.name for inspection in inspections))
    names = "、".join(inspection.short_name for inspection in inspections[:-1])
    names += f"和{inspections[-1].short_name}"
    return f"{organisations}关于{names}反馈问题整改{spec.label.removeprefix('整改')}"


def facts_of(ledger: Ledger) -> str:
    """The facts row; the import reads 巡察、巡察组、类型 and 反馈日期 back from it. A ledger over several
    inspections names them and the date (it is not one the import reads back)."""
    if ledger.several:
        named = "；".join(inspection.title for inspection in ledger.inspections)
        return f"巡察：{named}　统计截至：{date_label(ledger.on)}"
    inspection = ledger.inspection
    facts = [("巡察", inspection.title)]
    if inspection.inspecting_body:
        facts.append(("巡察组", inspection.inspecting_body))
    facts.append(("类型", inspection.get_kind_display()))
    if inspection.feedback_date:
        facts.append(("反馈日期", date_label(inspection.feedback_date)))
    facts.append(("统计截至", date_label(ledger.on)))
    return "　".join(f"{label}：{value}" for label, value in facts)


def workbook_bytes(ledger: Ledger, spec: LedgerList) -> bytes:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.merge import MergedCellRange

    title = combined_title(ledger.inspections, spec) if ledger.several else title_of(ledger.inspection, spec)
    headers = ledger.headers(spec)
    rows, blocks = _rows(ledger, spec)
    book = new_workbook()
    sheet = book.active
    sheet.title = spec.label
    book.properties.title = title
    book.properties.creator = "巡察整改督办平台"
    widths = [WIDTHS.get(header, INSPECTION_WIDTH) for header in headers]
    merged = [index for index, header in enumerate(headers) if header in PROBLEM_COLUMNS]
    last_row = write_table(
        sheet,
        list(headers),
        rows,
        widths,
        first_row=HEADER_ROW,
        merged_columns=merged,
        blocks=[block for block in blocks if block[1] > 1],
    )
    last_column = get_column_letter(len(headers))

    sheet.cell(row=1, column=1, value=title).font = excel_font(EXCEL_HEADING_FONT, size=EXCEL_TITLE_SIZE)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(f"A1:{last_column}1")
    sheet.row_dimensions[1].height = 36
    sheet.cell(row=2, column=1, value=facts_of(ledger)).alignment = Alignment(
        vertical="center", wrap_text=True
    )
    sheet.merge_cells(f"A2:{last_column}2")
    sheet.row_dimensions[2].height = 22

    first_data = HEADER_ROW + 1
    letters = [get_column_letter(n + 1) for n in merged]
    # All the blocks at once, as openpyxl's own reader does: merge_cells() compares each new range
    # with every earlier one and restyles its edge cells, which took seconds on 5,000 measures. The
    # cells under a merge are left empty by _rows and keep the table's borders.
    blocks_merged = [
        MergedCellRange(sheet, f"{letter}{first_data + offset}:{letter}{first_data + offset + count - 1}")
        for offset, count in blocks
        if count > 1
        for letter in letters
    ]
    sheet.merged_cells = MultiCellRange([*sheet.merged_cells.ranges, *blocks_merged])
    if spec.emphasised:
        fill = PatternFill("solid", fgColor=EMPHASIS_FILL)
        emphasis = table_cell_style(book, EMPHASIS_STYLE, font=excel_font(bold=True), fill=fill)
        for column, header in enumerate(headers, start=1):
            if header in spec.emphasised:
                sheet.cell(row=HEADER_ROW, column=column).fill = fill
                for row in range(first_data, last_row + 1):
                    sheet.cell(row=row, column=column).style = emphasis
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(ledger: Ledger, spec: LedgerList) -> str:
    named = "和".join(inspection.short_name for inspection in ledger.inspections)
    return f"{named if ledger.several else ledger.inspection.title}-{spec.label}-{ledger.on:%Y%m%d}.xlsx"


def export_ledger(
    user: User,
    inspection_id: int,
    list_key: str | None = "all",
    on: date | None = None,
    conditions: dict | None = None,
) -> tuple[bytes, str]:
    """The list as an .xlsx workbook and its file name, limited by the ledger page's filters if any;
    InvalidInput for an unknown list, NotFound for an inspection the user may not see."""
    spec = ledger_list(list_key)
    ledger = load_ledger(user, inspection_id, on, conditions)
    return workbook_bytes(ledger, spec), filename(ledger, spec)


def export_ledgers(
    user: User, conditions: dict, list_key: str | None = "all", on: date | None = None
) -> tuple[bytes, str]:
    """One workbook over the inspections `conditions` name (`inspection`, repeated), each row saying
    its inspection, limited by the other filters (load_ledgers); InvalidInput as load_ledgers."""
    spec = ledger_list(list_key)
    ledger = load_ledgers(user, conditions, on)
    return workbook_bytes(ledger, spec), filename(ledger, spec)
