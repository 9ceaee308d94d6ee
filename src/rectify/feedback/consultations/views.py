"""Staff pages of consultations (公开征求意见 and 征求意见座谈会): the list (per rule, too), creating
and editing a draft, and one consultation's page with the moves the office may make: publish, close,
enter comments heard, decide each comment, write and publish the summary. Thin: every rule is in
feedback.consultations; a refusal shows its Chinese message with its HTTP status and keeps what was
typed."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.errors import InvalidInput, NotFound, RectifyError
from rectify.forms import submit
from rectify.paging import paginate

from .. import services
from . import services as consultations
from .forms import (
    CommentRecordForm,
    ConsultationFilterForm,
    ConsultationForm,
    DecisionForm,
    StateForm,
    SummaryForm,
)
from .models import Consultation
from .services import Kind, Status

PAGE_SIZE = 30


@login_required
@require_GET
def consultation_list(request):
    """Every consultation the user may see; `?mechanism=ID` keeps one rule's."""
    form = ConsultationFilterForm(request.GET or None)
    mechanism = None
    status = 200
    filters: dict = {}
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        data = form.cleaned_data
        if data["mechanism"]:
            mechanism = consultations.mechanisms_visible(request.user).filter(pk=data["mechanism"]).first()
            if mechanism is None:
                raise NotFound("长效机制不存在，或您无权查看。")
        filters = {"mechanism": mechanism, "status": data["status"], "kind": data["kind"]}
    records = consultations.visible_consultations(request.user, **filters)
    page = paginate(request, records if status == 200 else records.none(), PAGE_SIZE)
    return render(
        request,
        "feedback/consultations/list.html",
        {
            "form": form,
            "page": page,
            "mechanism": mechanism,
            "can_create": consultations.may_create(request.user)
            and (mechanism is None or consultations.may_manage_mechanism(request.user, mechanism)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    if not consultations.may_create(request.user):
        raise consultations.office_only()
    status = 200
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=request.user)
        consultation, status = submit(
            form,
            lambda data: consultations.create_consultation(
                request.user, form.fields_typed(), **form.placement()
            ),
        )
        if status is None:
            messages.success(request, "已保存征求意见稿。核对无误后请发布。")
            return redirect("consultations:detail", pk=consultation.pk)
    else:
        form = ConsultationForm(initial=_initial(request), user=request.user)
    return render(
        request,
        "feedback/consultations/form.html",
        {"form": form, "consultation": None},
        status=status,
    )


def _initial(request) -> dict:
    initial = {"kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else Kind.ONLINE}
    mechanism_id = request.GET.get("mechanism", "")
    mechanism = (
        consultations.mechanisms_for(request.user).filter(pk=mechanism_id).first()
        if mechanism_id.isdigit()
        else None
    )
    if mechanism is not None:
        initial["mechanism"] = mechanism.pk
        initial["title"] = f"关于{consultations.quoted(mechanism.title)}（征求意见稿）公开征求意见的公告"
    organisations = list(consultations.organisations_for(request.user)[:2])
    if len(organisations) == 1:
        initial["organisation"] = organisations[0].pk
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def consultation_edit(request, pk: int):
    consultation = consultations.get_consultation(request.user, pk)
    if not consultations.may_manage(request.user, consultation):
        raise consultations.office_only()
    if consultation.status != Status.DRAFT:
        messages.error(request, "征求意见稿发布后不能再修改。")
        return redirect("consultations:detail", pk=pk)
    status = 200
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=request.user, consultation=consultation)
        _, status = submit(
            form,
            lambda data: consultations.update_consultation(
                request.user, pk, form.fields_typed(), expected_status=Status.DRAFT
            ),
        )
        if status is None:
            messages.success(request, "征求意见稿已保存。")
            return redirect("consultations:detail", pk=pk)
    else:
        form = ConsultationForm(
            initial=ConsultationForm.initial_for(consultation), user=request.user, consultation=consultation
        )
    return render(
        request,
        "feedback/consultations/form.html",
        {"form": form, "consultation": consultation},
        status=status,
    )


@login_required
@require_GET
@never_cache
def consultation_detail(request, pk: int):
    consultation = consultations.get_consultation(request.user, pk)
    return _detail_page(request, consultation)


def _detail_page(
    request,
    consultation: Consultation,
    *,
    status: int = 200,
    error: str = "",
    comment_form: CommentRecordForm | None = None,
    summary_form: SummaryForm | None = None,
    decision_forms: dict | None = None,
    revealed: dict | None = None,
):
    manage = consultations.may_manage(request.user, consultation)
    comments = list(consultations.comments_of(consultation))
    decision_forms = decision_forms or {}
    rows = [
        {
            "comment": comment,
            "name": services.mask_name(comment.sender_name),
            "contact": consultations.masked_contact(comment.sender_contact),
            "has_contact": bool(comment.sender_name or comment.sender_contact),
            "revealed": (revealed or {}).get(comment.pk),
            "form": decision_forms.get(comment.pk)
            or DecisionForm(
                initial={"decision": comment.decision, "reason": comment.reason}, prefix=f"c{comment.pk}"
            ),
        }
        for comment in comments
    ]
    closed = consultation.status == Status.CLOSED
    if summary_form is None and closed:
        summary_form = SummaryForm(
            initial={
                "summary": consultation.summary or consultations.drafted_summary(consultation),
                "status": consultation.status,
            }
        )
    return render(
        request,
        "feedback/consultations/detail.html",
        {
            "consultation": consultation,
            "rows": rows,
            "counts": consultations.decision_counts(consultation),
            "pending": sum(1 for comment in comments if comment.decision == "pending"),
            "manage": manage,
            "phase": consultations.public_phase(consultation),
            "phase_label": consultations.PHASE_LABELS[consultations.public_phase(consultation)],
            "can_open": manage and consultation.status == Status.DRAFT and consultation.kind == Kind.ONLINE,
            "can_close": manage
            and (
                (consultation.kind == Kind.ONLINE and consultation.status == Status.OPEN)
                or (consultation.kind == Kind.MEETING and consultation.status == Status.DRAFT)
            ),
            "can_record": manage
            and consultation.status != Status.PUBLISHED
            and (consultation.kind == Kind.MEETING or consultation.status != Status.DRAFT),
            "can_decide": manage and closed,
            "comment_form": comment_form
            or CommentRecordForm(
                initial={"channel": "association" if consultation.kind == Kind.MEETING else "letter"}
            ),
            "summary_form": summary_form,
            "error": error,
            "Status": Status,
        },
        status=status,
    )


def _act(request, pk: int, act: Callable[[], object], done: str, **shown) -> HttpResponse:
    """Take the office's action on the consultation: its page again with the refusal and the forms
    in `shown` as typed, or back to the page saying it is `done`."""
    try:
        act()
    except NotFound:
        raise  # nothing to show again: the error page says it is gone
    except RectifyError as refused:
        consultation = consultations.get_consultation(request.user, pk)
        return _detail_page(request, consultation, status=refused.status, error=refused.message, **shown)
    messages.success(request, done)
    return redirect("consultations:detail", pk=pk)


def _move(request, pk: int, action, done: str):
    form = StateForm(request.POST)
    if not form.is_valid():
        raise InvalidInput("操作无效，请刷新页面后重试。")
    status = form.cleaned_data["status"]
    return _act(request, pk, lambda: action(request.user, pk, expected_status=status), done)


@login_required
@require_POST
def consultation_open(request, pk: int):
    return _move(request, pk, consultations.open_consultation, "已在门户公开征求意见。")


@login_required
@require_POST
def consultation_close(request, pk: int):
    return _move(request, pk, consultations.close_consultation, "征求意见已结束，请逐条研究采纳情况。")


@login_required
@require_POST
def comment_record(request, pk: int):
    consultation = consultations.get_consultation(request.user, pk)
    form = CommentRecordForm(request.POST)
    if not form.is_valid():
        error = "意见未登记，请修改后再提交。"
        return _detail_page(request, consultation, status=400, comment_form=form, error=error)
    return _act(
        request,
        pk,
        lambda: consultations.record_comment(request.user, pk, **form.cleaned_data),
        "已登记意见。",
        comment_form=form,
    )


@login_required
@require_POST
def comment_decide(request, pk: int):
    comment = consultations.get_comment(request.user, pk)
    consultation = comment.consultation
    form = DecisionForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        try:
            consultations.decide_comment(
                request.user, pk, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"]
            )
        except RectifyError as refused:
            form.add_error(None, refused.message)
            return _detail_page(
                request,
                consultation,
                status=refused.status,
                decision_forms={comment.pk: form},
                error=f"第 {consultations.comment_number(comment)} 条意见：{refused.message}",
            )
        messages.success(request, f"已记录第 {consultations.comment_number(comment)} 条意见的采纳情况。")
        return redirect("consultations:detail", pk=consultation.pk)
    return _detail_page(
        request,
        consultation,
        status=400,
        decision_forms={comment.pk: form},
        error=f"第 {consultations.comment_number(comment)} 条意见的采纳情况未保存，请修改后再提交。",
    )


@login_required
@require_POST
@never_cache
def comment_reveal(request, pk: int):
    """The office sees a commenter's name and contact in full; the view is audited. Answered as a
    page (never a redirect), so the contact is in no address or history."""
    comment = consultations.get_comment(request.user, pk)
    name, contact = consultations.reveal_contact(request.user, pk)
    return _detail_page(
        request, comment.consultation, revealed={comment.pk: {"name": name, "contact": contact}}
    )


@login_required
@require_POST
def summary_save(request, pk: int):
    consultation = consultations.get_consultation(request.user, pk)
    form = SummaryForm(request.POST)
    if not form.is_valid():
        error = "操作无效，请刷新页面后重试。"
        return _detail_page(request, consultation, status=400, summary_form=form, error=error)
    publish = "publish" in request.POST
    action = consultations.publish_summary if publish else consultations.save_summary
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda: action(request.user, pk, data["summary"], expected_status=data["status"]),
        "意见采纳情况已在门户公布。" if publish else "意见采纳情况已保存（尚未公布）。",
        summary_form=form,
    )
