"""Security events (登录、登录失败、锁定、退出、拒绝访问、导出、查看个人信息): the part of the audit trail
that is about people and access rather than about records. Like auditlog's LogEntry, a row is written
once and never changed: save() of an existing row and delete() raise here, the admin offers neither,
and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002), except the retention purge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised when code tries to change or delete a row of the audit trail."""


APPEND_ONLY_MESSAGE = "审计记录只能追加，不能修改或删除。"


class Kind(models.TextChoices):
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账户锁定")
    LOGOUT = "logout", _("退出登录")
    ACCESS_DENIED = "access_denied", _("拒绝访问")
    EXPORT = "export", _("导出下载")
    PERSONAL_DATA = "personal_data", _("查看个人信息")


LOGIN_KINDS = (Kind.LOGIN, Kind.LOGIN_FAILED, Kind.LOCKOUT)


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly(APPEND_ONLY_MESSAGE)

    def delete(self):
        raise AppendOnly(APPEND_ONLY_MESSAGE)

    def _purge(self) -> int:
        """The retention purge only (security.services.purge_expired): a raw delete, no signals."""
        return self._raw_delete(self.db)


class SecurityEvent(models.Model):
    kind = models.CharField(_("事件"), max_length=16, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        # Deleting an account keeps its events (the name tried stays in `username`); the database
        # trigger lets exactly this change through.
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器/客户端"), max_length=300, blank=True)
    path = models.CharField(_("访问地址"), max_length=500, blank=True)
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["username", "-created_at"], name="security_event_user_time")]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnly(APPEND_ONLY_MESSAGE)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(APPEND_ONLY_MESSAGE)
