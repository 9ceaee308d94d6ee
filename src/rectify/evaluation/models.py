"""整改评估: the inspection office's (巡察办) evaluation of how an inspected organisation rectified,
scored against the office's own rubric (评估指标), then sent to the organisation."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW, Access, any_of, path_q
from rectify.org.models import Organisation, Role
from rectify.org.querysets import RestrictedQuerySet


class Result(models.TextChoices):
    EXCELLENT = "excellent", _("好")
    GOOD = "good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class EvaluationState(models.TextChoices):
    DRAFT = "draft", _("评估中")
    ISSUED = "issued", _("已反馈")


class Rubric(models.Model):
    """One inspection office's evaluation rubric: the items it scores and each item's full marks."""

    office = models.OneToOneField(
        Organisation, verbose_name=_("巡察机构"), on_delete=models.PROTECT, related_name="evaluation_rubric"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评估指标体系")
        verbose_name_plural = _("评估指标体系")

    def __str__(self) -> str:
        return f"{self.office.display_name}整改评估指标"


class RubricItem(models.Model):
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("指标体系"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("评估指标"), max_length=100)
    max_score = models.PositiveSmallIntegerField(_("分值"))
    guidance = models.TextField(_("评分要点"), blank=True)

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "position"], name="rubric_item_unique_position"),
            models.UniqueConstraint(fields=["rubric", "title"], name="rubric_item_unique_title"),
            models.CheckConstraint(
                condition=Q(max_score__gte=1) & Q(max_score__lte=100), name="rubric_item_score_range"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="rubric_item_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.max_score}分）"


class EvaluationQuerySet(RestrictedQuerySet):
    """The evaluators (supervisors at or above the inspected organisation) see drafts too; the
    inspected organisation's office and leaders see an evaluation once it is sent to them."""

    organisation_path_lookup = "inspection__inspected__path"

    def access_condition(self, user, action: str) -> Q | None:
        access = Access.of(user)
        evaluators = path_q(self.organisation_path_lookup, access.paths([Role.SUPERVISOR]))
        if action != VIEW:
            return evaluators
        readers = path_q(self.organisation_path_lookup, access.paths([Role.OFFICE, Role.LEADER]))
        return any_of(evaluators, readers & Q(state=EvaluationState.ISSUED) if readers is not None else None)


class Evaluation(models.Model):
    """The evaluation of one inspection's rectification: a score per rubric item, a result, a comment."""

    inspection = models.OneToOneField(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="evaluation"
    )
    office = models.ForeignKey(
        Organisation, verbose_name=_("评估机构"), on_delete=models.PROTECT, related_name="evaluations_made"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=EvaluationState.choices, default=EvaluationState.DRAFT
    )
    result = models.CharField(_("评估结果"), max_length=16, choices=Result.choices, blank=True)
    comment = models.TextField(_("评估意见"), blank=True)
    evaluated_by = done_by(_("评估人"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    issued_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改评估")
        verbose_name_plural = _("整改评估")
        constraints = [
            valid_choice("state", EvaluationState, name="evaluation_state_valid"),
            valid_choice("result", Result, name="evaluation_result_valid", blank=True),
            models.CheckConstraint(
                condition=Q(state=EvaluationState.DRAFT)
                | (~Q(result="") & ~Q(comment="") & Q(issued_at__isnull=False)),
                name="evaluation_issued_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection.title}整改评估"


class Score(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("整改评估"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        RubricItem, verbose_name=_("评估指标"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("得分"), max_digits=4, decimal_places=1)
    note = models.TextField(_("扣分说明"), blank=True)

    class Meta:
        verbose_name = _("评估得分")
        verbose_name_plural = _("评估得分")
        ordering = ["item__position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="score_once_per_item"),
            models.CheckConstraint(condition=Q(points__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item.title}：{self.points}分"
