"""举一反三 pages: the flags waiting for the office, one flag with its decision form, and the similar
problems section of a problem page (loaded on its own, so the problem page stays fast).

Thin: they read a small form, call recurrence.services and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rectify.errors import InvalidInput, RectifyError
from rectify.ledger import services as ledger_services
from rectify.org.access import DECIDE
from rectify.paging import paginate

from . import services
from .forms import decision_form
from .models import FlagStatus, RecurrenceFlag

PAGE_SIZE = 20
STATUS_FILTERS = [
    (FlagStatus.PENDING, "待确认"),
    (FlagStatus.CONFIRMED, "已确认"),
    (FlagStatus.DISMISSED, "已排除"),
]


@login_required
@require_GET
def flag_list(request):
    status = request.GET.get("status") or FlagStatus.PENDING
    flags = services.flag_list(request.user, status)
    page = paginate(request, flags, PAGE_SIZE)
    decidable = set(
        RecurrenceFlag.objects.restrict(request.user, DECIDE)
        .filter(pk__in=[flag.pk for flag in page])
        .values_list("pk", flat=True)
    )
    for flag in page:
        flag.decision_form = decision_form(flag.pk) if flag.pk in decidable else None
    return render(
        request,
        "recurrence/flag_list.html",
        {
            "page": page,
            "status": status,
            "status_filters": STATUS_FILTERS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_detail(request, pk: int):
    flag = services.get_flag(request.user, pk)
    status = 200
    refusal = None
    form = decision_form(pk, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decided = services.decide_flag(
                    request.user,
                    pk,
                    confirm=data["decision"] == "confirm",
                    kind=data["kind"],
                    note=data["note"],
                )
            except InvalidInput as error:
                form.add_error(None, error.message)
                status = error.status
            except RectifyError as error:
                # Not the user's to decide, or decided meanwhile: say so above the flag as it is now.
                refusal = error.message
                status = error.status
                flag = services.get_flag(request.user, pk)
            else:
                done = f"确认为“{decided.get_kind_display()}”" if decided.kind else "排除"
                messages.success(request, f"问题“{decided.problem.title}”的举一反三提示已{done}。")
                return redirect("recurrence:list")
        else:
            status = 400
    may_decide = RecurrenceFlag.objects.restrict(request.user, DECIDE).filter(pk=pk).exists()
    return render(
        request,
        "recurrence/flag_detail.html",
        {"flag": flag, "form": form if may_decide else None, "refusal": refusal},
        status=status,
    )


@login_required
@require_GET
def similar(request, pk: int):
    """The similar problems of a problem: a fragment for the problem page (htmx), a page otherwise."""
    problem = ledger_services.get_problem(request.user, pk)
    context = {"problem": problem, "suggestions": services.similar_problems(problem, user=request.user)}
    template = "recurrence/_similar.html" if request.headers.get("HX-Request") else "recurrence/similar.html"
    return render(request, template, context)
