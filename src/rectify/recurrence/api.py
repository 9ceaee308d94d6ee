"""举一反三 endpoints: similar problems of a problem, and the recurrence flags of imports with the
office's decision. Thin: every rule is in recurrence.services."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema

from rectify.ledger import services as ledger_services
from rectify.schemas import Id, Message, label_of
from rectify.similarity import describe_terms

from . import services
from .models import FlagKind, FlagStatus, RecurrenceFlag
from .services import MAX_NOTE, MAX_SIMILAR

router = Router(tags=["举一反三"])


class TitledInspection(Schema):
    id: int
    title: str


class SimilarOut(Schema):
    id: int
    inspection: TitledInspection
    number: int
    title: str
    score: float = Field(..., description="相似度，0 到 1")
    terms: list[str] = Field(..., description="共同关键词，按重要程度排列")
    explanation: str


class SimilarQuery(Schema):
    limit: int = Field(5, ge=1, le=MAX_SIMILAR, description=f"最多返回条数，不超过 {MAX_SIMILAR}")


class FlaggedProblem(Schema):
    id: int
    inspection: TitledInspection
    number: int
    title: str


class FlagOut(Schema):
    id: int
    problem: FlaggedProblem
    earlier: FlaggedProblem
    score: float
    terms: list[str]
    explanation: str
    status: str
    status_label: str
    kind: str
    kind_label: str
    note: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_problem(obj: RecurrenceFlag) -> dict:
        return _problem_ref(obj.problem)

    @staticmethod
    def resolve_earlier(obj: RecurrenceFlag) -> dict:
        return _problem_ref(obj.earlier)

    @staticmethod
    def resolve_explanation(obj: RecurrenceFlag) -> str:
        return describe_terms(obj.terms)

    resolve_status_label = label_of("status")

    @staticmethod
    def resolve_kind_label(obj: RecurrenceFlag) -> str:
        return obj.get_kind_display() if obj.kind else ""

    @staticmethod
    def resolve_decided_by(obj: RecurrenceFlag) -> str | None:
        return obj.decided_by.display_name if obj.decided_by else None


class FlagPage(Schema):
    count: int
    items: list[FlagOut]


class FlagQuery(Schema):
    status: FlagStatus | None = Field(None, description="不填则返回全部状态")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class FlagDecision(Schema):
    decision: Literal["confirm", "dismiss"] = Field(..., description="confirm 确认，dismiss 排除")
    kind: FlagKind | None = Field(None, description="确认时必填：common 共性问题，relapse 问题反弹")
    note: str = Field("", max_length=MAX_NOTE, description="确认时必填")


def _problem_ref(problem) -> dict:
    inspection = problem.inspection
    return {
        "id": problem.pk,
        "inspection": {"id": inspection.pk, "title": inspection.title},
        "number": problem.number,
        "title": problem.title,
    }


@router.get(
    "/problems/{int:problem_id}/similar", summary="相似问题", response={200: list[SimilarOut], 404: Message}
)
def similar(request, problem_id: Id, query: Query[SimilarQuery]):
    """其他巡察（含其他单位、往轮巡察）中与该问题最相似的问题，限于您有权查看的；附共同关键词。"""
    problem = ledger_services.get_problem(request.user, problem_id)
    return [
        {
            **_problem_ref(suggestion.problem),
            "score": suggestion.score,
            "terms": suggestion.terms,
            "explanation": suggestion.explanation,
        }
        for suggestion in services.similar_problems(problem, user=request.user, limit=query.limit)
    ]


@router.get("/recurrence-flags", summary="共性问题和反弹提示", response=FlagPage)
def list_flags(request, query: Query[FlagQuery]):
    """导入新巡察时发现的“可能反弹或共性问题”提示（两个问题您都有权查看的）。"""
    flags = services.flag_list(request.user, query.status)
    start = (query.page - 1) * query.page_size
    return {"count": flags.count(), "items": list(flags[start : start + query.page_size])}


@router.post(
    "/recurrence-flags/{int:flag_id}/decision",
    summary="处理共性问题和反弹提示",
    response={200: FlagOut, 400: Message, 403: Message, 404: Message, 409: Message},
)
def decide(request, flag_id: Id, payload: FlagDecision):
    """整改办确认（认定为共性问题或问题反弹，并说明）或排除一条提示；已处理的提示返回 409。"""
    services.decide_flag(
        request.user,
        flag_id,
        confirm=payload.decision == "confirm",
        kind=payload.kind or "",
        note=payload.note,
    )
    return services.get_flag(request.user, flag_id)
