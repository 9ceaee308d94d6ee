"""Public feedback and enterprise demands (事事有回音), QR codes that lead to the form, public
consultations on rules (公开征求意见), and batches of hotline (12345) work orders.

Senders' contacts are encrypted at rest (rectify.encrypted); every item ends with a reply or a
recorded reason, never silently.
"""

from datetime import date

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rectify.encrypted import EncryptedTextField
from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.org.access import VIEW, Access, any_of, path_q
from rectify.org.models import Organisation
from rectify.org.querysets import RestrictedQuerySet

from .choices import Channel

# Consultations on rules are models of this app too: importing them here registers them with Django.
from .consultations.models import Consultation, ConsultationComment  # noqa: F401
from .hotline.models import HotlineBatch
from .qr.models import QrCode


class FeedbackKind(models.TextChoices):
    OPINION = "opinion", _("意见建议")
    DEMAND = "demand", _("企业诉求")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("待分办")
    ROUTED = "routed", _("办理中")
    REPLY_PENDING = "reply_pending", _("答复待审核")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class CloseReason(models.TextChoices):
    REPLIED = "replied", _("已答复")
    DUPLICATE = "duplicate", _("重复反映")
    OUT_OF_SCOPE = "out_of_scope", _("不属于受理范围")
    UNANSWERABLE = "unanswerable", _("匿名且无法答复")


# Statuses in which an item still waits for somebody here (its deadline runs).
OPEN_STATUSES = (FeedbackStatus.RECEIVED, FeedbackStatus.ROUTED, FeedbackStatus.REPLY_PENDING)


def reply_overdue_q(today: date) -> Q:
    """A reply overdue (超期未答复), the one definition: still open and past its reply date on the day
    asked. The list's filter and row marks, the statistics and the dashboard count with it."""
    return Q(status__in=OPEN_STATUSES, due_date__lt=today)


class FeedbackItemQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "organisation__path"

    def access_condition(self, user, action: str) -> Q | None:
        """The office, leaders and supervisors of the receiving organisation (or one above it) see
        all of its items; a unit's head and liaisons see the items routed to their unit or one under it."""
        return any_of(
            super().access_condition(user, action),
            path_q("unit__path", Access.of(user).unit_paths) if action == VIEW else None,
        )


class FeedbackItem(models.Model):
    """One opinion or enterprise demand, from whatever channel, followed until it has an answer.

    `code` is the tracking code shown to the sender: random, not guessable, the only key the public
    side accepts. `version` grows with every change a person makes (optimistic locking).
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("受理组织"), on_delete=models.PROTECT, related_name="feedback_items"
    )
    code = models.CharField(_("查询码"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("类别"), max_length=16, choices=FeedbackKind.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    content = models.TextField(_("内容"))
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("涉及巡察"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("关联问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("关联措施"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    qr = models.ForeignKey(
        QrCode,
        verbose_name=_("来源二维码"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback_items",
    )
    # The sender: contacts encrypted at rest, shown in full only to the office, each view audited.
    sender_name = EncryptedTextField(_("姓名"), blank=True)
    sender_phone = EncryptedTextField(_("电话"), blank=True)
    sender_email = EncryptedTextField(_("电子邮箱"), blank=True)
    enterprise = models.CharField(_("企业名称"), max_length=255, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    association = models.CharField(_("转达的行业协会"), max_length=255, blank=True)
    consent_to_contact = models.BooleanField(_("同意联系"), default=False)
    external_ref = models.CharField(
        _("外部编号"), max_length=64, blank=True, help_text=_("12345 热线工单号、来信编号等")
    )
    hotline_batch = models.ForeignKey(
        HotlineBatch,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )

    status = models.CharField(
        _("状态"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED
    )
    unit = models.ForeignKey(
        Organisation,
        verbose_name=_("承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_feedback",
    )
    routed_by = done_by(_("分办人"), optional=True, on_delete=models.SET_NULL)
    routed_at = models.DateTimeField(_("分办时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("收到时间"))
    due_date = models.DateField(_("答复期限"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.CharField(_("办结方式"), max_length=16, choices=CloseReason.choices, blank=True)
    close_note = models.TextField(_("办结说明"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = done_by(_("办结人"), optional=True, on_delete=models.SET_NULL)
    created_by = done_by(
        _("登记人"),
        optional=True,
        on_delete=models.SET_NULL,
        help_text=_("工作人员登记的来电、来信等；网上留言为空"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = FeedbackItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("意见诉求")
        verbose_name_plural = _("意见诉求")
        ordering = ["-received_at", "-id"]
        constraints = [
            valid_choice("kind", FeedbackKind, name="feedback_kind_valid"),
            valid_choice("channel", Channel, name="feedback_channel_valid"),
            valid_choice("status", FeedbackStatus, name="feedback_status_valid"),
            valid_choice("close_reason", CloseReason, name="feedback_close_reason_valid", blank=True),
            # Finished means finished for a stated reason; open means no reason yet.
            models.CheckConstraint(
                condition=(
                    Q(status__in=["replied", "closed"], closed_at__isnull=False)
                    & ~Q(close_reason="")
                    & (
                        Q(status="replied", close_reason="replied")
                        | Q(status="closed") & ~Q(close_reason="replied")
                    )
                )
                | Q(
                    status__in=["received", "routed", "reply_pending"],
                    closed_at__isnull=True,
                    close_reason="",
                ),
                name="feedback_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="received") | Q(unit__isnull=False) | Q(status="closed"),
                name="feedback_routed_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(close_reason="duplicate") | Q(duplicate_of__isnull=False),
                name="feedback_duplicate_names_original",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=F("pk")), name="feedback_not_duplicate_of_self"),
            models.CheckConstraint(condition=Q(version__gte=1), name="feedback_version_positive"),
            models.UniqueConstraint(
                fields=["organisation", "channel", "external_ref"],
                condition=~Q(external_ref=""),
                name="feedback_unique_external_ref",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"], name="feedback_org_status_due"),
            models.Index(fields=["unit", "status"], name="feedback_unit_status"),
            models.Index(fields=["status", "due_date"], name="feedback_status_due"),
            # The staff list's order: its first page is read from here, however many items exist.
            models.Index(fields=["-received_at", "-id"], name="feedback_received"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.content[:30]}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path, "feedback_id": self.pk}


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核发布")
    RETURNED = "returned", _("已退回")


class FeedbackReply(models.Model):
    """A reply the unit drafts and the office approves; a returned draft is answered by a new one.
    Only an approved reply is ever shown to the sender."""

    Status = ReplyStatus  # declared outside the class, where Meta's constraint can name it

    item = models.ForeignKey(
        FeedbackItem, verbose_name=_("意见诉求"), on_delete=models.CASCADE, related_name="replies"
    )
    text = models.TextField(_("答复内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    drafted_by = done_by(_("拟稿人"))
    drafted_at = models.DateTimeField(_("拟稿时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = done_by(_("审核人"), optional=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    emailed_at = models.DateTimeField(_("邮件告知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["item", "drafted_at", "id"]
        constraints = [
            valid_choice("status", ReplyStatus, name="feedback_reply_status_valid"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="approved"), name="feedback_one_approved_reply"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["draft", "submitted"]),
                name="feedback_one_reply_in_progress",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="feedback_reply_returned_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} 答复"

    def get_additional_data(self) -> dict:
        return {"org_path": self.item.organisation.path, "feedback_id": self.item_id}


class FeedbackTallyQuerySet(RestrictedQuerySet):
    """Summary rows are seen as the items they count are by the receiving organisation's rule."""

    organisation_path_lookup = "organisation__path"


class FeedbackTally(models.Model):
    """Summary rows (汇总) of the items an organisation received, per status, channel and kind: how
    many, how many were overdue on `counted_on`, how many were replied to on time, and the working days
    their replies took (replied items only, summed). Kept by feedback.tallies.refresh, which the
    services that register or change an item call in their transaction, the daily tick for the new day
    and a change of the working-day calendar; read only when counted today (other organisations' items
    are counted directly). The statistics and the dashboard sum them instead of reading every item."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("受理组织"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16)
    channel = models.CharField(_("渠道"), max_length=16)
    kind = models.CharField(_("类别"), max_length=16)
    items = models.PositiveIntegerField(_("件数"))
    overdue = models.PositiveIntegerField(_("超期未答复件数"))
    replied_on_time = models.PositiveIntegerField(_("按期答复件数"))
    reply_workdays = models.PositiveIntegerField(_("答复用时（工作日合计）"))
    counted_on = models.DateField(_("统计日期"))

    objects = FeedbackTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("意见诉求汇总")
        verbose_name_plural = _("意见诉求汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "status", "channel", "kind"], name="feedback_tally_unique"
            ),
            models.CheckConstraint(
                condition=Q(overdue__lte=F("items")), name="feedback_tally_overdue_within"
            ),
            models.CheckConstraint(
                condition=Q(replied_on_time__lte=F("items")), name="feedback_tally_on_time_within"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} · {self.status} · {self.channel} · {self.kind} · {self.items}"


class FeedbackGroupTally(models.Model):
    """How many of an organisation's items went to one group (a unit, a QR code), counted with its
    FeedbackTally rows and read exactly when those are."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("受理组织"), on_delete=models.CASCADE, related_name="+"
    )
    items = models.PositiveIntegerField(_("件数"))
    counted_on = models.DateField(_("统计日期"))

    objects = FeedbackTallyQuerySet.as_manager()

    KEY: str  # the group's field

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.organisation_id} · {getattr(self, self.KEY)} · {self.items}"


class FeedbackUnitTally(FeedbackGroupTally):
    unit = models.ForeignKey(
        Organisation, verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="+"
    )

    KEY = "unit_id"

    class Meta:
        verbose_name = _("意见诉求按承办单位汇总")
        verbose_name_plural = _("意见诉求按承办单位汇总")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "unit"], name="feedback_unit_tally_unique")
        ]


class FeedbackQrTally(FeedbackGroupTally):
    qr = models.ForeignKey(QrCode, verbose_name=_("来源二维码"), on_delete=models.CASCADE, related_name="+")

    KEY = "qr_id"

    class Meta:
        verbose_name = _("意见诉求按二维码汇总")
        verbose_name_plural = _("意见诉求按二维码汇总")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "qr"], name="feedback_qr_tally_unique")
        ]
