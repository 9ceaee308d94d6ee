"""A stored dispatch report, rendered: one document model (sections of paragraphs and tables) read
from the stored JSON only, written out as the HTML page, a Word file for the dispatch meeting
(A4, 公文 fonts) and an Excel workbook (one sheet per table)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt

from rectify.accountability.services import FormCount, counts_sentence
from rectify.documents import (
    BODY_FONT,
    ER_HAO,
    EXCEL_HEADING_FONT,
    HEADER_FILL,
    HEADING_FONT,
    LINE_PITCH,
    SI_HAO,
    SUBHEADING_FONT,
    TITLE_FONT,
    TYPE_WIDTH,
    chinese_numeral,
    column_widths,
    date_label,
    excel_font,
    new_workbook,
    note_row,
    off_grid,
    official_document,
    official_heading,
    official_paragraph,
    print_setup,
    repeat_header_row,
    set_font,
    shade_cell,
    signature,
    signature_indents,
    text_width,
    write_table,
)
from rectify.meetings.services import KindCount, meeting_sentence
from rectify.notices.generate import default_issuer

from .models import DispatchReport

FIRST_DISPATCH = "本次为该巡察的首次调度，没有可比较的上次调度。"
FIRST_COMBINED = "本次为这几次巡察的首次合并调度，没有可比较的上次调度。"


def first_dispatch(data: dict) -> str:
    return FIRST_COMBINED if "covers" in data else FIRST_DISPATCH


RATE_NOTE = "注：完成率 =（已销号 + 长期坚持）÷ 措施总数；超期以统计截止日期计；状态为报告生成时的状态。"


# ------------------------------------------------------------------ the document model


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list]
    widths: list[int]  # relative widths (Excel characters; scaled for Word)
    heading: str = ""  # a sub-heading printed before the table, e.g. "（一）分方面情况"
    empty: str = "无。"
    row_header: int = 0  # the column that names the row (th scope="row" on the page)
    ids: list[int | None] = field(default_factory=list)  # measure ids of the rows, for links

    @property
    def numeric(self) -> list[bool]:
        """Columns whose every value is a number or a signed change (right-aligned)."""
        return [
            bool(self.rows) and all(_is_number(row[i]) for row in self.rows) for i in range(len(self.headers))
        ]

    @property
    def cells(self) -> list[list[tuple]]:
        """Rows as (value, CSS class, is row header, measure id or None) for the page template."""
        classes = [
            " ".join(
                name for name, wanted in (("num", numeric), ("nowrap", header in SHORT_COLUMNS)) if wanted
            )
            for numeric, header in zip(self.numeric, self.headers, strict=True)
        ]
        ids = self.ids or [None] * len(self.rows)
        return [
            [
                (
                    value,
                    classes[index],
                    index == self.row_header,
                    ids[number] if index == self.row_header else None,
                )
                for index, value in enumerate(row)
            ]
            for number, row in enumerate(self.rows)
        ]


# Columns kept on one line on the page: numbers, dates, states, names of people.
SHORT_COLUMNS = {"措施编号", "整改时限", "销号日期", "状态", "当前状态", "超期天数", "牵头领导"}


def _is_number(value) -> bool:
    """A number, or a change written with its sign ("+3", "-1.5", "0"); not a measure's "2.1"."""
    if value is None or isinstance(value, int | float):
        return True
    if not isinstance(value, str) or not (value[:1] in "+-" or value in ("0", "0.0")):
        return False
    return value.lstrip("+-").replace(".", "", 1).isdigit()


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    note: str = RATE_NOTE

    def table(self, key: str) -> Table:
        return next(table for section in self.sections for table in section.tables if table.key == key)


def day(value: str | None) -> str:
    """ "2025-03-01" → "2025年3月1日"; a date-time is shown with its time, as a sentence writes it:
    "2025-03-01T09:05:00" → "2025年3月1日9时05分"."""
    if not value:
        return "—"
    if "T" in value:
        moment = datetime.fromisoformat(value)
        return f"{date_label(moment)}{moment.hour}时{moment.minute:02d}分"
    return date_label(date.fromisoformat(value))


def title_of(data: dict) -> str:
    if "covers" in data:  # several inspections worked together (合并调度)
        return f"关于{data['covers']}反馈问题整改情况的调度报告"
    return f"关于{data['inspection']['title']}整改工作调度情况的报告"


def named(data: dict) -> str:
    """What the report is about in a sentence: the inspection's title, or the inspections covered."""
    return data.get("covers") or data["inspection"]["title"]


def _units(item: dict) -> str:
    return "、".join(item.get("units") or []) or "—"


def _signed(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else str(value)


GROUP_HEADERS = ["措施总数", "已销号", "长期坚持", "推进中", "未启动", "超期", "完成率（%）"]
GROUP_KEYS = ["total", "signed_off", "ongoing", "in_progress", "not_started", "overdue", "completion_rate"]


def _group_table(key: str, heading: str, caption: str, first: str, rows: list[dict]) -> Table:
    return Table(
        key=key,
        heading=heading,
        caption=caption,
        headers=[first, *GROUP_HEADERS],
        rows=[[row["name"], *(row[k] for k in GROUP_KEYS)] for row in rows],
        widths=[30, 9, 9, 9, 9, 9, 8, 11],
    )


def _measure_table(key: str, caption: str, items: list[dict], extra: list[tuple[str, str, int]]) -> Table:
    """A list of measures: number, text, units, leader, then `extra` columns (header, key, width). In a
    dispatch over several inspections the measure's number is preceded by its inspection's."""
    several = any("inspection" in item for item in items)
    first = [("所属巡察", "inspection", 12)] if several else []
    return Table(
        key=key,
        caption=f"{caption}（{len(items)}项）",
        row_header=1 + len(first),
        ids=[item.get("id") for item in items],
        headers=[
            "序号",
            *(header for header, _, _ in first),
            "措施编号",
            "整改措施",
            "责任单位",
            "牵头领导",
            *(header for header, _, _ in extra),
        ],
        rows=[
            [
                index,
                *(_cell(item, name) for _, name, _ in first),
                item["label"],
                item["text"],
                _units(item),
                item.get("leader") or "—",
                *(_cell(item, name) for _, name, _ in extra),
            ]
            for index, item in enumerate(items, start=1)
        ],
        widths=[6, *(width for _, _, width in first), 9, 40, 18, 10, *(width for _, _, width in extra)],
    )


def _cell(item: dict, name: str):
    value = item.get(name)
    if name in ("deadline", "signed_at", "deadline_before"):
        return value[:10] if value else "—"  # ISO dates in tables: short, and Excel reads them as dates
    return "—" if value in (None, "") else value


def _meetings_and_accountability(data: dict, start: str, end: str) -> list[str]:
    """“…至…，召开党组会议1次、专题会2次；问责3人次，其中…。” Reports built before meetings and
    accountability were counted have no such figures, and no such sentence."""
    if "meetings" not in data:
        return []
    held = meeting_sentence([KindCount(**item) for item in data["meetings"]]) or "未召开整改相关会议"
    dealt = counts_sentence([FormCount(**item) for item in data["accountability"]])
    return [f"{start}至{end}，{held}；{dealt}。"]


def document(report: DispatchReport) -> Document:
    """The dispatch as sections of paragraphs and tables, from the stored data alone."""
    data = report.data
    totals = data["totals"]
    period = data["period"]
    inspection = data["inspection"]
    start, end = day(data["start"]), day(data["end"])
    warnings = {row["level"]: row for row in data["warnings"]}
    status_rows = [[row["label"], row["count"]] for row in data["by_status"]]

    overall = Section(
        "一、总体进展",
        paragraphs=[
            f"截至{end}，{named(data)}反馈问题{totals['problems']}个，已整改到位"
            f"{totals['rectified_problems']}个；整改措施{totals['measures']}项，其中已销号"
            f"{totals['signed_off']}项、长期坚持{totals['ongoing']}项、推进中{totals['in_progress']}项、"
            f"未启动{totals['not_started']}项，整改完成率{totals['completion_rate']}%。"
            f"超期未完成{totals['overdue']}项。",
            "预警情况："
            + "，".join(f"{row['label']}{row['count']}项" for row in data["warnings"])
            + f"；上一报送周期未报送进展的措施{totals['reports_missing']}项。",
        ],
        tables=[
            Table("status", "整改措施按状态统计", ["状态", "措施数"], status_rows, [16, 10]),
            Table(
                "warnings",
                "预警情况",
                ["预警等级", "措施数"],
                [[warnings[level]["label"], warnings[level]["count"]] for level in sorted(warnings)],
                [20, 10],
            ),
            _measure_table(
                "missing",
                "上一报送周期未报送进展的措施",
                data["reports_missing"],
                [("整改时限", "deadline", 12), ("状态", "status_label", 10)],
            ),
        ],
    )
    done = Section(
        "二、本期完成情况",
        paragraphs=[
            f"{start}至{end}，销号措施{period['signed_off_count']}项；采纳整改进展报告"
            f"{period['reports_accepted']}份（涉及措施{period['reports_accepted_measures']}项），"
            f"收到进展报告{period['reports_submitted']}份，退回{period['reports_returned']}份；"
            # Reports built before extensions were counted have no such figure.
            f"同意延期{period.get('extensions_approved', 0)}项"
            f"（收到延期申请{period.get('extensions_requested', 0)}份）。",
            *_meetings_and_accountability(data, start, end),
        ],
        tables=[
            _measure_table(
                "signed_off",
                "本期销号的措施",
                period["signed_off"],
                [("销号日期", "signed_at", 12), ("当前状态", "status_label", 10)],
            )
        ],
    )
    late_items = data["late"]
    late = Section(
        "三、超期及原因",
        paragraphs=[
            f"截至{end}，超期未完成的措施{len(late_items)}项。"
            if late_items
            else f"截至{end}，没有超期未完成的措施。"
        ],
        tables=[
            _measure_table(
                "late",
                "超期未完成的措施及原因",
                [{**item, "why": _why(item)} for item in late_items],
                [
                    ("整改时限", "deadline", 12),
                    ("超期天数", "days_overdue", 9),
                    ("状态", "status_label", 10),
                    ("超期原因（最新进展）", "why", 40),
                ],
            )
        ],
    )
    groups = _groups(data)
    covered = data.get("inspections") or [inspection]
    return Document(
        title=title_of(data),
        subtitle=f"（{start}至{end}）",
        facts=[
            ("巡察", "；".join(item["title"] for item in covered)),
            ("被巡察单位", inspection["inspected"]["name"]),
            ("调度期间", f"{start}至{end}"),
            ("统计截止", end),
            ("生成时间", day(data["generated_at"])),
            ("生成人", data["generated_by"]["name"]),
        ],
        sections=[overall, done, late, groups, _comparison(data)],
    )


def _groups(data: dict) -> Section:
    """Per area, unit and leader; over several inspections, per inspection first (a combined table
    naming each inspection)."""
    parts = [
        ("by_area", "分方面情况", "按问题方面统计", "问题方面"),
        ("by_unit", "分责任单位情况", "按责任单位统计", "责任单位"),
        ("by_leader", "分牵头领导情况", "按牵头领导统计", "牵头领导"),
    ]
    heading = "四、分方面、分单位、分领导情况"
    if "by_inspection" in data:
        parts.insert(0, ("by_inspection", "分巡察情况", "按巡察统计", "巡察"))
        heading = "四、分巡察、分方面、分单位、分领导情况"
    return Section(
        heading,
        tables=[
            _group_table(key, f"（{chinese_numeral(number)}）{label}", caption, first, data[key])
            for number, (key, label, caption, first) in enumerate(parts, start=1)
        ],
    )


def _why(item: dict) -> str:
    report = item.get("report")
    if not report:
        return item["reason"]
    when = date_label(datetime.fromisoformat(report["submitted_at"]))
    text = f"{item['reason']}（{report['period']}报送，{when}，{report['state_label']}"
    if report.get("review_comment") and report["state"] == "returned":
        text += f"；退回理由：{report['review_comment']}"
    return text + "）"


def _comparison(data: dict) -> Section:
    section = Section("五、与上次调度相比")
    comparison = data.get("comparison")
    if not comparison:
        section.paragraphs.append(first_dispatch(data))
        return section
    previous = comparison["previous"]
    section.paragraphs.append(
        f"与上次调度（{day(previous['start'])}至{day(previous['end'])}，{day(previous['generated_at'])}"
        f"生成）相比：新增销号{len(comparison['newly_signed_off'])}项，新增超期"
        f"{len(comparison['newly_overdue'])}项，不再超期{len(comparison['no_longer_overdue'])}项。"
    )
    section.tables = [
        Table(
            "deltas",
            "主要数据变化",
            ["指标", "上次", "本次", "增减"],
            [
                [row["label"], row["before"], row["now"], _signed(row["change"])]
                for row in comparison["deltas"]
            ],
            [24, 10, 10, 10],
        ),
        _measure_table(
            "newly_signed_off",
            "上次调度以来新增销号的措施",
            comparison["newly_signed_off"],
            [("销号日期", "signed_at", 12)],
        ),
        _measure_table(
            "newly_overdue",
            "上次调度以来新增超期的措施",
            comparison["newly_overdue"],
            [("整改时限", "deadline", 12), ("超期天数", "days_overdue", 9)],
        ),
        _measure_table(
            "no_longer_overdue",
            "上次调度时超期、本次不再超期的措施",
            comparison["no_longer_overdue"],
            [("整改时限", "deadline", 12), ("当前状态", "status_label", 10)],
        ),
    ]
    return section


def filename(report: DispatchReport, extension: str) -> str:
    period = f"{report.start:%Y%m%d}至{report.end:%Y%m%d}"
    return f"调度报告-{named(report.data)}-{period}.{extension}"


# ------------------------------------------------------------------ HTML


def html_context(report: DispatchReport) -> dict:
    doc = document(report)
    return {"report": report, "doc": doc, "comparison": report.data.get("comparison")}


# ------------------------------------------------------------------ Word

TITLE_CHARS = 20  # 二号 characters on the 156 mm line
# Where a title may break without cutting a word: before the verbs that open a theme's phrases, before
# 专项, before 整改工作调度情况的报告 and a combined dispatch's 反馈问题整改情况的调度报告 (and after
# 关于 and the inspecting body, see title_lines).
TITLE_SEAMS = re.compile(
    r"(?=促进|推动|推进|加强|优化|深化|提升|助力|聚焦|围绕|专项|整改工作|反馈问题整改情况的调度报告)"
)


def title_lines(title: str, inspecting_body: str = "") -> list[str]:
    """The title in as few lines of TITLE_CHARS as it takes, the longest line as short as it can be,
    broken only between words: after 关于, after the inspecting body, and at TITLE_SEAMS. A piece
    longer than a line (no seam in it) is cut at the line's end."""
    rest, pieces = title, []
    if rest.startswith("关于"):
        pieces.append("关于")
        rest = rest[2:]
    if inspecting_body and rest.startswith(inspecting_body):
        pieces.append(inspecting_body)
        rest = rest[len(inspecting_body) :]
    pieces += [piece for piece in TITLE_SEAMS.split(rest) if piece]
    pieces = [piece[at : at + TITLE_CHARS] for piece in pieces for at in range(0, len(piece), TITLE_CHARS)]
    best: tuple[int, float, list[str]] | None = None
    for mask in range(2 ** (len(pieces) - 1)):  # a break after piece i when bit i is set
        lines, line = [], pieces[0]
        for index, piece in enumerate(pieces[1:]):
            if mask >> index & 1:
                lines.append(line)
                line = piece
            else:
                line += piece
        lines.append(line)
        widest = max(text_width(line) for line in lines)
        if widest <= TITLE_CHARS and (best is None or (len(lines), widest) < best[:2]):
            best = (len(lines), widest, lines)
    return best[2] if best else [title]


def issuer_of(data: dict) -> str:
    """The office that sends the report: the inspected organisation's rectification office."""
    inspection = data["inspection"]
    return f"{inspection['inspected']['name']}{inspection.get('kind') or '巡察'}整改工作领导小组办公室"


def docx_bytes(report: DispatchReport) -> bytes:
    """The dispatch as a 报告 in the official style (rectify.documents): the title in 二号 小标宋 broken
    between words, the period, the addressee (the inspected organisation's 党组), the sections in 三号
    仿宋 on the page's grid with their headings kept with what follows, the tables, the note, and the
    office and the date kept with the last lines."""
    doc = document(report)
    data = report.data
    word = official_document()
    word.core_properties.title = doc.title
    word.core_properties.author = data["generated_by"]["name"]
    word.core_properties.language = "zh-CN"

    title = official_paragraph(word, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for index, line in enumerate(title_lines(doc.title, data["inspection"].get("inspecting_body") or "")):
        run = title.add_run()
        set_font(run, TITLE_FONT, ER_HAO)
        if index:
            run.add_break()
        run.add_text(line)
    off_grid(title)
    title.paragraph_format.keep_with_next = True
    subtitle = official_paragraph(
        word, doc.subtitle, font=SUBHEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    subtitle.paragraph_format.space_after = LINE_PITCH  # a blank line before the addressee
    official_paragraph(word, f"{default_issuer(data['inspection']['inspected']['name'])}：", indent=False)

    number = 0
    for section in doc.sections:
        official_heading(word, section.heading)
        for text in section.paragraphs:
            official_paragraph(word, text)
        for table in section.tables:
            if table.heading:
                official_heading(word, table.heading, font=SUBHEADING_FONT)
            number += 1
            caption = official_paragraph(
                word,
                f"表{number}　{table.caption}",
                font=HEADING_FONT,
                size=SI_HAO,
                align=WD_ALIGN_PARAGRAPH.CENTER,
                indent=False,
            )
            caption.paragraph_format.keep_with_next = True
            if not table.rows:
                official_paragraph(
                    word, table.empty, size=SI_HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
                )
                continue
            _word_table(word, table)
    official_paragraph(word, doc.note, size=SI_HAO)
    issuer, when = issuer_of(data), date_label(date.fromisoformat(data["generated_at"][:10]))
    # Kept with the note (documents.signature), placed as GB/T 9704 sets an unsealed signature.
    issuer_indent, date_indent = signature_indents(issuer, when)
    signature(word, [(issuer, issuer_indent), (when, date_indent)])
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# Word column widths (mm) of the short columns of measure lists, on an A4 page 156 mm wide: a date
# (2025-06-30 in 小五, with the cell's margins) and a status (推进中) each on one line.
WORD_COLUMNS_MM = {
    "序号": 8,
    "措施编号": 11,
    "责任单位": 17,
    "牵头领导": 12,
    "整改时限": 23,
    "销号日期": 23,
    "超期天数": 11,
    "状态": 14,
    "当前状态": 14,
}
DATE_COLUMNS = {"整改时限", "销号日期"}
TABLE_LINE = Pt(12)  # the line of a table's 小五 and 五号 text, off the page's grid


def _cell_paragraph(cell, text: str, size, *, font: str = BODY_FONT, align=None) -> None:
    paragraph = cell.paragraphs[0]
    off_grid(paragraph)
    paragraph.paragraph_format.line_spacing = TABLE_LINE if size < SI_HAO else None
    paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.alignment = align
    set_font(paragraph.add_run(text), font, size)


def _no_wrap(cell) -> None:
    cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _cant_split(row) -> None:
    """A row printed whole on one page."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _word_table(word, table: Table) -> None:
    grid = word.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    is_list = table.row_header >= 1  # a list of measures: short columns fixed, the texts share the rest
    size = Pt(9) if is_list else Pt(10.5)
    if is_list:
        fixed = {i: Mm(WORD_COLUMNS_MM[h]) for i, h in enumerate(table.headers) if h in WORD_COLUMNS_MM}
        flexible = sum(w for i, w in enumerate(table.widths) if i not in fixed)
        rest = TYPE_WIDTH - sum(fixed.values())
        widths = [fixed.get(i) or int(rest * w / flexible) for i, w in enumerate(table.widths)]
    else:
        # About 2.4 mm per Excel character: a narrow table stays narrow, a wide one fills the line.
        total = sum(table.widths)
        width = min(TYPE_WIDTH, Mm(total * 2.4))
        widths = [int(width * share / total) for share in table.widths]
    for column, column_width in zip(grid.columns, widths, strict=True):
        column.width = column_width  # the grid, which Word and WPS read
    numeric = table.numeric
    dates = [header in DATE_COLUMNS for header in table.headers]
    repeat_header_row(grid.rows[0])
    for index, header in enumerate(table.headers):
        cell = grid.rows[0].cells[index]
        cell.width = widths[index]
        _cell_paragraph(cell, header, size, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
        shade_cell(cell, HEADER_FILL)
    for row in table.rows:
        added = grid.add_row()
        _cant_split(added)
        for index, value in enumerate(row):
            cell = added.cells[index]
            cell.width = widths[index]
            if dates[index]:
                _no_wrap(cell)
            _cell_paragraph(
                cell,
                "—" if value is None else str(value),
                size,
                align=WD_ALIGN_PARAGRAPH.RIGHT if numeric[index] else None,
            )


# ------------------------------------------------------------------ Excel

SHEETS = [
    ("总体", None),
    ("按巡察", "by_inspection"),  # a dispatch over several inspections only
    ("按方面", "by_area"),
    ("按单位", "by_unit"),
    ("按领导", "by_leader"),
    ("超期事项", "late"),
    ("变化", None),
]


def xlsx_bytes(report: DispatchReport) -> bytes:
    doc = document(report)
    data = report.data
    book = new_workbook()
    book.remove(book.active)
    book.properties.title = doc.title
    book.properties.creator = data["generated_by"]["name"]

    _sheet(book, "总体", _overall_table(doc, data))
    for name, key in SHEETS[1:6]:
        if key in data:
            _sheet(book, name, doc.table(key))
    changes = book.create_sheet("变化")
    comparison = data.get("comparison")
    if not comparison:
        write_table(changes, ["指标", "上次", "本次", "增减"], [], [24, 10, 10, 10])
        note_row(changes, 3, first_dispatch(data), 4, 54)
    else:
        deltas = [[row["label"], row["before"], row["now"], row["change"]] for row in comparison["deltas"]]
        next_row = write_table(changes, ["指标", "上次", "本次", "增减"], deltas, [24, 10, 10, 10]) + 2
        for key in ("newly_signed_off", "newly_overdue", "no_longer_overdue"):
            table = doc.table(key)
            changes.cell(row=next_row, column=1, value=table.caption).font = _bold()
            next_row = (
                write_table(
                    changes, table.headers, table.rows, table.widths, first_row=next_row + 1, own_sheet=False
                )
                + 2
            )
        # The lists below are wider than the deltas: widen to the widest columns.
        lists = doc.table("newly_overdue").widths
        widths = [max(a, b) for a, b in zip([24, 10, 10, 10, 10, 12, 9], lists, strict=False)]
        column_widths(changes, widths)
        print_setup(changes, title_rows=(1, 1), width=sum(widths))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _overall_table(doc: Document, data: dict) -> Table:
    totals, period = data["totals"], data["period"]
    rows: list[list] = [[label, value] for label, value in doc.facts]
    rows += [
        ["问题总数", totals["problems"]],
        ["已整改到位问题", totals["rectified_problems"]],
        ["整改措施总数", totals["measures"]],
    ]
    rows += [[f"状态：{row['label']}", row["count"]] for row in data["by_status"]]
    rows += [
        ["推进中（含申请销号、反弹重启）", totals["in_progress"]],
        ["超期未完成", totals["overdue"]],
        ["整改完成率（%）", totals["completion_rate"]],
        ["本期销号措施", period["signed_off_count"]],
        ["本期采纳进展报告", period["reports_accepted"]],
        ["本期收到进展报告", period["reports_submitted"]],
        ["本期退回进展报告", period["reports_returned"]],
        ["本期延期", period.get("extensions_approved", 0)],
    ]
    if "meetings" in data:  # reports built before meetings and accountability were counted lack them
        rows += [[f"本期召开{item['label']}", item["count"]] for item in data["meetings"]]
        rows += [[f"本期问责：{item['label']}（人次）", item["count"]] for item in data["accountability"]]
    rows += [[row["label"], row["count"]] for row in data["warnings"]]
    rows += [["未按期报送进展", totals["reports_missing"]], ["说明", doc.note]]
    return Table("overall", doc.title, ["项目", "数值"], rows, [30, 60])


def _sheet(book, name: str, table: Table) -> None:
    write_table(book.create_sheet(name), table.headers, table.rows, table.widths)


def _bold():
    return excel_font(EXCEL_HEADING_FONT)
