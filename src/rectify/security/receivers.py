"""Who signed in, who failed, who was locked out, who signed out (Django's and django-axes' signals);
and the guards that keep auditlog's LogEntry append-only in the product, as SecurityEvent is."""

from __future__ import annotations

from auditlog.models import LogEntry
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_delete, pre_save

from .models import APPEND_ONLY_MESSAGE, AppendOnly, Kind
from .services import lockout_state, record, record_login_failure, via


def on_login(sender, request, user, **kwargs) -> None:
    record(Kind.LOGIN, request=request, user=user, detail={"via": via(request)})


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    record_login_failure(request, str((credentials or {}).get("username") or "")[:150])


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first() if username else None
    attempt, during_lockout = lockout_state(request)
    detail = {"via": via(request)}
    if attempt:
        detail["attempt"] = attempt
    if during_lockout:
        detail["during_lockout"] = True
    record(Kind.LOCKOUT, request=request, user=user, username=username or "", detail=detail)


def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Kind.LOGOUT, request=request, user=user)


def refuse_change(sender, instance, **kwargs) -> None:
    if instance.pk is not None and not instance._state.adding:
        raise AppendOnly(APPEND_ONLY_MESSAGE)


def refuse_delete(sender, instance, **kwargs) -> None:
    raise AppendOnly(APPEND_ONLY_MESSAGE)


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="rectify.security.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="rectify.security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="rectify.security.locked_out")
    user_logged_out.connect(on_logout, dispatch_uid="rectify.security.logout")
    pre_save.connect(refuse_change, sender=LogEntry, dispatch_uid="rectify.security.logentry_save")
    pre_delete.connect(refuse_delete, sender=LogEntry, dispatch_uid="rectify.security.logentry_delete")
