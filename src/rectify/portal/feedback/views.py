"""The public feedback pages on the portal (no sign-in): leave an opinion or an enterprise demand,
from a plain link, a notice or a QR code; read the tracking code; look up the answer with it.

Thin: what a link may name and what a sender may read is in feedback.public, the abuse rules in
feedback.abuse, and saving in feedback.services.submit_public. The pages work without JavaScript.

A tracking code never travels in a URL (it would land in logs and referrers): the confirmation
reads it from the session after the redirect, and the tracking page takes it by POST.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rectify.errors import NotFound, RateLimited, RectifyError
from rectify.feedback import abuse, services
from rectify.feedback.public import (
    Subject,
    active_qr,
    inspection_contact,
    public_view,
    record_scan,
    subject_from_link,
    subject_of_qr,
)

from ..forms import take_submission
from .forms import PublicFeedbackForm, TrackForm

SESSION_KEY = "feedback_submitted_code"
NOT_FOUND_MESSAGE = (
    "未找到与该查询码对应的留言。请核对查询码（共 12 位，由数字和字母组成）后重新输入；"
    "如仍查不到，请拨打通报中公布的电话咨询。"
)


def unavailable(request, error: RectifyError, subject: Subject | None = None):
    """A link, QR code or request the public side cannot take, with a way on."""
    return render(
        request,
        "portal/feedback/unavailable.html",
        {"message": error.message, "organisation": subject.organisation if subject else None},
        status=error.status,
    )


def _form_page(request, subject: Subject):
    status = 200
    notice = ""
    if request.method == "POST":
        try:
            abuse.check_body_size(request)
        except abuse.PayloadTooLarge as error:
            return unavailable(request, error, subject)
        form = PublicFeedbackForm(request.POST, subject=subject)
        item, notice, status = take_submission(
            request, form, lambda: services.submit_public(**form.submission())
        )
        if item is not None:
            request.session[SESSION_KEY] = item.code
            return redirect("public_feedback:submitted")
    else:
        form = PublicFeedbackForm(subject=subject)
    return render(
        request,
        "portal/feedback/form.html",
        {
            "form": form,
            "subject": subject,
            "subject_rows": subject.rows(),
            "contact": inspection_contact(subject.inspection),
            "notice": notice,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_form(request):
    """The form; `?org=&inspection=&problem=&measure=` say what the message is about."""
    try:
        subject = subject_from_link(
            organisation=request.GET.get("org"),
            inspection=request.GET.get("inspection"),
            problem=request.GET.get("problem"),
            measure=request.GET.get("measure"),
        )
    except NotFound as error:
        return unavailable(request, error)
    return _form_page(request, subject)


@never_cache
@require_http_methods(["GET", "POST"])
def qr_form(request, token: str):
    """Where a QR code leads: the form tied to the code's problem, measure or site. Opening it
    counts a scan; submitting through it records the code on the item."""
    try:
        qr = active_qr(token)
    except NotFound as error:
        return unavailable(request, error)
    if request.method == "GET":
        record_scan(qr)
    return _form_page(request, subject_of_qr(qr))


@never_cache
@require_GET
def submitted(request):
    """After submitting: the tracking code, what happens next and by when."""
    item = services.find_by_code(request.session.get(SESSION_KEY, ""))
    if item is None:
        return unavailable(request, NotFound("没有刚提交的留言。提交留言后，本页显示您的查询码。"))
    return render(
        request,
        "portal/feedback/submitted.html",
        {"view": public_view(item), "workdays": services.reply_workdays(item.organisation)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Look up the answer by tracking code. Found or not, the page answers 200 the same way, so
    that trying codes tells nothing but the answer to the right one."""
    status = 200
    view = None
    notice = ""
    searched = False
    if request.method == "POST":
        try:
            abuse.check_body_size(request)
        except abuse.PayloadTooLarge as error:
            return unavailable(request, error)
        form = TrackForm(request.POST)
        try:
            if form.is_valid():
                abuse.count_lookup(request)
                searched = True
                item = services.find_by_code(form.cleaned_data["code"])
                view = public_view(item) if item is not None else None
            else:
                status = 400
        except RateLimited as error:
            notice, status = error.message, error.status
    else:
        form = TrackForm()
    return render(
        request,
        "portal/feedback/track.html",
        {
            "form": form,
            "view": view,
            "searched": searched,
            "not_found_message": NOT_FOUND_MESSAGE,
            "notice": notice,
        },
        status=status,
    )
