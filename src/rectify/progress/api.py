"""Progress endpoints: reports with evidence, review, sign-off, follow-up, indicators.

Thin: every rule (who may act, which move is legal, what an upload must be) is in progress.services.
Decimal values (indicator baseline, target, observed value) are answered as strings without
trailing zeros ("95.5", "100"), so no precision is lost; they are accepted as JSON numbers or strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import field_validator

from rectify.attachments import file_response
from rectify.documents import XLSX_TYPE, attachment
from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.filters import MeasureFilterSet
from rectify.ledger.services import get_measure
from rectify.schemas import Id, Message, NamedRef, Paging, errors, label_of, person_of, query_schema

from . import ledger_excel, services
from .models import (
    Evidence,
    FollowUp,
    Indicator,
    Observation,
    ProgressReport,
    SignOff,
    SignOffDecision,
    SignOffState,
)

router = Router(tags=["整改进展与销号"])


def decimal_text(value: Decimal) -> str:
    """95.5000 → "95.5", 100.0000 → "100" (never exponent notation)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ------------------------------------------------------------------ schemas


class EvidenceOut(Schema):
    id: int
    original_name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: datetime
    url: str = Field(..., description="网页下载地址（浏览器登录会话）")
    api_url: str = Field(..., description="接口下载地址（Bearer 令牌）")

    @staticmethod
    def resolve_url(obj: Evidence) -> str:
        return reverse("progress:evidence", args=[obj.pk])

    @staticmethod
    def resolve_api_url(obj: Evidence) -> str:
        return reverse("api:download_evidence", args=[obj.pk])


class ReportOut(Schema):
    id: int
    measure_id: int
    period_start: date
    period_label: str
    text: str
    percent: int | None
    stage: str
    revision: int
    answers: int | None = Field(None, description="本报告答复的退回报告编号")
    answered_by: int | None = Field(None, description="答复本报告（若已退回）的新报告编号")
    state: str
    state_label: str
    author: NamedRef
    submitted_at: datetime
    reviewer: NamedRef | None
    reviewed_at: datetime | None
    review_comment: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_answers(obj: ProgressReport) -> int | None:
        return obj.supersedes_id

    @staticmethod
    def resolve_answered_by(obj: ProgressReport) -> int | None:
        try:
            return obj.superseded_by.pk
        except ProgressReport.DoesNotExist:
            return None

    resolve_state_label = label_of("state")
    resolve_author = person_of("author")
    resolve_reviewer = person_of("reviewer")

    @staticmethod
    def resolve_evidence(obj: ProgressReport) -> list[Evidence]:
        return list(obj.evidence.all())


class ReportForm(Schema):
    text: str = Field(..., description="进展情况")
    percent: int | None = Field(None, description="完成比例（0–100）")
    stage: str = Field("", description="所处阶段")
    answers: Id | None = Field(None, description="所答复的退回报告编号")

    @field_validator("percent", "answers", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if value == "" else value  # an empty form field means "not given"


class ReviewIn(Schema):
    decision: Literal["accept", "return"] = Field(..., description="accept 采纳；return 退回（须写理由）")
    comment: str = ""


class MeasureRef(Schema):
    id: int
    version: int
    inspection_id: int
    problem_number: int
    problem_title: str
    text: str
    status: str
    status_label: str

    @staticmethod
    def resolve_inspection_id(obj) -> int:
        return obj.problem.inspection_id

    @staticmethod
    def resolve_problem_number(obj) -> int:
        return obj.problem.number

    @staticmethod
    def resolve_problem_title(obj) -> str:
        return obj.problem.title

    resolve_status_label = label_of("status")


class DecisionOut(Schema):
    id: int
    level: str
    level_label: str
    decision: str
    decision_label: str
    comment: str
    actor: NamedRef
    decided_at: datetime

    resolve_level_label = label_of("level")
    resolve_decision_label = label_of("decision")
    resolve_actor = person_of("actor")


class SignOffOut(Schema):
    id: int
    measure: MeasureRef
    requested_by: NamedRef
    requested_at: datetime
    note: str
    state: str
    state_label: str
    level: str = Field(..., description="当前环节：unit_head / office / leader")
    level_label: str
    closed_at: datetime | None
    decisions: list[DecisionOut]
    completion_warning: str = Field(
        "",
        description="最近一次采纳的进展报告未达 100% 或未到完成阶段时的提示（否则为空）；"
        "有提示时，审批须填写意见",
    )

    resolve_requested_by = person_of("requested_by")

    @staticmethod
    def resolve_completion_warning(obj: SignOff) -> str:
        return services.signoff_warning(obj) if obj.state == SignOffState.PENDING else ""

    resolve_state_label = label_of("state")
    resolve_level_label = label_of("level")

    @staticmethod
    def resolve_decisions(obj: SignOff) -> list[SignOffDecision]:
        return list(obj.decisions.all())


class SignOffPage(Schema):
    count: int
    items: list[SignOffOut]


class SignOffIn(Schema):
    note: str = ""
    version: Id | None = Field(
        None, ge=1, description="您看到的措施版本号；措施已被他人推进时返回 409，不提交申请"
    )


class DecideIn(Schema):
    decision: Literal["approve", "return"] = Field(..., description="approve 同意；return 退回（须写理由）")
    comment: str = ""


class FollowUpOut(Schema):
    id: int
    measure_id: int
    due_on: date
    scheduled_by: NamedRef
    outcome: str
    outcome_label: str
    note: str
    checked_by: NamedRef | None
    checked_at: datetime | None

    resolve_scheduled_by = person_of("scheduled_by")
    resolve_outcome_label = label_of("outcome")
    resolve_checked_by = person_of("checked_by")


class FollowUpIn(Schema):
    """Either `due_on` (schedule a check) or `outcome` with `note` (record a check done today)."""

    due_on: date | None = Field(None, description="安排回头看的计划检查日期")
    outcome: Literal["stable", "relapse"] | None = Field(
        None, description="当即记录检查结果：stable 巩固；relapse 反弹（须写明情况，措施将重新整改）"
    )
    note: str = ""
    new_deadline: date | None = Field(
        None, description="发现反弹时必填：新的整改时限，须晚于今天和原整改时限；预警按新时限计算"
    )


class RecordIn(Schema):
    outcome: Literal["stable", "relapse"]
    note: str = ""
    new_deadline: date | None = Field(
        None, description="发现反弹时必填：新的整改时限，须晚于今天和原整改时限；预警按新时限计算"
    )


class ObservationOut(Schema):
    id: int
    indicator_id: int
    observed_on: date
    value: str
    meets_target: bool
    note: str
    recorded_by: NamedRef
    recorded_at: datetime

    @staticmethod
    def resolve_value(obj: Observation) -> str:
        return decimal_text(obj.value)

    @staticmethod
    def resolve_meets_target(obj: Observation) -> bool:
        return obj.indicator.meets_target(obj.value)

    resolve_recorded_by = person_of("recorded_by")


class IndicatorOut(Schema):
    id: int
    measure_id: int
    name: str
    unit: str
    baseline: str
    target: str
    direction: str
    direction_label: str
    created_at: datetime
    observations: list[ObservationOut]
    latest: ObservationOut | None
    short_of_target: bool = Field(..., description="最新数值未达目标（仅提示，不阻止销号）")

    @staticmethod
    def resolve_baseline(obj: Indicator) -> str:
        return decimal_text(obj.baseline)

    @staticmethod
    def resolve_target(obj: Indicator) -> str:
        return decimal_text(obj.target)

    resolve_direction_label = label_of("direction")

    @staticmethod
    def resolve_observations(obj: Indicator) -> list[Observation]:
        return obj.status.observations

    @staticmethod
    def resolve_latest(obj: Indicator) -> Observation | None:
        return obj.status.latest

    @staticmethod
    def resolve_short_of_target(obj: Indicator) -> bool:
        return obj.status.short_of_target


class IndicatorIn(Schema):
    name: str = Field(..., max_length=128)
    unit: str = Field("", max_length=32)
    baseline: Decimal = Field(..., max_digits=14, decimal_places=4)
    target: Decimal = Field(..., max_digits=14, decimal_places=4)
    direction: Literal["increase", "decrease"] = "increase"


class ObservationIn(Schema):
    observed_on: date
    value: Decimal = Field(..., max_digits=14, decimal_places=4)
    note: str = Field("", max_length=255)


# ------------------------------------------------------------------ loading for output


def _reports():
    return ProgressReport.objects.select_related("author", "reviewer", "superseded_by").prefetch_related(
        "evidence"
    )


def _signoffs():
    return SignOff.objects.select_related("measure__problem", "requested_by").prefetch_related(
        services.latest_accepted_reports(),
        Prefetch("decisions", queryset=SignOffDecision.objects.select_related("actor")),
    )


def _followups():
    return FollowUp.objects.select_related("scheduled_by", "checked_by")


def _with_statuses(statuses: list[services.IndicatorStatus]) -> list[Indicator]:
    prefetch_related_objects([o for status in statuses for o in status.observations], "recorded_by")
    for status in statuses:
        status.indicator.status = status
    return [status.indicator for status in statuses]


# ------------------------------------------------------------------ reports


@router.post(
    "/measures/{int:measure_id}/reports",
    summary="报送整改进展",
    response={201: ReportOut, **errors(400, 403, 404, 409, 413)},
)
def submit_report(
    request, measure_id: Id, form: Form[ReportForm], files: File[list[UploadedFile] | None] = None
):
    """责任单位报送整改进展（multipart/form-data）：`text` 进展情况，`percent` 完成比例，`stage` 所处阶段，
    `answers` 所答复的退回报告编号，`files` 佐证材料（一个或多个）。文件按内容识别类型，须与扩展名一致；
    文件名不能带路径；含宏、ActiveX 控件或可执行程序的 Office 文件、开头含网页代码的文件不收。
    任一文件不合格则整份报告不保存（400）；超过单个文件、每份报告（个数与合计大小）或单位当天
    上传总量的上限时返回 413（上限见部署配置 RECTIFY_EVIDENCE_*）。"""
    if not files:
        measure = get_measure(request.user, measure_id)  # who may not see it or report is told so first
        if not services.is_responsible(request.user, measure):
            raise AccessDenied("只有该措施的责任单位可以报送整改进展。")
        raise InvalidInput("请至少上传一份佐证材料。")
    report = services.submit_report(
        request.user,
        measure_id,
        text=form.text,
        files=files,
        percent=form.percent,
        stage=form.stage,
        answers=form.answers,
    )
    return Status(201, _reports().get(pk=report.pk))


@router.get(
    "/measures/{int:measure_id}/reports",
    summary="整改进展列表",
    response={200: list[ReportOut], 404: Message},
)
def list_reports(request, measure_id: Id):
    """该措施的全部整改进展报告（含退回的各版本），新的在前。"""
    measure = get_measure(request.user, measure_id)
    return list(_reports().filter(measure=measure))


@router.get("/reports/{int:report_id}", summary="查看整改进展", response={200: ReportOut, 404: Message})
def get_report(request, report_id: Id):
    report = services.get_report(request.user, report_id)
    return _reports().get(pk=report.pk)


@router.post(
    "/reports/{int:report_id}/review",
    summary="审核整改进展",
    response={200: ReportOut, **errors(400, 403, 404, 409)},
)
def review_report(request, report_id: Id, payload: ReviewIn):
    """整改办审核整改进展：采纳，或写明理由退回。已审核的报告再审核返回 409。"""
    report = services.review_report(
        request.user, report_id, decision=payload.decision, comment=payload.comment
    )
    return _reports().get(pk=report.pk)


@router.get(
    "/evidence/{int:evidence_id}",
    summary="下载佐证材料",
    response={200: None, 404: Message},
    url_name="download_evidence",
)
def download_evidence(request, evidence_id: Id):
    """下载佐证材料（以原文件名作为附件），限有权查看该措施者。"""
    evidence = services.get_evidence(request.user, evidence_id)
    return file_response(evidence.file, evidence.original_name, evidence.content_type)


# ------------------------------------------------------------------ sign-off


@router.post(
    "/measures/{int:measure_id}/signoff",
    summary="申请销号",
    response={201: SignOffOut, **errors(400, 403, 404, 409)},
)
def request_signoff(request, measure_id: Id, payload: SignOffIn):
    """责任单位申请销号（需有已采纳且附佐证材料的进展报告）。
    带上 `version` 时，措施已被他人推进则返回 409。"""
    signoff = services.request_signoff(
        request.user, measure_id, note=payload.note, expected_version=payload.version
    )
    return Status(201, _signoffs().get(pk=signoff.pk))


@router.get("/signoffs", summary="待审批销号", response=SignOffPage)
def signoff_queue(request, paging: Query[Paging]):
    """等待您审批的销号申请（责任单位负责人、整改办、牵头领导各自的环节），先申请的在前。"""
    queue = services.signoff_queue(request.user).prefetch_related(
        services.latest_accepted_reports(),
        Prefetch("decisions", queryset=SignOffDecision.objects.select_related("actor")),
    )
    return paging.listing(queue)


@router.get("/signoffs/{int:signoff_id}", summary="查看销号申请", response={200: SignOffOut, 404: Message})
def get_signoff(request, signoff_id: Id):
    signoff = services.get_signoff(request.user, signoff_id)
    return _signoffs().get(pk=signoff.pk)


@router.post(
    "/signoffs/{int:signoff_id}/decide",
    summary="审批销号申请",
    response={200: SignOffOut, **errors(400, 403, 404, 409)},
)
def decide_signoff(request, signoff_id: Id, payload: DecideIn):
    """当前环节审批：同意（转下一环节，末环节即销号），或写明理由退回。已办结的申请返回 409。"""
    signoff = services.decide_signoff(
        request.user, signoff_id, decision=payload.decision, comment=payload.comment
    )
    return _signoffs().get(pk=signoff.pk)


# ------------------------------------------------------------------ follow-up


@router.post(
    "/measures/{int:measure_id}/followups",
    summary="安排或记录回头看",
    response={201: FollowUpOut, **errors(400, 403, 404, 409)},
)
def add_followup(request, measure_id: Id, payload: FollowUpIn):
    """整改办对已销号措施回头看：只给 `due_on` 为安排检查；给 `outcome`（和 `note`）为当即记录检查结果。
    发现反弹（relapse）时措施重新整改。"""
    if (payload.due_on is None) == (payload.outcome is None):
        raise InvalidInput(
            "请二选一：给出计划检查日期（due_on）安排回头看，或给出检查结果（outcome）记录检查。"
        )
    if payload.due_on is not None:
        followup = services.schedule_followup(request.user, measure_id, due_on=payload.due_on)
    else:
        followup = services.record_check(
            request.user,
            measure_id,
            outcome=payload.outcome,
            note=payload.note,
            new_deadline=payload.new_deadline,
        )
    return Status(201, _followups().get(pk=followup.pk))


@router.post(
    "/followups/{int:followup_id}/record",
    summary="记录回头看结果",
    response={200: FollowUpOut, **errors(400, 403, 404, 409)},
)
def record_followup(request, followup_id: Id, payload: RecordIn):
    """记录已安排的回头看的结果。已记录过的返回 409。"""
    followup = services.record_followup(
        request.user,
        followup_id,
        outcome=payload.outcome,
        note=payload.note,
        new_deadline=payload.new_deadline,
    )
    return _followups().get(pk=followup.pk)


@router.get(
    "/measures/{int:measure_id}/followups",
    summary="回头看列表",
    response={200: list[FollowUpOut], 404: Message},
)
def list_followups(request, measure_id: Id):
    measure = get_measure(request.user, measure_id)
    return list(_followups().filter(measure=measure))


# ------------------------------------------------------------------ indicators


@router.get(
    "/measures/{int:measure_id}/indicators",
    summary="指标列表",
    response={200: list[IndicatorOut], 404: Message},
)
def list_indicators(request, measure_id: Id):
    """该措施的指标，各附全部观测值、最新值，以及最新值是否未达目标。数值以字符串表示。"""
    measure = get_measure(request.user, measure_id)
    return _with_statuses(services.indicator_statuses(measure))


@router.post(
    "/measures/{int:measure_id}/indicators",
    summary="设置指标",
    response={201: IndicatorOut, **errors(400, 403, 404)},
)
def add_indicator(request, measure_id: Id, payload: IndicatorIn):
    """整改办或责任单位为措施设置指标（基线值、目标值、方向）。"""
    indicator = services.add_indicator(
        request.user,
        measure_id,
        name=payload.name,
        unit=payload.unit,
        baseline=payload.baseline,
        target=payload.target,
        direction=payload.direction,
    )
    return Status(201, _with_statuses([services.IndicatorStatus(indicator, [])])[0])


@router.post(
    "/indicators/{int:indicator_id}/observations",
    summary="填报指标数值",
    response={201: ObservationOut, **errors(400, 403, 404)},
)
def add_observation(request, indicator_id: Id, payload: ObservationIn):
    """填报指标在某日的数值（每日一次，不晚于今天）。`meets_target` 为否时仅提示。"""
    observation = services.add_observation(
        request.user, indicator_id, observed_on=payload.observed_on, value=payload.value, note=payload.note
    )
    return Status(201, observation)


# ------------------------------------------------------------------ Excel ledgers


class ExportQuery(Schema):
    list: str = Field(
        "all",
        description="all（整改台账）、problems（问题清单）、tasks（任务清单）或 responsibility（责任清单）",
    )


# The ledger page's filters (ledger.filters) narrow the export as they narrow the page.
LedgerExportQuery = query_schema("LedgerExportQuery", MeasureFilterSet, base=ExportQuery)


@router.get(
    "/inspections/{int:inspection_id}/ledger.xlsx",
    summary="导出 Excel 台账",
    tags=["整改台账"],
    response={200: None, 400: Message, 404: Message},
    openapi_extra={"responses": {200: {"description": "Excel 工作簿", "content": {XLSX_TYPE: {}}}}},
)
def export_ledger(request, inspection_id: Id, query: Query[LedgerExportQuery]):
    """把巡察的问题清单、任务清单、责任清单或整改台账导出为 Excel（.xlsx），只含您有权查看的内容；
    可带整改台账的筛选条件（与 `GET /measures` 相同），只导出符合条件的措施及其问题。"""
    conditions = query.model_dump(exclude=set(ExportQuery.model_fields), exclude_defaults=True)
    content, name = ledger_excel.export_ledger(request.user, inspection_id, query.list, conditions=conditions)
    return attachment(content, name, XLSX_TYPE)


@router.get(
    "/ledger.xlsx",
    summary="合并导出几次巡察的 Excel 台账",
    tags=["整改台账"],
    response={200: None, 400: Message},
    openapi_extra={"responses": {200: {"description": "Excel 工作簿", "content": {XLSX_TYPE: {}}}}},
)
def export_ledgers(request, query: Query[LedgerExportQuery]):
    """把几次巡察（`inspection` 可重复：`?inspection=1&inspection=3`）的台账合并导出为一个 Excel，
    每行注明所属巡察；可带整改台账的其他筛选条件。未选巡察或所选巡察您无权查看时返回 400。"""
    conditions = query.model_dump(exclude=set(ExportQuery.model_fields), exclude_defaults=True)
    content, name = ledger_excel.export_ledgers(request.user, conditions, query.list)
    return attachment(content, name, XLSX_TYPE)
