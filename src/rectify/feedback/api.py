"""Staff endpoints of public feedback (意见诉求). Thin: every rule is in feedback.services; contacts
are masked in every answer except the office's audited `POST /feedback/{id}/contacts`."""

from __future__ import annotations

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from rectify.errors import InvalidInput, StaleEdit
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.ledger.services import UNSET
from rectify.org.access import VIEW
from rectify.org.models import Organisation
from rectify.schemas import (
    Id,
    MeasureLabel,
    Message,
    NamedRef,
    Paging,
    ProblemRef,
    choice_of,
    errors,
    label_of,
)

from . import services
from .models import OPEN_STATUSES, Channel, FeedbackItem, FeedbackKind, FeedbackReply, FeedbackStatus

router = Router(tags=["意见诉求"])


# Written inline: FeedbackReply.Status and Consultation.Status would share the component name.
ReplyStatus = choice_of(FeedbackReply.Status)


class MaskedSender(Schema):
    name: str = Field(description="姓名，隐去姓氏以外部分，如 张*")
    phone: str = Field(description="电话，如 138****1234")
    email: str = Field(description="电子邮箱，如 z***@example.com")


class FeedbackOut(Schema):
    id: int
    code: str
    version: int
    kind: FeedbackKind
    kind_label: str
    channel: Channel
    channel_label: str
    status: FeedbackStatus
    status_label: str
    content: str
    organisation: NamedRef
    unit: NamedRef | None
    inspection: NamedRef | None
    problem: ProblemRef | None
    measure: MeasureLabel | None
    qr: NamedRef | None
    received_at: datetime
    due_date: date
    is_overdue: bool
    closed_at: datetime | None
    close_reason: str
    close_reason_label: str
    close_note: str
    duplicate_of: int | None
    sender: MaskedSender
    consent_to_contact: bool
    enterprise: str
    credit_code: str
    association: str
    external_ref: str

    resolve_kind_label = label_of("kind")
    resolve_channel_label = label_of("channel")
    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_organisation(obj: FeedbackItem) -> dict:
        return {"id": obj.organisation_id, "name": obj.organisation.name}

    @staticmethod
    def resolve_unit(obj: FeedbackItem) -> dict | None:
        return {"id": obj.unit_id, "name": obj.unit.name} if obj.unit_id else None

    @staticmethod
    def resolve_inspection(obj: FeedbackItem) -> dict | None:
        return {"id": obj.inspection_id, "name": obj.inspection.title} if obj.inspection_id else None

    @staticmethod
    def resolve_problem(obj: FeedbackItem) -> dict | None:
        if not obj.problem_id:
            return None
        return {"id": obj.problem_id, "number": obj.problem.number, "title": obj.problem.title}

    @staticmethod
    def resolve_measure(obj: FeedbackItem) -> dict | None:
        if not obj.measure_id:
            return None
        return {"id": obj.measure_id, "label": f"措施 {obj.measure.problem.number}.{obj.measure.order}"}

    @staticmethod
    def resolve_qr(obj: FeedbackItem) -> dict | None:
        return {"id": obj.qr_id, "name": obj.qr.label} if obj.qr_id else None

    @staticmethod
    def resolve_is_overdue(obj: FeedbackItem) -> bool:
        overdue = getattr(obj, "is_overdue", None)
        if overdue is None:
            overdue = obj.status in OPEN_STATUSES and obj.due_date < timezone.localdate()
        return overdue

    @staticmethod
    def resolve_close_reason_label(obj: FeedbackItem) -> str:
        return obj.get_close_reason_display() if obj.close_reason else ""

    @staticmethod
    def resolve_duplicate_of(obj: FeedbackItem) -> int | None:
        return obj.duplicate_of_id

    @staticmethod
    def resolve_sender(obj: FeedbackItem) -> dict:
        return services.masked_contacts(obj)


class ReplyOut(Schema):
    id: int
    status: ReplyStatus
    status_label: str
    text: str
    drafted_by: str
    drafted_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    return_reason: str
    emailed_at: datetime | None

    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_drafted_by(obj: FeedbackReply) -> str:
        return obj.drafted_by.display_name


class FeedbackDetailOut(FeedbackOut):
    replies: list[ReplyOut]
    actions: list[str] = Field(description="您此刻可做的操作：route、reply、approve、return、close、reveal")

    @staticmethod
    def resolve_replies(obj: FeedbackItem) -> list:
        return obj.replies_shown

    @staticmethod
    def resolve_actions(obj: FeedbackItem) -> list[str]:
        return obj.actions_shown


class FeedbackPage(Schema):
    count: int
    items: list[FeedbackOut]


class FeedbackFilters(Paging):
    status: FeedbackStatus | None = None
    channel: Channel | None = None
    kind: FeedbackKind | None = None
    unit: Id | None = Field(None, description="承办单位（含其下级单位）")
    overdue: bool | None = None
    qr: Id | None = Field(None, description="来源二维码编号")
    inspection: Id | None = None
    q: str = Field("", max_length=100, description="内容、企业、协会、外部编号中的文字，或查询码")

    def as_filter(self) -> services.FeedbackFilter:
        return services.FeedbackFilter(
            status=self.status,
            channel=self.channel,
            kind=self.kind,
            unit=self.unit,
            overdue=self.overdue,
            qr=self.qr,
            inspection=self.inspection,
            q=self.q,
        )


class FeedbackIn(Schema):
    organisation: Id = Field(..., description="受理组织编号（您须是其整改办）")
    channel: Channel = Field(..., description="phone、email、letter、visit、association、hotline")
    kind: FeedbackKind
    content: str = Field(..., max_length=services.MAX_CONTENT * 2)
    received_at: datetime | None = Field(None, description="收到时间，不填为现在")
    name: str = ""
    phone: str = ""
    email: str = ""
    enterprise: str = ""
    credit_code: str = ""
    consent_to_contact: bool = False
    inspection: Id | None = None
    problem: Id | None = None
    measure: Id | None = None
    association: str = Field("", description="行业协会转达的必填")
    external_ref: str = ""


class RoutePatch(Schema):
    version: Id = Field(..., description="您所看到的版本号；已被他人处理时返回 409")
    unit: Id = Field(..., description="承办单位编号")
    problem: Id | None = Field(None, description="关联问题编号；不传则不变，传 null 取消关联")
    measure: Id | None = Field(None, description="关联措施编号；不传则不变，传 null 取消关联")


class Conflict(Schema):
    detail: str
    current: FeedbackOut


class ReplyIn(Schema):
    text: str = Field(..., max_length=services.MAX_REPLY * 2)
    submit: bool = Field(False, description="true 为提交整改办审核，false 为保存草稿")
    version: Id | None = None


class VersionIn(Schema):
    version: Id | None = Field(None, description="您所看到的版本号；已被他人处理时返回 409")


class ReturnIn(VersionIn):
    reason: str = Field(..., max_length=services.MAX_REASON * 2)


class CloseIn(VersionIn):
    reason: str = Field(..., description="duplicate、out_of_scope 或 unanswerable")
    note: str = Field(..., max_length=services.MAX_REASON * 2)
    duplicate_of: Id | None = Field(None, description="重复反映时，原件的编号")


class ApprovalOut(Schema):
    detail: str
    emailed: bool
    email_error: str
    item: FeedbackOut


class ContactsOut(Schema):
    name: str
    phone: str
    email: str
    consent_to_contact: bool


def _detail(request, item: FeedbackItem) -> FeedbackItem:
    item = services.get_item(request.user, item.pk)
    item.replies_shown = services.replies_for(request.user, item)
    item.actions_shown = sorted(services.allowed_actions(request.user, item))
    return item


def _found(model, pk: int | None, label: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise InvalidInput(f"{label}编号 {pk} 不存在。")
    return found


@router.get("/feedback", summary="意见诉求列表", response=FeedbackPage)
def list_feedback(request, filters: Query[FeedbackFilters]):
    """您有权查看的意见诉求，最新的在前；联系方式已隐去部分内容。"""
    items = services.filter_items(request.user, filters.as_filter()).prefetch_related(*services.ITEM_LINKS)
    count, items = filters.window(items)
    return {"count": count, "items": items}


@router.get(
    "/feedback/{int:item_id}", summary="查看意见诉求", response={200: FeedbackDetailOut, 404: Message}
)
def get_feedback(request, item_id: Id):
    return _detail(request, services.get_item(request.user, item_id))


@router.post("/feedback", summary="登记意见诉求", response={201: FeedbackDetailOut, **errors(400, 403, 404)})
def create_feedback(request, payload: FeedbackIn):
    """登记经电话、电子邮件、来信、来访、行业协会或 12345 热线收到的意见诉求（仅整改办）。"""
    organisation = get_object_or_404(Organisation, pk=payload.organisation)
    item = services.register_item(
        request.user,
        organisation=organisation,
        channel=payload.channel,
        kind=payload.kind,
        content=payload.content,
        received_at=payload.received_at,
        inspection=_found(Inspection, payload.inspection, "巡察"),
        problem=_found(Problem, payload.problem, "问题"),
        measure=_found(Measure, payload.measure, "整改措施"),
        association=payload.association,
        external_ref=payload.external_ref,
        **services.sender_of(payload.dict()),
    )
    return Status(201, _detail(request, item))


@router.patch(
    "/feedback/{int:item_id}",
    summary="分办意见诉求",
    response={200: FeedbackDetailOut, 409: Conflict, **errors(400, 403, 404)},
)
def route_feedback(request, item_id: Id, payload: RoutePatch):
    """分办或改派（仅整改办）：承办单位，以及关联的问题、措施。`version` 已过期时返回 409 和当前状态。"""
    item = services.get_item(request.user, item_id)
    sent = payload.model_fields_set
    try:
        services.route_item(
            request.user,
            item,
            unit=_found(Organisation, payload.unit, "单位"),
            problem=_found(Problem, payload.problem, "问题") if "problem" in sent else UNSET,
            measure=_found(Measure, payload.measure, "整改措施") if "measure" in sent else UNSET,
            version=payload.version,
        )
    except StaleEdit as error:
        return Status(409, {"detail": error.message, "current": services.get_item(request.user, item_id)})
    return _detail(request, item)


@router.post(
    "/feedback/{int:item_id}/reply",
    summary="拟写答复",
    response={200: ReplyOut, **errors(400, 403, 404, 409)},
)
def save_reply(request, item_id: Id, payload: ReplyIn):
    """承办单位拟写或修改答复草稿；`submit` 为 true 时提交整改办审核。"""
    item = services.get_item(request.user, item_id)
    return services.save_reply(
        request.user, item, text=payload.text, submit=payload.submit, version=payload.version
    )


@router.post(
    "/feedback/{int:item_id}/reply/approve",
    summary="审核通过答复",
    response={200: ApprovalOut, **errors(400, 403, 404, 409)},
)
def approve_reply(request, item_id: Id, payload: VersionIn):
    """整改办审核通过答复并发布；留有邮箱且同意联系的，同时发送电子邮件（发送失败不影响发布）。"""
    item = services.get_item(request.user, item_id)
    approval = services.approve_reply(request.user, item, version=payload.version)
    return {
        "detail": approval.message,
        "emailed": approval.emailed,
        "email_error": approval.email_error,
        "item": services.get_item(request.user, item_id),
    }


@router.post(
    "/feedback/{int:item_id}/reply/return",
    summary="退回答复",
    response={200: FeedbackDetailOut, **errors(400, 403, 404, 409)},
)
def return_reply(request, item_id: Id, payload: ReturnIn):
    """整改办退回答复（须写明理由），承办单位重新拟写。"""
    item = services.get_item(request.user, item_id)
    services.return_reply(request.user, item, reason=payload.reason, version=payload.version)
    return _detail(request, item)


@router.post(
    "/feedback/{int:item_id}/close",
    summary="不予答复办结",
    response={200: FeedbackDetailOut, **errors(400, 403, 404, 409)},
)
def close_feedback(request, item_id: Id, payload: CloseIn):
    """不予答复办结（仅整改办），须记明理由：重复反映（指明原件）、不属于受理范围、匿名且无法答复。"""
    item = services.get_item(request.user, item_id)
    original = None
    if payload.duplicate_of is not None:
        original = FeedbackItem.objects.restrict(request.user, VIEW).filter(pk=payload.duplicate_of).first()
        if original is None:
            raise InvalidInput(f"意见诉求编号 {payload.duplicate_of} 不存在，或您无权查看。")
    services.close_item(
        request.user,
        item,
        reason=payload.reason,
        note=payload.note,
        duplicate_of=original,
        version=payload.version,
    )
    return _detail(request, item)


@router.post(
    "/feedback/{int:item_id}/contacts",
    summary="查看完整联系方式",
    response={200: ContactsOut, **errors(403, 404)},
)
def reveal_contacts(request, item_id: Id):
    """来信人的完整联系方式（仅整改办）；每次调用都记入审计日志。"""
    item = services.get_item(request.user, item_id)
    return services.reveal_contacts(request.user, item)
