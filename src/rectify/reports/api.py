"""整改文书 under /api/v1: list, draft from the ledger, read, reword a draft, decide, and the Word file.
Thin: every rule is in reports.services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from rectify.documents import DOCX_TYPE, attachment
from rectify.schemas import Id, NamedRef, Paging, errors, label_of, person_of

from . import render as rendering
from . import services
from .models import DocumentKind, DocumentState, RectificationDocument

router = Router(tags=["整改文书"])


class DocumentStepOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: NamedRef | None
    comment: str
    at: datetime

    resolve_actor = person_of("actor")


class DocumentOut(Schema):
    id: int
    inspection_id: int
    kind: str
    kind_label: str
    version: int
    state: str
    state_label: str
    title: str
    as_of: date = Field(..., description="文书所述情况和数据的截止日期")
    due_date: date | None = Field(..., description="整改情况报告应报送日期（反馈之日起两个月）")
    sent_on: date | None = Field(..., description="报送日期")
    late_days: int = Field(..., description="逾期报送的天数（0：按时或尚未报送）")
    return_reason: str
    created_by: NamedRef | None
    decisions: list[str] = Field(..., description="当前用户此刻可做的操作")
    parts: dict[str, str] = Field(..., description="可修改的各部分（键：title、addressee、opening、part1…）")
    steps: list[DocumentStepOut]
    content: dict[str, Any] = Field(
        ..., description="文书结构：document（正文）、addressee（主送）、attachments（附件表格）"
    )

    resolve_kind_label = label_of("kind")
    resolve_state_label = label_of("state")
    resolve_created_by = person_of("created_by")

    @staticmethod
    def resolve_late_days(obj: RectificationDocument) -> int:
        return obj.sent_late_days

    @staticmethod
    def resolve_decisions(obj: RectificationDocument, context) -> list[str]:
        return [decision for decision, _label in services.decisions_for(context["request"].user, obj)]

    @staticmethod
    def resolve_parts(obj: RectificationDocument) -> dict[str, str]:
        return {key: text for key, _label, text in services.editable_parts(obj)}

    @staticmethod
    def resolve_steps(obj: RectificationDocument) -> list:
        return list(obj.steps.all())  # prefetched with their actors (services.documents_of)


class DocumentPage(Schema):
    count: int
    items: list[DocumentOut]


class DocumentFilters(Paging):
    inspection: Id | None = None
    kind: DocumentKind | None = None
    state: DocumentState | None = None


class DocumentDraftIn(Schema):
    inspection: Id = Field(..., description="巡察编号")
    kind: DocumentKind = Field(
        ..., description="work_plan 整改工作方案 / situation 整改情况报告 / interim 阶段性整改报告"
    )
    on: date | None = Field(None, description="阶段性整改报告的截至日期（不晚于今天）")


class DocumentDraftEdit(Schema):
    parts: dict[str, str] = Field(
        ..., description='各部分的新文字：{"opening": "…", "part1": "第一段\\n第二段"}；空文字恢复按台账生成'
    )


class DocumentDecisionIn(Schema):
    decision: str = Field(
        ..., description="submit 提交审核 / accept 审核通过 / approve 批准 / send 报送 / return 退回"
    )
    comment: str = Field("", description="意见；退回时必填")
    sent_on: date | None = Field(None, description="报送日期（send；默认今天）")


@router.get("/rectification-documents", summary="整改文书列表", response=DocumentPage)
def list_documents(request, filters: Query[DocumentFilters]):
    """您可查看的整改文书（整改办和领导看本组织的全部版本；纪检监察和巡察办看已批准、已报送的）。"""
    records = services.documents_of(request.user, filters.inspection).filter_given(
        kind=filters.kind, state=filters.state
    )
    count, items = filters.window(records.order_by("-id"))
    return {"count": count, "items": items}


@router.post(
    "/rectification-documents",
    summary="起草整改文书",
    response={201: DocumentOut, **errors(400, 403, 404, 409)},
)
def create_document(request, payload: DocumentDraftIn):
    """整改办按台账起草该巡察的下一版文书（同一类文书同时只能有一版未办结）。"""
    document = services.create_draft(request.user, payload.inspection, payload.kind, on=payload.on)
    return Status(201, document)


@router.get(
    "/rectification-documents/{int:document_id}",
    summary="查看整改文书",
    response={200: DocumentOut, **errors(404)},
)
def get_document(request, document_id: Id):
    return services.get_document(request.user, document_id)


@router.patch(
    "/rectification-documents/{int:document_id}",
    summary="修改整改文书草稿",
    response={200: DocumentOut, **errors(400, 403, 404, 409)},
)
def edit_document(request, document_id: Id, payload: DocumentDraftEdit):
    """整改办修改草稿各部分的文字，数据按台账更新（只在草稿状态）。"""
    return services.update_draft(request.user, document_id, payload.parts)


@router.post(
    "/rectification-documents/{int:document_id}/decide",
    summary="流转整改文书",
    response={200: DocumentOut, **errors(400, 403, 404, 409)},
)
def decide_document(request, document_id: Id, payload: DocumentDecisionIn):
    """整改办提交（submit）→ 起草人以外的整改办人员审核（accept）→ 领导小组组长批准（approve）→
    整改办报送（send，整改情况报告和阶段性报告）；审核、审批人可退回（return，须写理由）。"""
    return services.decide(
        request.user, document_id, payload.decision, payload.comment, sent_on=payload.sent_on
    )


@router.get(
    "/rectification-documents/{int:document_id}/docx",
    summary="下载整改文书（Word）",
    response={200: None, **errors(404)},
    url_name="rectification_document_docx",
)
def document_docx(request, document_id: Id):
    """文书的 Word 文档（公文格式；整改工作方案附问题、任务、责任清单）。"""
    document = services.get_document(request.user, document_id)
    return attachment(rendering.docx_bytes(document), rendering.file_name(document, "docx"), DOCX_TYPE)
