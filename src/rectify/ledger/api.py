"""Ledger endpoints: inspections, problems, measures. Thin: every rule is in ledger.services."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from rectify.errors import InvalidInput
from rectify.org.access import VIEW
from rectify.org.models import Organisation, User
from rectify.schemas import Id, Message, NamedRef, Paging, label_of, person_of, query_schema

from . import services
from .choices import MeasureCategory
from .filters import MeasureFilterSet, check
from .models import Inspection, Measure, Problem

router = Router(tags=["整改台账"])


class InspectionOut(Schema):
    id: int
    title: str
    kind: str
    inspecting_body: str
    inspected: NamedRef
    inspected_name: str
    theme: str
    round_name: str
    scope: str = Field(..., description="巡察类别：routine 常规 / special 专项 / follow_up 回头看")
    onsite_start: date | None
    onsite_end: date | None
    feedback_date: date | None
    deadline: date | None
    report_period: str
    notice_title: str

    @staticmethod
    def resolve_inspected(obj: Inspection) -> dict:
        return {"id": obj.inspected_id, "name": obj.inspected.name}


class InspectionDetailOut(InspectionOut):
    problem_count: int
    measure_count: int
    overdue_count: int
    rectified_problem_count: int
    measures_by_status: dict[str, int]


class ProblemOut(Schema):
    id: int
    inspection_id: int
    area_id: int
    area: str
    number: int
    title: str
    description: str

    @staticmethod
    def resolve_area(obj: Problem) -> str:
        return obj.area.title


class MeasureOut(Schema):
    id: int
    version: int
    inspection_id: int
    problem_id: int
    problem_number: int
    problem_title: str
    area: str
    order: int
    text: str
    lead_leader: NamedRef | None
    responsible_unit: NamedRef = Field(..., description="主责单位：每项措施有且只有一个")
    units: list[NamedRef]
    supporting_units: list[NamedRef]
    outside_units: str
    deadline: date | None
    category: str
    category_label: str
    status: str
    status_label: str
    is_overdue: bool
    reopen_reason: str

    @staticmethod
    def resolve_inspection_id(obj: Measure) -> int:
        return obj.problem.inspection_id

    @staticmethod
    def resolve_problem_number(obj: Measure) -> int:
        return obj.problem.number

    @staticmethod
    def resolve_problem_title(obj: Measure) -> str:
        return obj.problem.title

    @staticmethod
    def resolve_area(obj: Measure) -> str:
        return obj.problem.area.title

    resolve_lead_leader = person_of("lead_leader")

    @staticmethod
    def resolve_responsible_unit(obj: Measure) -> dict:
        return {"id": obj.responsible_unit.pk, "name": obj.responsible_unit.name}

    @staticmethod
    def resolve_units(obj: Measure) -> list[dict]:
        return [{"id": unit.pk, "name": unit.name} for unit in obj.responsible_units]

    @staticmethod
    def resolve_supporting_units(obj: Measure) -> list[dict]:
        return [{"id": unit.pk, "name": unit.name} for unit in obj.supporting_units]

    resolve_category_label = label_of("category")
    resolve_status_label = label_of("status")


class Page(Schema):
    count: int
    items: list


class InspectionPage(Page):
    items: list[InspectionOut]


class ProblemPage(Page):
    items: list[ProblemOut]


class MeasurePage(Page):
    items: list[MeasureOut]


# The ledger page's filters (ledger.filters), as typed and documented query parameters.
MeasureQuery = query_schema("MeasureQuery", MeasureFilterSet, base=Paging)


class ProblemFilters(Paging):
    inspection: Id | None = None
    area: Id | None = None


class MeasurePatch(Schema):
    version: Id = Field(..., description="您所编辑的版本号；已被他人修改时返回 409")
    lead_leader: Id | None = None
    responsible_unit: Id | None = Field(
        None, description="主责单位；只给责任单位时，原主责单位仍在其中则不变，否则取所列第一个"
    )
    units: list[Id] | None = None
    supporting_units: list[Id] | None = None
    outside_units: str | None = Field(None, max_length=255, description="系统外承办单位，只记名称")
    deadline: date | None = None
    category: MeasureCategory | None = None
    reason: str = Field(
        "", max_length=2000, description="修改理由：已销号的措施更换牵头领导或责任单位时必填，记入变更记录"
    )


@router.get("/inspections", summary="巡察轮次列表", response=InspectionPage)
def list_inspections(request, paging: Query[Paging]):
    """您有权查看的巡察。"""
    return paging.listing(Inspection.objects.restrict(request.user, VIEW).select_related("inspected"))


@router.get("/inspections/{int:inspection_id}", summary="查看巡察", response=InspectionDetailOut)
def get_inspection(request, inspection_id: Id):
    inspection = services.get_inspection(request.user, inspection_id)
    summary = services.summarise(request.user, inspection)
    inspection.problem_count = summary.problems
    inspection.measure_count = summary.measures
    inspection.overdue_count = summary.overdue
    inspection.rectified_problem_count = summary.rectified_problems
    inspection.measures_by_status = summary.by_status
    return inspection


@router.get("/problems", summary="问题列表", response=ProblemPage)
def list_problems(request, filters: Query[ProblemFilters]):
    problems = (
        Problem.objects.restrict(request.user).select_related("area").order_by("inspection_id", "number")
    )
    if filters.inspection:
        problems = problems.filter(inspection_id=filters.inspection)
    if filters.area:
        problems = problems.filter(area_id=filters.area)
    return filters.listing(problems)


@router.get("/measures", summary="整改措施台账", response={200: MeasurePage, 400: Message})
def list_measures(request, query: Query[MeasureQuery]):
    """整改措施台账，筛选条件与网页相同；`inspection` 可重复，同时列出几次巡察的措施
    （`?inspection=1&inspection=3`）。所选巡察等您无权查看时返回 400。"""
    conditions = query.model_dump(exclude=set(Paging.model_fields), exclude_defaults=True)
    filters = MeasureFilterSet(conditions, user=request.user)
    check(filters)
    return query.listing(filters.qs)


@router.get("/measures/{int:measure_id}", summary="查看整改措施", response=MeasureOut)
def get_measure(request, measure_id: Id):
    return services.get_measure(request.user, measure_id)


@router.patch(
    "/measures/{int:measure_id}",
    summary="修改整改措施",
    response={200: MeasureOut, 400: Message, 403: Message, 404: Message, 409: Message},
)
def patch_measure(request, measure_id: Id, payload: MeasurePatch):
    """修改牵头领导、主责单位、责任单位、配合单位、整改时限或整改类型（仅整改办）。
    `version` 已过期时返回 409；改后没有主责单位时返回 400，不作任何修改。"""
    sent = payload.model_fields_set - {"version", "reason"}
    changes: dict = {}
    if "lead_leader" in sent:
        changes["lead_leader"] = (
            get_object_or_404(User, pk=payload.lead_leader) if payload.lead_leader is not None else None
        )
    if "responsible_unit" in sent:
        changes["responsible_unit"] = (
            _organisations([payload.responsible_unit])[0] if payload.responsible_unit is not None else None
        )
    for field in ("units", "supporting_units"):
        if field in sent:
            ids = getattr(payload, field) or []
            found = {org.pk: org for org in _organisations(ids)}
            changes[field] = [found[pk] for pk in dict.fromkeys(ids)]  # in the order sent
    if "outside_units" in sent:
        changes["outside_units"] = payload.outside_units or ""
    if "deadline" in sent:
        changes["deadline"] = payload.deadline
    if "category" in sent:
        if payload.category is None:
            raise InvalidInput("整改类型不能为空。")
        changes["category"] = payload.category
    return services.update_measure_assignment(
        request.user, measure_id, version=payload.version, reason=payload.reason, **changes
    )


def _organisations(ids: list[int]) -> list[Organisation]:
    found = list(Organisation.objects.filter(pk__in=ids))
    missing = set(ids) - {org.pk for org in found}
    if missing:
        raise InvalidInput(f"单位编号不存在：{', '.join(str(pk) for pk in sorted(missing))}。")
    return found
