"""Public notice endpoints: the notice generated now from the ledger, the publication workflow for
staff, and the published notices for anyone (no sign-in). Thin: every rule is in notices.publishing.

The public endpoints answer only published versions, and only what the portal shows: the document
and its disclosure metadata; never who drafted, reviewed or returned it, nor why."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from rectify.ledger.services import get_inspection
from rectify.org.access import VIEW, VIEW_ALL
from rectify.schemas import Id, NamedRef, Paging, Year, errors, label_of

from . import publishing
from .models import NoticePublication, PublicationState
from .publication_views import docx_response, text_response

router = Router(tags=["整改通报公开"])
public_router = Router(tags=["政府信息公开（无需登录）"], auth=None)


class NoticeFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    DOCX = "docx"
    TXT = "txt"


def _render(document, fmt: NoticeFormat, name: str):
    from .render import render_html

    if fmt == NoticeFormat.DOCX:
        return docx_response(document, f"{name}.docx")
    if fmt == NoticeFormat.TXT:
        return text_response(document, f"{name}.txt")
    if fmt == NoticeFormat.HTML:
        return HttpResponse(render_html(document), content_type="text/html; charset=utf-8")
    return document.to_dict()


@router.get(
    "/inspections/{int:inspection_id}/notice",
    summary="按台账生成整改通报",
    response={200: dict[str, Any], **errors(404)},
    url_name="inspection_notice",
)
def inspection_notice(request, inspection_id: Id, format: NoticeFormat = NoticeFormat.JSON):
    """按台账即时生成的整改进展情况通报（未经审批，不公开）：`format` 为 json（通报结构）、html（正文片段）、
    docx（Word）或 txt（文本）。"""
    from .generate import document_from_ledger

    # The draft shows every measure of the inspection: only those who see all of it may read it.
    inspection = get_inspection(request.user, inspection_id, VIEW_ALL)
    document = document_from_ledger(inspection)
    response = _render(document, format, document.title or inspection.title)
    if isinstance(response, HttpResponse):
        response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------ staff: the workflow


class CorrectsOut(Schema):
    id: int
    version: int
    index_number: str


class StepOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: NamedRef | None
    comment: str
    at: datetime

    @staticmethod
    def resolve_actor(obj) -> dict | None:
        return {"id": obj.actor_id, "name": obj.actor.display_name} if obj.actor else None


class PublicationOut(Schema):
    id: int
    inspection_id: int
    version: int
    corrects: CorrectsOut | None
    state: str
    state_label: str
    return_reason: str = Field(..., description="最近一次退回理由（仅内部可见）")
    index_number: str
    category: str
    publisher: str
    written_date: date | None
    title: str
    document_number: str
    published_date: date | None
    subject_terms: str
    view_count: int
    created_by: NamedRef | None
    decisions: list[str] = Field(..., description="当前用户此刻可做的操作")
    steps: list[StepOut]
    document: dict[str, Any]

    resolve_state_label = label_of("state")

    @staticmethod
    def resolve_created_by(obj: NoticePublication) -> dict | None:
        return {"id": obj.created_by_id, "name": obj.created_by.display_name} if obj.created_by else None

    @staticmethod
    def resolve_decisions(obj: NoticePublication, context) -> list[str]:
        return [decision for decision, _label in publishing.decisions_for(context["request"].user, obj)]

    @staticmethod
    def resolve_steps(obj: NoticePublication) -> list:
        return list(obj.steps.select_related("actor"))


class PublicationPage(Schema):
    count: int
    items: list[PublicationOut]


class PublicationFilters(Paging):
    inspection: Id | None = None
    state: PublicationState | None = None


class DraftIn(Schema):
    inspection: Id = Field(..., description="巡察编号：按台账生成该巡察的下一版通报稿")


class DraftEdit(Schema):
    title: str | None = None
    written_date: date | None = None
    document_number: str | None = None
    subject_terms: str | None = None
    category: str | None = None
    issuer: str | None = None
    opening: str | None = None
    contact: str | None = Field(None, description="结尾的意见反馈段落")
    sections: dict[int, dict[str, Any]] | None = Field(
        None,
        description='叙述部分：{"1": {"title": …, "paragraphs": [...], "subsections": [{"title", "text"}]}}',
    )
    problems: dict[int, list[str]] | None = Field(
        None, description='各问题的措施表述：{"1": ["…", "…"]}，条数不变'
    )


class DecisionIn(Schema):
    decision: str = Field(
        ..., description="submit 提交审核 / accept 审核通过 / approve 批准 / publish 发布 / return 退回"
    )
    comment: str = Field("", description="意见；退回时必填")


@router.get("/publications", summary="整改通报版本列表", response=PublicationPage)
def list_publications(request, filters: Query[PublicationFilters]):
    """您可查看的整改通报各版本（整改办、领导和纪检监察看本组织的全部版本；责任单位只看已发布的）。"""
    records = (
        NoticePublication.objects.restrict(request.user, VIEW)
        .select_related(*publishing.PUBLICATION_RELATIONS)
        .filter_given(inspection_id=filters.inspection, state=filters.state)
        .order_by("-id")
    )
    count, items = filters.window(records)
    return {"count": count, "items": items}


@router.post("/publications", summary="起草整改通报", response={201: PublicationOut, **errors(400, 403, 404)})
def create_publication(request, payload: DraftIn):
    """整改办按台账起草该巡察的下一版通报（同一巡察同时只能有一版未发布）。"""
    publication = publishing.create_draft(request.user, payload.inspection)
    return Status(201, publishing.get_publication(request.user, publication.pk))


@router.get(
    "/publications/{int:publication_id}",
    summary="查看整改通报版本",
    response={200: PublicationOut, **errors(404)},
)
def get_publication(request, publication_id: Id):
    return publishing.get_publication(request.user, publication_id)


@router.patch(
    "/publications/{int:publication_id}",
    summary="修改整改通报草稿",
    response={200: PublicationOut, **errors(400, 403, 404, 409)},
)
def edit_publication(request, publication_id: Id, payload: DraftEdit):
    """整改办修改草稿（只在草稿状态；已发布的通报返回 409）。"""
    overrides = payload.dict(exclude_unset=True)
    return publishing.update_draft(request.user, publication_id, overrides)


@router.post(
    "/publications/{int:publication_id}/decide",
    summary="流转整改通报",
    response={200: PublicationOut, **errors(400, 403, 404, 409)},
)
def decide_publication(request, publication_id: Id, payload: DecisionIn):
    """流转：整改办提交（submit）→ 整改办起草人以外的人员审核通过（accept）→ 领导小组组长批准（approve）
    → 整改办发布（publish，编排索引号）；审核、审批人可退回（return，须写理由）。"""
    return publishing.decide(request.user, publication_id, payload.decision, payload.comment)


@router.post(
    "/publications/{int:publication_id}/correct",
    summary="更正已发布的整改通报",
    response={201: PublicationOut, **errors(400, 403, 404, 409)},
)
def correct_publication(request, publication_id: Id):
    """整改办起草已发布通报的更正（新版本，开篇写明更正的版本）。"""
    publication = publishing.create_correction(request.user, publication_id)
    return Status(201, publishing.get_publication(request.user, publication.pk))


@router.get(
    "/publications/{int:publication_id}/notice",
    summary="下载整改通报",
    response={200: dict[str, Any], **errors(404)},
    url_name="publication_notice",
)
def publication_notice(request, publication_id: Id, format: NoticeFormat = NoticeFormat.JSON):
    """该版本的通报：json、html、docx 或 txt。"""
    publication = publishing.get_publication(request.user, publication_id)
    return _render(
        publishing.document_of(publication), format, f"{publication.title}（第{publication.version}版）"
    )


# ------------------------------------------------------------------ public: published only


class PublicCorrects(Schema):
    id: int
    version: int
    index_number: str
    published_date: date | None


class PublicNoticeOut(Schema):
    id: int
    version: int
    corrects: PublicCorrects | None = Field(..., description="本通报更正的版本")
    index_number: str = Field(..., description="索引号")
    category: str = Field(..., description="分类")
    publisher: str = Field(..., description="发布机构")
    written_date: date | None = Field(..., description="成文日期")
    title: str = Field(..., description="名称")
    document_number: str = Field(..., description="文号")
    published_date: date | None = Field(..., description="发布日期")
    subject_terms: str = Field(..., description="主题词")
    view_count: int = Field(..., description="浏览次数")
    url: str = Field(..., description="公开门户中的页面")

    @staticmethod
    def resolve_url(obj: NoticePublication, context) -> str:
        return context["request"].build_absolute_uri(reverse("portal:notice", args=[obj.pk]))


class PublicNoticePage(Schema):
    count: int
    items: list[PublicNoticeOut]


class PublicNoticeDetail(PublicNoticeOut):
    html: str = Field(..., description="通报正文（HTML 片段）")
    document: dict[str, Any] = Field(..., description="通报结构")

    @staticmethod
    def resolve_html(obj: NoticePublication) -> str:
        from .render import render_html

        return render_html(publishing.document_of(obj))

    @staticmethod
    def resolve_document(obj: NoticePublication) -> dict:
        return publishing.document_of(obj).to_dict()


class PublicFilters(Paging):
    organisation: Id | None = Field(None, description="发布机构（组织编号）")
    year: Year | None = Field(None, description="发布年度")


@public_router.get(
    "/public/notices", summary="已发布的整改通报", response=PublicNoticePage, url_name="public_notices"
)
def public_notices(request, filters: Query[PublicFilters]):
    """已发布的整改通报（无需登录），新发布的在前。"""
    records = publishing.published_notices().filter_given(
        organisation_id=filters.organisation, published_date__year=filters.year
    )
    count, items = filters.window(records)
    return {"count": count, "items": items}


@public_router.get(
    "/public/notices/{int:publication_id}",
    summary="查看已发布的整改通报",
    response={200: PublicNoticeDetail, **errors(404)},
    url_name="public_notice",
)
def public_notice(request, publication_id: Id):
    """一份已发布的整改通报及其政府信息公开元数据（无需登录）。未发布或不存在的返回 404。"""
    return publishing.get_published(publication_id)
