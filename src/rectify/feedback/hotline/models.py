"""Batches of 12345 hotline work orders. The model belongs to the feedback app (its table stays
feedback_hotlinebatch): each imported work order is a feedback item that names its batch."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by
from rectify.org.models import Organisation
from rectify.org.querysets import RestrictedQuerySet


class HotlineBatchQuerySet(RestrictedQuerySet):
    """Seen by the office, leaders and supervisors of the organisation (or one above it)."""

    organisation_path_lookup = "organisation__path"


class HotlineBatch(models.Model):
    """One Excel export of 12345 work orders, imported in one transaction."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="hotline_batches"
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    row_count = models.PositiveIntegerField(_("导入条数"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过的重复工单"), default=0)
    imported_by = done_by(_("导入人"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects = HotlineBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("热线工单导入")
        verbose_name_plural = _("热线工单导入")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.row_count} 条）"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}
