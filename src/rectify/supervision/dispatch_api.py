"""Dispatch report endpoints (调度): build one for a range (POST, since it is stored), list the stored
ones, or read one, as JSON, a printable HTML page, a Word file or an Excel workbook. Thin: the rules
are supervision.dispatch's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from rectify.documents import DOCX_TYPE, XLSX_TYPE, attachment
from rectify.schemas import Id, NamedRef, Paging, errors

from . import dispatch, dispatch_render
from .models import DispatchReport

router = Router(tags=["调度"])

FORMAT_HELP = "返回格式：json（默认）、html（可打印的网页）、docx（Word 报告）或 xlsx（Excel 统计表）"
Format = Literal["json", "html", "docx", "xlsx"]


class DispatchIn(Schema):
    inspection: Id | None = Field(None, description="巡察编号（一次巡察的调度）")
    inspections: list[Id] = Field(
        [],
        max_length=20,
        description="合并调度的几次巡察（须属于同一被巡察单位），报告涵盖各次巡察；可与 inspection 同用",
    )
    start: date = Field(..., description="起始日期，YYYY-MM-DD")
    end: date = Field(..., description="截止日期，YYYY-MM-DD，不晚于今天")


class FormatQuery(Schema):
    format: Format = Field("json", description=FORMAT_HELP)


class DispatchFilters(Paging):
    inspection: Id | None = Field(None, description="只列涵盖这一次巡察的调度报告（含合并调度）")


class DispatchSummary(Schema):
    id: int
    inspection_id: int
    inspection_ids: list[int] = Field(..., description="报告涵盖的巡察（合并调度时不止一个）")
    start: date
    end: date
    created_at: datetime
    created_by: NamedRef
    links: dict[str, str]


class DispatchOut(DispatchSummary):
    data: dict = Field(
        ...,
        description="调度数据：总体、本期完成、超期及原因、分方面/分单位/分领导、预警、未报送进展、与上次相比",
    )


class DispatchPage(Schema):
    count: int
    items: list[DispatchSummary]


@router.post(
    "/dispatch-reports",
    summary="生成调度报告",
    response={201: DispatchOut, **errors(400, 403, 404)},
    url_name="dispatch-build",
)
def build_dispatch(request, payload: DispatchIn, query: Query[FormatQuery]):
    """按期间生成并保存一份调度报告，按 `format` 返回（201）。`inspections` 给出同一单位的几次巡察时，
    生成一份涵盖各次巡察的合并调度报告（标题列出各次巡察，措施注明所属巡察，另有分巡察统计）。

    仅被巡察单位的整改办和纪检监察（巡察）机构可生成；所选巡察不属于同一单位时返回 400。"""
    asked = [*([payload.inspection] if payload.inspection else []), *payload.inspections]
    report = dispatch.build_dispatch(request.user, asked, payload.start, payload.end)
    response = _respond(report, query.format)
    if isinstance(response, HttpResponse):
        response.status_code = 201
        return response
    return Status(201, response)


@router.get("/dispatch-reports", summary="调度报告列表", response=DispatchPage, url_name="dispatch-list")
def list_dispatches(request, filters: Query[DispatchFilters]):
    """已保存的调度报告，新的在前；只列您可查看的巡察的报告。读取不生成任何报告。"""
    count, items = filters.window(dispatch.readable_dispatches(request.user, filters.inspection))
    return {"count": count, "items": [_summary(report) for report in items]}


@router.get(
    "/dispatch-reports/{int:dispatch_id}",
    summary="查看调度报告",
    response={200: DispatchOut, **errors(403, 404)},
    url_name="dispatch-report",
)
def get_dispatch(request, dispatch_id: Id, query: Query[FormatQuery]):
    """读取一份已保存的调度报告，按 `format` 返回。整改办、纪检监察（巡察）机构和领导可查看。"""
    return _respond(dispatch.get_dispatch(request.user, dispatch_id), query.format)


def _summary(report: DispatchReport) -> dict:
    url = reverse("api:dispatch-report", kwargs={"dispatch_id": report.pk})
    return {
        "id": report.pk,
        "inspection_id": report.inspection_id,
        "inspection_ids": [item["id"] for item in report.data.get("inspections", [])]
        or [report.inspection_id],
        "start": report.start,
        "end": report.end,
        "created_at": report.created_at,
        "created_by": {"id": report.created_by_id, "name": report.created_by.display_name},
        "links": {
            "self": url,
            "html": f"{url}?format=html",
            "docx": f"{url}?format=docx",
            "xlsx": f"{url}?format=xlsx",
            "web": reverse("dispatch:detail", args=[report.pk]),
        },
    }


def _respond(report: DispatchReport, kind: str) -> HttpResponse | dict:
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
    return {**_summary(report), "data": report.data}
