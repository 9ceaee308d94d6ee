"""Consultations on rules (征求意见) and their comments. The models belong to the feedback app (their
tables stay feedback_consultation and feedback_consultationcomment); feedback.models imports them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rectify.encrypted import EncryptedTextField
from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Mechanism
from rectify.org.models import Organisation
from rectify.org.querysets import RestrictedQuerySet

from ..choices import Channel


class ConsultationQuerySet(RestrictedQuerySet):
    """Seen by the office, leaders and supervisors of the organisation (or one above it)."""

    organisation_path_lookup = "organisation__path"


class ConsultationKind(models.TextChoices):
    ONLINE = "online", _("网上公开征求意见")
    MEETING = "meeting", _("征求意见座谈会")


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("征求中")
    CLOSED = "closed", _("已截止")
    PUBLISHED = "published", _("采纳情况已公布")


class Consultation(models.Model):
    """A rule being made or revised, put out for comment (公开征求意见) on the portal for a period, or a
    consultation meeting (征求意见座谈会) recorded the same way. After it closes the office records
    which comments were adopted and why not the others, and publishes that summary."""

    # Declared outside the class, where Meta's constraints can name them.
    Kind = ConsultationKind
    Status = ConsultationStatus

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="consultations"
    )
    mechanism = models.ForeignKey(
        Mechanism,
        verbose_name=_("制度机制"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    kind = models.CharField(_("方式"), max_length=16, choices=Kind.choices, default=Kind.ONLINE)
    title = models.CharField(_("标题"), max_length=255)
    draft_text = models.TextField(_("征求意见稿"))
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    meeting_place = models.CharField(_("座谈地点"), max_length=255, blank=True)
    participants = models.TextField(_("参加单位"), blank=True, help_text=_("座谈会的参加企业、行业协会等"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("采纳情况说明"), blank=True)
    summary_published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_by = done_by(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="consultation_dates_ordered"
            ),
            valid_choice("kind", ConsultationKind, name="consultation_kind_valid"),
            valid_choice("status", ConsultationStatus, name="consultation_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(summary_published_at__isnull=False) & ~Q(summary=""),
                name="consultation_published_with_summary",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}


class CommentDecision(models.TextChoices):
    PENDING = "pending", _("待研究")
    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class ConsultationComment(models.Model):
    """One comment on a consultation, and the office's decision on it."""

    Decision = CommentDecision  # declared outside the class, where Meta's constraint can name it

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.CASCADE, related_name="comments"
    )
    content = models.TextField(_("意见内容"))
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    sender_name = EncryptedTextField(_("姓名"), blank=True)
    sender_contact = EncryptedTextField(_("联系方式"), blank=True)
    enterprise = models.CharField(_("企业或协会"), max_length=255, blank=True)
    decision = models.CharField(
        _("采纳情况"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.TextField(_("理由"), blank=True, help_text=_("未采纳或部分采纳的理由"))
    decided_by = done_by(_("研究人"), optional=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(_("研究时间"), null=True, blank=True)
    created_by = done_by(_("登记人"), optional=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("征求意见反馈")
        verbose_name_plural = _("征求意见反馈")
        ordering = ["consultation", "created_at", "id"]
        constraints = [
            valid_choice("decision", CommentDecision, name="consultation_comment_decision_valid"),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "adopted"]) | ~Q(reason=""),
                name="consultation_comment_reason_given",
            ),
        ]

    def __str__(self) -> str:
        return self.content[:30]

    def get_additional_data(self) -> dict:
        return {"org_path": self.consultation.organisation.path}
