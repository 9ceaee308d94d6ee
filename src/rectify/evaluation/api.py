"""整改评估 endpoints. Thin: every rule is in evaluation.services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from rectify.schemas import Id, NamedRef, errors

from . import services
from .models import RubricItem

router = Router(tags=["整改评估"])


class OverviewRowOut(Schema):
    inspection_id: int
    title: str
    organisation: NamedRef = Field(..., description="被巡察单位")
    round_name: str = Field(..., description="巡察轮次")
    scope: str = Field(..., description="routine 常规 / special 专项 / follow_up 回头看")
    feedback_date: date | None
    problems: int
    rectified_problems: int = Field(..., description="已整改到位的问题")
    measures: int
    completion_rate: float = Field(..., description="措施完成率（%）")
    overdue: int = Field(..., description="超期措施")
    relapses: int = Field(..., description="回头看发现的反弹")
    situation_report: str = Field(
        ...,
        description="整改情况报告：on_time 按时 / late 逾期 / pending 未到期 / overdue 逾期未报 / unknown",
    )
    situation_report_text: str = Field(
        ..., description="如：按时报送、逾期报送（逾期3天）、未报送（应于…前报送）"
    )
    evaluation_state: str | None = Field(None, description="draft 评估中 / issued 已反馈；未评估为空")
    evaluation_result: str = Field("", description="excellent 好 / good 较好 / fair 一般 / poor 差")


class RoundOut(Schema):
    name: str
    organisations: int
    rows: list[OverviewRowOut]


class RubricItemOut(Schema):
    id: int
    position: int
    title: str
    max_score: int
    guidance: str


class RubricItemIn(Schema):
    title: str = Field(..., max_length=100, description="评估指标名称")
    max_score: int = Field(..., description="分值，1至100")
    guidance: str = Field("", max_length=2000, description="评分要点")


class ScoreOut(Schema):
    item: RubricItemOut
    points: Decimal | None = Field(None, description="得分；未打分为空")
    note: str


class EvaluationOut(Schema):
    inspection_id: int
    office: NamedRef | None = Field(None, description="评估机构")
    state: str | None = Field(None, description="draft 评估中 / issued 已反馈；尚未开始为空")
    result: str
    comment: str
    total: Decimal
    full_marks: int
    suggested_result: str = Field(..., description="按得分建议的评估结果")
    issued_at: datetime | None
    version: int | None = Field(None, description="保存时原样带回，用于发现他人同时修改")
    may_evaluate: bool
    scores: list[ScoreOut]


class ScoreIn(Schema):
    item_id: int
    points: Decimal | None = Field(None, description="得分，0至该项分值，最多一位小数；为空表示不打分")
    note: str = Field("", max_length=2000, description="扣分说明")


class EvaluationIn(Schema):
    scores: list[ScoreIn]
    result: str = Field("", description="excellent 好 / good 较好 / fair 一般 / poor 差")
    comment: str = Field("", max_length=4000, description="评估意见")
    version: int | None = Field(None, description="读取时的版本号；新建时为空")


class IssueIn(Schema):
    version: int | None = Field(None, description="读取时的版本号")


def _organisation(organisation) -> dict:
    return {"id": organisation.pk, "name": organisation.display_name}


def _row(row: services.OverviewRow) -> dict:
    figures = row.figures
    return {
        "inspection_id": row.inspection.pk,
        "title": row.inspection.title,
        "organisation": _organisation(row.inspection.inspected),
        "round_name": row.inspection.round_name,
        "scope": row.inspection.scope,
        "feedback_date": row.inspection.feedback_date,
        "problems": (figures.problems or 0) if figures else 0,
        "rectified_problems": (figures.rectified_problems or 0) if figures else 0,
        "measures": figures.figures.total if figures else 0,
        "completion_rate": figures.figures.completion_rate if figures else 0.0,
        "overdue": figures.figures.overdue if figures else 0,
        "relapses": row.relapses,
        "situation_report": row.submission.state,
        "situation_report_text": row.submission.text,
        "evaluation_state": row.evaluation.state if row.evaluation else None,
        "evaluation_result": row.evaluation.result if row.evaluation else "",
    }


def _item(item: RubricItem) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "max_score": item.max_score,
        "guidance": item.guidance,
    }


def _sheet(sheet: services.EvaluationSheet) -> dict:
    evaluation = sheet.evaluation
    return {
        "inspection_id": sheet.inspection.pk,
        "office": _organisation(evaluation.office) if evaluation else None,
        "state": evaluation.state if evaluation else None,
        "result": evaluation.result if evaluation else "",
        "comment": evaluation.comment if evaluation else "",
        "total": sheet.total,
        "full_marks": sheet.full_marks,
        "suggested_result": sheet.suggested_result if sheet.complete else "",
        "issued_at": evaluation.issued_at if evaluation else None,
        "version": evaluation.version if evaluation else None,
        "may_evaluate": sheet.may_evaluate and not sheet.issued,
        "scores": [
            {"item": _item(line.item), "points": line.points, "note": line.note} for line in sheet.lines
        ],
    }


@router.get(
    "/evaluation/overview", summary="各单位巡察整改情况", response={200: list[RoundOut], **errors(403)}
)
def overview(request):
    """按巡察轮次列出可查看的每次巡察：被巡察单位、问题和措施完成情况、超期、回头看发现的反弹、整改情况报告是否按时报送和整改评估。"""
    return [
        {"name": group.name, "organisations": group.organisations, "rows": [_row(row) for row in group.rows]}
        for group in services.overview(request.user)
    ]


@router.get("/evaluation/rubric", summary="整改评估指标", response={200: list[RubricItemOut], **errors(403)})
def rubric(request):
    """本巡察机构的评估指标和分值（首次读取时按默认指标建立）。"""
    return [_item(item) for item in services.rubric_for_user(request.user).items.all()]


@router.post("/evaluation/rubric", summary="新增评估指标", response={201: RubricItemOut, **errors(400, 403)})
def add_rubric_item(request, payload: RubricItemIn):
    """巡察机构新增一项评估指标；名称不能重复。"""
    item = services.save_rubric_item(request.user, **payload.dict())
    return Status(201, _item(item))


@router.put(
    "/evaluation/rubric/{int:item_id}",
    summary="修改评估指标",
    response={200: RubricItemOut, **errors(400, 403, 404)},
)
def change_rubric_item(request, item_id: Id, payload: RubricItemIn):
    """已用于反馈的评估的指标，分值不能再改。"""
    return _item(services.save_rubric_item(request.user, item_id=item_id, **payload.dict()))


@router.delete(
    "/evaluation/rubric/{int:item_id}", summary="删除评估指标", response={204: None, **errors(400, 403, 404)}
)
def delete_rubric_item(request, item_id: Id):
    """已打过分的指标不能删除。"""
    services.delete_rubric_item(request.user, item_id)
    return Status(204, None)


@router.get(
    "/inspections/{int:inspection_id}/evaluation",
    summary="巡察的整改评估",
    response={200: EvaluationOut, **errors(404)},
)
def get_evaluation(request, inspection_id: Id):
    """巡察机构可见评估草稿和评估指标；被巡察单位的整改办和领导在反馈后可见评估结果。"""
    return _sheet(services.sheet(request.user, inspection_id))


@router.put(
    "/inspections/{int:inspection_id}/evaluation",
    summary="保存整改评估草稿",
    response={200: EvaluationOut, **errors(400, 403, 404, 409)},
)
def save_evaluation(request, inspection_id: Id, payload: EvaluationIn):
    """巡察机构逐项打分，填写评估结果和意见；已反馈的评估不能修改（409），他人已先保存时也返回 409。"""
    services.save_evaluation(
        request.user,
        inspection_id,
        scores={score.item_id: (score.points, score.note) for score in payload.scores},
        result=payload.result,
        comment=payload.comment,
        version=payload.version,
    )
    return _sheet(services.sheet(request.user, inspection_id))


@router.post(
    "/inspections/{int:inspection_id}/evaluation/issue",
    summary="向被巡察单位反馈整改评估",
    response={200: EvaluationOut, **errors(400, 403, 404, 409)},
)
def issue_evaluation(request, inspection_id: Id, payload: IssueIn):
    """全部指标打分并有评估结果和意见后，反馈被巡察单位并通知其整改办和领导；此后不能修改。"""
    services.issue_evaluation(request.user, inspection_id, payload.version)
    return _sheet(services.sheet(request.user, inspection_id))
