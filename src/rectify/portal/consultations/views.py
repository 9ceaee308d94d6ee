"""The portal's consultations (公开征求意见, no sign-in): the list (those taking comments first, then
the closed ones with their 意见采纳情况), one consultation with its draft and, while it takes
comments, the comment form.

Thin: what is public and when comments are taken is feedback.consultations', the abuse rules (size,
honeypot, rate limit per address, shared with the feedback form) are feedback.abuse's. The pages
work without JavaScript and never show who commented.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rectify.errors import NotFound, RectifyError
from rectify.feedback import abuse
from rectify.feedback.consultations import services as consultations
from rectify.paging import paginate

from ..forms import take_submission
from .forms import PublicCommentForm

PAGE_SIZE = 20
SESSION_KEY = "consultation_commented"


def _not_found(request, error: RectifyError):
    template = "portal/consultations/unavailable.html"
    return render(request, template, {"message": error.message}, status=error.status)


@require_GET
def consultation_list(request):
    today = consultations.today_here()
    page = paginate(request, consultations.public_consultations(today), PAGE_SIZE)
    entries = [
        {
            "consultation": consultation,
            "phase": consultations.public_phase(consultation, today),
            "phase_label": consultations.PHASE_LABELS[consultations.public_phase(consultation, today)],
        }
        for consultation in page.object_list
    ]
    return render(request, "portal/consultations/list.html", {"page": page, "entries": entries})


@never_cache
@require_http_methods(["GET", "POST"])
def consultation_detail(request, pk: int):
    try:
        consultation = consultations.get_public(pk)
    except NotFound as error:
        return _not_found(request, error)
    today = consultations.today_here()
    phase = consultations.public_phase(consultation, today)
    status = 200
    notice = ""
    form = PublicCommentForm() if phase == "open" else None
    if request.method == "POST":
        try:
            abuse.check_body_size(request)
        except abuse.PayloadTooLarge as error:
            return _not_found(request, error)
        form = PublicCommentForm(request.POST)
        comment, notice, status = take_submission(
            request,
            form,
            lambda: consultations.submit_public_comment(consultation.pk, **form.submission(), today=today),
        )
        if comment is not None:
            request.session[SESSION_KEY] = consultation.pk
            return redirect("public_consultations:thanks", pk=consultation.pk)
        if phase != "open":
            # Closed meanwhile: say so; there is no form to fill in any more.
            notice = notice or " ".join(form.non_field_errors()) or "征求意见已截止，不再接收意见。"
            form = None
    return render(
        request,
        "portal/consultations/detail.html",
        {
            "consultation": consultation,
            "phase": phase,
            "phase_label": consultations.PHASE_LABELS[phase],
            "form": form,
            "notice": notice,
            "comments": consultations.public_comments(consultation),
        },
        status=status,
    )


@never_cache
@require_GET
def thanks(request, pk: int):
    """After commenting: the comment was received; the summary will say what came of it."""
    try:
        consultation = consultations.get_public(pk)
    except NotFound as error:
        return _not_found(request, error)
    if request.session.get(SESSION_KEY) != consultation.pk:
        return redirect("public_consultations:detail", pk=consultation.pk)
    return render(request, "portal/consultations/thanks.html", {"consultation": consultation})
