"""Supervision: warning policy and state, notifications, supervision orders (督办单), dispatch reports."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection, Measure
from rectify.ledger.querysets import MeasurePartQuerySet
from rectify.org.access import CHANGE, VIEW, Access, any_of, path_q
from rectify.org.models import Organisation, Role
from rectify.org.querysets import RestrictedQuerySet

USER = settings.AUTH_USER_MODEL
# Who issues supervision orders, and who builds and who reads dispatch reports, in the inspected
# organisation or above it.
ISSUER_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})
DISPATCH_BUILDER_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR})
DISPATCH_READER_ROLES = frozenset({Role.OFFICE, Role.SUPERVISOR, Role.LEADER})


class WarningLevel(models.IntegerChoices):
    """The three-colour ladder (三色预警), with the escalation above red. Ordered: higher is worse."""

    NONE = 0, _("正常")
    GREEN = 1, _("绿色预警")
    YELLOW = 2, _("黄色预警")
    RED = 3, _("红色预警")
    ESCALATED = 4, _("红色预警（已升级）")


class WarningPolicy(models.Model):
    """An organisation's thresholds; organisations without one use the defaults below."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="warning_policy"
    )
    green_days = models.PositiveSmallIntegerField(_("绿色预警：到期前天数"), default=20)
    yellow_days = models.PositiveSmallIntegerField(_("黄色预警：到期前天数"), default=10)
    escalate_days = models.PositiveSmallIntegerField(_("超期多少天升级至纪检监察"), default=15)
    signoff_stuck_days = models.PositiveSmallIntegerField(_("销号审批滞留提醒天数"), default=7)
    order_escalate_days = models.PositiveSmallIntegerField(_("督办单逾期多少天升级"), default=3)
    feedback_reply_workdays = models.PositiveSmallIntegerField(_("意见诉求答复期限（工作日）"), default=15)
    party_head = models.ForeignKey(
        USER,
        verbose_name=_("党组（党委）书记"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("红色预警同时提醒此人"),
    )
    extension_needs_leader = models.BooleanField(
        _("延期须经牵头领导审批"),
        default=False,
        help_text=_("整改办同意的延期申请再报该措施的牵头领导审批，同意后整改时限才调整"),
    )

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(green_days__gt=F("yellow_days")), name="policy_green_before_yellow"
            ),
            models.CheckConstraint(condition=Q(yellow_days__gte=1), name="policy_yellow_positive"),
            models.CheckConstraint(condition=Q(escalate_days__gte=1), name="policy_escalate_positive"),
            models.CheckConstraint(
                condition=Q(feedback_reply_workdays__gte=1), name="policy_feedback_workdays_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} 预警规则"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}


class WorkCalendarDay(models.Model):
    """A day that breaks the weekday rule: a public holiday on a weekday, or a weekend working day
    (调休). Deadlines counted in working days (feedback replies) count with these.

    `rectify load-holidays` fills the rows from the holidays library (source LIBRARY) and keeps them in
    step with it; a row the administrator entered or corrected by hand (source MANUAL) it never touches."""

    class Source(models.TextChoices):
        LIBRARY = "library", _("国务院节假日安排（自动载入）")
        MANUAL = "manual", _("人工录入或修正")

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=64, blank=True, help_text=_("如：国庆节、国庆调休上班"))
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.note}"


class MeasureAlert(models.Model):
    """The warning level already announced for a measure's current due date (its next open time node's,
    else its deadline: `deadline` holds that date). The tick locks the row, moves it up and notifies in
    one transaction, so processes running at once never warn twice; a new due date starts the ladder
    again."""

    measure = models.OneToOneField(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="alert"
    )
    deadline = models.DateField(_("对应整改时限"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(
        _("已发预警"), choices=WarningLevel.choices, default=WarningLevel.NONE
    )
    changed_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警状态")
        verbose_name_plural = _("预警状态")

    def __str__(self) -> str:
        return f"{self.measure} · {self.get_level_display()}"


class NotificationQuerySet(RestrictedQuerySet):
    def access_condition(self, user, action: str) -> Q | None:
        return Q(recipient=user)  # one's own notifications, and only those


class Notification(models.Model):
    """One thing one person should know. `fact_key` names the fact (e.g. a yellow warning for a
    measure's deadline); the pair (recipient, fact_key) is unique, so a fact is told once."""

    recipient = models.ForeignKey(
        USER, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=32)
    fact_key = models.CharField(_("事由标识"), max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    digested_on = models.DateField(_("汇总推送日期"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The fact first: notify_all asks which of a batch's facts were told to whom, and a
            # recipient-first index made PostgreSQL read every notification for it (67 ms a batch of a
            # province's tick, 38 s in all); each recipient's own lists use the indexes below.
            models.UniqueConstraint(fields=["fact_key", "recipient"], name="notification_once_per_fact")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["digested_on"], name="notification_digest"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How a person wants the daily digest: e-mail, and optionally a 企业微信 or 钉钉 group robot."""

    user = models.OneToOneField(
        USER, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("邮件"), default=True)
    wecom_webhook = models.URLField(_("企业微信群机器人地址"), max_length=300, blank=True)
    dingtalk_webhook = models.URLField(_("钉钉群机器人地址"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")

    def __str__(self) -> str:
        return f"{self.user} 通知方式"


class DigestLog(models.Model):
    """A person's digest for a day: created before sending, so a second run finds it and stops."""

    user = models.ForeignKey(USER, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    items = models.PositiveIntegerField(_("条数"), default=0)
    channels = models.CharField(_("渠道"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class OrderState(models.TextChoices):
    ISSUED = "issued", _("待答复")
    ANSWERED = "answered", _("已答复")


class SupervisionOrderQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "issuer__path"
    roles_by_action = {VIEW: ISSUER_ROLES}

    def access_condition(self, user, action: str) -> Q | None:
        """The unit's people see the orders to their unit (and units under it); the office and the
        supervisors see the orders their organisation (or one under it) issued and the orders to
        units under them; and anyone sees the orders they signed."""
        access = Access.of(user)
        issuers = access.paths(self.roles_for(action))
        return any_of(
            path_q("issuer__path", issuers),
            path_q("unit__path", issuers),
            path_q("unit__path", access.unit_paths),
            Q(issued_by=user),
        )


class SupervisionOrder(models.Model):
    """督办单: an order to a unit about measures, numbered like 督办〔2025〕3号 per issuer and year."""

    issuer = models.ForeignKey(
        Organisation, verbose_name=_("督办机关"), on_delete=models.PROTECT, related_name="issued_orders"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("督办单编号"), max_length=64)
    issued_by = done_by(_("签发人"))
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    unit = models.ForeignKey(
        Organisation, verbose_name=_("被督办单位"), on_delete=models.PROTECT, related_name="orders"
    )
    measures = models.ManyToManyField(Measure, verbose_name=_("督办事项"), related_name="supervision_orders")
    reason = models.TextField(_("督办事由"))
    demanded_action = models.TextField(_("督办要求"))
    answer_due = models.DateField(_("答复期限"))
    state = models.CharField(_("状态"), max_length=16, choices=OrderState.choices, default=OrderState.ISSUED)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_by = done_by(_("答复人"), optional=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期升级时间"), null=True, blank=True)

    objects = SupervisionOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "serial"], name="order_unique_serial"),
            valid_choice("state", OrderState, name="order_state_valid"),
            models.CheckConstraint(
                condition=Q(state="issued") | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="order_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_additional_data(self) -> dict:
        return {"org_path": self.unit.path}


class DispatchReportQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "inspection__inspected__path"
    roles_by_action = {VIEW: DISPATCH_READER_ROLES, CHANGE: DISPATCH_BUILDER_ROLES}


class DispatchReport(models.Model):
    """A dispatch (调度) snapshot for a date range: the figures as they were, kept so the next
    dispatch can say what changed since."""

    # The first (or only) inspection the dispatch covers: access is decided through its organisation,
    # which every covered inspection shares, and a single-inspection dispatch needs nothing more.
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="dispatches"
    )
    # Every inspection it covers, `inspection` included: several when an office dispatches the
    # rectification of two inspections together (合并调度).
    inspections = models.ManyToManyField(
        Inspection, verbose_name=_("涵盖的巡察"), related_name="covering_dispatches"
    )
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    created_by = done_by(_("生成人"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    data = models.JSONField(_("调度数据"))

    objects = DispatchReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("调度报告")
        verbose_name_plural = _("调度报告")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="dispatch_range_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.inspection} 调度 {self.start}—{self.end}"

    def get_additional_data(self) -> dict:
        return self.inspection.get_additional_data()


class CalendarToken(models.Model):
    """A private iCalendar feed address; replacing the token revokes the old address."""

    user = models.OneToOneField(
        USER, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="calendar_token"
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return f"{self.user} 日历订阅"


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    LEADER_PENDING = "leader_pending", _("待牵头领导审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")


class DeadlineExtension(models.Model):
    """延期申请: the only way a measure's deadline, once set, moves. The responsible unit or the office
    asks with a reason; the office decides; where the organisation's policy says so
    (WarningPolicy.extension_needs_leader) the office's approval passes it on to the measure's lead
    leader, who decides last (the office's part kept in office_*). Approval moves the deadline
    (ledger.services.move_deadline), and the warnings, computed from the deadline, follow it. At most one
    request waits per measure."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="extensions"
    )
    old_deadline = models.DateField(_("原整改时限"))
    new_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    requested_by = done_by(_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = done_by(_("审批人"), optional=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("审批意见"), blank=True)
    office_by = done_by(_("整改办审核人"), optional=True)
    office_at = models.DateTimeField(_("整改办审核时间"), null=True, blank=True)
    office_comment = models.TextField(_("整改办审核意见"), blank=True)

    objects = MeasurePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            valid_choice("state", ExtensionState, name="extension_state_valid"),
            models.CheckConstraint(
                condition=Q(new_deadline__gt=F("old_deadline")), name="extension_moves_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="extension_has_reason"),
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(state__in=["pending", "leader_pending"]),
                name="extension_one_waiting_per_measure",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "leader_pending"]) | Q(decided_at__isnull=False),
                name="extension_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="leader_pending") | Q(office_at__isnull=False),
                name="extension_leader_stage_after_office",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} 延期至 {self.new_deadline.isoformat()}"

    def get_additional_data(self) -> dict:
        return self.measure.get_additional_data()


class InspectionTally(models.Model):
    """Summary rows (汇总): how many of an inspection's measures are in each status, and how many of
    them were overdue and carried a warning on `counted_on`. Kept by supervision.tallies.refresh, which
    the services that change a measure's status, deadline, time nodes or warning policy call in their
    transaction (through ledger.extensions.measures_changed), and the daily tick for the new day. The
    navigation's 预警 badge sums them instead of computing every visible measure's warning light on
    every page; a tally of another day is never used (those inspections are counted directly)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="tallies"
    )
    status = models.CharField(_("状态"), max_length=20)
    measures = models.PositiveIntegerField(_("措施数"))
    overdue = models.PositiveIntegerField(_("超期数"))
    warned = models.PositiveIntegerField(_("预警数"))
    # The warned measures by level (WarningLevel.GREEN … ESCALATED): the dashboard's 预警 panel.
    green = models.PositiveIntegerField(_("绿色预警数"), default=0)
    yellow = models.PositiveIntegerField(_("黄色预警数"), default=0)
    red = models.PositiveIntegerField(_("红色预警数"), default=0)
    escalated = models.PositiveIntegerField(_("已升级预警数"), default=0)
    counted_on = models.DateField(_("统计日期"))

    class Meta:
        verbose_name = _("巡察措施汇总")
        verbose_name_plural = _("巡察措施汇总")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "status"], name="tally_unique_status"),
            models.CheckConstraint(condition=Q(overdue__lte=F("measures")), name="tally_overdue_within"),
            models.CheckConstraint(condition=Q(warned__lte=F("measures")), name="tally_warned_within"),
            models.CheckConstraint(
                condition=Q(warned=F("green") + F("yellow") + F("red") + F("escalated")),
                name="tally_warned_by_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.status} · {self.measures}"


class GroupTally(models.Model):
    """Summary rows of an inspection's measures in one grouping (a responsible unit, a lead leader, a
    category), per status: how many, and how many were overdue on `counted_on`. Counted with the
    inspection's rows (InspectionTally) by the same refresh and read only for the inspections whose
    rows are of the day, so they are exactly as fresh. The dashboard across inspections sums them
    instead of grouping every measure."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20)
    measures = models.PositiveIntegerField(_("措施数"))
    overdue = models.PositiveIntegerField(_("超期数"))
    counted_on = models.DateField(_("统计日期"))

    KEY: str  # the grouping's field

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.inspection_id} · {getattr(self, self.KEY)} · {self.status} · {self.measures}"


def _group_constraints(prefix: str, key: str, *, nullable: bool = True) -> list:
    """One row per inspection, group and status, also for the empty group (no unit, no leader)."""
    unique = [
        models.UniqueConstraint(
            fields=["inspection", key, "status"],
            condition=Q(**{f"{key}__isnull": False}) if nullable else None,
            name=f"{prefix}_unique_group",
        )
    ]
    if nullable:
        unique.append(
            models.UniqueConstraint(
                fields=["inspection", "status"],
                condition=Q(**{f"{key}__isnull": True}),
                name=f"{prefix}_unique_without",
            )
        )
    return [
        *unique,
        models.CheckConstraint(condition=Q(overdue__lte=F("measures")), name=f"{prefix}_overdue_within"),
    ]


class UnitTally(GroupTally):
    """Per responsible unit (a measure with two responsible units counts for each); no unit: the
    measures without a responsible unit. The units' rows are deleted with the unit: a unit that still
    has measures cannot be deleted (MeasureUnit protects it)."""

    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("责任单位"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    KEY = "unit_id"

    class Meta:
        verbose_name = _("巡察措施按责任单位汇总")
        verbose_name_plural = _("巡察措施按责任单位汇总")
        constraints = _group_constraints("unit_tally", "unit")


class LeaderTally(GroupTally):
    """Per lead leader (牵头领导); no leader: the measures without one."""

    leader = models.ForeignKey(
        USER, verbose_name=_("牵头领导"), null=True, on_delete=models.CASCADE, related_name="+"
    )

    KEY = "leader_id"

    class Meta:
        verbose_name = _("巡察措施按牵头领导汇总")
        verbose_name_plural = _("巡察措施按牵头领导汇总")
        constraints = _group_constraints("leader_tally", "leader")


class CategoryTally(GroupTally):
    """Per category (立行立改, 限期整改, 长期坚持)."""

    category = models.CharField(_("整改类型"), max_length=16)

    KEY = "category"

    class Meta:
        verbose_name = _("巡察措施按整改类型汇总")
        verbose_name_plural = _("巡察措施按整改类型汇总")
        constraints = _group_constraints("category_tally", "category", nullable=False)


class ProblemTally(models.Model):
    """How many problems an inspection has and how many are rectified (every measure completed),
    counted with its measures' rows and read exactly when those are."""

    inspection = models.OneToOneField(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="+"
    )
    problems = models.PositiveIntegerField(_("问题数"))
    rectified = models.PositiveIntegerField(_("已整改问题数"))
    counted_on = models.DateField(_("统计日期"))

    class Meta:
        verbose_name = _("巡察问题汇总")
        verbose_name_plural = _("巡察问题汇总")
        constraints = [
            models.CheckConstraint(
                condition=Q(rectified__lte=F("problems")), name="problem_tally_rectified_within"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} · {self.rectified}/{self.problems}"


class ReportTally(models.Model):
    """Summary rows of an inspection's progress reports per calendar month (in the current time zone):
    how many were submitted, and how many were accepted, by the month of their review. Counted with
    the measures' rows (InspectionTally) by the same refresh and read only for the inspections whose
    measures' rows are of the day, so they are exactly as fresh. The dashboard's timeline sums them
    instead of reading every report."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="report_tallies"
    )
    month = models.DateField(_("月份"))  # its first day
    submitted = models.PositiveIntegerField(_("报送数"))
    accepted = models.PositiveIntegerField(_("采纳数"))
    counted_on = models.DateField(_("统计日期"))

    class Meta:
        verbose_name = _("巡察进展月度汇总")
        verbose_name_plural = _("巡察进展月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "month"], name="report_tally_unique_month"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.month:%Y-%m} · {self.submitted}/{self.accepted}"
