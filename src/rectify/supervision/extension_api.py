"""Extension request endpoints (延期申请). Thin: every rule is in supervision.deadline_extensions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Router, Schema, Status

from rectify.schemas import Id, NamedRef, errors, label_of, person_of

from . import deadline_extensions as extensions
from .models import DeadlineExtension

router = Router(tags=["督办"])


class ExtensionOut(Schema):
    id: int
    measure_id: int
    old_deadline: date = Field(..., description="申请时的整改时限")
    new_deadline: date = Field(..., description="申请延至的日期")
    reason: str = Field(..., description="延期理由")
    requested_by: NamedRef
    requested_at: datetime
    state: str = Field(
        ...,
        description="pending 待整改办审批 / leader_pending 整改办已同意、待牵头领导审批 / "
        "approved 已同意 / refused 未同意",
    )
    state_label: str
    office_by: NamedRef | None = Field(None, description="须经牵头领导审批时，先行同意的整改办人员")
    office_at: datetime | None
    office_comment: str = Field(..., description="整改办审核意见")
    decided_by: NamedRef | None = Field(None, description="作出最终决定的人")
    decided_at: datetime | None
    comment: str = Field(..., description="审批意见")

    resolve_requested_by = person_of("requested_by")
    resolve_office_by = person_of("office_by")
    resolve_decided_by = person_of("decided_by")
    resolve_state_label = label_of("state")


class ExtensionIn(Schema):
    new_deadline: date = Field(..., description="申请延至的日期，须晚于现整改时限")
    reason: str = Field(..., max_length=4000, description="延期理由，必填")


class ExtensionDecisionIn(Schema):
    decision: Literal["approve", "refuse"] = Field(..., description="approve 同意 / refuse 不同意")
    comment: str = Field("", max_length=4000, description="审批意见；不同意的须填写")


@router.get("/extensions/awaiting", summary="待我审批的延期申请", response=list[ExtensionOut])
def awaiting_extensions(request):
    """等待您审批的延期申请（先提出的在前）：整改办看到待整改办审批的；牵头领导看到本单位规定须经
    牵头领导审批、整改办已同意的其牵头措施的申请。"""
    return list(extensions.awaiting(request.user))


@router.get(
    "/measures/{int:measure_id}/extensions",
    summary="整改措施的延期申请",
    response={200: list[ExtensionOut], **errors(404)},
)
def list_extensions(request, measure_id: Id):
    """该措施的全部延期申请（新的在前）：原时限、申请延至、理由、申请人、审批结果。"""
    return list(extensions.extensions_of(request.user, measure_id))


@router.post(
    "/measures/{int:measure_id}/extensions",
    summary="申请延期",
    response={201: ExtensionOut, **errors(400, 403, 404, 409)},
)
def request_extension(request, measure_id: Id, payload: ExtensionIn):
    """责任单位（联络员、单位负责人）或整改办申请将已确定的整改时限延后，须说明理由；每项措施同时只能有
    一份待审批的申请（已有时返回 409）。"""
    extension = extensions.request_extension(request.user, measure_id, payload.new_deadline, payload.reason)
    return Status(201, _loaded(extension.pk))


@router.post(
    "/extensions/{int:extension_id}/decide",
    summary="审批延期申请",
    response={200: ExtensionOut, **errors(400, 403, 404, 409)},
)
def decide_extension(request, extension_id: Id, payload: ExtensionDecisionIn):
    """整改办同意（整改时限随即调整，预警按新时限计算）或不同意（须填写意见）。本单位规定延期须经牵头
    领导审批的，整改办同意后转该措施的牵头领导审批，牵头领导同意后整改时限才调整。已审批的申请返回 409。"""
    extension = extensions.decide_extension(request.user, extension_id, payload.decision, payload.comment)
    return _loaded(extension.pk)


def _loaded(pk: int) -> DeadlineExtension:
    return DeadlineExtension.objects.select_related("requested_by", "decided_by", "office_by").get(pk=pk)
