"""Supervision order endpoints (督办单). Thin: every rule is in supervision.orders."""

from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from rectify.schemas import Id, NamedRef, Paging, errors, label_of, person_of

from . import orders
from .models import OrderState, SupervisionOrder
from .order_views import docx_response

router = Router(tags=["督办单"])


class OrderMeasureOut(Schema):
    id: int
    problem_number: int
    order: int
    text: str

    @staticmethod
    def resolve_problem_number(obj) -> int:
        return obj.problem.number


class OrderOut(Schema):
    id: int
    number: str = Field(..., description="督办单编号，如 督办〔2026〕1号")
    year: int
    serial: int
    issuer: NamedRef = Field(..., description="督办机关：签发人所在的纪检监察组、巡察办，或整改办所在单位")
    answer_to: NamedRef = Field(..., description="书面答复的机关，即督办机关")
    issued_by: NamedRef
    issued_at: datetime
    unit: NamedRef = Field(..., description="被督办单位")
    measures: list[OrderMeasureOut]
    reason: str
    demanded_action: str
    answer_due: date
    state: str
    state_label: str
    is_overdue: bool = Field(..., description="逾期未答复")
    answer: str
    answered_by: NamedRef | None
    answered_at: datetime | None
    escalated_at: datetime | None
    docx_url: str = Field(..., description="Word 督办单的接口下载地址")

    @staticmethod
    def resolve_issuer(obj: SupervisionOrder) -> dict:
        return {"id": obj.issuer_id, "name": obj.issuer.name}

    @staticmethod
    def resolve_answer_to(obj: SupervisionOrder) -> dict:
        return {"id": obj.issuer_id, "name": obj.issuer.name}

    @staticmethod
    def resolve_unit(obj: SupervisionOrder) -> dict:
        return {"id": obj.unit_id, "name": obj.unit.name}

    resolve_issued_by = person_of("issued_by")
    resolve_answered_by = person_of("answered_by")

    @staticmethod
    def resolve_measures(obj: SupervisionOrder) -> list:
        return sorted(obj.measures.all(), key=lambda m: (m.problem.inspection_id, m.problem.number, m.order))

    resolve_state_label = label_of("state")

    @staticmethod
    def resolve_docx_url(obj: SupervisionOrder) -> str:
        return reverse("api:supervision_order_docx", args=[obj.pk])


class OrderPage(Schema):
    count: int
    items: list[OrderOut]


class OrderFilters(Paging):
    state: OrderState | None = Field(None, description="issued 待答复 / answered 已答复")
    overdue: bool | None = Field(None, description="true：逾期未答复；false：未逾期")
    unit: Id | None = Field(None, description="被督办单位（含其下级单位）")


class OrderIn(Schema):
    unit: Id = Field(..., description="被督办单位编号；须为每项措施的责任单位或配合单位")
    measures: list[Id] = Field(..., description="督办事项：整改措施编号（measure id），至少一项")
    reason: str = Field(..., description=f"督办事由，不超过 {orders.MAX_TEXT} 字")
    demanded_action: str = Field(..., description=f"督办要求，不超过 {orders.MAX_TEXT} 字")
    answer_due: date = Field(..., description="答复期限，不能早于今天")


class AnswerIn(Schema):
    answer: str = Field(..., description=f"答复内容，不超过 {orders.MAX_TEXT} 字；每份督办单只答复一次")


@router.get("/supervision-orders", summary="督办单列表", response=OrderPage)
def list_supervision_orders(request, filters: Query[OrderFilters]):
    """您有权查看的督办单：被督办单位看发给本单位的，整改办和纪检监察机构看本组织签发的和发给下级单位的。"""
    queryset = orders.filter_orders(
        request.user, orders.OrderFilter(state=filters.state, overdue=filters.overdue, unit=filters.unit)
    ).prefetch_related("measures__problem")
    return filters.listing(queryset)


@router.post("/supervision-orders", summary="签发督办单", response={201: OrderOut, **errors(400, 403, 404)})
def issue_supervision_order(request, payload: OrderIn):
    """整改办或纪检监察机构、巡察机构就某单位负责或配合的整改措施签发督办单；编号按签发机关和年度自动编排，
    并通知被督办单位负责人和联络员。"""
    order = orders.issue_order(
        request.user,
        unit_id=payload.unit,
        measure_ids=payload.measures,
        reason=payload.reason,
        demanded_action=payload.demanded_action,
        answer_due=payload.answer_due,
    )
    return Status(201, orders.get_order(request.user, order.pk))


@router.get(
    "/supervision-orders/{int:order_id}", summary="查看督办单", response={200: OrderOut, **errors(404)}
)
def get_supervision_order(request, order_id: Id):
    return orders.get_order(request.user, order_id)


@router.post(
    "/supervision-orders/{int:order_id}/answer",
    summary="答复督办单",
    response={200: OrderOut, **errors(400, 403, 404, 409)},
)
def answer_supervision_order(request, order_id: Id, payload: AnswerIn):
    """被督办单位负责人或联络员答复督办单（只答复一次，已答复返回 409），并通知签发人。"""
    return orders.answer_order(request.user, order_id, answer=payload.answer)


@router.get(
    "/supervision-orders/{int:order_id}/docx",
    summary="下载督办单（Word）",
    response={200: None, **errors(404)},
    url_name="supervision_order_docx",
)
def download_supervision_order(request, order_id: Id):
    """督办单的 Word 文档（公文格式）。"""
    return docx_response(orders.get_order(request.user, order_id))
