"""Meeting pages (会议): the list, one meeting with its decisions and tasks, the office's forms, the
minutes' download and a task reported done. Thin: the rules are meetings.services'."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.attachments import ACCEPTED, file_response
from rectify.errors import AccessDenied
from rectify.forms import submit
from rectify.ledger.services import get_inspection
from rectify.paging import paginate

from . import extensions, services
from .forms import DecisionForm, MeetingFilterForm, MeetingForm, TaskDoneForm
from .models import Meeting, MeetingDecision, MeetingKind


@login_required
@require_GET
def meeting_list(request):
    """The meetings the user may read; `?inspection=` and `?kind=` narrow them. The office sees, per
    inspection it may record for, a link to record one; consultation meetings (座谈会) recorded as
    consultations are listed beside them."""
    form = MeetingFilterForm(request.GET or None, user=request.user)
    invalid = form.is_bound and not form.is_valid()
    meetings = services.meeting_list(request.user, form.inspection_id(), form.kind_value())
    if invalid:
        meetings = meetings.none()
    kinds = Counter(meetings.values_list("kind", flat=True))
    page = paginate(request, meetings, 30)
    inspections = form.fields["inspection"].queryset.select_related("inspected")
    recordable = [inspection for inspection in inspections if services.may_change(request.user, inspection)]
    elsewhere = [] if invalid else extensions.listed_elsewhere(request.user, _chosen(form), form.kind_value())
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "form": form,
            "page": page,
            "by_kind": [(kind.label, kinds[kind.value]) for kind in MeetingKind],
            "total": sum(kinds.values()),
            "recordable": recordable,
            "elsewhere": elsewhere,
        },
        status=400 if invalid else 200,
    )


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = services.get_meeting(request.user, pk)
    decisions = services.with_completion(request.user, meeting.decisions.all())
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "can_change": services.may_change(request.user, meeting.inspection),
            "done_form": TaskDoneForm(),
        },
    )


@login_required
@require_GET
def minutes(request, pk: int):
    """The minutes, as a download under their original name, to those who read the meeting."""
    meeting = services.minutes_of(request.user, pk)
    return file_response(meeting.minutes, meeting.minutes_name, meeting.minutes_type)


def _chosen(form: MeetingFilterForm):
    return form.cleaned_data["inspection"] if form.is_valid() else None


def _office_inspection(user, inspection_id: int):
    inspection = get_inspection(user, inspection_id)  # NotFound if not visible
    if not services.may_change(user, inspection):
        raise AccessDenied(services.CHANGE_DENIED)
    return inspection


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk: int):
    return _edit(request, _office_inspection(request.user, pk), None)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = services.get_meeting(request.user, pk)
    return _edit(request, _office_inspection(request.user, meeting.inspection_id), meeting)


def _edit(request, inspection, meeting: Meeting | None):
    status = 200
    if request.method == "POST":
        form = MeetingForm(request.POST, request.FILES, inspection=inspection)

        saved, status = submit(
            form,
            lambda data: services.save_meeting(
                request.user,
                inspection_id=inspection.pk,
                meeting_id=meeting.pk if meeting else None,
                minutes=data["minutes"],
                **form.service_arguments(),
            ),
        )
        if status is None:
            messages.success(request, f"已{'修改' if meeting else '登记'}会议“{saved.title}”。")
            return redirect("meetings:detail", pk=saved.pk)
    elif meeting is not None:
        form = MeetingForm(initial=MeetingForm.initial_for(meeting), inspection=inspection)
    else:
        form = MeetingForm(initial={"kind": MeetingKind.SPECIAL}, inspection=inspection)
    return render(
        request,
        "meetings/meeting_form.html",
        {"inspection": inspection, "meeting": meeting, "form": form, "accepted_types": ACCEPTED},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk: int):
    meeting = services.get_meeting(request.user, pk)
    _office_inspection(request.user, meeting.inspection_id)
    return _edit_decision(request, meeting, None)


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request, pk: int):
    decision = services.get_decision(request.user, pk)
    meeting = services.get_meeting(request.user, decision.meeting_id)
    _office_inspection(request.user, meeting.inspection_id)
    return _edit_decision(request, meeting, decision)


def _edit_decision(request, meeting: Meeting, decision: MeetingDecision | None):
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST, inspection=meeting.inspection)
        saved, status = submit(
            form,
            lambda data: services.save_decision(
                request.user,
                meeting.pk,
                decision_id=decision.pk if decision else None,
                **form.service_arguments(),
            ),
        )
        if status is None:
            messages.success(request, f"已{'修改' if decision else '记录'}第 {saved.order} 项决定事项。")
            return redirect("meetings:detail", pk=meeting.pk)
    elif decision is not None:
        form = DecisionForm(initial=DecisionForm.initial_for(decision), inspection=meeting.inspection)
    else:
        form = DecisionForm(inspection=meeting.inspection)
    return render(
        request,
        "meetings/decision_form.html",
        {"meeting": meeting, "decision": decision, "form": form},
        status=status,
    )


@login_required
@require_POST
def task_done(request, pk: int):
    """The owner (or the office) reports a task done, then goes back where it was reported (`next`:
    我的整改, the measure page or the meeting). Refused, the form shows again with what was typed."""
    decision = services.get_decision(request.user, pk)
    form = TaskDoneForm(request.POST)
    _done, status = submit(
        form, lambda data: services.complete_task(request.user, decision.pk, note=data["note"])
    )
    back = request.POST.get("next", "")
    if status is None:
        messages.success(request, f"已报告任务“{decision.text[:30]}”完成。")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("progress:my-measures")
    return render(
        request, "meetings/task_done.html", {"decision": decision, "form": form, "next": back}, status=status
    )
