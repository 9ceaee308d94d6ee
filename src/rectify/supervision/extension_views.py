"""The 延期 section of the measure page, and its two forms: ask for more time, decide a request."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rectify.errors import InvalidInput, NotFound, RectifyError
from rectify.forms import Form
from rectify.ledger import services as ledger_services
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import DeadlineChange, Measure
from rectify.org.models import User
from rectify.progress.views import ActionError, measure_page_context

from . import deadline_extensions as extensions
from .models import DeadlineExtension, ExtensionState


def measure_section(user: User, measure: Measure) -> dict:
    """What the measure page shows of extensions: the history, and which forms this user may use."""
    history = list(extensions.measure_extensions(measure))
    pending = next((e for e in history if e.state in extensions.WAITING), None)
    # A relapse's new deadline (回头看发现反弹) is read beside the extensions: the same old → new, reason.
    relapses = measure.deadline_changes.filter(kind=DeadlineChange.Kind.RELAPSE).select_related("decided_by")
    return {
        "history": history,
        "relapses": list(relapses),
        "pending": pending,
        "can_request": pending is None
        and measure.deadline is not None
        and measure.status in OPEN_STATUSES
        and extensions.may_request(user, measure),
        "can_decide": pending is not None and extensions.may_decide(user, pending),
    }


class RequestForm(Form):
    # Not required here: the service says what is missing, in the same words as the API.
    new_deadline = forms.DateField(
        label="申请延至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "申请延至的日期格式有误，应为“2025-12-31”这样的日期。"},
    )
    reason = forms.CharField(
        label="延期理由", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(Form):
    decision = forms.ChoiceField(
        label="审批结果",
        choices=list(extensions.DECISIONS.items()),
        error_messages={
            "required": "请选择审批结果：同意或不同意。",
            "invalid_choice": "审批结果无效，应为“同意”或“不同意”。",
        },
    )
    comment = forms.CharField(
        label="审批意见", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _refused(request: HttpRequest, error: RectifyError, kind: str, pk: int, measure_id: int) -> HttpResponse:
    if isinstance(error, NotFound):
        raise error
    measure = ledger_services.get_measure(request.user, measure_id)
    failed = ActionError(kind, pk, error.message, request.POST.dict())
    context = measure_page_context(request.user, measure, action_error=failed)
    return render(request, "ledger/measure_detail.html", context, status=error.status)


def _first_error(form: Form) -> str:
    return next(iter(error for errors in form.errors.values() for error in errors), "填写有误。")


@login_required
@require_POST
def request_extension(request: HttpRequest, pk: int) -> HttpResponse:
    form = RequestForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_first_error(form))
        data = form.cleaned_data
        extensions.request_extension(request.user, pk, data["new_deadline"], data["reason"])
    except RectifyError as error:
        return _refused(request, error, "extension", pk, pk)
    messages.success(request, "已提交延期申请，请等待整改办审批。")
    return redirect(reverse("ledger:measure-detail", args=[pk]) + "#extensions")


@login_required
@require_POST
def decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    form = DecideForm(request.POST)
    measure_id = (
        DeadlineExtension.objects.restrict(request.user)
        .filter(pk=pk)
        .values_list("measure_id", flat=True)
        .first()
    )
    if measure_id is None:
        raise NotFound("延期申请不存在，或您无权查看。")
    try:
        if not form.is_valid():
            raise InvalidInput(_first_error(form))
        data = form.cleaned_data
        decided = extensions.decide_extension(request.user, pk, data["decision"], data["comment"])
    except RectifyError as error:
        return _refused(request, error, "extension-decide", pk, measure_id)
    if decided.state == ExtensionState.LEADER_PENDING:
        leader = decided.measure.lead_leader
        messages.success(request, f"整改办已同意，按本单位规定已报牵头领导{leader.display_name}审批。")
    elif decided.state == ExtensionState.APPROVED:
        messages.success(request, f"已同意延期，整改时限调整为{decided.new_deadline:%Y年%-m月%-d日}。")
    else:
        messages.success(request, "已不同意该延期申请，整改时限不变。")
    return redirect(reverse("ledger:measure-detail", args=[measure_id]) + "#extensions")
