"""Long-term mechanism pages (长效机制): the rules made or revised so that problems do not come back.
Everyone who sees an inspection reads them; only its office (整改办) adds and edits them, through
ledger.services.save_mechanism."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rectify.errors import AccessDenied, NotFound
from rectify.forms import submit
from rectify.org.access import VIEW, Access
from rectify.org.models import User

from . import services
from .choices import MechanismKind, MechanismStatus
from .forms import InspectionFilterForm
from .mechanism_forms import MechanismForm
from .models import Inspection, Mechanism, Problem

ADD_DENIED = "只有整改办可以登记和修改长效机制。"


def _mechanisms(user: User, inspection_id: int | None = None):
    """The visible mechanisms, each with the problems it answers that this user may see (a unit
    sees only its own problems), in a fixed number of queries."""
    visible_problems = Problem.objects.restrict(user, VIEW).order_by("number")
    return (
        services.mechanism_list(user, inspection_id)
        .select_related("inspection__inspected")
        .prefetch_related(None)
        .prefetch_related(Prefetch("problems", queryset=visible_problems))
    )


def _sections(user: User, inspections, mechanisms) -> list[dict]:
    """One section per inspection, with its mechanisms and whether the user may add to it."""
    access = Access.of(user)
    by_inspection: dict[int, list[Mechanism]] = {}
    for mechanism in mechanisms:
        by_inspection.setdefault(mechanism.inspection_id, []).append(mechanism)
    return [
        {
            "inspection": inspection,
            "mechanisms": by_inspection.get(inspection.pk, []),
            "can_add": access.is_office_for(inspection.inspected),
        }
        for inspection in inspections
    ]


def _counts(mechanisms: list[Mechanism]) -> dict:
    statuses = Counter(mechanism.status for mechanism in mechanisms)
    kinds = Counter(mechanism.kind for mechanism in mechanisms)
    return {
        "total": len(mechanisms),
        "by_status": [(status.value, status.label, statuses[status.value]) for status in MechanismStatus],
        "by_kind": [(kind.value, kind.label, kinds[kind.value]) for kind in MechanismKind],
    }


@login_required
@require_GET
def mechanism_list(request):
    """All mechanisms the user may see, by inspection; `?inspection=ID` keeps one inspection."""
    form = InspectionFilterForm(request.GET or None, user=request.user)
    inspection_id = form.inspection_id()
    inspections = Inspection.objects.restrict(request.user, VIEW).select_related("inspected")
    if inspection_id:
        inspections = inspections.filter(pk=inspection_id)
    elif form.is_bound and not form.is_valid():
        inspections = inspections.none()
    mechanisms = list(_mechanisms(request.user, inspection_id)) if inspections else []
    return render(
        request,
        "ledger/mechanism_list.html",
        {
            "form": form,
            "inspection": None,
            "sections": _sections(request.user, inspections, mechanisms),
            "counts": _counts(mechanisms),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def inspection_mechanisms(request, pk: int):
    """The mechanisms of one inspection (linked from the inspection page)."""
    inspection = services.get_inspection(request.user, pk)
    mechanisms = list(_mechanisms(request.user, inspection.pk))
    return render(
        request,
        "ledger/mechanism_list.html",
        {
            "form": None,
            "inspection": inspection,
            "sections": _sections(request.user, [inspection], mechanisms),
            "counts": _counts(mechanisms),
        },
    )


def _office_inspection(user: User, inspection_id: int) -> Inspection:
    inspection = services.get_inspection(user, inspection_id)  # NotFound if not visible
    if not Access.of(user).is_office_for(inspection.inspected):
        raise AccessDenied(ADD_DENIED)
    return inspection


@login_required
@require_http_methods(["GET", "POST"])
def mechanism_create(request, pk: int):
    inspection = _office_inspection(request.user, pk)
    return _edit(request, inspection, None)


@login_required
@require_http_methods(["GET", "POST"])
def mechanism_edit(request, pk: int):
    mechanism = _mechanisms(request.user).filter(pk=pk).first()
    if mechanism is None:
        raise NotFound("长效机制不存在，或您无权查看。")
    inspection = _office_inspection(request.user, mechanism.inspection_id)
    return _edit(request, inspection, mechanism)


def _edit(request, inspection: Inspection, mechanism: Mechanism | None):
    status = 200
    if request.method == "POST":
        form = MechanismForm(request.POST, inspection=inspection)
        saved, status = submit(
            form,
            lambda data: services.save_mechanism(
                request.user,
                inspection_id=inspection.pk,
                mechanism_id=mechanism.pk if mechanism else None,
                **form.service_arguments(),
            ),
        )
        if status is None:
            verb = "修改" if mechanism else "登记"
            messages.success(request, f"已{verb}长效机制“{saved.title}”。")
            return redirect("mechanisms:inspection", pk=inspection.pk)
    elif mechanism is not None:
        form = MechanismForm(initial=MechanismForm.initial_for(mechanism), inspection=inspection)
    else:
        form = MechanismForm(
            initial={"kind": MechanismKind.MADE, "status": MechanismStatus.DRAFTING}, inspection=inspection
        )
    return render(
        request,
        "ledger/mechanism_form.html",
        {"inspection": inspection, "mechanism": mechanism, "form": form},
        status=status,
    )
