"""Excel ledger import endpoint (整改台账): import a ledger (with a dry run). Thin: the rules are in
ledger.excel_import. The download of a list is progress's (progress.api, progress.ledger_excel)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from rectify.org.models import Organisation
from rectify.schemas import Message, OrganisationKey, organisation_lookup

from . import excel_import
from .api import InspectionOut
from .choices import InspectionKind
from .models import Inspection

router = Router(tags=["整改台账"])


class RowErrorOut(Schema):
    row: int | None = Field(None, description="Excel 中的行号；为空表示整个文件或巡察信息")
    column: str = Field("", description="列字母，如 H；为空表示整行")
    message: str


class ErrorsOut(Schema):
    detail: str
    errors: list[RowErrorOut] = []


class ColumnOut(Schema):
    column: str
    header: str
    field: str = Field(..., description="对应的台账字段（中文名），空表示不导入")


class FieldsOut(Schema):
    title: str
    kind: str
    inspecting_body: str
    round_name: str
    onsite_start: date | None
    onsite_end: date | None
    feedback_date: date | None
    deadline: date | None


class MeasurePreview(Schema):
    row: int
    text: str
    leader: str | None
    units: list[str]
    supporting_units: list[str]
    deadline: date | None
    category: str


class ProblemPreview(Schema):
    row: int
    number: int | None
    title: str
    description: str
    measures: list[MeasurePreview]


class AreaPreview(Schema):
    title: str
    problems: list[ProblemPreview]


class ImportLedgerOut(Schema):
    dry_run: bool
    sheet: str
    header_row: int
    columns: list[ColumnOut]
    inspection: FieldsOut
    areas: list[AreaPreview]
    problem_count: int
    measure_count: int
    units_matched: list[str]
    units_created: list[str] = Field(..., description="将（或已）作为本组织内设机构新建的单位")
    leaders_matched: list[str]
    leaders_unknown: list[str] = Field(..., description="未找到、留空的责任领导")
    warnings: list[RowErrorOut]
    inspection_id: int | None = None
    created: InspectionOut | None = None


TRUE_WORDS = ("1", "true", "yes", "on")


@router.post(
    "/inspections/import-ledger",
    summary="导入 Excel 整改台账",
    response={200: ImportLedgerOut, 201: ImportLedgerOut, 400: ErrorsOut, 403: Message, 404: Message},
)
def import_ledger(
    request,
    organisation: Form[OrganisationKey],
    file: File[UploadedFile],
    mapping: Form[str] = "",
    title: Form[str] = "",
    kind: Form[str] = "",
    inspecting_body: Form[str] = "",
    round_name: Form[str] = "",
    onsite_start: Form[date | None] = None,
    onsite_end: Form[date | None] = None,
    feedback_date: Form[date | None] = None,
    deadline: Form[date | None] = None,
    dry_run: Form[bool] = False,
):
    """上传整改台账（.xlsx）导入为一次巡察。`organisation` 为组织代码或编号（须为该组织的整改办）。

    `mapping` 可选，JSON 对象，改动自动识别的列对应：键为列字母（如 `"D"`）或表头文字，值为字段名
    （序号、问题类别、问题表现、整改措施、责任领导、责任单位、配合单位、整改时限、整改类型）或空（不导入）。
    巡察信息（title、kind、inspecting_body、round_name 和各日期）未给出的，按表格上方的标题行预填。
    `dry_run=true`（表单字段或查询参数）只返回预览，不写入；有错误时返回 400 和 `errors`
    （每条含行号、列字母和中文说明），且不写入任何内容；该组织已有同名、同反馈日期的巡察（台账已导入过）
    也是一条错误，预览时即返回。"""
    lookup = organisation_lookup(organisation)
    target = get_object_or_404(Organisation, **lookup)
    dry_run = dry_run or request.GET.get("dry_run", "").lower() in TRUE_WORDS
    excel_import.check_office(request.user, target)
    data = excel_import.read_upload(file)
    sheet = excel_import.read_workbook(data)
    fields = excel_import.suggested_fields(sheet)
    kinds = {str(label): value for value, label in InspectionKind.choices}
    given = {
        "title": title.strip(),
        "kind": kinds.get(kind.strip(), kind.strip()),
        "inspecting_body": inspecting_body.strip(),
        "round_name": round_name.strip(),
        "onsite_start": onsite_start,
        "onsite_end": onsite_end,
        "feedback_date": feedback_date,
        "deadline": deadline,
    }
    for name, value in given.items():
        if value:
            setattr(fields, name, value)
    chosen = excel_import.mapping_from_json(sheet, mapping)
    try:
        with transaction.atomic():
            plan = excel_import.plan_import(target, sheet, chosen, fields)
            excel_import.raise_for(plan)
            if dry_run:
                return Status(200, {"dry_run": True, **plan.as_dict()})
            created = excel_import.write_plan(request.user, plan, file.name or "")
    except excel_import.LedgerErrors as error:
        return Status(400, {"detail": error.message, "errors": [item.as_dict() for item in error.errors]})
    inspection = Inspection.objects.select_related("inspected").get(pk=created.pk)
    return Status(
        201, {"dry_run": False, **plan.as_dict(), "inspection_id": created.pk, "created": inspection}
    )
