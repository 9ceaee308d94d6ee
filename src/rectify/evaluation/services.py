"""The inspection office's (巡察办) view of the rectification it follows, and its 整改评估.

The overview lists every inspection the user may see, by round, with the dashboard's own figures
(insights.inspection_figures), the relapses found at follow-up (回头看) and the evaluation. Supervisors
of an inspection office (巡视巡察机构) above the inspected organisation evaluate: a score per item of
their office's rubric, a result and a comment; once sent (反馈), the inspected organisation's office
and leaders read it, and nobody changes it. Views, the API and the demo all call these functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit, filled
from rectify.insights.services import GroupRow, inspection_figures
from rectify.ledger.choices import InspectionScope
from rectify.ledger.models import Inspection
from rectify.ledger.services import get_inspection
from rectify.org.access import VIEW, Access
from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User
from rectify.progress.models import FollowUp, FollowUpOutcome
from rectify.reports.services import Submission, situation_submissions
from rectify.supervision.services import notify

from .models import Evaluation, EvaluationState, Result, Rubric, RubricItem, Score

# The rubric an inspection office starts with; it edits the items and their marks as it sees fit.
DEFAULT_ITEMS = (
    (
        "整改责任落实",
        20,
        "党组（党委）主体责任、主要负责人第一责任人责任落实；整改方案、三个清单制定及时、分工明确。",
    ),
    ("问题整改成效", 30, "反馈问题逐条整改到位，整改措施完成率和销号质量；佐证材料真实完整。"),
    ("举一反三与长效机制", 20, "同类问题排查整治，制度建立和修订情况，长效机制执行效果。"),
    ("整改进度与时限", 15, "按时限推进，超期、延期、问题反弹情况；整改情况报告按时报送。"),
    ("整改公开与群众评价", 15, "整改进展按规定公开，群众意见诉求件件有回音、办理满意。"),
)
# Share of the full marks from which each result is suggested; the evaluator may choose another.
RESULT_THRESHOLDS = (
    (Decimal("0.9"), Result.EXCELLENT),
    (Decimal("0.8"), Result.GOOD),
    (Decimal("0.6"), Result.FAIR),
)

EVALUATOR_ONLY = "只有对该组织开展巡察的巡察机构（巡察办）可以进行整改评估。"
NOT_FOUND = "未找到该巡察的整改评估，或您无权查看。"
ISSUED_FIXED = "该整改评估已反馈被巡察单位，不能再修改。"


# ------------------------------------------------------------------ who evaluates


def evaluating_offices(user: User) -> QuerySet[Organisation]:
    """The inspection offices in which the user is a supervisor (every one, for a superuser)."""
    offices = Organisation.objects.filter(kind=OrganisationKind.INSPECTION_OFFICE)
    if Access.of(user).is_superuser:
        return offices
    return offices.filter(memberships__user=user, memberships__role=Role.SUPERVISOR).distinct()


def evaluating_office(user: User, inspection: Inspection) -> Organisation | None:
    """The nearest inspection office above the inspected organisation in which the user supervises."""
    inspected = inspection.inspected
    candidates = [
        office
        for office in evaluating_offices(user)
        if inspected.path.startswith(office.path) and office.pk != inspected.pk
    ]
    return max(candidates, key=lambda office: len(office.path), default=None)


def may_evaluate_any(user: User) -> bool:
    return evaluating_offices(user).exists()


# ------------------------------------------------------------------ the overview


@dataclass(frozen=True)
class OverviewRow:
    inspection: Inspection
    figures: GroupRow | None
    relapses: int
    evaluation: Evaluation | None
    may_evaluate: bool
    submission: Submission  # the 整改情况报告: 按时报送 / 逾期报送（逾期N天） / 未报送（应于…前报送）

    @property
    def url(self) -> str:
        return reverse("evaluation:inspection", args=[self.inspection.pk])


@dataclass
class OverviewRound:
    name: str
    rows: list[OverviewRow] = field(default_factory=list)

    @property
    def organisations(self) -> int:
        return len({row.inspection.inspected_id for row in self.rows})


def overview(user: User, on: date | None = None) -> list[OverviewRound]:
    """Every inspection the user may see, grouped by round (the latest round first), with its figures,
    relapses and evaluation. A fixed number of queries whatever the number of inspections."""
    if not Access.of(user).roles and not Access.of(user).is_superuser:
        raise AccessDenied("您没有可查看的巡察整改。")
    inspections = list(
        Inspection.objects.restrict(user, VIEW).select_related("inspected").order_by("-feedback_date", "-pk")
    )
    figures = inspection_figures(user, on)
    relapses = dict(
        FollowUp.objects.filter(
            outcome=FollowUpOutcome.RELAPSE, measure__problem__inspection__in=[i.pk for i in inspections]
        )
        .values_list("measure__problem__inspection_id")
        .annotate(count=Count("pk"))
    )
    evaluations = {
        evaluation.inspection_id: evaluation
        for evaluation in Evaluation.objects.restrict(user, VIEW).filter(
            inspection__in=[i.pk for i in inspections]
        )
    }
    office_paths = [office.path for office in evaluating_offices(user)]
    submissions = situation_submissions(inspections, on)
    rounds: dict[str, OverviewRound] = {}
    for inspection in inspections:
        name = inspection.round_name or "未注明轮次"
        inspected = inspection.inspected
        rounds.setdefault(name, OverviewRound(name)).rows.append(
            OverviewRow(
                inspection=inspection,
                figures=figures.get(inspection.pk),
                relapses=relapses.get(inspection.pk, 0),
                evaluation=evaluations.get(inspection.pk),
                may_evaluate=any(
                    inspected.path.startswith(path) and inspected.path != path for path in office_paths
                ),
                submission=submissions[inspection.pk],
            )
        )
    return list(rounds.values())


# ------------------------------------------------------------------ the rubric


def rubric_of(office: Organisation) -> Rubric:
    """The office's rubric, made from the default items the first time it is asked for."""
    rubric, created = Rubric.objects.get_or_create(office=office)
    if created:
        RubricItem.objects.bulk_create(
            RubricItem(rubric=rubric, position=position, title=title, max_score=score, guidance=guidance)
            for position, (title, score, guidance) in enumerate(DEFAULT_ITEMS, start=1)
        )
    return rubric


def _own_office(user: User, office_id: int | None) -> Organisation:
    offices = evaluating_offices(user)
    office = offices.filter(pk=office_id).first() if office_id else offices.order_by("path").first()
    if office is None:
        raise AccessDenied("只有巡察机构（巡察办）的监督人员可以设置整改评估指标。")
    return office


def rubric_for_user(user: User, office_id: int | None = None) -> Rubric:
    return rubric_of(_own_office(user, office_id))


def _item_used(item: RubricItem) -> bool:
    return Score.objects.filter(item=item, evaluation__state=EvaluationState.ISSUED).exists()


def _checked_item(title: str, max_score: object) -> tuple[str, int]:
    title = filled(title, "评估指标名称")
    if len(title) > 100:
        raise InvalidInput("评估指标名称不能超过100个字。")
    try:
        score = int(str(max_score))
    except (TypeError, ValueError):
        raise InvalidInput("分值应为1至100之间的整数。") from None
    if not 1 <= score <= 100:
        raise InvalidInput("分值应为1至100之间的整数。")
    return title, score


@transaction.atomic
def save_rubric_item(
    user: User,
    *,
    title: str,
    max_score: object,
    guidance: str = "",
    item_id: int | None = None,
    office_id: int | None = None,
) -> RubricItem:
    """Add an item to the user's office's rubric, or change one. An item already scored in an
    evaluation sent to an organisation keeps its marks (the evaluation must still add up)."""
    rubric = rubric_for_user(user, office_id)
    title, score = _checked_item(title, max_score)
    if item_id is None:
        last = rubric.items.order_by("-position").values_list("position", flat=True).first() or 0
        item = RubricItem(rubric=rubric, position=last + 1)
    else:
        item = rubric.items.filter(pk=item_id).first()
        if item is None:
            raise NotFound("未找到该评估指标。")
        if score != item.max_score and _item_used(item):
            raise InvalidInput(f"评估指标“{item.title}”已用于反馈的整改评估，分值不能再改。")
    item.title, item.max_score, item.guidance = title, score, guidance.strip()
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise InvalidInput(f"已有名为“{title}”的评估指标。") from None
    return item


@transaction.atomic
def delete_rubric_item(user: User, item_id: int, office_id: int | None = None) -> None:
    rubric = rubric_for_user(user, office_id)
    item = rubric.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound("未找到该评估指标。")
    if Score.objects.filter(item=item).exists():
        raise InvalidInput(f"评估指标“{item.title}”已在整改评估中打分，不能删除。")
    item.delete()


# ------------------------------------------------------------------ evaluations


@dataclass(frozen=True)
class ScoreLine:
    item: RubricItem
    points: Decimal | None
    note: str


@dataclass(frozen=True)
class EvaluationSheet:
    """An inspection's evaluation as a page shows it: every rubric item with its score (if any)."""

    inspection: Inspection
    evaluation: Evaluation | None
    lines: list[ScoreLine]
    may_evaluate: bool

    @property
    def total(self) -> Decimal:
        return sum((line.points or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def full_marks(self) -> int:
        return sum(line.item.max_score for line in self.lines)

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(line.points is not None for line in self.lines)

    @property
    def suggested_result(self) -> str:
        return suggested_result(self.total, self.full_marks)

    @property
    def suggested_result_label(self) -> str:
        return Result(self.suggested_result).label if self.suggested_result else ""

    @property
    def issued(self) -> bool:
        return self.evaluation is not None and self.evaluation.state == EvaluationState.ISSUED


def suggested_result(total: Decimal, full_marks: int) -> str:
    if not full_marks:
        return ""
    share = Decimal(total) / full_marks
    return next((result for floor, result in RESULT_THRESHOLDS if share >= floor), Result.POOR)


def sheet(user: User, inspection_id: int) -> EvaluationSheet:
    """The inspection's evaluation as the user may see it: evaluators see the draft and the rubric,
    the inspected organisation sees a sent evaluation only (NotFound when the inspection is hidden)."""
    inspection = get_inspection(user, inspection_id)
    office = evaluating_office(user, inspection)
    evaluation = (
        Evaluation.objects.restrict(user, VIEW)
        .select_related("evaluated_by", "office")
        .filter(inspection=inspection)
        .first()
    )
    scores = (
        {score.item_id: score for score in evaluation.scores.select_related("item")} if evaluation else {}
    )
    if evaluation is not None and evaluation.state == EvaluationState.ISSUED:
        items = [score.item for score in scores.values()]  # what was scored, as it was scored
    elif office is not None:
        items = list(rubric_of(evaluation.office if evaluation else office).items.all())
    else:
        items = []
    lines = []
    for item in items:
        score = scores.get(item.pk)
        lines.append(ScoreLine(item, score.points if score else None, score.note if score else ""))
    return EvaluationSheet(inspection, evaluation, lines, may_evaluate=office is not None)


def _points(value: object, item: RubricItem) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        points = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(f"“{item.title}”的得分应为数字。") from None
    if not points.is_finite() or points < 0 or points > item.max_score:
        raise InvalidInput(f"“{item.title}”的得分应在0至{item.max_score}分之间。")
    if points != points.quantize(Decimal("0.1")):
        raise InvalidInput(f"“{item.title}”的得分最多保留一位小数。")
    return points


@transaction.atomic
def save_evaluation(
    user: User,
    inspection_id: int,
    *,
    scores: Mapping[int, tuple[object, str]],
    result: str = "",
    comment: str = "",
    version: int | None = None,
) -> Evaluation:
    """Save the draft evaluation: points (and a note) per rubric item id, a result, a comment.
    An item left blank stays unscored; a sent evaluation is refused (409), as is a stale edit."""
    inspection = get_inspection(user, inspection_id)
    office = evaluating_office(user, inspection)
    if office is None:
        raise AccessDenied(EVALUATOR_ONLY)
    if result and result not in Result.values:
        raise InvalidInput("评估结果应为“好”“较好”“一般”或“差”。")
    evaluation = Evaluation.objects.select_for_update().filter(inspection=inspection).first()
    if evaluation is None:
        evaluation = Evaluation(inspection=inspection, office=office, evaluated_by=user)
    elif evaluation.state == EvaluationState.ISSUED:
        raise StaleEdit(ISSUED_FIXED)
    elif version is not None and version != evaluation.version:
        raise StaleEdit("该整改评估已被他人修改，请刷新页面查看最新内容后再保存。")
    items = {item.pk: item for item in rubric_of(evaluation.office).items.all()}
    unknown = set(scores) - set(items)
    if unknown:
        raise InvalidInput("评估指标不存在或已删除，请刷新页面后重新填写。")
    checked = {pk: (_points(value, items[pk]), (note or "").strip()) for pk, (value, note) in scores.items()}
    evaluation.result, evaluation.comment, evaluation.evaluated_by = result, comment.strip(), user
    evaluation.version = (evaluation.version + 1) if evaluation.pk else 1
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:  # another evaluator began the same evaluation a moment earlier
        raise StaleEdit("该整改评估已由他人开始填写，请刷新页面查看后再保存。") from None
    for pk, (points, note) in checked.items():
        if points is None:
            Score.objects.filter(evaluation=evaluation, item_id=pk).delete()
        else:
            Score.objects.update_or_create(
                evaluation=evaluation, item_id=pk, defaults={"points": points, "note": note}
            )
    return evaluation


@transaction.atomic
def issue_evaluation(user: User, inspection_id: int, version: int | None = None) -> Evaluation:
    """Send the evaluation to the inspected organisation: every item scored, a result and a comment.
    Its office and leaders are told; from then on it is read-only."""
    inspection = get_inspection(user, inspection_id)
    if evaluating_office(user, inspection) is None:
        raise AccessDenied(EVALUATOR_ONLY)
    evaluation = Evaluation.objects.select_for_update().filter(inspection=inspection).first()
    if evaluation is None:
        raise InvalidInput("请先填写各项评估得分、评估结果和评估意见，保存后再反馈。")
    if evaluation.state == EvaluationState.ISSUED:
        raise StaleEdit(ISSUED_FIXED)
    if version is not None and version != evaluation.version:
        raise StaleEdit("该整改评估已被他人修改，请刷新页面查看最新内容后再反馈。")
    items = set(rubric_of(evaluation.office).items.values_list("pk", flat=True))
    scored = set(evaluation.scores.values_list("item_id", flat=True))
    if not items or items - scored:
        raise InvalidInput(f"还有{len(items - scored)}项评估指标未打分，全部打分后才能反馈。")
    if not evaluation.result:
        raise InvalidInput("请选择评估结果。")
    if not evaluation.comment:
        raise InvalidInput("请填写评估意见。")
    evaluation.state = EvaluationState.ISSUED
    evaluation.issued_at = timezone.now()
    evaluation.version += 1
    evaluation.save()
    readers = {
        membership.user
        for membership in Membership.objects.filter(
            organisation=inspection.inspected, role__in=[Role.OFFICE, Role.LEADER]
        ).select_related("user")
    }
    notify(
        readers,
        kind="evaluation",
        fact_key=f"evaluation-issued-{evaluation.pk}",
        title=f"{evaluation.office.display_name}反馈了“{inspection.title}”的整改评估：{evaluation.get_result_display()}",
        url=reverse("evaluation:inspection", args=[inspection.pk]),
    )
    return evaluation


@transaction.atomic
def classify_inspection(user: User, inspection_id: int, *, round_name: str, scope: str) -> Inspection:
    """The inspection office records the round (十二届市委第六轮) and the kind (常规/专项/回头看)."""
    inspection = get_inspection(user, inspection_id)
    if evaluating_office(user, inspection) is None:
        raise AccessDenied("只有巡察机构（巡察办）可以设置巡察轮次和类别。")
    if scope not in InspectionScope.values:
        raise InvalidInput("巡察类别应为“常规”“专项”或“回头看”。")
    round_name = round_name.strip()
    if len(round_name) > 128:
        raise InvalidInput("巡察轮次不能超过128个字。")
    inspection.round_name, inspection.scope = round_name, scope
    inspection.save(update_fields=["round_name", "scope"])
    return inspection
