"""QR codes (二维码) that lead to the public feedback form. The model belongs to the feedback app
(its table stays feedback_qrcode): the items sent through a code point at it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by
from rectify.ledger.models import Measure, Problem
from rectify.org.access import CHANGE, VIEW
from rectify.org.models import Organisation
from rectify.org.querysets import OFFICE_ONLY, RestrictedQuerySet


class QrCodeQuerySet(RestrictedQuerySet):
    """The codes of the organisations the user is the office of (and those below them)."""

    organisation_path_lookup = "organisation__path"
    roles_by_action = {VIEW: OFFICE_ONLY, CHANGE: OFFICE_ONLY}


class QrCode(models.Model):
    """A QR code (二维码) printed on a permit board, a poster or a letter: it opens the portal form
    already tied to a problem, a measure or a named site. `token` is what the code carries."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="qr_codes"
    )
    token = models.CharField(_("标识"), max_length=32, unique=True, editable=False)
    label = models.CharField(_("名称"), max_length=128, help_text=_("如：某路段施工围挡公示牌"))
    site = models.CharField(_("地点"), max_length=255, blank=True)
    problem = models.ForeignKey(
        Problem, verbose_name=_("关联问题"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("关联措施"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("启用"), default=True)
    scan_count = models.PositiveIntegerField(_("扫码次数"), default=0)
    created_by = done_by(_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = QrCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("二维码")
        verbose_name_plural = _("二维码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label

    def get_additional_data(self) -> dict:
        return {"org_path": self.organisation.path}
