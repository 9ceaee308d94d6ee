"""The public rectification notice as it goes from draft to the portal (政府信息公开).

A `NoticePublication` holds one version of an inspection's notice: the document as edited (JSON of
`NoticeDocument`), the disclosure metadata that the portal shows beside it, and where it stands in
its workflow (see notices.publishing). Every move is a `PublicationStep`. Once published, the row
never changes again except its view counter; a mistake is put right by a correction: a new version
that names the one it corrects.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rectify.errors import RectifyError
from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW, any_of
from rectify.org.models import Organisation
from rectify.org.querysets import RestrictedQuerySet

DEFAULT_CATEGORY = "机关党建、通告"


class PublishedIsFinal(RectifyError):
    """A published notice is final: nothing may change it (a correction is a new version)."""

    status = 409


class PublicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待整改办审核")
    AWAITING_APPROVAL = "awaiting_approval", _("待领导小组组长审批")
    APPROVED = "approved", _("已批准，待发布")
    PUBLISHED = "published", _("已发布")


class NoticePublicationQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "organisation__path"

    def access_condition(self, user, action: str) -> Q | None:
        """Every version, for the office, leaders and supervisors of the inspected organisation (or
        one above it); the published versions of the inspections they see, for the units' people."""
        wide = super().access_condition(user, action)
        if action != VIEW:
            return wide
        seen = Inspection.objects.restrict(user, VIEW).values("pk")
        return any_of(wide, Q(state=PublicationState.PUBLISHED, inspection__in=seen))


class NoticePublication(models.Model):
    """One version of an inspection's public notice, with its disclosure metadata."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.PROTECT, related_name="publications"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("发布组织"),
        on_delete=models.PROTECT,
        related_name="notice_publications",
        help_text=_("被巡察组织：索引号按其统一社会信用代码和年度编排"),
    )
    version = models.PositiveIntegerField(_("版本"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    document = models.JSONField(_("通报内容"), default=dict)
    return_reason = models.TextField(_("最近一次退回理由"), blank=True)
    # Disclosure metadata (政府信息公开): 索引号 etc.
    index_number = models.CharField(_("索引号"), max_length=64, blank=True)
    serial_year = models.PositiveSmallIntegerField(_("索引号年度"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("索引号序号"), null=True, blank=True)
    category = models.CharField(_("分类"), max_length=64, default=DEFAULT_CATEGORY)
    publisher = models.CharField(_("发布机构"), max_length=128)
    written_date = models.DateField(_("成文日期"), null=True, blank=True)
    title = models.CharField(_("名称"), max_length=255)
    document_number = models.CharField(_("文号"), max_length=64, blank=True)
    published_date = models.DateField(_("发布日期"), null=True, blank=True)
    subject_terms = models.CharField(_("主题词"), max_length=128, blank=True)
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0)
    created_by = done_by(_("起草人"), optional=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = NoticePublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改通报公开")
        verbose_name_plural = _("整改通报公开")
        ordering = ["inspection", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "version"], name="publication_unique_version"),
            models.UniqueConstraint(
                fields=["index_number"], condition=~Q(index_number=""), name="publication_unique_index"
            ),
            models.UniqueConstraint(
                fields=["organisation", "serial_year", "serial"],
                condition=Q(serial__isnull=False),
                name="publication_unique_serial",
            ),
            valid_choice("state", PublicationState, name="publication_state_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="publication_version_positive"),
            models.CheckConstraint(
                condition=~Q(state=PublicationState.PUBLISHED)
                | (Q(published_date__isnull=False, serial__isnull=False) & ~Q(index_number="")),
                name="publication_published_has_index",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-published_date"], name="publication_state_date"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    def save(self, *args, **kwargs) -> None:
        # The last guard of immutability: whatever path reaches save(), a published row stays as
        # published (the view counter moves by a queryset update, which does not come here).
        if (
            self.pk
            and NoticePublication.objects.filter(pk=self.pk, state=PublicationState.PUBLISHED).exists()
        ):
            raise PublishedIsFinal("已发布的通报不能修改；如需更正，请起草更正通报。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if NoticePublication.objects.filter(pk=self.pk, state=PublicationState.PUBLISHED).exists():
            raise PublishedIsFinal("已发布的通报不能删除；如需更正，请起草更正通报。")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.state == PublicationState.PUBLISHED

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}


ACTION_LABELS = {
    "create": _("起草"),
    "correct": _("起草更正"),
    "submit": _("提交审核"),
    "accept": _("审核通过"),
    "approve": _("批准发布"),
    "publish": _("发布"),
    "return": _("退回修改"),
}


class WorkflowStep(models.Model):
    """One move of a document through the workflow of notices.approval: who, which decision, why and
    when. Each document's steps add the document and its states (from_state, to_state)."""

    action_labels: dict = ACTION_LABELS  # decision → its label, for action_label

    action = models.CharField(_("操作"), max_length=16)
    actor = done_by(_("操作人"), on_delete=models.SET_NULL, null=True)
    comment = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def action_label(self) -> str:
        return str(self.action_labels.get(self.action, self.action))


class PublicationStep(WorkflowStep):
    """One move of a publication through its workflow: who, from where to where, and why."""

    publication = models.ForeignKey(
        NoticePublication, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="steps"
    )
    from_state = models.CharField(_("原状态"), max_length=20, choices=PublicationState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=PublicationState.choices)

    class Meta:
        verbose_name = _("通报流转记录")
        verbose_name_plural = _("通报流转记录")
        ordering = ["publication", "id"]

    def __str__(self) -> str:
        return f"{self.publication} {self.from_state or '—'} → {self.to_state}"

    def get_additional_data(self) -> dict:
        return self.publication.get_additional_data()
