"""Accountability endpoints (问责). Only the office and supervisors read them; the office records them.
Thin: the rules are in accountability.services."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status

from rectify.schemas import Id, Message, Paging, ProblemRef, errors, label_of

from . import services
from .models import AccountabilityForm, AccountabilityRecord

router = Router(tags=["问责"])


class AccountabilityRecordOut(Schema):
    id: int
    inspection_id: int
    person_name: str
    position: str
    unit_name: str
    dealt_on: date
    form: str
    form_label: str
    reason: str
    problems: list[ProblemRef]
    created_at: datetime

    resolve_form_label = label_of("form")

    @staticmethod
    def resolve_problems(obj: AccountabilityRecord) -> list:
        return list(obj.problems.all())


class AccountabilityRecordPage(Schema):
    count: int
    items: list[AccountabilityRecordOut]


class AccountabilityFilters(Paging):
    inspection: Id | None = Field(None, description="巡察编号")
    form: AccountabilityForm | None = Field(None, description="问责方式")


class AccountabilityRecordIn(Schema):
    inspection: Id = Field(..., description="巡察编号")
    person_name: str = Field(..., max_length=64, description="被问责人姓名")
    position: str = Field("", max_length=128, description="职务")
    unit_name: str = Field("", max_length=128, description="所在单位")
    dealt_on: date = Field(..., description="处理日期，不晚于今天")
    form: AccountabilityForm = Field(..., description="问责方式")
    reason: str = Field(..., max_length=4000, description="问责事由")
    problems: list[Id] = Field(default_factory=list, description="相关问题（problem id）")


class AccountabilityCountOut(Schema):
    form: str
    label: str
    count: int


class AccountabilityCountsQuery(Schema):
    inspection: Id = Field(..., description="巡察编号")
    start: date | None = Field(None, description="起始日期（含）；不填为自始")
    end: date | None = Field(None, description="截止日期（含）；不填为今天")


@router.get("/accountability", summary="问责记录列表", response={200: AccountabilityRecordPage, 403: Message})
def list_records(request, filters: Query[AccountabilityFilters]):
    """您有权查看的问责记录（限整改办和纪检监察、巡察机构），可按巡察和问责方式筛选。"""
    return filters.listing(services.record_list(request.user, filters.inspection, filters.form or ""))


@router.get(
    "/accountability/counts",
    summary="问责情况按方式统计",
    response={200: list[AccountabilityCountOut], **errors(403, 404)},
)
def count_records(request, query: Query[AccountabilityCountsQuery]):
    """一次巡察在一段时间内按问责方式统计的人次（调度报告和整改情况报告使用同一统计）。"""
    inspection = services.readable_inspection(request.user, query.inspection)
    return services.counts_by_form(inspection, query.start, query.end or services.today())


@router.get(
    "/accountability/{int:record_id}",
    summary="查看问责记录",
    response={200: AccountabilityRecordOut, **errors(403, 404)},
)
def get_record(request, record_id: Id):
    return services.get_record(request.user, record_id)


@router.post(
    "/accountability",
    summary="登记问责记录",
    response={201: AccountabilityRecordOut, **errors(400, 403, 404)},
)
def create_record(request, payload: AccountabilityRecordIn):
    """整改办登记被问责人员、问责方式、事由及相关问题。"""
    record = services.save_record(request.user, **_arguments(payload))
    return Status(201, services.get_record(request.user, record.pk))


@router.put(
    "/accountability/{int:record_id}",
    summary="修改问责记录",
    response={200: AccountabilityRecordOut, **errors(400, 403, 404)},
)
def put_record(request, record_id: Id, payload: AccountabilityRecordIn):
    """整改办修改问责记录（整体替换）。"""
    services.save_record(request.user, record_id=record_id, **_arguments(payload))
    return services.get_record(request.user, record_id)


def _arguments(payload: AccountabilityRecordIn) -> dict:
    return {
        "inspection_id": payload.inspection,
        "person_name": payload.person_name,
        "position": payload.position,
        "unit_name": payload.unit_name,
        "dealt_on": payload.dealt_on,
        "form": payload.form,
        "reason": payload.reason,
        "problem_ids": payload.problems,
    }
