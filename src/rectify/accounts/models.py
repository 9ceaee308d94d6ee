"""What the password policy remembers of a user: the hashes of the last passwords, and when each was set."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordHistory(models.Model):
    """One password a user had, as its hash (never the password). The newest row is the current password
    and tells its age; only the last few are kept (validators.PasswordHistoryValidator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    password = models.CharField(_("密码摘要"), max_length=128, editable=False)
    created_at = models.DateTimeField(_("设置时间"), db_index=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["user", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


# How many passwords are remembered: the policy refuses any of them (validators.PasswordHistoryValidator).
KEPT = 5


def remember_password(sender, instance, created: bool = False, update_fields=None, **kwargs) -> None:
    """Whenever a user is saved with a password other than the one last remembered, remember it (and
    forget all but the last KEPT). A save that names its fields without the password (the login's
    last_login) costs nothing."""
    if update_fields is not None and "password" not in update_fields:
        return
    if not instance.password or not instance.has_usable_password():
        return
    mine = PasswordHistory.objects.filter(user_id=instance.pk)
    if not created and mine.order_by("-created_at", "-id").values_list("password", flat=True).first() == (
        instance.password
    ):
        return
    PasswordHistory.objects.create(user_id=instance.pk, password=instance.password, created_at=timezone.now())
    keep = mine.order_by("-created_at", "-id").values_list("pk", flat=True)[:KEPT]
    mine.exclude(pk__in=list(keep)).delete()
