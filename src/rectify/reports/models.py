"""整改文书: the documents an inspected organisation writes from its ledger — the 整改工作方案, the
整改情况报告 to the inspection body, and 阶段性整改报告 — each a version that goes from draft through
the office's review to the leading group's approval (notices.approval) and, for the reports, is then
sent (报送). See reports.services."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rectify.errors import RectifyError
from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection
from rectify.notices.models import WorkflowStep
from rectify.org.access import CHANGE, VIEW, VIEW_ALL, Access, any_of, path_q
from rectify.org.models import Organisation, Role
from rectify.org.querysets import RestrictedQuerySet


class FinalDocument(RectifyError):
    """An approved 整改工作方案 or a sent report is final: a correction is a new version."""

    status = 409


class DocumentKind(models.TextChoices):
    WORK_PLAN = "work_plan", _("整改工作方案")
    SITUATION = "situation", _("整改情况报告")
    INTERIM = "interim", _("阶段性整改报告")


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待整改办审核")
    AWAITING_APPROVAL = "awaiting_approval", _("待领导小组组长审批")
    APPROVED = "approved", _("已批准")
    SENT = "sent", _("已报送")


# The kinds sent (报送) to the inspection body once approved; a work plan takes effect when approved.
SENT_KINDS = (DocumentKind.SITUATION, DocumentKind.INTERIM)
# What the supervisors and the inspection office above the organisation read: what they receive.
RECEIVED_STATES = (DocumentState.APPROVED, DocumentState.SENT)


class RectificationDocumentQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "organisation__path"
    roles_by_action = {
        VIEW: frozenset({Role.OFFICE, Role.LEADER}),
        VIEW_ALL: frozenset({Role.OFFICE, Role.LEADER}),
        CHANGE: frozenset({Role.OFFICE}),
    }

    def access_condition(self, user, action: str) -> Q | None:
        """Every version for the office and the leaders of the organisation (or above it); the
        approved and sent ones for its supervisors and the inspection office above it. Units never."""
        own = super().access_condition(user, action)
        if action != VIEW:
            return own
        supervised = path_q("organisation__path", Access.of(user).paths([Role.SUPERVISOR]))
        received = Q(state__in=RECEIVED_STATES) & supervised if supervised is not None else None
        return any_of(own, received)


class RectificationDocument(models.Model):
    """One version of one kind of an inspection's rectification document."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.PROTECT, related_name="rectification_documents"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("被巡察组织"),
        on_delete=models.PROTECT,
        related_name="rectification_documents",
    )
    kind = models.CharField(_("文书类型"), max_length=16, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    state = models.CharField(
        _("状态"), max_length=20, choices=DocumentState.choices, default=DocumentState.DRAFT
    )
    title = models.CharField(_("标题"), max_length=255)
    as_of = models.DateField(_("截至日期"), help_text=_("文书所述情况和数据的截止日期"))
    content = models.JSONField(_("文书内容"), default=dict)
    return_reason = models.TextField(_("最近一次退回理由"), blank=True)
    due_date = models.DateField(_("应报送日期"), null=True, blank=True)
    sent_on = models.DateField(_("报送日期"), null=True, blank=True)
    created_by = done_by(_("起草人"), optional=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RectificationDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改文书")
        verbose_name_plural = _("整改文书")
        ordering = ["inspection", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "kind", "version"], name="rectification_document_unique_version"
            ),
            valid_choice("kind", DocumentKind, name="rectification_document_kind_valid"),
            valid_choice("state", DocumentState, name="rectification_document_state_valid"),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="rectification_document_version_positive"
            ),
            # Only reports are sent, and a sent one has its date.
            models.CheckConstraint(
                condition=~Q(state=DocumentState.SENT) | (Q(kind__in=SENT_KINDS) & Q(sent_on__isnull=False)),
                name="rectification_document_sent_has_date",
            ),
            # The due date is the 整改情况报告's (two months after the feedback).
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.SITUATION) | Q(due_date__isnull=True),
                name="rectification_document_due_only_situation",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "state"], name="rectification_doc_org_kind")]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    def save(self, *args, **kwargs) -> None:
        # The last guard of immutability, whatever path reaches save().
        if self.pk:
            stored = RectificationDocument.objects.filter(pk=self.pk).values_list("kind", "state").first()
            if stored and is_final(*stored):
                raise FinalDocument("已批准的整改工作方案和已报送的报告不能修改；如需更正，请起草新版本。")
        super().save(*args, **kwargs)

    @property
    def is_final(self) -> bool:
        return is_final(self.kind, self.state)

    @property
    def sent_late_days(self) -> int:
        """Days after the due date it was sent (0: on time, or not due)."""
        if self.sent_on is None or self.due_date is None:
            return 0
        return max(0, (self.sent_on - self.due_date).days)

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}


def is_final(kind: str, state: str) -> bool:
    return state == DocumentState.SENT or (kind == DocumentKind.WORK_PLAN and state == DocumentState.APPROVED)


ACTION_LABELS = {
    "create": _("起草"),
    "submit": _("提交审核"),
    "accept": _("审核通过"),
    "approve": _("批准"),
    "send": _("报送"),
    "return": _("退回修改"),
}


class DocumentStep(WorkflowStep):
    """One move of a document through its workflow: who, from where to where, and why."""

    action_labels = ACTION_LABELS

    document = models.ForeignKey(
        RectificationDocument, verbose_name=_("整改文书"), on_delete=models.CASCADE, related_name="steps"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=DocumentState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=DocumentState.choices)

    class Meta:
        verbose_name = _("整改文书流转记录")
        verbose_name_plural = _("整改文书流转记录")
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return f"{self.document} {self.from_state or '—'} → {self.to_state}"
