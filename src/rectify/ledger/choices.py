"""The fixed vocabularies of the ledger (kinds, categories, statuses)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    TOUR = "tour", _("巡视")
    PATROL = "patrol", _("巡察")
    AUDIT = "audit", _("审计")


class InspectionScope(models.TextChoices):
    """常规 inspections cover the whole organisation; 专项 one field; 回头看 revisits an earlier one."""

    ROUTINE = "routine", _("常规")
    SPECIAL = "special", _("专项")
    FOLLOW_UP = "follow_up", _("回头看")


class MeasureCategory(models.TextChoices):
    IMMEDIATE = "immediate", _("立行立改")
    DEADLINE = "deadline", _("限期整改")
    LONG_TERM = "long_term", _("长期坚持")


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    SIGNOFF_REQUESTED = "signoff_requested", _("申请销号")
    SIGNED_OFF = "signed_off", _("已销号")
    ONGOING = "ongoing", _("长期坚持")
    REOPENED = "reopened", _("反弹重启")


# Statuses in which a passed deadline means the measure is overdue (超期).
OPEN_STATUSES = (MeasureStatus.NOT_STARTED, MeasureStatus.IN_PROGRESS, MeasureStatus.REOPENED)
# Statuses counted as completed (完成): signed off, or carried on as a long-term measure.
COMPLETED_STATUSES = (MeasureStatus.SIGNED_OFF, MeasureStatus.ONGOING)


class UnitRole(models.TextChoices):
    """A unit's part in a measure (MeasureUnit.role)."""

    RESPONSIBLE = "responsible", _("责任单位")
    SUPPORTING = "supporting", _("配合单位")


class MechanismKind(models.TextChoices):
    MADE = "made", _("制定")
    REVISED = "revised", _("修订")


class MechanismStatus(models.TextChoices):
    DRAFTING = "drafting", _("起草中")
    IN_REVIEW = "in_review", _("审议中")
    ISSUED = "issued", _("已印发")


class ReportPeriod(models.TextChoices):
    """How often units report progress, set by the office per inspection."""

    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")


class LedgerColumn(models.TextChoices):
    """The columns of the compact ledger (紧凑视图) a user may show or hide; the measure always shows,
    and its problem heads the group of its measures."""

    LEADER = "leader", _("牵头领导")
    RESPONSIBLE = "responsible", _("责任单位")
    SUPPORTING = "supporting", _("配合单位")
    DEADLINE = "deadline", _("整改时限")
    DAYS_OVERDUE = "days_overdue", _("超期天数")
    WARNING = "warning", _("预警")
    CATEGORY = "category", _("类型")
    STATUS = "status", _("状态")


# Shown until the user chooses: what a desk needs to follow up, without the wide unit lists.
DEFAULT_LEDGER_COLUMNS = (
    LedgerColumn.LEADER,
    LedgerColumn.RESPONSIBLE,
    LedgerColumn.DEADLINE,
    LedgerColumn.DAYS_OVERDUE,
    LedgerColumn.WARNING,
    LedgerColumn.STATUS,
)
