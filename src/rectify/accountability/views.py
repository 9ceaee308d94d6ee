"""Accountability pages (问责): the list and the office's form. Only the office and the supervisors
open them; nothing here is public. Thin: the rules are accountability.services'."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from rectify.errors import AccessDenied
from rectify.forms import submit
from rectify.ledger.services import get_inspection
from rectify.paging import paginate

from . import services
from .forms import RecordFilterForm, RecordForm
from .models import AccountabilityForm, AccountabilityRecord


@login_required
@require_GET
def record_list(request):
    """The records the user may read; `?inspection=` and `?form=` narrow them."""
    form = RecordFilterForm(request.GET or None, user=request.user)
    invalid = form.is_bound and not form.is_valid()
    # AccessDenied for those who read none (a unit, a leader).
    records = services.record_list(request.user, form.inspection_id(), form.form_value())
    if invalid:
        records = records.none()
    forms_counted = Counter(records.values_list("form", flat=True))
    inspections = form.fields["inspection"].queryset.select_related("inspected")
    return render(
        request,
        "accountability/record_list.html",
        {
            "form": form,
            "page": paginate(request, records, 30),
            "by_form": [(item.label, forms_counted[item.value]) for item in AccountabilityForm],
            "total": sum(forms_counted.values()),
            "recordable": [i for i in inspections if services.may_change(request.user, i)],
        },
        status=400 if invalid else 200,
    )


def _office_inspection(user, inspection_id: int):
    inspection = get_inspection(user, inspection_id)
    if not services.may_change(user, inspection):
        raise AccessDenied(services.CHANGE_DENIED)
    return inspection


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request, pk: int):
    return _edit(request, _office_inspection(request.user, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int):
    record = services.get_record(request.user, pk)
    return _edit(request, _office_inspection(request.user, record.inspection_id), record)


def _edit(request, inspection, record: AccountabilityRecord | None):
    status = 200
    if request.method == "POST":
        form = RecordForm(request.POST, inspection=inspection)
        saved, status = submit(
            form,
            lambda data: services.save_record(
                request.user,
                inspection_id=inspection.pk,
                record_id=record.pk if record else None,
                **form.service_arguments(),
            ),
        )
        if status is None:
            messages.success(request, f"已{'修改' if record else '登记'}{saved.person_name}的问责记录。")
            return redirect("accountability:list")
    elif record is not None:
        form = RecordForm(initial=RecordForm.initial_for(record), inspection=inspection)
    else:
        form = RecordForm(inspection=inspection)
    return render(
        request,
        "accountability/record_form.html",
        {"inspection": inspection, "record": record, "form": form},
        status=status,
    )
