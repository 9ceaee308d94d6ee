"""Dispatch pages (调度): the dispatches of each inspection, the form that builds one, a dispatch
as a printable page, and its Word and Excel downloads. Thin: the rules are supervision.dispatch's,
the rendering supervision.dispatch_render's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.json import KT
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rectify.documents import DOCX_TYPE, XLSX_TYPE, attachment
from rectify.errors import AccessDenied
from rectify.forms import submit
from rectify.schemas import DB_INT_MAX

from . import dispatch, dispatch_render
from .dispatch_forms import DispatchFilterForm, DispatchForm


@login_required
@require_GET
def list(request):
    """The dispatches the user may read, by inspection; `?inspection=ID` keeps one inspection."""
    user = request.user
    if not dispatch.may_use_dispatch(user):
        raise AccessDenied(dispatch.READ_DENIED)
    form = DispatchFilterForm(request.GET or None, user=user)
    invalid = form.is_bound and not form.is_valid()
    inspection_id = form.inspection_id()
    inspections = dispatch.readable_inspections(user).order_by("-feedback_date", "-id")
    if inspection_id:
        inspections = inspections.filter(pk=inspection_id)
    elif invalid:
        inspections = inspections.none()
    inspections = [*inspections]
    buildable = set(dispatch.buildable_inspections(user).values_list("pk", flat=True))
    dispatches = (
        dispatch.readable_dispatches(user, inspection_id)
        .defer("data")
        .annotate(
            measures=KT("data__totals__measures"),
            signed_off=KT("data__totals__signed_off"),
            overdue=KT("data__totals__overdue"),
            completion_rate=KT("data__totals__completion_rate"),
            newly_signed=KT("data__period__signed_off_count"),
            covers=KT("data__covers"),  # a dispatch over several inspections names them
        )
        if inspections
        else []
    )
    by_inspection: dict[int, list] = {}
    for item in dispatches:
        # Under the inspection asked for, which a dispatch over several may cover without being its first.
        by_inspection.setdefault(inspection_id or item.inspection_id, []).append(item)
    sections = [
        {
            "inspection": inspection,
            "dispatches": by_inspection.get(inspection.pk, []),
            "can_build": inspection.pk in buildable,
        }
        for inspection in inspections
    ]
    return render(
        request,
        "supervision/dispatch_list.html",
        {"form": form, "sections": sections, "can_build": bool(buildable)},
        status=400 if invalid else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    user = request.user
    if not dispatch.buildable_inspections(user).exists():
        raise AccessDenied(dispatch.BUILD_DENIED)
    status = 200
    if request.method == "POST":
        form = DispatchForm(request.POST, user=user)
        report, status = submit(
            form,
            lambda data: dispatch.build_dispatch(
                user, sorted(item.pk for item in data["inspection"]), data["start"], data["end"]
            ),
        )
        if status is None:
            messages.success(request, "已生成调度报告。")
            return redirect("dispatch:detail", pk=report.pk)
    else:
        # A ?inspection= (repeated for a combined dispatch) that cannot name one (not a number, beyond any
        # id) just leaves that choice empty.
        wanted = [
            int(value)
            for value in request.GET.getlist("inspection")
            if value.isdigit() and 0 < int(value) <= DB_INT_MAX
        ]
        form = DispatchForm(initial=DispatchForm.initial_for(user, wanted), user=user)
    return render(request, "supervision/dispatch_form.html", {"form": form}, status=status)


@login_required
@require_GET
def detail(request, pk: int):
    report = dispatch.get_dispatch(request.user, pk)
    context = dispatch_render.html_context(report)
    context["can_build"] = dispatch.may_build(request.user, report.inspection)
    return render(request, "supervision/dispatch_detail.html", context)


@login_required
@require_GET
def download_docx(request, pk: int):
    report = dispatch.get_dispatch(request.user, pk)
    return attachment(dispatch_render.docx_bytes(report), dispatch_render.filename(report, "docx"), DOCX_TYPE)


@login_required
@require_GET
def download_xlsx(request, pk: int):
    report = dispatch.get_dispatch(request.user, pk)
    return attachment(dispatch_render.xlsx_bytes(report), dispatch_render.filename(report, "xlsx"), XLSX_TYPE)
