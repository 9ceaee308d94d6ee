"""The audit trail page (审计日志): read-only search for supervisors, inspection offices and
rectification offices, over the part of the trail their organisations own (audit.services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rectify import record
from rectify.documents import XLSX_TYPE, attachment
from rectify.errors import InvalidInput, RectifyError
from rectify.ledger.models import Measure
from rectify.ledger.services import ACTION_LABELS
from rectify.paging import paginate
from rectify.security.describe import device_label, sentence

from .export import MAX_ROWS, security_xlsx, trail_xlsx
from .forms import AuditFilterForm, SecurityFilterForm
from .services import AuditFilter, SecurityFilter, search_audit, search_security_events

PAGE_SIZE = 50


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Row:
    entry: LogEntry
    timestamp: datetime
    actor: str
    sentence: str  # what the actor did, as an official writes it (rectify.record)
    action: str  # 创建/修改/删除, for the export's and the API's readers who sort by it
    object_type: str
    object_repr: str
    changes: list[Change]  # the raw change, one click away
    measure: Measure | None  # the measure the record belongs to, named by its number (措施 1.1)


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
    """The entries as the page and the export show them: a sentence each, the raw change behind it, and
    the measure by its number. Names are read once per kind of record for the whole page."""
    measure_ids = {(entry.additional_data or {}).get("measure_id") for entry in entries} - {None}
    measures = Measure.objects.select_related("problem").in_bulk(measure_ids)
    rows = []
    for entry, said in zip(entries, record.describe(entries, subject=True, fold=False), strict=True):
        model = entry.content_type.model_class()
        rows.append(
            Row(
                entry=entry,
                timestamp=entry.timestamp,
                actor=_actor(entry),
                sentence=said.text or f"更新{model._meta.verbose_name if model else ''}“{entry.object_repr}”",
                action=ACTION_LABELS.get(entry.action, "修改"),
                object_type=str(model._meta.verbose_name) if model else entry.content_type.model,
                object_repr=entry.object_repr,
                changes=[Change(*row) for row in said.raw],
                measure=measures.get((entry.additional_data or {}).get("measure_id")),
            )
        )
    return rows


def _actor(entry: LogEntry) -> str:
    if entry.actor:
        return entry.actor.display_name
    return entry.actor_email or "系统"


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
