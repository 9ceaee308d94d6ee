"""Searching the audit trail (kept by django-auditlog; nobody edits it through the product).

Every audited record stores the path of the organisation it belongs to in the entry's
`additional_data` (see the models' get_additional_data), so a supervisor or office sees the trail
of its own organisations and those below, filtered in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.models import Measure
from rectify.org.access import VIEW, Access, path_q
from rectify.org.models import Role, User
from rectify.security.models import Kind as SecurityKind
from rectify.security.models import SecurityEvent

AUDIT_ROLES = (Role.SUPERVISOR, Role.OFFICE)
# The kinds of record one can filter by: app label, model name.
SEARCHABLE_MODELS = [
    ("ledger", "inspection"),
    ("ledger", "problem"),
    ("ledger", "measure"),
    ("ledger", "measureunit"),
    ("ledger", "mechanism"),
    ("progress", "progressreport"),
    ("progress", "evidence"),
    ("progress", "signoff"),
    ("progress", "signoffdecision"),
    ("progress", "followup"),
    ("progress", "indicator"),
    ("progress", "observation"),
    ("supervision", "supervisionorder"),
    ("supervision", "dispatchreport"),
    ("supervision", "warningpolicy"),
    ("notices", "noticepublication"),
    ("notices", "publicationstep"),
    ("feedback", "feedbackitem"),
    ("feedback", "feedbackreply"),
    ("feedback", "qrcode"),
    ("feedback", "hotlinebatch"),
    ("feedback", "consultation"),
    ("feedback", "consultationcomment"),
    ("recurrence", "recurrenceflag"),
    ("org", "organisation"),
    ("org", "membership"),
]


@dataclass(frozen=True)
class AuditFilter:
    model: str = ""  # "app_label.model"
    object_id: int | None = None
    measure: int | None = None  # the measure's id
    measure_number: str = ""  # or its number as every page gives it: 10.1 (of `inspection` if given)
    inspection: int | None = None
    actor: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""


def may_search(user: User) -> bool:
    access = Access.of(user)
    return access.is_superuser or any(role in access.roles for role in AUDIT_ROLES)


def model_choices() -> list[tuple[str, str]]:
    choices = []
    for app_label, model in SEARCHABLE_MODELS:
        model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
        choices.append((f"{app_label}.{model}", str(model_class._meta.verbose_name)))
    return choices


def search_audit(user: User, filters: AuditFilter) -> QuerySet[LogEntry]:
    """Audit entries the user may read, newest first."""
    access = Access.of(user)
    if not may_search(user):
        raise AccessDenied("只有纪检监察组、巡察办和整改办可以查阅审计日志。")
    entries = LogEntry.objects.select_related("actor", "content_type")
    if not access.is_superuser:
        scope = path_q("additional_data__org_path", access.paths(AUDIT_ROLES))
        entries = entries.filter(scope)
    if filters.model:
        app_label, _, model = filters.model.partition(".")
        if (app_label, model) not in SEARCHABLE_MODELS:
            raise InvalidInput(f"不支持按“{filters.model}”筛选审计日志。")
        entries = entries.filter(content_type=ContentType.objects.get_by_natural_key(app_label, model))
        if filters.object_id is not None:
            entries = entries.filter(object_pk=str(filters.object_id))
    elif filters.object_id is not None:
        raise InvalidInput("按对象编号筛选时须同时指定对象类型。")
    if filters.measure is not None:
        entries = entries.filter(additional_data__measure_id=filters.measure)
    if filters.measure_number.strip():
        measure = measure_by_number(user, filters.measure_number, filters.inspection)
        entries = entries.filter(additional_data__measure_id=measure.pk)
    if filters.actor is not None:
        entries = entries.filter(actor_id=filters.actor)
    if filters.since:
        entries = entries.filter(timestamp__gte=filters.since)
    if filters.until:
        entries = entries.filter(timestamp__lte=filters.until)
    if filters.q.strip():
        entries = entries.filter(Q(object_repr__icontains=filters.q.strip()))
    return entries.order_by("-timestamp", "-id")


# ------------------------------------------------------------------ security events


@dataclass(frozen=True)
class SecurityFilter:
    kind: str = ""
    username: str = ""
    since: datetime | None = None
    until: datetime | None = None


def search_security_events(user: User, filters: SecurityFilter) -> QuerySet[SecurityEvent]:
    """Security events the user may read, newest first: those of the organisations where the user is
    supervisor or office and those below (by the organisation of the person concerned). Events of no
    organisation (a user name nobody holds) only a superuser sees."""
    access = Access.of(user)
    if not may_search(user):
        raise AccessDenied("只有纪检监察组、巡察办和整改办可以查阅审计日志。")
    events = SecurityEvent.objects.select_related("user", "organisation")
    if not access.is_superuser:
        scope = path_q("organisation__path", access.paths(AUDIT_ROLES))
        events = events.filter(scope) if scope is not None else events.none()
    if filters.kind:
        if filters.kind not in SecurityKind.values:
            raise InvalidInput(f"不支持按“{filters.kind}”筛选安全事件。")
        events = events.filter(kind=filters.kind)
    if filters.username.strip():
        events = events.filter(username=filters.username.strip())
    if filters.since:
        events = events.filter(created_at__gte=filters.since)
    if filters.until:
        events = events.filter(created_at__lte=filters.until)
    return events.order_by("-created_at", "-id")


MEASURE_NUMBER = re.compile(r"^\s*(?:措施\s*)?(\d{1,4})\s*[.．。]\s*(\d{1,3})\s*$")


def measure_by_number(user: User, number: str, inspection_id: int | None = None) -> Measure:
    """The measure a person names by its number (10.1: problem 10, its first measure), among those the
    user may see, in one inspection when given; refused in Chinese when the number is malformed, names
    nothing, or names a measure in several inspections."""
    found = MEASURE_NUMBER.match(number or "")
    if found is None:
        raise InvalidInput(f"措施序号“{number}”格式不正确，应为“问题序号.措施序号”，如 10.1。")
    problem, order = int(found.group(1)), int(found.group(2))
    measures = Measure.objects.restrict(user, VIEW).filter(problem__number=problem, order=order)
    if inspection_id is not None:
        measures = measures.filter(problem__inspection_id=inspection_id)
    matches = list(measures.select_related("problem__inspection")[:2])
    if not matches:
        raise InvalidInput(f"未找到措施 {problem}.{order}，或您无权查看。")
    if len(matches) > 1:
        raise InvalidInput(f"多次巡察都有措施 {problem}.{order}，请同时选择巡察。")
    return matches[0]
