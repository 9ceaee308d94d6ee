"""Recurrence flags (举一反三): a problem of a newly imported inspection that resembles a problem
already signed off in another inspection, a possible relapse (反弹) or a common weakness (共性问题),
waiting for the office to confirm or dismiss it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rectify.fields import done_by, valid_choice
from rectify.ledger.models import Problem
from rectify.org.access import DECIDE, VIEW
from rectify.org.querysets import OFFICE_ONLY, RestrictedQuerySet


class FlagStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")


class FlagKind(models.TextChoices):
    COMMON = "common", _("共性问题")
    RELAPSE = "relapse", _("问题反弹")


class RecurrenceFlagQuerySet(RestrictedQuerySet):
    organisation_path_lookup = "problem__inspection__inspected__path"
    roles_by_action = {DECIDE: OFFICE_ONLY}

    def access_condition(self, user, action: str) -> Q | None:
        """Seen by whoever sees both its problems; decided by the office of the newer problem's
        organisation (or one above it), among those."""
        seen = Problem.objects.restrict(user, VIEW)
        both_seen = Q(problem__in=seen, earlier__in=seen)
        if action == VIEW:
            return both_seen
        office = super().access_condition(user, action)
        return both_seen & office if office is not None else None


class RecurrenceFlag(models.Model):
    """`problem` (new) resembles `earlier` (signed off elsewhere) with `score` (cosine, 0..1) through
    `terms`. Confirmed flags say what they are (`kind`) and why (`note`)."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("新问题"), on_delete=models.CASCADE, related_name="recurrence_flags"
    )
    earlier = models.ForeignKey(
        Problem, verbose_name=_("已销号的相似问题"), on_delete=models.CASCADE, related_name="later_flags"
    )
    score = models.FloatField(_("相似度"))
    terms = models.JSONField(_("共同关键词"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.PENDING
    )
    kind = models.CharField(_("认定为"), max_length=16, choices=FlagKind.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    decided_by = done_by(_("处理人"), optional=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提示时间"), auto_now_add=True)

    objects = RecurrenceFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("举一反三提示")
        verbose_name_plural = _("举一反三提示")
        ordering = ["-created_at", "-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "earlier"], name="recurrence_flag_unique_pair"),
            models.CheckConstraint(
                condition=~Q(problem=models.F("earlier")), name="recurrence_flag_two_problems"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="recurrence_flag_score_range"
            ),
            valid_choice("status", FlagStatus, name="recurrence_flag_status_valid"),
            valid_choice("kind", FlagKind, name="recurrence_flag_kind_valid", blank=True),
            # Waiting means nobody decided; decided means who and when; confirmed says as what and why.
            models.CheckConstraint(
                condition=(
                    Q(status="pending", kind="", decided_by__isnull=True, decided_at__isnull=True)
                    | Q(status="dismissed", kind="", decided_by__isnull=False, decided_at__isnull=False)
                    | (
                        Q(status="confirmed", decided_by__isnull=False, decided_at__isnull=False)
                        & ~Q(kind="")
                        & ~Q(note="")
                    )
                ),
                name="recurrence_flag_decision_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "problem"], name="recurrence_flag_status")]

    def __str__(self) -> str:
        return f"{self.problem} ≈ {self.earlier}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.problem.inspection.inspected.path, "problem_id": self.problem_id}
