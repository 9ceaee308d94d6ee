"""Ledger pages. Thin: they read forms, call ledger.services and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from rectify.errors import AccessDenied, InvalidInput, RectifyError, StaleEdit
from rectify.forms import at_version
from rectify.org.access import CHANGE, VIEW, Access

from . import services
from .choices import MeasureStatus, ReportPeriod
from .filters import filter_measures
from .forms import LedgerViewForm, MeasureAssignmentForm
from .models import Inspection, Measure, Problem


@login_required
def inspection_list(request):
    inspections = services.with_rectifying(
        Inspection.objects.restrict(request.user, VIEW).select_related("inspected")
    )
    # 合并查看: an organisation rectifying several inspections at once reads them as one ledger.
    together = services.worked_together(inspections)
    return render(request, "ledger/inspection_list.html", {"inspections": inspections, "together": together})


@login_required
def inspection_detail(request, pk: int):
    inspection = services.get_inspection(request.user, pk)
    problems = services.problem_status_counts(
        Problem.objects.restrict(request.user, VIEW).filter(inspection=inspection).select_related("area"),
        request.user,
    ).order_by("number")
    areas: dict = {}
    for problem in problems:
        areas.setdefault(problem.area, []).append(problem)
    return render(
        request,
        "ledger/inspection_detail.html",
        {
            "inspection": inspection,
            "summary": services.summarise(request.user, inspection),
            "is_inspection_office": Access.of(request.user).is_office_for(inspection.inspected),
            "report_periods": ReportPeriod.choices,
            "areas": areas,
            "together": _worked_with(request.user, inspection),
        },
    )


def _worked_with(user, inspection: Inspection):
    """The inspections of the same organisation being rectified with this one (合并查看), or None."""
    siblings = services.with_rectifying(
        Inspection.objects.restrict(user, VIEW).filter(inspected_id=inspection.inspected_id)
    ).select_related("inspected")
    groups = services.worked_together(siblings)
    if groups and inspection.pk in {item.pk for item in groups[0].inspections}:
        return groups[0]
    return None


@login_required
@require_POST
def set_report_period(request, pk: int):
    inspection = services.set_report_period(request.user, pk, request.POST.get("report_period", ""))
    messages.success(request, f"进展报送周期已设为“{inspection.get_report_period_display()}”。")
    return redirect("ledger:inspection-detail", pk=pk)


@login_required
def problem_detail(request, pk: int):
    problem = services.get_problem(request.user, pk)
    measures = filter_measures(request.user, {"problem": problem.pk})
    return render(
        request,
        "ledger/problem_detail.html",
        {
            "problem": problem,
            "measures": measures,
            "mechanisms": problem.mechanisms.all(),
            "can_change": Measure.objects.restrict(request.user, CHANGE).filter(problem=problem).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    measure = services.get_measure(request.user, pk)
    if not Measure.objects.restrict(request.user, CHANGE).filter(pk=pk).exists():
        raise AccessDenied("只有整改办可以修改整改措施的分工和时限。")
    inspection = measure.problem.inspection
    conflict = None
    status = 200
    form_options = {
        "inspection": inspection,
        "fixed_deadline": measure.deadline,
        "signed_off": measure.status == MeasureStatus.SIGNED_OFF,
    }
    if request.method == "POST":
        form = MeasureAssignmentForm(request.POST, **form_options)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_measure_assignment(
                    request.user,
                    pk,
                    version=data["version"],
                    lead_leader=data["lead_leader"],
                    responsible_unit=data["responsible_unit"],
                    units=list(data["units"]),
                    supporting_units=list(data["supporting_units"]),
                    outside_units=data["outside_units"],
                    deadline=data["deadline"],
                    category=data["category"],
                    reason=data.get("reason", ""),
                )
            except StaleEdit as error:
                # Keep what the user typed, show what is saved now, and let them save again on top of it.
                conflict = error.message
                status = error.status
                form = at_version(form, measure.version, **form_options)
            except RectifyError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, "已保存整改措施的分工和时限。")
                return redirect("ledger:measure-detail", pk=pk)
        else:
            status = 400
    else:
        form = MeasureAssignmentForm(initial=MeasureAssignmentForm.initial_for(measure), **form_options)
    return render(
        request,
        "ledger/measure_edit.html",
        {"measure": measure, "form": form, "conflict": conflict},
        status=status,
    )


@login_required
@require_POST
def ledger_view(request):
    """Save how the user likes the ledger shown (standard or compact, and the compact view's columns),
    then return to the ledger with the filters it had."""
    form = LedgerViewForm(request.POST)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        raise InvalidInput("未能保存整改台账的显示方式：" + "；".join(problems))
    data = form.cleaned_data
    services.save_ledger_view(request.user, compact=data["compact"], columns=data["columns"])
    messages.success(request, "已保存整改台账的显示方式，在任何电脑上登录都按此显示。")
    ledger = reverse("ledger:measure-list")
    back = data["next"]
    # Only back to the ledger itself (with its filters), never to an address given from outside.
    return redirect(back if back.startswith(ledger + "?") else ledger)
