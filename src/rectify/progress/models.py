"""The daily work on a measure: progress reports with evidence, sign-off, follow-up, indicators."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Measure, MeasureUnit
from rectify.ledger.querysets import MeasurePartQuerySet
from rectify.office import size_text
from rectify.org.access import DECIDE, Access, any_of, path_q
from rectify.org.models import Role


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已采纳")
    RETURNED = "returned", _("已退回")


class ProgressReport(models.Model):
    """A unit's report on a measure for one period. A returned report is answered by a new one
    (`supersedes` points back to it); earlier versions are never changed or deleted."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="reports"
    )
    period_start = models.DateField(_("报送周期起始"))
    period_label = models.CharField(_("报送周期"), max_length=32)
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成比例（%）"), null=True, blank=True)
    stage = models.CharField(_("所处阶段"), max_length=64, blank=True)
    revision = models.PositiveSmallIntegerField(_("版次"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("答复的退回报告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    state = models.CharField(
        _("审核状态"), max_length=16, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    author = done_by(_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    reviewer = done_by(_("审核人"), optional=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)

    objects = MeasurePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="report_percent_range"
            ),
            valid_choice("state", ReportState, name="report_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=ReportState.RETURNED) | ~Q(review_comment=""),
                name="report_return_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=ReportState.SUBMITTED) | Q(reviewer__isnull=False),
                name="report_review_has_reviewer",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="report_revision_positive"),
        ]
        indexes = [
            models.Index(fields=["measure", "state"], name="report_measure_state"),
            # The review queue and its badge on every page count the reports waiting, a few
            # percent of a province's million: without it, a scan of all of them per page.
            models.Index(
                fields=["measure"], condition=Q(state=ReportState.SUBMITTED), name="report_awaiting_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.period_label} · 第{self.revision}版"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()


class EvidenceQuerySet(MeasurePartQuerySet):
    organisation_path_lookup = "report__measure__problem__inspection__inspected__path"
    unit_outer_ref = "report__measure"


class Evidence(models.Model):
    """A supporting file (佐证材料). Stored under a random name outside the web root; served only
    through a view that checks the reader may see the measure."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("整改进展"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/", max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = done_by(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def size_label(self) -> str:
        """The size as people read it (1.5 MB, 300 KB, 591 字节)."""
        return size_text(self.size)

    def get_additional_data(self) -> dict:
        return self.report.measure.get_additional_data()


class SignOffLevel(models.TextChoices):
    """The three approvals a sign-off passes, in order."""

    UNIT_HEAD = "unit_head", _("责任单位负责人审核")
    OFFICE = "office", _("整改办审核")
    LEADER = "leader", _("牵头领导审批")


SIGNOFF_LEVELS = [SignOffLevel.UNIT_HEAD, SignOffLevel.OFFICE, SignOffLevel.LEADER]


class SignOffState(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("已销号")
    RETURNED = "returned", _("已退回")


class SignOffQuerySet(MeasurePartQuerySet):
    def access_condition(self, user, action: str) -> Q | None:
        if action != DECIDE:
            return super().access_condition(user, action)
        return self._decided_by(Access.of(user), user)

    def _decided_by(self, access: Access, user) -> Q | None:
        """The sign-off rule, in one place: a request waits at the level of the responsible unit's head
        (the head of that unit or one above it), then of the office of the inspected organisation, then
        of the measure's lead leader (without one, any leader of the inspected organisation)."""
        unit_heads = path_q("unit__path", access.paths([Role.UNIT_HEAD]))
        at_unit_head = (
            Q(level=SignOffLevel.UNIT_HEAD)
            & Exists(
                MeasureUnit.objects.filter(
                    unit_heads, measure=OuterRef("measure"), role=MeasureUnit.Role.RESPONSIBLE
                )
            )
            if unit_heads is not None
            else None
        )
        inspected = self.organisation_path_lookup
        offices = path_q(inspected, access.paths([Role.OFFICE]))
        at_office = Q(level=SignOffLevel.OFFICE) & offices if offices is not None else None
        leaders = path_q(inspected, access.paths([Role.LEADER]))
        led = Q(measure__lead_leader=user)
        if leaders is not None:
            led |= Q(measure__lead_leader__isnull=True) & leaders
        at_leader = Q(level=SignOffLevel.LEADER) & led
        return any_of(at_unit_head, at_office, at_leader)


class SignOff(models.Model):
    """A request to sign a measure off (销号), passing unit head → office → lead leader."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="signoffs"
    )
    requested_by = done_by(_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    note = models.TextField(_("申请说明"), blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=SignOffState.choices, default=SignOffState.PENDING
    )
    level = models.CharField(
        _("当前环节"), max_length=16, choices=SignOffLevel.choices, default=SignOffLevel.UNIT_HEAD, blank=True
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        verbose_name = _("销号申请")
        verbose_name_plural = _("销号申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            valid_choice("state", SignOffState, name="signoff_state_valid"),
            models.CheckConstraint(
                condition=Q(state=SignOffState.PENDING, closed_at__isnull=True)
                | (~Q(state=SignOffState.PENDING) & Q(closed_at__isnull=False)),
                name="signoff_closed_when_decided",
            ),
            # At most one request in progress per measure.
            models.UniqueConstraint(
                fields=["measure"], condition=Q(state="pending"), name="signoff_one_pending_per_measure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.get_state_display()}"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()


class SignOffDecision(models.Model):
    """One level's decision on a sign-off request, with the reason when it is returned."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("同意")
        RETURN = "return", _("退回")

    signoff = models.ForeignKey(
        SignOff, verbose_name=_("销号申请"), on_delete=models.CASCADE, related_name="decisions"
    )
    level = models.CharField(_("环节"), max_length=16, choices=SignOffLevel.choices)
    decision = models.CharField(_("意见"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("说明"), blank=True)
    actor = done_by(_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("销号审批")
        verbose_name_plural = _("销号审批")
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["signoff", "level"], name="signoff_decision_once_per_level"),
            models.CheckConstraint(
                condition=~Q(decision="return") | ~Q(comment=""), name="signoff_return_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.get_decision_display()}"

    def get_additional_data(self) -> dict:
        return self.signoff.measure.get_additional_data()


class FollowUpOutcome(models.TextChoices):
    PENDING = "pending", _("待检查")
    STABLE = "stable", _("巩固")
    RELAPSE = "relapse", _("反弹")


class FollowUp(models.Model):
    """A follow-up check (回头看) on a signed-off measure: stable, or relapse, which reopens it."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="followups"
    )
    due_on = models.DateField(_("计划检查日期"))
    scheduled_by = done_by(_("安排人"))
    outcome = models.CharField(
        _("检查结果"), max_length=16, choices=FollowUpOutcome.choices, default=FollowUpOutcome.PENDING
    )
    note = models.TextField(_("检查情况"), blank=True)
    checked_by = done_by(_("检查人"), optional=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    objects = MeasurePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        ordering = ["due_on", "id"]
        constraints = [
            valid_choice("outcome", FollowUpOutcome, name="followup_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(outcome="relapse") | ~Q(note=""), name="followup_relapse_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(checked_by__isnull=False, checked_at__isnull=False),
                name="followup_checked_has_checker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} · {self.due_on} · {self.get_outcome_display()}"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()


class IndicatorDirection(models.TextChoices):
    INCREASE = "increase", _("越高越好")
    DECREASE = "decrease", _("越低越好")


class Indicator(models.Model):
    """A number a measure is judged by (e.g. 行政处罚案件线上办理率), with its baseline and target."""

    Direction = IndicatorDirection  # declared outside the class, where Meta's constraint can name it

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("指标名称"), max_length=128)
    unit = models.CharField(_("计量单位"), max_length=32, blank=True, help_text=_("如：%、件、天"))
    baseline = models.DecimalField(_("基线值"), max_digits=14, decimal_places=4)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    direction = models.CharField(
        _("方向"), max_length=16, choices=Direction.choices, default=Direction.INCREASE
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MeasurePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["measure", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "name"], name="indicator_unique_name"),
            valid_choice("direction", IndicatorDirection, name="indicator_direction_valid"),
            models.CheckConstraint(
                condition=Q(direction="increase", target__gte=F("baseline"))
                | Q(direction="decrease", target__lte=F("baseline")),
                name="indicator_target_in_direction",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()

    def meets_target(self, value) -> bool:
        return value >= self.target if self.direction == self.Direction.INCREASE else value <= self.target


class Observation(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="observations"
    )
    observed_on = models.DateField(_("观测日期"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    recorded_by = done_by(_("填报人"))
    recorded_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标观测值")
        verbose_name_plural = _("指标观测值")
        ordering = ["indicator", "observed_on"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "observed_on"], name="observation_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.observed_on}: {self.value}"

    def get_additional_data(self) -> dict:
        return self.indicator.measure.get_additional_data()


class MilestoneState(models.TextChoices):
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


class Milestone(models.Model):
    """A time node (时间节点) inside a measure: by `due_on`, `deliverable` is to be delivered. Ordered by
    date (节点 1, 2, … as the dates come), none after the measure's deadline. It is done only with
    evidence: marked done by the responsible unit or the office, pointing to a progress report of the
    measure that carries evidence files (佐证材料). Warnings follow the next open one
    (supervision.deadlines)."""

    State = MilestoneState

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="milestones"
    )
    due_on = models.DateField(_("节点日期"))
    deliverable = models.CharField(_("节点任务"), max_length=200, help_text=_("到期时应完成、应交付的内容"))
    state = models.CharField(_("完成情况"), max_length=8, choices=MilestoneState.choices, default="open")
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("佐证的整改进展"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    done_by = done_by(_("标记完成人"), optional=True)
    done_at = models.DateTimeField(_("标记完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MeasurePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["measure", "due_on", "id"]
        constraints = [
            valid_choice("state", MilestoneState, name="milestone_state_valid"),
            models.CheckConstraint(condition=~Q(deliverable=""), name="milestone_has_deliverable"),
            models.UniqueConstraint(fields=["measure", "deliverable"], name="milestone_unique_deliverable"),
            # Done only with evidence: a report, who marked it and when; open with none of them.
            models.CheckConstraint(
                condition=Q(
                    state=MilestoneState.DONE,
                    report__isnull=False,
                    done_by__isnull=False,
                    done_at__isnull=False,
                )
                | Q(
                    state=MilestoneState.OPEN, report__isnull=True, done_by__isnull=True, done_at__isnull=True
                ),
                name="milestone_done_with_evidence",
            ),
        ]
        indexes = [models.Index(fields=["measure", "state", "due_on"], name="milestone_next_open")]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d} {self.deliverable}"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()
