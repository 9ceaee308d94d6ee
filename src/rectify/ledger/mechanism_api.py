"""Long-term mechanism endpoints (长效机制). Thin: the rules are in ledger.services.save_mechanism."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Query, Router, Schema, Status

from rectify.errors import InvalidInput, NotFound
from rectify.schemas import Id, Message, Paging, ProblemRef, label_of

from . import services
from .choices import MechanismKind, MechanismStatus
from .models import Mechanism

router = Router(tags=["长效机制"])


class MechanismOut(Schema):
    id: int
    inspection_id: int
    title: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    issued_on: date | None
    document_number: str
    problems: list[ProblemRef]
    created_at: datetime

    resolve_kind_label = label_of("kind")
    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_problems(obj: Mechanism) -> list:
        return sorted(obj.problems.all(), key=lambda problem: problem.number)


class MechanismPage(Schema):
    count: int
    items: list[MechanismOut]


class MechanismFilters(Paging):
    inspection: Id | None = Field(None, description="巡察编号")


class MechanismIn(Schema):
    inspection: Id = Field(..., description="巡察编号")
    title: str = Field(..., max_length=255, description="制度名称，如《广州市停车场条例》")
    kind: MechanismKind = MechanismKind.MADE
    status: MechanismStatus = MechanismStatus.DRAFTING
    issued_on: date | None = Field(None, description="印发日期；状态为已印发时必填")
    document_number: str = Field("", max_length=64, description="文号")
    problems: list[Id] = Field(default_factory=list, description="对应问题的编号（problem id）")


class MechanismPatch(Schema):
    inspection: Id | None = Field(None, description="不可更改；给出时须与原巡察一致")
    title: str | None = Field(None, max_length=255)
    kind: MechanismKind | None = None
    status: MechanismStatus | None = None
    issued_on: date | None = None
    document_number: str | None = Field(None, max_length=64)
    problems: list[Id] | None = None


def _mechanism(user, mechanism_id: Id) -> Mechanism:
    found = services.mechanism_list(user).filter(pk=mechanism_id).first()
    if found is None:
        raise NotFound("长效机制不存在，或您无权查看。")
    return found


@router.get("/mechanisms", summary="长效机制列表", response=MechanismPage)
def list_mechanisms(request, filters: Query[MechanismFilters]):
    """您有权查看的长效机制，可按巡察筛选。"""
    return filters.listing(services.mechanism_list(request.user, filters.inspection))


@router.get(
    "/mechanisms/{int:mechanism_id}", summary="查看长效机制", response={200: MechanismOut, 404: Message}
)
def get_mechanism(request, mechanism_id: Id):
    return _mechanism(request.user, mechanism_id)


@router.post(
    "/mechanisms",
    summary="登记长效机制",
    response={201: MechanismOut, 400: Message, 403: Message, 404: Message},
)
def create_mechanism(request, payload: MechanismIn):
    """整改办登记长效机制（制定或修订的制度）及其对应的问题。"""
    mechanism = services.save_mechanism(
        request.user,
        inspection_id=payload.inspection,
        title=payload.title,
        kind=payload.kind,
        status=payload.status,
        issued_on=payload.issued_on,
        document_number=payload.document_number,
        problem_ids=payload.problems,
    )
    return Status(201, _mechanism(request.user, mechanism.pk))


@router.patch(
    "/mechanisms/{int:mechanism_id}",
    summary="修改长效机制",
    response={200: MechanismOut, 400: Message, 403: Message, 404: Message},
)
def patch_mechanism(request, mechanism_id: Id, payload: MechanismPatch):
    """整改办修改长效机制；只改给出的字段。`problems` 给出时整体替换对应问题。"""
    current = _mechanism(request.user, mechanism_id)
    sent = payload.model_fields_set
    if "inspection" in sent and payload.inspection != current.inspection_id:
        raise InvalidInput("长效机制不能改到其他巡察名下。")

    def value(field: str, default):
        return getattr(payload, field) if field in sent else default

    mechanism = services.save_mechanism(
        request.user,
        mechanism_id=current.pk,
        inspection_id=current.inspection_id,
        title=value("title", current.title),
        kind=value("kind", current.kind),
        status=value("status", current.status),
        issued_on=value("issued_on", current.issued_on),
        document_number=value("document_number", current.document_number),
        problem_ids=value("problems", [problem.pk for problem in current.problems.all()]) or [],
    )
    return _mechanism(request.user, mechanism.pk)
