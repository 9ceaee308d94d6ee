"""Supervision order pages (督办单): the list, issuing (choose the unit, then its measures), the
order with its answer form, and the order as a Word document.

Thin: each reads a small form, calls supervision.orders and redirects with a message. A refused
action shows the service's Chinese message and HTTP status beside what the user typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.documents import DOCX_TYPE, attachment
from rectify.errors import AccessDenied, NotFound, RectifyError
from rectify.forms import submit
from rectify.paging import paginate

from . import orders
from .calendar import calendar_settings
from .models import OrderState
from .order_docx import build_order_docx
from .order_forms import AnswerForm, OrderFilterForm, OrderForm, UnitChoiceForm

PAGE_SIZE = 50

__all__ = ["answer", "calendar_settings", "detail", "docx", "new", "order_list"]


@login_required
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET or None, user=request.user)
    page = paginate(request, orders.filter_orders(request.user, form.to_filter()), PAGE_SIZE)
    return render(
        request,
        "supervision/order_list.html",
        {
            "form": form,
            "page": page,
            "can_issue": orders.may_issue_any(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """Issue an order: step one picks the unit (?unit=), step two its measures and the order's text."""
    if not orders.may_issue_any(request.user):
        raise AccessDenied("只有整改办或纪检监察机构、巡察机构可以签发督办单。")
    source = request.POST if request.method == "POST" else (request.GET if "unit" in request.GET else None)
    unit_form = UnitChoiceForm(source, user=request.user)
    if not unit_form.is_valid():
        return render(
            request,
            "supervision/order_new.html",
            {"unit_form": unit_form, "units_available": unit_form.fields["unit"].queryset.exists()},
            status=400 if unit_form.is_bound else 200,
        )
    unit = unit_form.cleaned_data["unit"]
    status = 200
    if request.method == "POST":
        form = OrderForm(request.POST, user=request.user, unit=unit)
        order, status = submit(
            form,
            lambda data: orders.issue_order(
                request.user,
                unit_id=unit.pk,
                measure_ids=[measure.pk for measure in data["measures"]],
                reason=data["reason"],
                demanded_action=data["demanded_action"],
                answer_due=data["answer_due"],
            ),
        )
        if status is None:
            messages.success(request, f"已签发督办单{order.number}，已通知{unit.name}。")
            return redirect("orders:detail", pk=order.pk)
    else:
        form = OrderForm(initial={"measures": request.GET.getlist("measure")}, user=request.user, unit=unit)
    return render(
        request,
        "supervision/order_new.html",
        {"unit_form": unit_form, "unit": unit, "form": form},
        status=status,
    )


def _detail_page(request, order, *, answer_text: str = "", error: str | None = None, status: int = 200):
    can_answer = order.state == OrderState.ISSUED and orders.may_answer(request.user, order)
    measures = sorted(
        order.measures.all(), key=lambda m: (m.problem.inspection_id, m.problem.number, m.order)
    )
    return render(
        request,
        "supervision/order_detail.html",
        {
            "order": order,
            "measures": measures,
            "can_answer": can_answer,
            "answer_form": AnswerForm() if can_answer else None,
            "answer_text": answer_text,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    order = orders.get_order(request.user, pk)
    return _detail_page(request, order)


@login_required
@require_POST
def answer(request, pk: int):
    """The service decides in order: may see (404), may answer (403), not yet answered (409), text (400)."""
    text = request.POST.get("answer", "")
    try:
        order = orders.answer_order(request.user, pk, answer=text)
    except NotFound:
        raise  # nothing to show again: the error page says it is gone
    except RectifyError as error:
        order = orders.get_order(request.user, pk)
        return _detail_page(request, order, answer_text=text, error=error.message, status=error.status)
    messages.success(request, f"已答复督办单{order.number}，已通知签发人。")
    return redirect("orders:detail", pk=pk)


def docx_response(order) -> HttpResponse:
    """The order as a Word attachment named after its number (shared with the API)."""
    return attachment(build_order_docx(order), f"{order.number}.docx", DOCX_TYPE)


@login_required
@require_GET
def docx(request, pk: int):
    order = orders.get_order(request.user, pk)
    return docx_response(order)
