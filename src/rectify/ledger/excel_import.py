"""Excel ledgers (整改台账) in: read an office's workbook, map its columns, check every row, write.

The steps, shared by the web page and the API:

1. `read_workbook` finds the sheet and its header row (title rows may sit above it; the first sheet
   with a recognisable header is read). Merged cells read as their value repeated in every cell they
   cover, so a problem merged over its measure rows is on each row. A file that is not an .xlsx
   (a renamed text, an old .xls, a password-protected workbook, an empty sheet) is refused with a
   message that says so.
2. The column mapping: each header is matched to a field of the ledger by its synonyms
   (问题、主要问题、存在问题、具体问题 → 问题表现; 措施 → 整改措施; 完成时限、时限 → 整改时限;
   牵头领导、分管领导 → 责任领导; 牵头单位、责任部门 → 责任单位 …). The office confirms it or maps what is
   not recognised; 序号, 问题表现, 整改措施 and 整改时限 must be mapped.
3. `plan_import` checks every row and says what would be written: areas, problems, measures, the
   units and leaders matched and those not found. An error names the row as Excel numbers it, the
   column by its letter, and what is wrong, in Chinese.
4. `import_ledger` writes the whole inspection in one transaction, and only when no row has an error.

Decisions. A problem is the run of rows that share its 序号 (merged, repeated, or left blank below
its first row); the same 序号 for another problem, or again later in the sheet, is an error. Dates
are accepted as Excel dates and as 2025-06-30, 2025/6/30, 2025.06.30, 2025年6月30日 (2025年6月底 is
the month's last day); 长期坚持 or 长期 makes the measure long-term with no date. A row holding one
text across the table is a heading (“一、政治建设方面” starts an area) or a note (“注：…”, skipped).
Units are matched by name or short name among the organisation and the organisations below it; a
unit not found is created as a department (内设机构) of the organisation on confirm, and the preview
lists it. Leaders are matched by full name among the leaders (领导小组成员) of the organisation or
above it; one not found is left blank with a warning on its row, never invented. 整改进展, 完成情况,
佐证材料 and 延期情况 are not imported: a new ledger starts with every measure not started, and progress is
reported in the system. Columns of apps above the ledger are read back through ledger.extensions
(时间节点, by progress: its nodes are imported open, since a node is done only with evidence).
问题表现's first line is the problem's title and the rest its description (a one-paragraph text gives
its first sentence as the title when it has several).
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.timezone import localdate

from rectify import office, stash
from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput
from rectify.org.access import Access
from rectify.org.models import Organisation, OrganisationKind, User

from .choices import InspectionKind, MeasureCategory, MeasureStatus
from .extensions import import_columns, measures_changed
from .models import Area, Inspection, Measure, MeasureUnit, Problem
from .services import assignable_leaders, assignable_units
from .signals import inspection_imported

# ------------------------------------------------------------------ fields and their names


@dataclass(frozen=True)
class LedgerField:
    key: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False


FIELDS = (
    LedgerField(
        "number", "序号", ("序号", "编号", "问题序号", "问题编号", "序列号", "问题号", "NO", "NO."), True
    ),
    LedgerField(
        "area",
        "问题类别",
        (
            "问题类别",
            "类别",
            "问题分类",
            "方面",
            "问题方面",
            "所属方面",
            "问题领域",
            "领域",
            "板块",
            "问题类型",
        ),
    ),
    LedgerField(
        "problem",
        "问题表现",
        (
            "问题表现",
            "问题",
            "主要问题",
            "存在问题",
            "存在的问题",
            "具体问题",
            "反馈问题",
            "巡察反馈问题",
            "巡视反馈问题",
            "问题描述",
            "问题内容",
            "具体表现",
            "问题及表现",
        ),
        True,
    ),
    LedgerField(
        "measure",
        "整改措施",
        ("整改措施", "措施", "具体措施", "整改举措", "整改任务", "整改内容", "整改要求", "任务"),
        True,
    ),
    LedgerField(
        "leader",
        "责任领导",
        ("责任领导", "牵头领导", "分管领导", "牵头责任领导", "责任局领导", "分管局领导", "领导", "责任人"),
    ),
    LedgerField(
        "units",
        "责任单位",
        ("责任单位", "牵头单位", "责任部门", "牵头部门", "责任处室", "牵头处室", "主责单位", "责任主体"),
    ),
    LedgerField(
        "supporting",
        "配合单位",
        ("配合单位", "协办单位", "配合部门", "协同单位", "协助单位", "参与单位", "配合处室"),
    ),
    LedgerField(
        "deadline",
        "整改时限",
        (
            "整改时限",
            "完成时限",
            "时限",
            "整改期限",
            "完成时间",
            "整改时间",
            "完成期限",
            "办结时限",
            "时间节点",
        ),
        True,
    ),
    LedgerField("category", "整改类型", ("整改类型", "整改类别", "类型", "整改方式", "整改性质")),
)
FIELD_BY_KEY = {item.key: item for item in FIELDS}
REQUIRED = tuple(item.key for item in FIELDS if item.required)
# Columns an exported ledger carries that are not imported: progress is reported in the system.
NOT_IMPORTED = frozenset(
    {
        "整改进展",
        "进展情况",
        "整改进展情况",
        "整改情况",
        "整改落实情况",
        "完成情况",
        "完成状态",
        "整改状态",
        "是否完成",
        "办结情况",
        "销号情况",
        "佐证材料",
        "佐证资料",
        "证明材料",
        "延期情况",
        "延期说明",
    }
)
NOT_IMPORTED_HINT = (
    "整改进展、完成情况、佐证材料、延期情况不导入：新台账的措施均为未启动，进展由责任单位在系统中报送，"
    "整改时限按表中现时限导入。"
)

Mapping = dict[int, str]  # column index (0 for A) → field key


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    return text.strip()


def normalise_header(value: Any) -> str:
    """ "整改时限\n（年月日）*" → "整改时限": no spaces, no notes in brackets, no marks of required."""
    text = re.sub(r"[（(][^）)]*[）)]", "", _text(value))
    return re.sub(r"[\s\u3000*＊:：]", "", text).upper()


SYNONYMS = {normalise_header(name): item.key for item in FIELDS for name in item.synonyms}


# ------------------------------------------------------------------ errors


@dataclass(frozen=True)
class RowError:
    """A problem with one cell, row or column. `row` is Excel's row number (None: the whole file),
    `column` its letter ("" when the whole row is meant)."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class LedgerErrors(InvalidInput):
    """The ledger has errors; nothing was written. `errors` lists every one."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"台账中有 {len(errors)} 处错误，未导入任何内容。请改正后重新上传。")
        self.errors = errors


# ------------------------------------------------------------------ reading the workbook

# An encrypted .xlsx is an OLE2 container holding these streams (names are UTF-16 in its directory).
ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
MAX_COLUMNS = 60
MAX_ROWS = 20000
HEADER_SCAN_ROWS = 30


@dataclass
class Column:
    index: int
    letter: str
    header: str
    sample: str

    @property
    def suggested(self) -> str:
        return SYNONYMS.get(normalise_header(self.header), "")

    @property
    def not_imported(self) -> bool:
        return normalise_header(self.header) in NOT_IMPORTED


@dataclass
class LedgerSheet:
    name: str
    header_row: int  # as Excel numbers it
    columns: list[Column]
    rows: list[tuple[int, list]]  # (Excel row number, values) below the header; blank rows left out
    above: list[str]  # the lines of text above the header: the title, the facts

    def letter(self, index: int) -> str:
        return self.columns[index].letter


def read_workbook(data: bytes) -> LedgerSheet:
    """The ledger sheet of an .xlsx file; InvalidInput (in Chinese) for anything else."""
    _check_package(data)
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl and zipfile raise many types on a damaged package
        raise InvalidInput(
            "文件已损坏或不是 Excel 工作簿，无法读取。请在 Excel 或 WPS 中另存为 .xlsx 后重新上传。"
        ) from error
    sheets = sorted(book.worksheets, key=lambda sheet: sheet is not book.active)
    anything = False
    for sheet in sheets:
        grid = _grid(sheet)
        if not grid:
            continue
        anything = True
        found = _header_row(grid)
        if found is not None:
            return _ledger_sheet(sheet.title, grid, found)
    if not anything:
        raise InvalidInput("工作表是空的：没有任何单元格有内容，没有可导入的台账。")
    raise InvalidInput(
        f"没有找到台账的表头：前 {HEADER_SCAN_ROWS} 行中没有一行同时含有“序号”“问题表现”“整改措施”"
        "“整改时限”等列名中的两个。请确认上传的是整改台账。"
    )


def _check_package(data: bytes) -> None:
    if not data:
        raise InvalidInput("文件为空：没有可读取的内容。")
    if data.startswith(office.OLE2):
        if any(stream in data for stream in ENCRYPTED_STREAMS):
            raise InvalidInput(
                "工作簿设置了打开密码（已加密），无法读取。请在 Excel 中取消密码"
                "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）并保存后重新上传。"
            )
        raise InvalidInput(
            "这是旧版 Excel（.xls）或其他旧版 Office 文件。请在 Excel 或 WPS 中另存为 .xlsx 后重新上传。"
        )
    if not data.startswith(b"PK"):
        raise InvalidInput("文件不是 Excel 工作簿（.xlsx）。请上传 Excel 或 WPS 保存的 .xlsx 文件。")
    try:
        with office.open_zip(data) as archive:  # refuses a zip bomb before anything is inflated
            names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise InvalidInput("文件已损坏：无法作为 Excel 工作簿（.xlsx）打开。") from error
    except office.UnsafePackage as error:
        raise InvalidInput(f"工作簿{error.message}请只保留台账所在的工作表后重新上传。") from None
    if "xl/workbook.xml" not in names:
        raise InvalidInput("文件是压缩包（可能是 Word 文档），但不是 Excel 工作簿（.xlsx）。")


def _grid(sheet) -> list[list]:
    """The sheet's values, merged cells repeated, blank rows at the end dropped."""
    width = min(sheet.max_column or 0, MAX_COLUMNS)
    if width == 0:
        return []
    height = min(sheet.max_row or 0, MAX_ROWS + 1)
    grid = [list(row) for row in sheet.iter_rows(max_row=height, max_col=width, values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = merged.start_cell.value
        for row in range(merged.min_row, min(merged.max_row, len(grid)) + 1):
            for column in range(merged.min_col, min(merged.max_col, width) + 1):
                grid[row - 1][column - 1] = value
    while grid and not any(_text(value) for value in grid[-1]):
        grid.pop()
    if len(grid) > MAX_ROWS:
        raise InvalidInput(f"工作表“{sheet.title}”超过 {MAX_ROWS} 行，请拆分后分别导入。")
    return grid


def _header_row(grid: list[list]) -> int | None:
    """The index of the row naming the most fields (at least two), the first of equals."""
    best, best_score = None, 1
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        score = len({SYNONYMS[name] for name in map(normalise_header, row) if name in SYNONYMS})
        if score > best_score:
            best, best_score = index, score
    return best


def _ledger_sheet(name: str, grid: list[list], header_index: int) -> LedgerSheet:
    header = grid[header_index]
    body = [(index + 1, row) for index, row in enumerate(grid) if index > header_index]
    body = [(number, row) for number, row in body if any(_text(value) for value in row)]
    used = [i for i in range(len(header)) if _text(header[i]) or any(_text(row[i]) for _, row in body)]
    width = (max(used) + 1) if used else 0
    from openpyxl.utils import get_column_letter

    columns = [
        Column(
            index=i,
            letter=get_column_letter(i + 1),
            header=_text(header[i]),
            sample=next((_text(row[i]) for _, row in body if _text(row[i])), "")[:60],
        )
        for i in range(width)
    ]
    above = []
    for row in grid[:header_index]:
        for value in dict.fromkeys(_text(value) for value in row):
            if value:
                above.append(value)
    return LedgerSheet(
        name=name,
        header_row=header_index + 1,
        columns=columns,
        rows=[(number, row[:width]) for number, row in body],
        above=above,
    )


# ------------------------------------------------------------------ the mapping


def auto_mapping(sheet: LedgerSheet) -> Mapping:
    """Each recognised header to its field; a field named twice goes to its first column."""
    mapping: Mapping = {}
    for column in sheet.columns:
        key = column.suggested
        if key and key not in mapping.values():
            mapping[column.index] = key
    return mapping


def field_key(value: str) -> str:
    """A field named by its key or its label ("problem" or "问题表现"); "" for none."""
    value = (value or "").strip()
    if not value or value in FIELD_BY_KEY:
        return value
    for item in FIELDS:
        if value == item.label:
            return item.key
    raise InvalidInput(
        f"列对应中的字段“{value}”无效，应为："
        + "、".join(f"{item.label}（{item.key}）" for item in FIELDS)
        + "，或留空表示不导入。"
    )


def mapping_from_json(sheet: LedgerSheet, text: str | None) -> Mapping:
    """The automatic mapping, changed by a JSON object of {column: field}. A column is named by its
    letter ("D") or its header as written; a field by its label or key, "" or null to leave it out."""
    mapping = auto_mapping(sheet)
    if not text or not text.strip():
        return mapping
    try:
        changes = json.loads(text)
    except ValueError:
        raise InvalidInput('mapping 不是有效的 JSON，应为形如 {"D": "问题表现"} 的对象。') from None
    if not isinstance(changes, dict):
        raise InvalidInput('mapping 应为 JSON 对象，形如 {"D": "问题表现", "H": "整改时限"}。')
    by_letter = {column.letter: column for column in sheet.columns}
    by_header = {column.header: column for column in reversed(sheet.columns) if column.header}
    for name, value in changes.items():
        column = by_letter.get(str(name).strip().upper()) or by_header.get(str(name).strip())
        if column is None:
            raise InvalidInput(f"列对应中的“{name}”不是表中的列（可写列字母如 D，或表头文字）。")
        key = field_key(value or "")
        if key:
            for index, mapped in list(mapping.items()):
                if mapped == key:
                    del mapping[index]  # the field moves to the column named
            mapping[column.index] = key
        else:
            mapping.pop(column.index, None)
    return mapping


def mapping_errors(sheet: LedgerSheet, mapping: Mapping) -> list[RowError]:
    """Fields mapped twice and required fields not mapped, reported on the header row."""
    errors = []
    for item in FIELDS:
        letters = [sheet.letter(index) for index, key in sorted(mapping.items()) if key == item.key]
        if len(letters) > 1:
            errors.append(
                RowError(
                    sheet.header_row,
                    letters[1],
                    f"“{item.label}”对应了多列（{'、'.join(letters)} 列），只能对应一列。",
                )
            )
    unknown = [
        f"{column.letter} 列“{column.header}”"
        for column in sheet.columns
        if column.header and column.index not in mapping and not column.not_imported
    ]
    for key in REQUIRED:
        if key not in mapping.values():
            label = FIELD_BY_KEY[key].label
            hint = f"未识别的列：{'、'.join(unknown)}。" if unknown else "表中没有这一列。"
            errors.append(
                RowError(
                    sheet.header_row,
                    "",
                    f"缺少必填列“{label}”：表头中没有能识别为“{label}”的列名。{hint}请在列对应中指定。",
                )
            )
    return errors


# ------------------------------------------------------------------ the inspection's own fields


@dataclass
class InspectionFields:
    title: str = ""
    kind: str = InspectionKind.PATROL
    inspecting_body: str = ""
    round_name: str = ""
    onsite_start: date | None = None
    onsite_end: date | None = None
    feedback_date: date | None = None
    deadline: date | None = None

    def problems(self) -> list[str]:
        """What is wrong with the fields, in Chinese; empty when they can be written."""
        found = []
        if not self.title.strip():
            found.append("请填写巡察名称。")
        if len(self.title) > 255:
            found.append("巡察名称不能超过 255 字。")
        if len(self.inspecting_body) > 128 or len(self.round_name) > 128:
            found.append("巡察组和巡察轮次不能超过 128 字。")
        if self.kind not in InspectionKind.values:
            found.append("巡察类型应为巡视、巡察或审计。")
        if self.onsite_start and self.onsite_end and self.onsite_end < self.onsite_start:
            found.append("进驻结束日期不能早于进驻开始日期。")
        if self.onsite_end and self.feedback_date and self.feedback_date < self.onsite_end:
            found.append("反馈日期不能早于进驻结束日期。")
        return found

    @property
    def kind_label(self) -> str:
        return str(InspectionKind(self.kind).label) if self.kind in InspectionKind.values else self.kind

    def as_dict(self) -> dict:
        return asdict(self)


_FACT_RE = re.compile(r"^(巡察组|巡视组|巡察|巡视|审计|类型|反馈日期|统计截至)[：:]\s*(.+)$")
_BODY_RE = re.compile(r"关于(.{1,30}?(?:巡视|巡察|审计)(?:工作)?组)")
_TITLE_TAIL_RE = re.compile(
    r"(?:的)?(?:问题)?(?:整改)?(?:落实)?(?:情况)?(?:工作)?(?:台账|清单|任务清单|责任清单|问题清单)$"
)
KIND_WORDS = (("巡视", InspectionKind.TOUR), ("审计", InspectionKind.AUDIT), ("巡察", InspectionKind.PATROL))


def suggested_fields(sheet: LedgerSheet) -> InspectionFields:
    """The inspection's fields as the rows above the header tell them: the facts row an export
    writes (巡察：…　巡察组：…　类型：…　反馈日期：…), else the title
    (“关于市委第七巡察组反馈意见整改落实情况台账” → 巡察组 市委第七巡察组)."""
    facts: dict[str, str] = {}
    titles = []
    for line in sheet.above:
        parts = [part.strip() for part in re.split(r"[\u3000；;]+", line) if part.strip()]
        matched = [match for part in parts if (match := _FACT_RE.match(part))]
        if matched:
            facts.update((match.group(1), match.group(2).strip()) for match in matched)
        else:
            titles.append(line)
    title_line = next(
        (line for line in titles if "关于" in line or "台账" in line), titles[0] if titles else ""
    )
    fields = InspectionFields()
    body = facts.get("巡察组") or facts.get("巡视组")
    if not body and (match := _BODY_RE.search(title_line)):
        body = match.group(1)
    fields.inspecting_body = (body or "")[:128]
    title = facts.get("巡察") or facts.get("巡视") or facts.get("审计")
    if not title and title_line:
        title = _TITLE_TAIL_RE.sub("", re.sub(r"^.*?关于", "", title_line, count=1)).strip()
    fields.title = (title or "")[:255]
    kind_text = facts.get("类型") or f"{fields.inspecting_body}{title_line}"
    fields.kind = next((kind for word, kind in KIND_WORDS if word in kind_text), InspectionKind.PATROL)
    if facts.get("反馈日期"):
        with contextlib.suppress(ValueError):
            fields.feedback_date = parse_deadline(facts["反馈日期"]).day
    return fields


# ------------------------------------------------------------------ cells


@dataclass(frozen=True)
class Deadline:
    day: date | None
    long_term: bool = False
    note: str = ""  # how a loose value was read, shown as a warning


_LONG_TERM_RE = re.compile(r"长期|持续")
_DATE_RE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:前|之前|以前)?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(底|末|份)?\s*(?:前|之前|以前)?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")
EXCEL_SERIAL_RANGE = (20000, 80000)  # 1954 to 2119: a number there in a date column is an Excel date


def parse_deadline(value: Any) -> Deadline:
    """A deadline cell; ValueError when it is not one of the accepted forms."""
    if isinstance(value, datetime):
        return Deadline(value.date())
    if isinstance(value, date):
        return Deadline(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            from openpyxl.utils.datetime import from_excel

            return Deadline(from_excel(value).date())
        value = _text(value)
    text = _text(value).translate(_FULLWIDTH).replace("\xa0", " ").strip()
    if _LONG_TERM_RE.search(text):
        return Deadline(None, long_term=True)
    if match := _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text):
        year, month, day = (int(part) for part in match.groups())
        return Deadline(_checked_date(year, month, day))
    if match := _MONTH_RE.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(text)
        following = date(year + month // 12, month % 12 + 1, 1)
        last = date.fromordinal(following.toordinal() - 1)
        note = (
            ""
            if match.group(3) in ("底", "末")
            else f"整改时限“{text}”按该月最后一天（{date_label(last)}）计。"
        )
        return Deadline(_checked_date(last.year, last.month, last.day), note=note)
    raise ValueError(text)


def _checked_date(year: int, month: int, day: int) -> date:
    if not 2000 <= year <= 2100:
        raise ValueError(f"{year}")
    return date(year, month, day)  # ValueError for 2025-02-30


_CN_DIGITS = {char: value for value, char in enumerate("零一二三四五六七八九")}


def parse_number(value: Any) -> int | None:
    """A 序号: 3, 3.0, "3", "3.", "（三）", "十二"; None when it is not a positive whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    text = re.sub(r"^[（(]|[)）]?[、.．]?$", "", _text(value).translate(_FULLWIDTH)).strip()
    if text.isascii() and text.isdigit():
        return int(text) or None
    return _chinese_number(text)


def _chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23 (up to 九十九)."""
    tens, ten, ones = text.partition("十")
    if not ten:
        return _CN_DIGITS.get(text) or None
    digits = [_CN_DIGITS.get(part) if part else None for part in (tens, ones)]
    if (tens and not digits[0]) or (ones and digits[1] is None) or len(tens) > 1 or len(ones) > 1:
        return None
    return (digits[0] or 1) * 10 + (digits[1] or 0)


CATEGORY_WORDS = (
    ("长期", MeasureCategory.LONG_TERM),
    ("持续", MeasureCategory.LONG_TERM),
    ("立行立改", MeasureCategory.IMMEDIATE),
    ("立即", MeasureCategory.IMMEDIATE),
    ("即知即改", MeasureCategory.IMMEDIATE),
    ("限期", MeasureCategory.DEADLINE),
    ("限时", MeasureCategory.DEADLINE),
    ("阶段", MeasureCategory.DEADLINE),
)


def parse_category(text: str) -> str | None:
    """立行立改 / 限期整改 / 长期坚持 (and their usual variants); 长期 wins in “立行立改、长期坚持”."""
    return next((category for word, category in CATEGORY_WORDS if word in text), None)


_SPLIT_UNITS = re.compile(r"[、，,；;\n]+")
_SPLIT_PEOPLE = re.compile(r"[、，,；;/\n\s]+")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


def split_units(text: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in _SPLIT_UNITS.split(text) if part.strip()))


def split_people(text: str) -> list[str]:
    """ "张三（副局长）、李四" → ["张三", "李四"]."""
    return list(dict.fromkeys(part for part in _SPLIT_PEOPLE.split(_BRACKETS.sub("", text)) if part))


_SENTENCE_END = re.compile(r"[。；;！？!?]")
TITLE_SENTENCE_CHARS = 120


def split_problem(text: str) -> tuple[str, str]:
    """问题表现 as (title, description): the first line and the rest; a single paragraph of several
    sentences gives its first sentence as the title and keeps the whole as the description."""
    first, _, rest = text.strip().partition("\n")
    first, rest = first.strip(), rest.strip()
    if rest and len(first) <= 255:
        return first, rest
    match = _SENTENCE_END.search(first)
    if match and match.end() < len(first) and match.start() <= TITLE_SENTENCE_CHARS:
        return first[: match.start()], text.strip()
    if len(first) > 255:
        return first[:254] + "…", text.strip()
    return first, rest


# ------------------------------------------------------------------ the plan

_AREA_HEADING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）])\s*(.+)$"
)
_AREA_NAME_RE = re.compile(r"^(.{2,40}方面)(?:的?问题)?$")
_NOTE_RE = re.compile(r"^(?:注|说明|备注|填表说明|填报说明|制表|审核|填报人|联系人|合计|总计)")


@dataclass
class PlannedMeasure:
    row: int
    text: str
    leader: User | None
    leader_name: str
    units: list[str]
    supporting: list[str]
    deadline: date | None
    category: str
    extras: dict[str, Any] = field(default_factory=dict)  # values of the columns apps register

    @property
    def category_label(self) -> str:
        return str(MeasureCategory(self.category).label)


@dataclass
class PlannedProblem:
    row: int
    number: int | None
    text: str
    area: str
    measures: list[PlannedMeasure] = field(default_factory=list)

    @property
    def title(self) -> str:
        return split_problem(self.text)[0]

    @property
    def description(self) -> str:
        return split_problem(self.text)[1]


@dataclass
class PlannedArea:
    title: str
    problems: list[PlannedProblem] = field(default_factory=list)


@dataclass
class ImportPlan:
    organisation: Organisation
    sheet: LedgerSheet
    mapping: Mapping
    fields: InspectionFields
    areas: list[PlannedArea] = field(default_factory=list)
    units: dict[str, Organisation | None] = field(default_factory=dict)  # None: created on confirm
    leaders: dict[str, User | None] = field(default_factory=dict)  # None: not found, left blank
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    extra_columns: dict[int, str] = field(default_factory=dict)  # column index → registered column

    @property
    def problems(self) -> list[PlannedProblem]:
        return [problem for area in self.areas for problem in area.problems]

    @property
    def measure_count(self) -> int:
        return sum(len(problem.measures) for problem in self.problems)

    @property
    def matched_units(self) -> list[Organisation]:
        return [unit for unit in self.units.values() if unit is not None]

    @property
    def new_units(self) -> list[str]:
        return [name for name, unit in self.units.items() if unit is None]

    @property
    def matched_leaders(self) -> list[User]:
        return [leader for leader in self.leaders.values() if leader is not None]

    @property
    def unknown_leaders(self) -> list[str]:
        return [name for name, leader in self.leaders.items() if leader is None]

    def field_label(self, column: Column) -> str:
        """The label of the field the column is mapped to; "" when it is not imported."""
        key = self.mapping.get(column.index)
        if not key and column.index in self.extra_columns:
            return import_columns[self.extra_columns[column.index]].header
        return FIELD_BY_KEY[key].label if key else ""

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet.name,
            "header_row": self.sheet.header_row,
            "columns": [
                {"column": column.letter, "header": column.header, "field": self.field_label(column)}
                for column in self.sheet.columns
            ],
            "inspection": self.fields.as_dict(),
            "areas": [
                {
                    "title": area.title,
                    "problems": [
                        {
                            "row": problem.row,
                            "number": problem.number,
                            "title": problem.title,
                            "description": problem.description,
                            "measures": [
                                {
                                    "row": measure.row,
                                    "text": measure.text,
                                    "leader": measure.leader.display_name if measure.leader else None,
                                    "units": measure.units,
                                    "supporting_units": measure.supporting,
                                    "deadline": measure.deadline,
                                    "category": measure.category,
                                }
                                for measure in problem.measures
                            ],
                        }
                        for problem in area.problems
                    ],
                }
                for area in self.areas
            ],
            "problem_count": len(self.problems),
            "measure_count": self.measure_count,
            "units_matched": [unit.name for unit in self.matched_units],
            "units_created": self.new_units,
            "leaders_matched": [leader.display_name for leader in self.matched_leaders],
            "leaders_unknown": self.unknown_leaders,
            "warnings": [warning.as_dict() for warning in self.warnings],
        }


class _Directory:
    """The organisation's units and leaders, loaded once, looked up by name."""

    def __init__(self, organisation: Organisation):
        inspection = Inspection(inspected=organisation)
        units = list(
            Organisation.objects.filter(path__startswith=organisation.path)
            .select_related("parent")
            .order_by("path")
        )
        self.assignable = set(assignable_units(inspection).values_list("pk", flat=True))
        self.by_name: dict[str, list[Organisation]] = {}
        self.by_short: dict[str, list[Organisation]] = {}
        for unit in units:
            self.by_name.setdefault(unit.name, []).append(unit)
            if unit.short_name:
                self.by_short.setdefault(unit.short_name, []).append(unit)
        self.leaders: dict[str, list[User]] = {}
        for leader in assignable_leaders(inspection):
            if leader.full_name:
                self.leaders.setdefault(leader.full_name.strip(), []).append(leader)

    def unit(self, name: str) -> tuple[Organisation | None, str]:
        """(the unit, "") or (None, "") when it is to be created, or (None, why it cannot be used)."""
        found = self.by_name.get(name) or self.by_short.get(name) or []
        if len(found) > 1:
            names = "、".join(
                f"{unit.name}（{unit.parent.name if unit.parent else '顶级'}下）" for unit in found
            )
            return None, f"单位“{name}”对应多个单位：{names}。请写明全称。"
        if not found:
            if len(name) > 128:
                return None, f"单位名称“{name[:20]}…”过长（超过 128 字），请检查是否填错了列。"
            return None, ""
        if found[0].pk not in self.assignable:
            return None, f"“{name}”是巡察或纪检监察机构，不能作为责任单位或配合单位。"
        return found[0], ""


def duplicate_refusal(organisation: Organisation, fields: InspectionFields) -> str:
    """Why the ledger cannot be imported again ("" when it can): `organisation` already has an inspection
    of the same name and feedback date. The one rule the preview, the API's dry run and the import apply."""
    duplicate = (
        Inspection.objects.filter(
            inspected=organisation, title=fields.title.strip(), feedback_date=fields.feedback_date
        )
        .order_by("pk")
        .first()
    )
    if duplicate is None:
        return ""
    return (
        f"该台账已于{date_label(localdate(duplicate.created_at))}导入为“{duplicate.title}”，不能重复导入。"
        "如确是另一次巡察，请修改巡察名称。"
    )


def plan_import(
    organisation: Organisation, sheet: LedgerSheet, mapping: Mapping, fields: InspectionFields
) -> ImportPlan:
    """Check every row and say what would be written. Reads the database, writes nothing."""
    plan = ImportPlan(organisation=organisation, sheet=sheet, mapping=mapping, fields=fields)
    plan.errors.extend(mapping_errors(sheet, mapping))
    plan.extra_columns = extra_columns(sheet, mapping)
    columns = {key: index for index, key in sorted(mapping.items(), reverse=True) if key}
    directory = _Directory(organisation)
    areas: dict[str, PlannedArea] = {}
    heading = ""
    first_row_of: dict[int, int] = {}
    current: PlannedProblem | None = None

    def error(row: int, key: str, message: str) -> None:
        plan.errors.append(RowError(row, sheet.letter(columns[key]) if key in columns else "", message))

    def warn(row: int, key: str, message: str) -> None:
        plan.warnings.append(RowError(row, sheet.letter(columns[key]) if key in columns else "", message))

    for row, values in sheet.rows:
        cells = {key: values[index] for key, index in columns.items()}
        texts = {key: _text(value) for key, value in cells.items()}
        distinct = {text for text in texts.values() if text}
        if not distinct or _is_column_numbers(values):
            continue
        if len(distinct) == 1 and len(columns) > 1 and parse_number(next(iter(distinct))) is None:
            line = next(iter(distinct))
            if match := _AREA_HEADING_RE.match(line) or _AREA_NAME_RE.match(line):
                heading, current = match.group(1).strip(), None
                continue
            if _NOTE_RE.match(line) or texts.get("number") == line:  # a note, or a line merged across
                warn(row, "", f"该行视为说明文字，未导入：“{line[:30]}”。")
                continue
        number_text = texts.get("number", "")
        number = parse_number(cells.get("number")) if number_text else None
        if number_text and number is None:
            error(row, "number", f"序号“{number_text}”不是正整数。")
        problem_text = texts.get("problem", "")
        area_title = texts.get("area", "") or heading
        continues = (
            current is not None
            and problem_text in ("", current.text)
            and (not number_text or number is None or number == current.number)
        )
        if not continues:
            if number is not None and number in first_row_of:
                error(
                    row,
                    "number",
                    f"序号“{number}”重复：第 {first_row_of[number]} 行已使用该序号。"
                    "同一问题的各项措施应紧接着排列，不同问题的序号不能相同。",
                )
            if "number" in columns and not number_text:
                error(row, "number", "序号为空：每个问题的第一行须填写序号。")
            if "problem" in columns and not problem_text:
                error(row, "problem", "问题表现为空。")
            if len(area_title) > 255:
                error(row, "area", "问题类别不能超过 255 字。")
            current = PlannedProblem(row=row, number=number, text=problem_text, area=area_title)
            if number is not None:
                first_row_of.setdefault(number, row)
            areas.setdefault(area_title, PlannedArea(area_title)).problems.append(current)
        elif area_title and area_title != current.area:
            warn(row, "area", f"问题类别“{area_title}”与本问题第一行（“{current.area}”）不同，按第一行计。")
        planned = _measure(plan, directory, row, texts, cells, columns, error, warn)
        _read_extras(plan, planned, values)
        current.measures.append(planned)
    plan.areas = list(areas.values())
    if refusal := duplicate_refusal(organisation, fields):
        plan.errors.append(RowError(None, "", refusal))
    if not plan.problems:
        raise InvalidInput(f"表头（第 {sheet.header_row} 行）下没有数据行，没有可导入的内容。")
    plan.errors.sort(key=lambda item: (item.row or 0, item.column))
    return plan


def _measure(plan, directory, row, texts, cells, columns, error, warn) -> PlannedMeasure:
    text = texts.get("measure", "")
    if "measure" in columns and not text:
        error(row, "measure", "整改措施为空。")
    category = None
    if texts.get("category"):
        category = parse_category(texts["category"])
        if category is None:
            error(
                row,
                "category",
                f"整改类型“{texts['category']}”无法识别，应为立行立改、限期整改或长期坚持。",
            )
    deadline = Deadline(None)
    if texts.get("deadline"):
        try:
            deadline = parse_deadline(cells["deadline"])
        except ValueError:
            shown = texts["deadline"]
            if parse_category(shown) == MeasureCategory.IMMEDIATE:
                message = (
                    f"整改时限“{shown}”没有日期：立行立改的措施也须填写完成日期（整改类型可填“立行立改”）。"
                )
            else:
                message = (
                    f"整改时限“{shown}”不是有效日期。可填写 2025-06-30、2025/6/30、2025年6月30日、"
                    "2025.06.30，或“长期坚持”。"
                )
            error(row, "deadline", message)
    if deadline.note:
        warn(row, "deadline", deadline.note)
    if deadline.long_term:
        if category not in (None, MeasureCategory.LONG_TERM):
            warn(
                row, "category", f"整改时限为长期坚持，整改类型按长期坚持计（表中为“{texts['category']}”）。"
            )
        category = MeasureCategory.LONG_TERM
    category = category or MeasureCategory.DEADLINE
    if "deadline" in columns and not texts.get("deadline") and category != MeasureCategory.LONG_TERM:
        error(
            row,
            "deadline",
            "整改时限为空：立行立改、限期整改的措施须填写整改时限；长期坚持的措施请填写“长期坚持”。",
        )
    feedback = plan.fields.feedback_date
    if deadline.day and feedback and deadline.day < feedback:
        error(row, "deadline", f"整改时限早于反馈日期（{date_label(feedback)}）。")
    units = _units(plan, directory, row, "units", texts.get("units", ""), error)
    supporting = _units(plan, directory, row, "supporting", texts.get("supporting", ""), error)
    for name in set(units) & set(supporting):
        error(row, "supporting", f"“{name}”不能同时是责任单位和配合单位。")
    leader, leader_name = _leader(plan, directory, row, texts.get("leader", ""), warn)
    return PlannedMeasure(
        row=row,
        text=text,
        leader=leader,
        leader_name=leader_name,
        units=units,
        supporting=supporting,
        deadline=deadline.day,
        category=category,
    )


def extra_columns(sheet: LedgerSheet, mapping: Mapping) -> dict[int, str]:
    """The columns, left by the ledger's fields, whose header names a column an app registered
    (ledger.extensions.import_columns): e.g. 时间节点 beside 整改时限, read by progress."""
    by_header = {normalise_header(column.header): name for name, column in import_columns.items()}
    found: dict[int, str] = {}
    for column in sheet.columns:
        name = by_header.get(normalise_header(column.header))
        if name and column.index not in mapping and name not in found.values():
            found[column.index] = name
    return found


def _read_extras(plan: ImportPlan, measure: PlannedMeasure, values: list) -> None:
    for index, name in plan.extra_columns.items():
        text = _text(values[index]) if index < len(values) else ""
        if not text:
            continue
        letter = plan.sheet.letter(index)
        try:
            value, note = import_columns[name].read(text, measure.deadline, plan.fields.feedback_date)
        except InvalidInput as refusal:
            plan.errors.append(RowError(measure.row, letter, refusal.message))
            continue
        measure.extras[name] = value
        if note:
            plan.warnings.append(RowError(measure.row, letter, note))


def _units(plan: ImportPlan, directory: _Directory, row: int, key: str, text: str, error) -> list[str]:
    names = []
    for name in split_units(text):
        unit, problem = directory.unit(name)
        if problem:
            error(row, key, problem)
            continue
        plan.units.setdefault(name, unit)
        names.append(name)
    return names


def _leader(plan: ImportPlan, directory: _Directory, row: int, text: str, warn) -> tuple[User | None, str]:
    names = split_people(text)
    if not names:
        return None, ""
    name = names[0]
    if len(names) > 1:
        others = "、".join(names[1:])
        warn(row, "leader", f"一项措施只有一位牵头领导：取“{name}”，“{others}”未导入。")
    found = directory.leaders.get(name, [])
    if len(found) == 1:
        plan.leaders[name] = found[0]
        return found[0], name
    plan.leaders.setdefault(name, None)
    if found:
        warn(
            row,
            "leader",
            f"责任领导“{name}”有 {len(found)} 位同名领导，无法确定是哪一位，已留空；导入后可在措施页指定。",
        )
    else:
        warn(
            row,
            "leader",
            f"责任领导“{name}”不是本单位领导小组成员（按姓名未找到），已留空；导入后可在措施页指定。",
        )
    return None, name


def _is_column_numbers(values: list) -> bool:
    """A row numbering the columns (1, 2, 3 …), as printed ledgers often have under the header."""
    numbers = [value for value in values if _text(value)]
    return len(numbers) >= 3 and [parse_number(value) for value in numbers] == list(
        range(1, len(numbers) + 1)
    )


# ------------------------------------------------------------------ writing


def check_office(user: User, organisation: Organisation) -> None:
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有“{organisation.name}”的整改办可以向该组织导入整改台账。")


def prepare(
    user: User,
    organisation: Organisation,
    data: bytes,
    *,
    mapping: Mapping | None = None,
    fields: InspectionFields | None = None,
) -> ImportPlan:
    """Read and check an uploaded ledger for `organisation` (the office's only); writes nothing.
    Without a mapping the headers are mapped automatically; without fields they are read from the
    rows above the header."""
    check_office(user, organisation)
    sheet = read_workbook(data)
    return plan_import(
        organisation,
        sheet,
        auto_mapping(sheet) if mapping is None else mapping,
        suggested_fields(sheet) if fields is None else fields,
    )


def raise_for(plan: ImportPlan) -> None:
    """LedgerErrors if any row or the inspection's fields are wrong."""
    errors = [RowError(None, "", message) for message in plan.fields.problems()] + plan.errors
    if errors:
        raise LedgerErrors(errors)


@transaction.atomic
def import_ledger(
    user: User,
    organisation: Organisation,
    data: bytes,
    *,
    source_name: str = "",
    mapping: Mapping | None = None,
    fields: InspectionFields | None = None,
) -> Inspection:
    """Write the ledger as a new inspection of `organisation`: all of it, or nothing."""
    plan = prepare(user, organisation, data, mapping=mapping, fields=fields)
    raise_for(plan)
    return write_plan(user, plan, source_name)


@transaction.atomic
def write_plan(user: User, plan: ImportPlan, source_name: str = "") -> Inspection:
    """Write a plan without errors (see raise_for) as a new inspection, in one transaction."""
    check_office(user, plan.organisation)
    organisation, facts = plan.organisation, plan.fields
    if refusal := duplicate_refusal(organisation, facts):
        raise InvalidInput(refusal)
    try:
        inspection = Inspection.objects.create(
            title=facts.title.strip(),
            kind=facts.kind,
            inspecting_body=facts.inspecting_body.strip(),
            inspected=organisation,
            round_name=facts.round_name.strip(),
            onsite_start=facts.onsite_start,
            onsite_end=facts.onsite_end,
            feedback_date=facts.feedback_date,
            deadline=facts.deadline,
            source_name=source_name[:255],
            created_by=user,
        )
        units = {name: unit for name, unit in plan.units.items() if unit is not None}
        codes = _unit_codes(organisation, len(plan.new_units))
        for name, code in zip(plan.new_units, codes, strict=True):
            units[name] = Organisation.objects.create(
                name=name, code=code, kind=OrganisationKind.DEPARTMENT, parent=organisation
            )
        # One insert per table whatever the size of the ledger; the inspection's creation is the
        # audited event, as with an imported notice.
        areas = Area.objects.bulk_create(
            Area(inspection=inspection, order=order, title=planned_area.title)
            for order, planned_area in enumerate(plan.areas, start=1)
        )
        planned_problems = [
            (area, item)
            for area, planned_area in zip(areas, plan.areas, strict=True)
            for item in planned_area.problems
        ]
        problems = Problem.objects.bulk_create(
            Problem(
                inspection=inspection,
                area=area,
                number=item.number,
                title=item.title,
                description=item.description,
                source_text=item.text,
            )
            for area, item in planned_problems
        )
        planned = [item for _, problem in planned_problems for item in problem.measures]
        measures = [
            Measure(
                problem=problem,
                order=order,
                text=item.text,
                lead_leader=item.leader,
                # The first unit the row names answers for it; a row naming none, the organisation.
                responsible_unit=units[item.units[0]] if item.units else organisation,
                deadline=item.deadline,
                category=item.category,
                status=MeasureStatus.NOT_STARTED,
            )
            for problem, (_, planned_problem) in zip(problems, planned_problems, strict=True)
            for order, item in enumerate(planned_problem.measures, start=1)
        ]
        Measure.objects.bulk_create(measures)
        MeasureUnit.objects.bulk_create(
            MeasureUnit(measure=measure, unit=unit, role=role)
            for measure, item in zip(measures, planned, strict=True)
            for chosen, role in (
                ([units[name] for name in item.units] or [organisation], MeasureUnit.Role.RESPONSIBLE),
                ([units[name] for name in item.supporting], MeasureUnit.Role.SUPPORTING),
            )
            for unit in chosen
        )
        for name, column in import_columns.items():  # the columns apps read back (时间节点)
            pairs = [
                (measure, item.extras.get(name)) for measure, item in zip(measures, planned, strict=True)
            ]
            column.write([(measure, value) for measure, value in pairs if value is not None])
    except IntegrityError as error:
        raise InvalidInput(f"台账内容与数据约束冲突，未导入任何内容：{error}") from error
    measures_changed([inspection.pk])  # after the time nodes the import columns wrote
    inspection_imported.send(sender=Inspection, inspection=inspection)
    return inspection


def _unit_codes(organisation: Organisation, count: int) -> list[str]:
    """Codes for new departments: the organisation's code and a number ("gz-jtj-d3"); Chinese names
    have no ASCII slug, and a code can be changed in the admin."""
    prefix = f"{organisation.code[:50]}-d"
    taken = set(Organisation.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    codes, number = [], 1
    while len(codes) < count:
        if f"{prefix}{number}" not in taken:
            codes.append(f"{prefix}{number}")
        number += 1
    return codes


# ------------------------------------------------------------------ the upload waiting between steps
# The web import takes three steps (mapping, preview, confirm); the file waits in rectify.stash, so
# the user never chooses it again.


@dataclass
class StashedLedger:
    token: str
    organisation: Organisation
    name: str
    data: bytes

    def sheet(self) -> LedgerSheet:
        return read_workbook(self.data)


def read_upload(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > settings.RECTIFY_NOTICE_MAX_BYTES:
        raise InvalidInput(
            f"文件过大（{upload.size} 字节），上限为 {settings.RECTIFY_NOTICE_MAX_BYTES} 字节。"
        )
    return upload.read()


STASH_KIND = "ledger"


def stash_ledger(user: User, organisation: Organisation, upload: UploadedFile) -> str:
    """Check the upload is a readable ledger and keep it for the next steps; returns the token."""
    check_office(user, organisation)
    data = read_upload(upload)
    read_workbook(data)
    return stash.keep(user, STASH_KIND, upload.name or "", data, organisation=organisation.pk)


def stashed_ledger(user: User, token: str) -> StashedLedger:
    """The upload kept by stash_ledger, for the user who made it, if he or she is still the office."""
    kept = stash.fetch(user, STASH_KIND, token, what="台账文件")
    organisation = Organisation.objects.filter(pk=kept.info.get("organisation")).first()
    if organisation is None:
        raise InvalidInput("上传时选择的组织已不存在，请重新上传。")
    check_office(user, organisation)
    return StashedLedger(token=token, organisation=organisation, name=kept.name, data=kept.data)


def import_stashed(
    user: User, stashed: StashedLedger, mapping: Mapping, fields: InspectionFields
) -> Inspection:
    inspection = import_ledger(
        user, stashed.organisation, stashed.data, source_name=stashed.name, mapping=mapping, fields=fields
    )
    stash.forget(STASH_KIND, stashed.token)
    return inspection
