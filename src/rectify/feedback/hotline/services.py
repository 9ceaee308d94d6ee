"""Importing 12345 hotline work orders (12345 热线工单) from the hotline's Excel export.

Exports differ from one system and year to the next, so the import goes in steps:

1. read the workbook (.xlsx only, its content checked, not its name): find the header row (a title
   row above it is common), the data rows below it;
2. map columns to fields: guessed from the header's wording (`HEADER_SYNONYMS`), confirmed or changed
   by the office (an unrecognised column is left out unless mapped);
3. plan: every row checked by feedback.services' own rules (content, phone, sizes), dates read in
   the forms exports use; a work order already imported, or repeated in the file, is skipped with
   its reason; every problem reported with its row, column and what is wrong, in Chinese;
4. import, only when the plan has no error, in one transaction through services.register_item
   (contacts encrypted, deadlines computed there), under one HotlineBatch that says who imported
   what. Any refusal rolls everything back: nothing is written on error.

Between the preview and the confirmation the upload waits on disk, as notice uploads do
(notices.services): same token form, same clean-up of abandoned files.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from rectify import office, stash
from rectify.errors import AccessDenied, InvalidInput
from rectify.org.access import Access, organisations_under_office
from rectify.org.models import Organisation, User

from .. import services, tallies
from ..models import Channel, FeedbackItem, FeedbackKind
from .models import HotlineBatch

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10

# field → (label, the wordings exports use for its column). Matching ignores spaces and punctuation.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "external_ref": ("工单编号", ("工单编号", "工单号", "工单流水号", "受理编号", "编号", "工单编码")),
    "received_at": (
        "来电时间",
        ("来电时间", "受理时间", "来电日期", "受理日期", "登记时间", "创建时间", "派单时间"),
    ),
    "name": ("来电人", ("来电人", "来电人姓名", "联系人", "诉求人", "市民姓名", "姓名")),
    "phone": ("联系电话", ("联系电话", "来电号码", "联系号码", "手机号码", "电话号码", "电话")),
    "demand_type": ("诉求类型", ("诉求类型", "诉求类别", "工单类型", "工单类别", "问题类型", "类型")),
    "content": (
        "诉求内容",
        ("诉求内容", "问题描述", "工单内容", "来电内容", "反映内容", "诉求描述", "内容"),
    ),
    "area": ("所属区域/地址", ("所属区域", "事发地址", "地址", "所属区", "区域", "事发地点")),
    "enterprise": ("企业名称", ("企业名称", "涉及企业", "企业", "单位名称")),
    "deadline": ("办理时限", ("办理时限", "办结时限", "答复时限", "处理时限")),
}
REQUIRED = ("external_ref", "received_at", "content")
SKIP = ""  # a column not imported
DEMAND_WORDS = ("企业诉求", "涉企", "企业")
_PUNCTUATION = re.compile(r"[\s:：()（）\[\]【】*＊/／_\-]+")

XLSX_ONLY = "只能导入 Excel 工作簿（.xlsx）。WPS 或旧版 Excel 的 .xls/.et 文件，请先另存为 .xlsx 再上传。"
NOT_XLSX = "文件内容不是 Excel 工作簿（.xlsx），可能是改了扩展名的其他文件，请上传热线系统导出的原始文件。"


# ------------------------------------------------------------------ reading the workbook


@dataclass(frozen=True)
class Sheet:
    """The first worksheet: its header row (as Excel numbers rows) and the non-empty rows below."""

    title: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list]]  # (Excel row number, cell values)


def _norm(header: str) -> str:
    return _PUNCTUATION.sub("", header or "")


def _recognised(header: str) -> str:
    """The field a header names, or SKIP. An exact wording wins over a wording it contains."""
    key = _norm(header)
    if not key:
        return SKIP
    for name, (_label, words) in FIELDS.items():
        if key in {_norm(word) for word in words}:
            return name
    for name, (_label, words) in FIELDS.items():
        if any(len(_norm(word)) >= 3 and _norm(word) in key for word in words):
            return name
    return SKIP


def cell_text(value) -> str:
    """A cell as text: a whole number without ".0" (phone and work-order numbers are often typed
    as numbers), a date as the office would read it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def too_large(size: int) -> str:
    return (
        f"文件过大（{size / 1024 / 1024:.1f} MB），一次最多导入 {MAX_BYTES // 1024 // 1024} MB，请分批导出。"
    )


_LONG_NUMBER = re.compile(r"(\d{3})\d{4,}(\d{4})")


def masked_sample(value) -> str:
    """A cell shown as an example of its column, with any phone-like number masked (138****1234)."""
    return _LONG_NUMBER.sub(r"\1****\2", cell_text(value))


def read_workbook(data: bytes, filename: str) -> Sheet:
    """The work orders of an uploaded .xlsx; InvalidInput in Chinese for anything else."""
    from openpyxl import load_workbook

    name = (filename or "").strip()
    if not name.lower().endswith(".xlsx"):
        raise InvalidInput(XLSX_ONLY)
    if not data:
        raise InvalidInput("上传的文件是空的。")
    if len(data) > MAX_BYTES:
        raise InvalidInput(too_large(len(data)))
    try:
        office.open_zip(data).close()  # refuses a zip bomb (UnsafePackage) before openpyxl inflates it
    except zipfile.BadZipFile:
        raise InvalidInput(NOT_XLSX) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise InvalidInput(NOT_XLSX) from None
    try:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
        if worksheet is None:
            raise InvalidInput("工作簿中没有工作表。")
        title = worksheet.title
        rows = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if any(cell_text(value) for value in values):
                rows.append((number, list(values)))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise InvalidInput(f"工单过多：一次最多导入 {MAX_ROWS} 条，请分批导出后导入。")
    finally:
        workbook.close()
    if not rows:
        raise InvalidInput("工作簿是空的：第一个工作表中没有内容。")
    header_at = _header_index(rows)
    header_row, header_values = rows[header_at]
    headers = [cell_text(value) for value in header_values]
    width = max(index + 1 for index, header in enumerate(headers) if header)
    data_rows = [(number, _fit(values, width)) for number, values in rows[header_at + 1 :]]
    if not data_rows:
        raise InvalidInput(f"工作簿中没有工单数据：第 {header_row} 行表头下面没有内容。")
    if len(data_rows) > MAX_ROWS:
        raise InvalidInput(f"工单过多：一次最多导入 {MAX_ROWS} 条，请分批导出后导入。")
    return Sheet(title=title, header_row=header_row, headers=headers[:width], rows=data_rows)


def _header_index(rows: list[tuple[int, list]]) -> int:
    """The header row: the first of the top rows naming two fields or more (a title row often sits
    above it); otherwise the first row, whose columns the office then maps by hand."""
    for index, (_number, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if len({_recognised(cell_text(value)) for value in values} - {SKIP}) >= 2:
            return index
    return 0


def _fit(values: list, width: int) -> list:
    return (list(values) + [None] * width)[:width]


# ------------------------------------------------------------------ mapping columns


def guess_mapping(headers: list[str]) -> list[str]:
    """A field per column from its header (SKIP when unrecognised); a field goes to its first column."""
    mapping, taken = [], set()
    for header in headers:
        name = _recognised(header)
        if name in taken:
            name = SKIP
        taken.add(name)
        mapping.append(name)
    return mapping


def mapping_problems(headers: list[str], mapping: list[str]) -> list[str]:
    """What is wrong with a mapping, in Chinese; empty when it can be used."""
    if len(mapping) != len(headers):
        return ["列对应与文件的列数不一致，请重新上传文件。"]
    problems = []
    for name in mapping:
        if name != SKIP and name not in FIELDS:
            problems.append("列对应中有无效的字段。")
            return problems
    for name in REQUIRED:
        if name not in mapping:
            problems.append(f"请指定“{FIELDS[name][0]}”对应哪一列（必填）。")
    for name in FIELDS:
        columns = [
            column_label(index, headers[index]) for index, chosen in enumerate(mapping) if chosen == name
        ]
        if len(columns) > 1:
            problems.append(f"“{FIELDS[name][0]}”只能对应一列，现对应了{'、'.join(columns)}。")
    return problems


def column_label(index: int, header: str) -> str:
    """ "C 列（来电时间）": the column as Excel names it, with its header."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(index + 1)
    return f"{letter} 列（{header}）" if header else f"{letter} 列"


def field_choices() -> list[tuple[str, str]]:
    return [(SKIP, "不导入")] + [
        (name, f"{label}{'（必填）' if name in REQUIRED else ''}") for name, (label, _words) in FIELDS.items()
    ]


# ------------------------------------------------------------------ checking the rows


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"，{self.column}" if self.column else "")
        return f"{where}：{self.message}"


@dataclass(frozen=True)
class Skipped:
    row: int
    external_ref: str
    reason: str


@dataclass(frozen=True)
class Order:
    """One work order as it will be registered."""

    row: int
    external_ref: str
    received_at: datetime | None
    kind: str
    content: str
    name: str
    phone: str
    enterprise: str
    deadline: date | None


@dataclass
class Plan:
    sheet: Sheet
    mapping: list[str]
    problems: list[str] = field(default_factory=list)  # of the mapping
    orders: list[Order] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return not self.problems and not self.errors and bool(self.orders)


def _date_time(value) -> datetime:
    """A cell's moment, aware in the project's time zone. Raises ValueError when unreadable."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        moment = from_excel(value)  # a date cell exported without its format: Excel's day number
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(0, 0))
    else:
        moment = _parse_text_moment(cell_text(value))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


_TEXT_MOMENT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})(?:\.\d+)?\s*秒?)?\s*分?)?$"
)


def _parse_text_moment(text: str) -> datetime:
    match = _TEXT_MOMENT.match(text.strip())
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    return datetime(year, month, day, hour, minute, second)


def plan_import(
    organisation: Organisation, sheet: Sheet, mapping: list[str], *, now: datetime | None = None
) -> Plan:
    """Check every row against the mapping; nothing is written."""
    plan = Plan(sheet=sheet, mapping=mapping, problems=mapping_problems(sheet.headers, mapping))
    if plan.problems:
        return plan
    now = now or timezone.now()
    columns = {name: index for index, name in enumerate(mapping) if name != SKIP}
    refs = {cell_text(values[columns["external_ref"]]) for _number, values in sheet.rows}
    imported = set(
        FeedbackItem.objects.filter(
            organisation=organisation, channel=Channel.HOTLINE, external_ref__in=refs - {""}
        ).values_list("external_ref", flat=True)
    )
    first_row: dict[str, int] = {}
    for number, values in sheet.rows:
        row = _Row(sheet.headers, columns, number, values)
        order = row.order(now)
        if row.errors:
            plan.errors.extend(row.errors)
        elif order.external_ref in imported:
            plan.skipped.append(Skipped(number, order.external_ref, "该工单已导入过"))
        elif order.external_ref in first_row:
            reason = f"与本文件第 {first_row[order.external_ref]} 行工单编号重复"
            plan.skipped.append(Skipped(number, order.external_ref, reason))
        else:
            first_row[order.external_ref] = number
            plan.orders.append(order)
    if not plan.errors and not plan.orders:
        plan.problems.append("文件中的工单都已导入过，没有新的工单可导入。")
    return plan


class _Row:
    """One data row read through the mapping; each value checked by feedback.services' rules, each
    refusal kept as a RowError naming the row and the column."""

    def __init__(self, headers: list[str], columns: dict[str, int], number: int, values: list):
        self.headers, self.columns, self.number, self.values = headers, columns, number, values
        self.errors: list[RowError] = []

    def raw(self, name: str):
        return self.values[self.columns[name]] if name in self.columns else None

    def fail(self, name: str, message: str) -> None:
        index = self.columns[name]
        self.errors.append(RowError(self.number, column_label(index, self.headers[index]), message))

    def text(self, name: str, check=services.plain_text, *, limit: int = 0, required: bool = False) -> str:
        if name not in self.columns:
            return ""
        label = FIELDS[name][0]
        cell = cell_text(self.raw(name))
        if required and not services.plain_text(cell):
            self.fail(name, f"{label}为空。")
            return ""
        try:
            return services.sized_text(cell, limit, label) if limit else check(cell)
        except InvalidInput as error:
            self.fail(name, error.message)
            return ""

    def moment(self, name: str, *, not_after: datetime | None) -> datetime | None:
        if name not in self.columns or cell_text(self.raw(name)) == "":
            if name in REQUIRED:
                self.fail(name, f"{FIELDS[name][0]}为空。")
            return None
        shown = cell_text(self.raw(name))[:40]
        try:
            moment = _date_time(self.raw(name))
        except (ValueError, OverflowError):
            self.fail(name, f"无法识别的日期“{shown}”，请使用“2025-03-01 09:30”或“2025/3/1 9:30”的格式。")
            return None
        if not_after is not None and moment > not_after:
            self.fail(name, f"{FIELDS[name][0]}“{shown}”晚于现在。")
            return None
        return moment

    def order(self, now: datetime) -> Order:
        external_ref = self.text("external_ref", limit=services.MAX_EXTERNAL_REF, required=True)
        received_at = self.moment("received_at", not_after=now)
        deadline = self.moment("deadline", not_after=None)
        demand_type = self.text("demand_type", limit=32)
        area = self.text("area", limit=255)
        enterprise = self.text("enterprise", limit=services.MAX_ENTERPRISE)
        content = self.text("content", services.clean_content, required=True)
        kind = FeedbackKind.OPINION
        if enterprise or any(word in demand_type for word in DEMAND_WORDS):
            kind = FeedbackKind.DEMAND
        return Order(
            row=self.number,
            external_ref=external_ref,
            received_at=received_at,
            kind=kind,
            content=_with_facts(content, demand_type, area),
            name=self.text("name", limit=services.MAX_NAME),
            phone=self.text("phone", services.clean_phone),
            enterprise=enterprise,
            deadline=timezone.localdate(deadline) if deadline else None,
        )


def _with_facts(content: str, demand_type: str, area: str) -> str:
    """The order's content, with its type and place kept on a last line (the item has no fields for
    them, and the unit needs them to answer) when the content leaves room for it."""
    parts = [f"诉求类型：{demand_type}" if demand_type else "", f"所属区域：{area}" if area else ""]
    facts = "；".join(part for part in parts if part)
    with_facts = f"{content}\n（12345 工单 {facts}）"
    return with_facts if facts and content and len(with_facts) <= services.MAX_CONTENT else content


# ------------------------------------------------------------------ importing


def _check_office(user: User, organisation: Organisation) -> None:
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有“{organisation.name}”的整改办可以导入该组织的 12345 热线工单。")


def importing_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose hotline orders the user may import: where the user is the office."""
    return organisations_under_office(user)


def import_plan(user: User, organisation: Organisation, plan: Plan, file_name: str) -> HotlineBatch:
    """Register every planned order in one transaction under a new batch. Refused (nothing written)
    when the plan has any error; a row refused while saving rolls the whole import back."""
    _check_office(user, organisation)
    if plan.problems:
        raise InvalidInput(f"{''.join(plan.problems)}未导入任何工单。")
    if plan.errors:
        raise InvalidInput(
            f"文件有 {len(plan.errors)} 处错误，未导入任何工单。请修改后重新上传。第一处：{plan.errors[0]}"
        )
    if not plan.orders:
        raise InvalidInput("没有可导入的工单。")
    with transaction.atomic(), tallies.counted_once():
        batch = HotlineBatch.objects.create(
            organisation=organisation,
            file_name=file_name[:255],
            row_count=len(plan.orders),
            skipped_count=len(plan.skipped),
            imported_by=user,
        )
        for order in plan.orders:
            try:
                item = services.register_item(
                    user,
                    organisation=organisation,
                    channel=Channel.HOTLINE,
                    kind=order.kind,
                    content=order.content,
                    received_at=order.received_at,
                    name=order.name,
                    phone=order.phone,
                    enterprise=order.enterprise,
                    external_ref=order.external_ref,
                    hotline_batch=batch,
                )
            except InvalidInput as error:
                raise InvalidInput(f"第 {order.row} 行：{error.message} 未导入任何工单。") from error
            if order.deadline and order.deadline < item.due_date:
                # The hotline's own time limit binds when it is the earlier one.
                item.due_date = order.deadline
                item.save(update_fields=["due_date"])
                tallies.items_changed(item.organisation_id)
    return batch


def import_workbook(
    user: User, organisation: Organisation, data: bytes, file_name: str, mapping: list[str] | None = None
) -> HotlineBatch:
    """Read, check and import a workbook in one go (the guessed mapping unless one is given)."""
    _check_office(user, organisation)
    sheet = read_workbook(data, file_name)
    plan = plan_import(organisation, sheet, mapping if mapping is not None else guess_mapping(sheet.headers))
    return import_plan(user, organisation, plan, file_name)


# ------------------------------------------------------------------ the upload between the steps


STASH_KIND = "hotline"


def stash_upload(user: User, organisation: Organisation, data: bytes, file_name: str) -> tuple[str, Sheet]:
    """Read an upload and keep it for the preview and confirm steps; returns a token and the sheet."""
    _check_office(user, organisation)
    sheet = read_workbook(data, file_name)
    return stash.keep(user, STASH_KIND, file_name, data, organisation=organisation.pk), sheet


@dataclass(frozen=True)
class Stashed:
    token: str
    file_name: str
    organisation: Organisation
    sheet: Sheet


def load_stashed(user: User, token: str) -> Stashed:
    """The upload kept by stash_upload, for the user who uploaded it."""
    kept = stash.fetch(user, STASH_KIND, token, what="工单文件")
    organisation = importing_organisations(user).filter(pk=kept.info.get("organisation")).first()
    if organisation is None:
        raise AccessDenied("您已不是该组织的整改办，不能导入其热线工单。")
    return Stashed(token, kept.name, organisation, read_workbook(kept.data, kept.name))


def import_stashed(user: User, token: str, mapping: list[str]) -> HotlineBatch:
    """Import the kept upload with the office's mapping, checked again now; the file is then removed."""
    stashed = load_stashed(user, token)
    plan = plan_import(stashed.organisation, stashed.sheet, mapping)
    batch = import_plan(user, stashed.organisation, plan, stashed.file_name)
    forget_stashed(token)
    return batch


def forget_stashed(token: str) -> None:
    stash.forget(STASH_KIND, token)


# ------------------------------------------------------------------ who sees the batches
