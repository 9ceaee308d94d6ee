"""Accountability (问责): the people dealt with over the problems an inspection found, and how
(批评教育, 诫勉谈话, 组织处理, 党纪政务处分).

These are records about named people: only the office and the supervisors of the inspected organisation
(and above it) read them, only the office records them, and nothing of them reaches the portal, the
public notice or a responsible unit. The reports count them by form (`services.counts_by_form`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Inspection, Problem
from rectify.org.access import CHANGE, VIEW, VIEW_ALL
from rectify.org.models import Role
from rectify.org.querysets import OFFICE_ONLY, RestrictedQuerySet

READERS = frozenset({Role.OFFICE, Role.SUPERVISOR})


class AccountabilityForm(models.TextChoices):
    CRITICISM = "criticism", _("批评教育")
    ADMONITION = "admonition", _("诫勉谈话")
    ORGANISATIONAL = "organisational", _("组织处理")
    DISCIPLINARY = "disciplinary", _("党纪政务处分")


class AccountabilityQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "inspection__inspected__path"
    roles_by_action = {VIEW: READERS, VIEW_ALL: READERS, CHANGE: OFFICE_ONLY}


class AccountabilityRecord(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡察"), on_delete=models.CASCADE, related_name="accountability_records"
    )
    person_name = models.CharField(_("姓名"), max_length=64)
    position = models.CharField(_("职务"), max_length=128, blank=True)
    unit_name = models.CharField(_("所在单位"), max_length=128, blank=True)
    dealt_on = models.DateField(_("处理日期"))
    form = models.CharField(_("问责方式"), max_length=16, choices=AccountabilityForm.choices)
    reason = models.TextField(_("问责事由"))
    problems = models.ManyToManyField(
        Problem, verbose_name=_("相关问题"), related_name="accountability_records", blank=True
    )
    created_by = done_by(_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-dealt_on", "-id"]
        indexes = [models.Index(fields=["inspection", "dealt_on"], name="accountability_inspection_day")]
        constraints = [valid_choice("form", AccountabilityForm, name="accountability_form_valid")]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_form_display()}）"

    def get_additional_data(self) -> dict:
        return self.inspection.get_additional_data()
