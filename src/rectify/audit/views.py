"""The audit trail page (审计日志): read-only search for supervisors, inspection offices and
rectification offices, over the part of the trail their organisations own (audit.services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import render
from django.utils import timezone
from django.utils.encoding import smart_str
from django.views.decorators.http import require_GET

from rectify.documents import XLSX_TYPE, attachment
from rectify.errors import InvalidInput, RectifyError
from rectify.ledger.services import ACTION_LABELS
from rectify.paging import paginate
from rectify.security.describe import device_label, sentence

from .export import MAX_ROWS, security_xlsx, trail_xlsx
from .forms import AuditFilterForm, SecurityFilterForm
from .services import AuditFilter, SecurityFilter, search_audit, search_security_events

PAGE_SIZE = 50
EMPTY_VALUES = {"None", "", "[]"}
M2M_OPERATIONS = {"add": "增加", "delete": "移除", "remove": "移除", "clear": "清空"}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    m2m: bool = False  # before is the operation (增加/移除), after the records


@dataclass(frozen=True)
class Row:
    entry: LogEntry
    timestamp: datetime
    actor: str
    action: str
    object_type: str
    object_repr: str
    changes: list[Change]
    measure_id: int | None


@login_required
@require_GET
def search(request):
    search_audit(request.user, AuditFilter())  # refuses, in Chinese, those who may not read the trail
    form = AuditFilterForm(request.GET or None, user=request.user)
    error = None
    status = 200
    page = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        try:
            entries = search_audit(request.user, form.to_filter())
        except RectifyError as refused:
            error, status = refused.message, refused.status
        else:
            page = paginate(request, entries, PAGE_SIZE)
    return render(
        request,
        "audit/search.html",
        {
            "form": form,
            "error": error,
            "page": page,
            "rows": rows_for(list(page.object_list)) if page else [],
            "query": request.GET.urlencode(),
        },
        status=status,
    )


def rows_for(entries: list[LogEntry]) -> list[Row]:
    """The entries as the page shows them. Related records named in the changes are read in one
    query per kind of record for the whole page, not one per change (auditlog's default)."""
    names = _related_names(entries)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        rows.append(
            Row(
                entry=entry,
                timestamp=entry.timestamp,
                actor=_actor(entry),
                action=ACTION_LABELS.get(entry.action, "修改"),
                object_type=str(model._meta.verbose_name) if model else entry.content_type.model,
                object_repr=entry.object_repr,
                changes=_changes(entry, model, names),
                measure_id=(entry.additional_data or {}).get("measure_id"),
            )
        )
    return rows


def _actor(entry: LogEntry) -> str:
    if entry.actor:
        return entry.actor.display_name
    return entry.actor_email or "系统"


def _foreign_keys(entry: LogEntry, model) -> list[tuple[models.Field, str]]:
    found = []
    for field_name, values in entry.changes_dict.items():
        try:
            field = model._meta.get_field(field_name)
        except Exception:  # a field since removed from the model
            continue
        if isinstance(values, list) and isinstance(field, models.ForeignKey):
            found.extend((field, value) for value in values if value not in EMPTY_VALUES)
    return found


def _related_names(entries: list[LogEntry]) -> dict[tuple[type, str], str]:
    """{(related model, pk as stored): its name} for every foreign key named in the entries."""
    wanted: dict[type, set] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        for field, value in _foreign_keys(entry, model):
            try:
                wanted.setdefault(field.related_model, set()).add(
                    field.related_model._meta.pk.to_python(value)
                )
            except ValidationError:
                continue
    names = {}
    for related, pks in wanted.items():
        # select_related() follows the non-null keys a name is made of (a measure's problem, …).
        for pk, obj in related._default_manager.select_related().in_bulk(pks).items():
            names[(related, str(pk))] = smart_str(obj)
    return names


def _changes(entry: LogEntry, model, names: dict) -> list[Change]:
    if model is None:
        return [Change(field, *_pair(values)) for field, values in entry.changes_dict.items()]

    def fk_name(field, value):  # replaces auditlog's one-query-per-value lookup for this entry
        if value in EMPTY_VALUES:
            return value
        return names.get((field.related_model, str(value)), f"（已删除，编号 {value}）")

    entry._get_changes_display_for_fk_field = fk_name
    shown = entry.changes_display_dict
    m2m = {}
    for field_name, values in entry.changes_dict.items():
        if isinstance(values, dict) and values.get("type") == "m2m":
            try:
                label = str(model._meta.get_field(field_name).verbose_name)
            except Exception:
                label = field_name
            operation = M2M_OPERATIONS.get(values.get("operation"), values.get("operation", ""))
            objects = "、".join(str(obj) for obj in values.get("objects", []))
            m2m[label] = Change(label, operation, objects, m2m=True)
    changes = []
    for label, values in shown.items():
        if str(label) in m2m:
            changes.append(m2m.pop(str(label)))
            continue
        before, after = _pair(values)
        if before != after:  # a new record's empty fields say nothing
            changes.append(Change(str(label), before, after))
    changes.extend(m2m.values())
    return changes


def _pair(values) -> tuple[str, str]:
    if isinstance(values, list | tuple) and len(values) == 2:
        return _shown(values[0]), _shown(values[1])
    return "", _shown(values)


def _shown(value) -> str:
    return "（空）" if str(value) in EMPTY_VALUES else str(value)


# ------------------------------------------------------------------ exports and security events


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@login_required
@require_GET
def export(request):
    """The change trail, filtered as on the page, as .xlsx (up to export.MAX_ROWS rows)."""
    search_audit(request.user, AuditFilter())
    form = AuditFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        raise InvalidInput("；".join(str(error) for errors in form.errors.values() for error in errors))
    entries = search_audit(request.user, form.to_filter())
    content = trail_xlsx(rows_for(list(entries[:MAX_ROWS])))
    return attachment(content, f"审计日志-{_stamp()}.xlsx", XLSX_TYPE)


@login_required
@require_GET
def security_events(request):
    search_security_events(request.user, SecurityFilter())  # refuses those who may not read the trail
    form = SecurityFilterForm(request.GET or None)
    status, page, error = 200, None, None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        try:
            events = search_security_events(request.user, form.to_filter())
        except RectifyError as refused:
            error, status = refused.message, refused.status
        else:
            page = paginate(request, events, PAGE_SIZE)
    rows = [
        {"event": event, "sentence": sentence(event), "device": device_label(event.user_agent)}
        for event in (page.object_list if page else [])
    ]
    return render(
        request,
        "audit/security.html",
        {"form": form, "error": error, "page": page, "rows": rows, "query": request.GET.urlencode()},
        status=status,
    )


@login_required
@require_GET
def export_security(request):
    search_security_events(request.user, SecurityFilter())
    form = SecurityFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise InvalidInput("；".join(str(error) for errors in form.errors.values() for error in errors))
    events = search_security_events(request.user, form.to_filter())
    return attachment(security_xlsx(events), f"安全事件-{_stamp()}.xlsx", XLSX_TYPE)
