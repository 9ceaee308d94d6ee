"""Consultation endpoints (公开征求意见): the list and one consultation for staff, and for anyone
(no sign-in) the public consultations and the comment form's equivalent. Thin: every rule is in
feedback.consultations; the abuse rules (request size, per-address allowance shared with the portal
forms) are feedback.abuse's.

The staff answers carry commenters' names and contacts masked; no endpoint shows them in full (the
office does that on the page, audited). The public answers never carry them at all."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from rectify.schemas import Id, NamedRef, Paging, errors, label_of

from .. import abuse, services
from . import services as consultations
from .models import Consultation, ConsultationComment
from .services import Decision, Kind
from .services import Status as ConsultationStatus

router = Router(tags=["征求意见"])


class MechanismRef(Schema):
    id: int
    title: str


class CommentOut(Schema):
    id: int
    content: str
    channel: str
    channel_label: str
    name: str = Field(..., description="提出人姓名（已隐去部分内容）")
    contact: str = Field(..., description="联系方式（已隐去部分内容，如 138****1234）")
    enterprise: str
    decision: Decision
    decision_label: str
    reason: str
    decided_at: datetime | None
    created_at: datetime

    resolve_channel_label = label_of("channel")

    @staticmethod
    def resolve_name(obj: ConsultationComment) -> str:
        return services.mask_name(obj.sender_name)

    @staticmethod
    def resolve_contact(obj: ConsultationComment) -> str:
        return consultations.masked_contact(obj.sender_contact)

    resolve_decision_label = label_of("decision")


class ConsultationOut(Schema):
    id: int
    organisation: NamedRef
    mechanism: MechanismRef | None
    kind: Kind
    kind_label: str
    title: str
    opens_on: date
    closes_on: date
    meeting_place: str
    participants: str
    status: ConsultationStatus
    status_label: str
    accepts_comments: bool = Field(..., description="门户此刻是否接收意见")
    summary: str = Field(..., description="意见采纳情况（公布前为整改办的稿件）")
    summary_published_at: datetime | None
    comment_count: int
    pending_count: int = Field(..., description="尚未研究采纳情况的意见条数")
    created_by: NamedRef
    created_at: datetime

    @staticmethod
    def resolve_organisation(obj: Consultation) -> dict:
        return {"id": obj.organisation_id, "name": obj.organisation.name}

    resolve_kind_label = label_of("kind")
    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_accepts_comments(obj: Consultation) -> bool:
        return consultations.accepts_public_comments(obj)

    @staticmethod
    def resolve_created_by(obj: Consultation) -> dict:
        return {"id": obj.created_by_id, "name": obj.created_by.display_name}


class ConsultationDetailOut(ConsultationOut):
    draft_text: str = Field(..., description="征求意见稿")
    comments: list[CommentOut]

    @staticmethod
    def resolve_comments(obj: Consultation) -> list:
        return list(consultations.comments_of(obj))


class ConsultationPage(Schema):
    count: int
    items: list[ConsultationOut]


class ConsultationFilters(Paging):
    mechanism: Id | None = Field(None, description="长效机制编号")
    status: ConsultationStatus | None = None
    kind: Kind | None = None


@router.get("/consultations", summary="征求意见列表", response=ConsultationPage, url_name="consultations")
def list_consultations(request, filters: Query[ConsultationFilters]):
    """整改办、领导和纪检监察组可见的征求意见（含座谈会），新的在前。"""
    records = consultations.visible_consultations(
        request.user, mechanism=filters.mechanism, status=filters.status, kind=filters.kind
    )
    count, items = filters.window(records)
    return {"count": count, "items": items}


@router.get(
    "/consultations/{int:consultation_id}",
    summary="查看征求意见",
    response={200: ConsultationDetailOut, **errors(404)},
    url_name="consultation",
)
def get_consultation(request, consultation_id: Id):
    """一项征求意见：征求意见稿、收到的意见（姓名、联系方式已隐去部分内容）和采纳情况。"""
    consultation = consultations.get_consultation(request.user, consultation_id)
    return consultations.visible_consultations(request.user).get(pk=consultation.pk)


# ------------------------------------------------------------------ public: no sign-in


class PublicCommentOut(Schema):
    number: int
    gist: str = Field(..., description="意见要点")
    channel: str = Field(..., description="来源，如网上留言、行业协会转达")
    decision: Decision
    decision_label: str
    reason: str = Field(..., description="部分采纳或未采纳的理由")


class PublicConsultationOut(Schema):
    id: int
    organisation: str = Field(..., description="征求意见单位")
    mechanism: str = Field(..., description="所涉制度，无则为空")
    kind: Kind
    title: str
    opens_on: date
    closes_on: date
    meeting_place: str
    participants: str
    phase: str = Field(
        ..., description="upcoming 即将开始、open 征求意见中、closed 已截止、published 采纳情况已公布"
    )
    phase_label: str
    accepts_comments: bool
    summary: str = Field(..., description="意见采纳情况（公布后才有）")
    summary_published_on: date | None

    @staticmethod
    def resolve_organisation(obj: Consultation) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_mechanism(obj: Consultation) -> str:
        return str(obj.mechanism) if obj.mechanism_id else ""

    @staticmethod
    def resolve_phase(obj: Consultation) -> str:
        return consultations.public_phase(obj)

    @staticmethod
    def resolve_phase_label(obj: Consultation) -> str:
        return consultations.PHASE_LABELS[consultations.public_phase(obj)]

    @staticmethod
    def resolve_accepts_comments(obj: Consultation) -> bool:
        return consultations.accepts_public_comments(obj)

    @staticmethod
    def resolve_summary(obj: Consultation) -> str:
        return obj.summary if obj.status == ConsultationStatus.PUBLISHED else ""

    @staticmethod
    def resolve_summary_published_on(obj: Consultation) -> date | None:
        published = obj.summary_published_at
        return timezone.localdate(published) if published else None


class PublicConsultationDetail(PublicConsultationOut):
    draft_text: str = Field(..., description="征求意见稿")
    comments: list[PublicCommentOut] = Field(..., description="采纳情况公布后，各条意见的要点和采纳情况")

    @staticmethod
    def resolve_comments(obj: Consultation) -> list[dict]:
        return consultations.public_comments(obj)


class PublicConsultationPage(Schema):
    count: int
    items: list[PublicConsultationOut]


class CommentIn(Schema):
    content: str = Field(..., description=f"意见内容，不超过 {consultations.MAX_COMMENT} 字；标记会被去除")
    name: str = Field("", description="姓名（可不填，不公开）")
    contact: str = Field("", description="电话或电子邮箱（可不填，不公开）")
    enterprise: str = Field("", description="企业或行业协会名称（可不填）")


class CommentReceived(Schema):
    detail: str
    closes_on: date = Field(..., description="征求意见截止日期；之后公布意见采纳情况")


@router.get(
    "/public/consultations",
    summary="公开征求意见列表",
    response=PublicConsultationPage,
    auth=None,
    url_name="public_consultations",
)
def public_consultations(request, paging: Query[Paging]):
    """公开征求意见（无需登录）：正在征求意见的在前，其后为即将开始和已截止的（含已公布的采纳情况）。"""
    count, items = paging.window(consultations.public_consultations())
    return {"count": count, "items": items}


@router.get(
    "/public/consultations/{int:consultation_id}",
    summary="查看公开征求意见",
    response={200: PublicConsultationDetail, **errors(404)},
    auth=None,
    url_name="public_consultation",
)
def public_consultation(request, consultation_id: Id):
    """一项公开征求意见（无需登录）：征求意见稿；采纳情况公布后，另有各条意见的要点、采纳情况和理由。
    不含提出人的姓名、联系方式。"""
    return consultations.get_public(consultation_id)


@router.post(
    "/public/consultations/{int:consultation_id}/comments",
    summary="提出意见",
    response={201: CommentReceived, **errors(400, 404, 413, 429)},
    auth=None,
    url_name="public_consultation_comment",
)
@decorate_view(abuse.limit_body)
def public_comment(request, consultation_id: Id, payload: CommentIn):
    """就征求意见稿提出意见（无需登录），仅在征求意见期内。同一网络地址提交过于频繁时返回 429
    （与网上留言共用次数）。"""
    consultation = consultations.get_public(consultation_id)
    comment = {
        "content": payload.content,
        "name": payload.name,
        "contact": payload.contact,
        "enterprise": payload.enterprise,
    }
    # What would be refused anyway uses up nothing of the visitor's allowance.
    consultations.check_accepts_comments(consultation)
    consultations.check_public_comment(**comment)
    abuse.count_submission(request)
    consultations.submit_public_comment(consultation.pk, **comment)
    return Status(201, {"detail": "意见已收到，感谢您的参与。", "closes_on": consultation.closes_on})
