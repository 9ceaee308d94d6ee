"""Writing security events, and the retention purge of the whole audit trail.

`record()` is the one function every part of the product calls (login receivers, the error handlers,
the download middleware, the personal-data views). It never makes the request it records fail: a
database that refuses the row is logged and the request goes on.
"""

from __future__ import annotations

import ipaddress
import logging
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import Error, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import LOGIN_KINDS, Kind, SecurityEvent

logger = logging.getLogger(__name__)

# The request being answered, set by SecurityEventMiddleware, so that services deep below a view
# (the feedback contacts, for one) can record where an event came from without being handed it.
current_request: ContextVar[HttpRequest | None] = ContextVar("rectify_security_request", default=None)

MINIMUM_RETENTION_DAYS = 180
USER_AGENT_LENGTH = 300
PATH_LENGTH = 500


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or behind RECTIFY_PROXY_COUNT proxies the address the
    outermost of them saw (n-th from the right of X-Forwarded-For). None when it is not an address."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "RECTIFY_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _organisation_id(user) -> int | None:
    """The organisation an event of this user belongs to: where the user holds a role (the first)."""
    if user is None or not getattr(user, "pk", None):
        return None
    return user.memberships.order_by("pk").values_list("organisation_id", flat=True).first()


def record(
    kind: Kind | str,
    *,
    request: HttpRequest | None = None,
    user=None,
    username: str | None = None,
    organisation=None,
    path: str | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent | None:
    """Write one security event. `user` defaults to the request's signed-in user, `username` to the
    user's, the organisation to the user's; the address, client and path come from the request (or the
    request being answered). Returns the event, or None if the database refused it (logged)."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if username is None:
        username = user.get_username() if user is not None else ""
    organisation_id = organisation.pk if organisation is not None else _organisation_id(user)
    event = SecurityEvent(
        kind=kind,
        user=user,
        username=(username or "")[:150],
        organisation_id=organisation_id,
        detail=detail or {},
    )
    if request is not None:
        event.ip = client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
        event.path = (path if path is not None else request.path)[:PATH_LENGTH]
    elif path is not None:
        event.path = path[:PATH_LENGTH]
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves the caller's transaction usable
            event.save()
    except Error:  # the database refused or is gone: the request goes on, the log says so
        logger.exception("安全事件未能写入审计日志：%s %s %s", kind, username, event.path)
        return None
    return event


def record_login_failure(request: HttpRequest | None, username: str) -> None:
    """A failed login (Django's user_login_failed, after django-axes counted it). An attempt while
    the account is locked is recorded once, as a lockout event (receivers.on_locked_out)."""
    attempt, during_lockout = lockout_state(request)
    if during_lockout:
        return
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first() if username else None
    detail: dict[str, Any] = {"via": via(request)}
    if attempt:
        detail["attempt"] = attempt
    record(Kind.LOGIN_FAILED, request=request, user=user, username=username, detail=detail)


def lockout_state(request: HttpRequest | None) -> tuple[int | None, bool]:
    """(the failure's number as django-axes counted it, whether the account was already locked
    before this attempt). The attempt that reaches the limit locks; those after it come during."""
    if request is None:
        return None, False
    attempt = getattr(request, "axes_failures_since_start", None)
    locked = getattr(request, "axes_locked_out", False)
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    during = bool(locked) and (attempt is None or (isinstance(limit, int) and attempt > limit))
    return attempt, during


def via(request: HttpRequest | None) -> str:
    if request is not None and request.path.startswith("/api/"):
        return "api"
    return "page"


# ------------------------------------------------------------------ reading


def login_history(user, limit: int = 50) -> list[SecurityEvent]:
    """The last logins, failures and lockouts of the user's name, newest first: also the failures
    of someone else trying the name, which is what the owner wants to see."""
    return list(
        SecurityEvent.objects.filter(username=user.get_username(), kind__in=LOGIN_KINDS).order_by(
            "-created_at", "-id"
        )[:limit]
    )


# ------------------------------------------------------------------ retention


def retention_days() -> int:
    return max(
        int(getattr(settings, "RECTIFY_AUDIT_RETENTION_DAYS", MINIMUM_RETENTION_DAYS)), MINIMUM_RETENTION_DAYS
    )


def purge_expired() -> dict[str, int]:
    """Delete audit log entries and security events older than the retention (at least 180 days).
    On PostgreSQL the append-only triggers let these deletes through only inside this transaction
    (SET LOCAL) and only for rows older than the retention the trigger itself checks."""
    from auditlog.models import LogEntry

    days = retention_days()
    cutoff = timezone.now() - timedelta(days=days)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        try:
            if postgres:
                _set_local("rectify.audit_purge", "on")
                _set_local("rectify.audit_retention_days", str(days))
            # Raw deletes: no signals, so the model-level guards (receivers) stay in force elsewhere.
            entries = LogEntry.objects.filter(timestamp__lt=cutoff)
            removed_entries = entries._raw_delete(entries.db)
            removed_events = SecurityEvent.objects.filter(created_at__lt=cutoff)._purge()
        finally:
            if postgres:  # SET LOCAL lasts to the end of the outermost transaction: close the door now
                _set_local("rectify.audit_purge", "off")
    return {"log_entries": removed_entries, "security_events": removed_events, "days": days}


def purge_summary(removed: dict[str, int]) -> str:
    return (
        f"审计日志保存期限 {removed['days']} 天：删除过期审计记录 {removed['log_entries']} 条、"
        f"安全事件 {removed['security_events']} 条。"
    )


def _set_local(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
