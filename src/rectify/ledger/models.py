"""The rectification ledger: inspections, their areas, problems and measures, and mechanisms."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.org.models import Organisation

from .choices import (
    DEFAULT_LEDGER_COLUMNS,
    InspectionKind,
    InspectionScope,
    LedgerColumn,
    MeasureCategory,
    MeasureStatus,
    MechanismKind,
    MechanismStatus,
    ReportPeriod,
    UnitRole,
)
from .querysets import (
    AreaQuerySet,
    InspectionQuerySet,
    MeasureQuerySet,
    MechanismQuerySet,
    ProblemQuerySet,
)


class Inspection(models.Model):
    """One inspection (巡视/巡察/审计) of one organisation, and the rectification that follows it."""

    title = models.CharField(_("名称"), max_length=255)
    kind = models.CharField(
        _("类型"), max_length=16, choices=InspectionKind.choices, default=InspectionKind.PATROL
    )
    inspecting_body = models.CharField(
        _("巡察组"), max_length=128, blank=True, help_text=_("如：市委第七巡察组")
    )
    inspected = models.ForeignKey(
        Organisation, verbose_name=_("被巡察组织"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspected_name = models.CharField(
        _("被巡察党组织（原文）"), max_length=128, blank=True, help_text=_("如：市交通运输局党组")
    )
    theme = models.CharField(_("巡察主题"), max_length=255, blank=True)
    round_name = models.CharField(
        _("巡察轮次"), max_length=128, blank=True, help_text=_("如：十二届市委第六轮")
    )
    scope = models.CharField(
        _("巡察类别"), max_length=16, choices=InspectionScope.choices, default=InspectionScope.ROUTINE
    )
    onsite_start = models.DateField(_("进驻开始日期"), null=True, blank=True)
    onsite_end = models.DateField(_("进驻结束日期"), null=True, blank=True)
    feedback_date = models.DateField(_("反馈日期"), null=True, blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    report_period = models.CharField(
        _("进展报送周期"), max_length=16, choices=ReportPeriod.choices, default=ReportPeriod.MONTHLY
    )
    # What the imported notice said, kept for the record and for generating the next notice.
    notice_title = models.CharField(_("通报标题"), max_length=255, blank=True)
    notice_issuer = models.CharField(_("发文机关"), max_length=128, blank=True)
    notice_date = models.DateField(_("成文日期"), null=True, blank=True)
    opening = models.TextField(_("开篇段落"), blank=True)
    sections = models.JSONField(_("叙述部分"), default=list, blank=True)
    contact = models.JSONField(_("联系方式"), default=dict, blank=True)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    source_text = models.TextField(_("来源全文"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = done_by(_("创建人"), optional=True, on_delete=models.SET_NULL)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡察")
        verbose_name_plural = _("巡察")
        ordering = ["-feedback_date", "-id"]
        constraints = [
            valid_choice("kind", InspectionKind, name="inspection_kind_valid"),
            valid_choice("scope", InspectionScope, name="inspection_scope_valid"),
            valid_choice("report_period", ReportPeriod, name="inspection_report_period_valid"),
            models.CheckConstraint(
                condition=Q(onsite_start__isnull=True)
                | Q(onsite_end__isnull=True)
                | Q(onsite_end__gte=F("onsite_start")),
                name="inspection_onsite_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(onsite_end__isnull=True)
                | Q(feedback_date__isnull=True)
                | Q(feedback_date__gte=F("onsite_end")),
                name="inspection_feedback_after_onsite",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def short_name(self) -> str:
        """How a list or title naming several inspections tells them apart: 十二届市委第六轮巡察 (the
        round and the kind), or the title when no round is recorded."""
        if not self.round_name:
            return self.title
        kind = str(self.get_kind_display())
        return self.round_name if self.round_name.endswith(kind) else f"{self.round_name}{kind}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.inspected.path}


class Area(models.Model):
    """An area (方面) grouping problems. Notices without areas get one area with an empty title."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="areas"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("名称"), max_length=255, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题方面")
        verbose_name_plural = _("问题方面")
        ordering = ["inspection", "order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "order"], name="area_unique_order"),
            models.CheckConstraint(condition=Q(order__gte=1), name="area_order_positive"),
        ]

    def __str__(self) -> str:
        return self.title or str(_("（未分方面）"))

    def get_additional_data(self) -> dict:
        return self.inspection.get_additional_data()


class Problem(models.Model):
    """A numbered problem the inspection found. `inspection` repeats the area's, so numbers are unique
    per inspection in the database and lists filter without a join."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="problems"
    )
    area = models.ForeignKey(Area, verbose_name=_("方面"), on_delete=models.CASCADE, related_name="problems")
    number = models.PositiveIntegerField(_("编号"))
    title = models.CharField(_("问题"), max_length=255)
    description = models.TextField(_("问题表现"), blank=True)
    source_text = models.TextField(_("原文"), blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题清单")
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="problem_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="problem_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_additional_data(self) -> dict:
        return self.inspection.get_additional_data()


class Measure(models.Model):
    """A rectification measure (整改措施): one line of the task and responsibility lists.

    `version` grows by one with every saved edit; an edit names the version it started from and is
    refused if the measure has moved on (optimistic locking, see ledger.services).
    """

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="measures"
    )
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("整改措施"))
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_measures",
    )
    # The one unit that answers for the measure (主责单位). Never empty (a measure without it drops out
    # of every unit's 我的整改); it is always also among the responsible `units` (ledger.services keeps
    # both together). A notice that names no unit gives the inspected organisation itself.
    responsible_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("主责单位"),
        on_delete=models.PROTECT,
        related_name="measures_in_charge",
    )
    units = models.ManyToManyField(
        Organisation, verbose_name=_("责任单位"), through="MeasureUnit", related_name="measures", blank=True
    )
    # Units are of the inspected organisation's own tree (org.models.units_within); a body outside it
    # that takes part (a district government) is named here and gets no access to anything.
    outside_units = models.CharField(
        _("系统外承办单位"),
        max_length=255,
        blank=True,
        help_text=_("不属于本单位的承办单位（如某区人民政府），只记名称，不开通查看权限"),
    )
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    category = models.CharField(
        _("整改类型"), max_length=16, choices=MeasureCategory.choices, default=MeasureCategory.DEADLINE
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    reopen_reason = models.TextField(
        _("反弹原因"), blank=True, help_text=_("回头看发现反弹时记录，措施重新整改")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("任务清单")
        ordering = ["problem__inspection", "problem__number", "order"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "order"], name="measure_unique_order"),
            models.CheckConstraint(condition=Q(order__gte=1), name="measure_order_positive"),
            models.CheckConstraint(condition=Q(version__gte=1), name="measure_version_positive"),
            valid_choice("category", MeasureCategory, name="measure_category_valid"),
            valid_choice("status", MeasureStatus, name="measure_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="measure_status_deadline"),
            models.Index(fields=["lead_leader", "status"], name="measure_leader_status"),
        ]

    def __str__(self) -> str:
        return f"{self.problem.number}.{self.order} {self.text[:30]}"

    def get_additional_data(self) -> dict:
        """Recorded with every audit entry about the measure or anything hanging from it, so the
        trail can be searched per organisation and per measure (see rectify.audit). The reason given for
        an edit (ledger.services.update_measure_assignment) goes with it, and the trail reads it."""
        data = {"org_path": self.problem.inspection.inspected.path, "measure_id": self.pk}
        if getattr(self, "change_reason", ""):
            data["reason"] = self.change_reason
        return data

    @property
    def responsible_units(self) -> list[Organisation]:
        """The responsible units, the 主责单位 first."""
        units = [link.unit for link in self.unit_links.all() if link.role == MeasureUnit.Role.RESPONSIBLE]
        return sorted(units, key=lambda unit: unit.pk != self.responsible_unit_id)

    @property
    def supporting_units(self) -> list[Organisation]:
        return [link.unit for link in self.unit_links.all() if link.role == MeasureUnit.Role.SUPPORTING]


class MeasureUnit(models.Model):
    """A unit's part in a measure: responsible (责任单位) or supporting (配合单位). One table for both
    lets "the measures of my unit" be one indexed lookup."""

    Role = UnitRole  # declared outside the class, where Meta's constraint can name it

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="unit_links"
    )
    unit = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="measure_links"
    )
    role = models.CharField(_("职责"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任清单")
        ordering = ["measure", "role", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "unit"], name="measure_unit_unique"),
            valid_choice("role", UnitRole, name="measure_unit_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.unit}"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()


class Mechanism(models.Model):
    """A long-term mechanism (长效机制): a rule made or revised to keep problems from coming back."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="mechanisms"
    )
    title = models.CharField(_("制度名称"), max_length=255, help_text=_("如：《广州市停车场条例》"))
    kind = models.CharField(
        _("类型"), max_length=16, choices=MechanismKind.choices, default=MechanismKind.MADE
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=MechanismStatus.choices, default=MechanismStatus.DRAFTING
    )
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("对应问题"), related_name="mechanisms", blank=True
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MechanismQuerySet.as_manager()

    class Meta:
        verbose_name = _("长效机制")
        verbose_name_plural = _("长效机制")
        ordering = ["inspection", "id"]
        constraints = [
            valid_choice("kind", MechanismKind, name="mechanism_kind_valid"),
            valid_choice("status", MechanismStatus, name="mechanism_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=MechanismStatus.ISSUED) | Q(issued_on__isnull=False),
                name="mechanism_issued_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.title}"

    def get_additional_data(self) -> dict:
        return self.inspection.get_additional_data()


class DeadlineChangeKind(models.TextChoices):
    EXTENSION = "extension", _("延期")
    RELAPSE = "relapse", _("反弹重启")


class DeadlineChange(models.Model):
    """A move of a measure's deadline once set: an approved extension request (supervision) or a relapse
    found at a follow-up (progress), which reopens the measure with a new deadline. The one history of
    deadlines every page and export reads (原时限 → 新时限, 理由); warnings follow the deadline itself."""

    Kind = DeadlineChangeKind

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="deadline_changes"
    )
    kind = models.CharField(_("调整方式"), max_length=16, choices=DeadlineChangeKind.choices)
    old_deadline = models.DateField(_("原整改时限"), null=True, blank=True)
    new_deadline = models.DateField(_("新整改时限"))
    reason = models.TextField(_("理由"))
    decided_by = done_by(_("决定人"))
    decided_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改时限调整")
        verbose_name_plural = _("整改时限调整")
        ordering = ["measure", "decided_at", "id"]
        constraints = [
            valid_choice("kind", DeadlineChangeKind, name="deadline_change_kind_valid"),
            models.CheckConstraint(condition=~Q(reason=""), name="deadline_change_has_reason"),
            models.CheckConstraint(
                condition=Q(old_deadline__isnull=True) | Q(new_deadline__gt=F("old_deadline")),
                name="deadline_change_moves_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} 整改时限调整至 {self.new_deadline.isoformat()}"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()

    @property
    def sentence(self) -> str:
        """How the Excel 台账 and the measure page say it: "经批准由2026-11-30延至2027-03-31"."""
        new = self.new_deadline.isoformat()
        if self.kind == DeadlineChangeKind.RELAPSE:
            since = f"由{self.old_deadline.isoformat()}" if self.old_deadline else ""
            return f"回头看发现反弹，整改时限{since}重新确定为{new}"
        return f"经批准由{self.old_deadline.isoformat()}延至{new}"


def default_ledger_columns() -> list[str]:
    return [str(column) for column in DEFAULT_LEDGER_COLUMNS]


class LedgerView(models.Model):
    """How a user likes the ledger (整改台账) shown: the standard or the compact view, and the compact
    view's columns. Kept on the server, so it follows the user from desk to desk; a user who never
    chose has no row and gets the defaults. A display preference, not ledger data: not audited."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="ledger_view"
    )
    compact = models.BooleanField(_("紧凑视图"), default=False)
    columns = models.JSONField(_("显示的列"), default=default_ledger_columns)

    class Meta:
        verbose_name = _("整改台账显示方式")
        verbose_name_plural = _("整改台账显示方式")

    def __str__(self) -> str:
        return f"{self.user} 的整改台账显示方式"

    @property
    def shown(self) -> set[str]:
        """The chosen columns that exist (a column dropped from the product is ignored)."""
        return set(self.columns) & set(LedgerColumn.values)
