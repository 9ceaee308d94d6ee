"""Dispatch report endpoints (调度): build one for a range, or read a stored one, as JSON, a
printable HTML page, a Word file or an Excel workbook. Thin: the rules are supervision.dispatch's."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from rectify.documents import DOCX_TYPE, XLSX_TYPE, attachment
from rectify.errors import InvalidInput

from . import dispatch, dispatch_render
from .models import DispatchReport

router = Router(tags=["调度"])

FORMATS = ("json", "html", "docx", "xlsx")
FORMAT_HELP = "返回格式：json（默认）、html（可打印的网页）、docx（Word 报告）或 xlsx（Excel 统计表）"


class Message(Schema):
    detail: str


class NamedRef(Schema):
    id: int
    name: str


class DispatchOut(Schema):
    id: int
    inspection_id: int
    start: date
    end: date
    created_at: datetime
    created_by: NamedRef
    data: dict = Field(
        ...,
        description="调度数据：总体、本期完成、超期及原因、分方面/分单位/分领导、预警、未报送进展、与上次相比",
    )
    links: dict[str, str]


class BuildQuery(Schema):
    inspection: str | None = Field(None, description="巡察编号（必填）")
    start: str | None = Field(None, description="起始日期，YYYY-MM-DD（必填）")
    end: str | None = Field(None, description="截止日期，YYYY-MM-DD（必填，不晚于今天）")
    format: str = Field("json", description=FORMAT_HELP)


class FormatQuery(Schema):
    format: str = Field("json", description=FORMAT_HELP)


@router.get(
    "/dispatch-reports",
    response={200: DispatchOut, 400: Message, 403: Message, 404: Message},
    url_name="dispatch-build",
)
def build_dispatch(request, query: Query[BuildQuery]):
    """按期间生成（并保存）一份调度报告，按 `format` 返回。

    仅被巡察单位的整改办和纪检监察（巡察）机构可生成。"""
    kind = _format(query.format)
    inspection_id = _inspection_id(query.inspection)
    start = _date(query.start, "起始日期（start）")
    end = _date(query.end, "截止日期（end）")
    report = dispatch.build_dispatch(request.user, inspection_id, start, end)
    return _respond(report, kind)


@router.get(
    "/dispatch-reports/{int:dispatch_id}",
    response={200: DispatchOut, 400: Message, 403: Message, 404: Message},
    url_name="dispatch-report",
)
def get_dispatch(request, dispatch_id: int, query: Query[FormatQuery]):
    """读取一份已保存的调度报告，按 `format` 返回。整改办、纪检监察（巡察）机构和领导可查看。"""
    kind = _format(query.format)
    return _respond(dispatch.get_dispatch(request.user, dispatch_id), kind)


def _format(value: str) -> str:
    kind = (value or "json").strip().lower()
    if kind not in FORMATS:
        raise InvalidInput(f"不支持的格式“{value}”，应为 json、html、docx 或 xlsx。")
    return kind


def _inspection_id(value: str | None) -> int:
    if value is None or not str(value).strip():
        raise InvalidInput("请指定巡察编号（inspection）。")
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"巡察编号“{value}”无效，应为整数。") from None


def _date(value: str | None, label: str) -> date:
    if value is None or not value.strip():
        raise InvalidInput(f"请指定{label}。")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{label}“{value}”格式不正确，应为 YYYY-MM-DD。") from None


def _respond(report: DispatchReport, kind: str):
    if kind == "docx":
        return attachment(
            dispatch_render.docx_bytes(report), dispatch_render.filename(report, "docx"), DOCX_TYPE
        )
    if kind == "xlsx":
        return attachment(
            dispatch_render.xlsx_bytes(report), dispatch_render.filename(report, "xlsx"), XLSX_TYPE
        )
    if kind == "html":
        page = render_to_string("supervision/dispatch_document.html", dispatch_render.html_context(report))
        response = HttpResponse(page, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response
    url = reverse("api:dispatch-report", kwargs={"dispatch_id": report.pk})
    return {
        "id": report.pk,
        "inspection_id": report.inspection_id,
        "start": report.start,
        "end": report.end,
        "created_at": report.created_at,
        "created_by": {"id": report.created_by_id, "name": report.created_by.display_name},
        "data": report.data,
        "links": {
            "self": url,
            "html": f"{url}?format=html",
            "docx": f"{url}?format=docx",
            "xlsx": f"{url}?format=xlsx",
            "web": reverse("dispatch:detail", args=[report.pk]),
        },
    }
