"""Progress pages: a unit's work list (我的整改), the report form, the office's review queue, the
sign-off queue, the actions taken on a measure, and evidence downloads.

Thin: each reads a small form, calls progress.services and redirects with a message. A refused
action re-renders the page it was sent from (its `next`) with the service's Chinese message, the
service's HTTP status and what the user typed; nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.attachments import ACCEPTED, file_response
from rectify.documents import XLSX_TYPE, attachment
from rectify.errors import AccessDenied, InvalidInput, NotFound, RectifyError
from rectify.ledger import services as ledger_services
from rectify.ledger.choices import OPEN_STATUSES, MeasureCategory, MeasureStatus
from rectify.ledger.models import Measure
from rectify.ledger.workflow import Event, IllegalTransition, allowed_events, target_of
from rectify.meetings import services as meeting_services
from rectify.office import size_text
from rectify.org.access import CHANGE, is_office
from rectify.org.models import User

from . import ledger_excel, milestones, services
from .extensions import measure_sections
from .forms import (
    STAGE_SUGGESTIONS,
    ConfirmForm,
    DecisionForm,
    MilestoneCompleteForm,
    MilestoneForm,
    RecordFollowupForm,
    ReportForm,
    ReviewForm,
    ScheduleFollowupForm,
    SignoffRequestForm,
)
from .models import (
    SIGNOFF_LEVELS,
    FollowUp,
    FollowUpOutcome,
    Milestone,
    ProgressReport,
    ReportState,
    SignOff,
    SignOffDecision,
    SignOffLevel,
    SignOffState,
)

DUE_SOON_DAYS = 14  # a measure this close to its deadline is flagged on 我的整改


@dataclass(frozen=True)
class ActionError:
    """A refused action, shown beside the form it came from, with what the user typed."""

    # review | decide | signoff | schedule | record | extension | extension-decide | milestone-add | milestone
    kind: str
    pk: int
    message: str
    data: dict = field(default_factory=dict)

    @property
    def anchor(self) -> str:
        """The id of the form on the page, to take the user back to it."""
        return {
            "review": f"review-{self.pk}",
            "decide": f"decide-{self.pk}",
            "signoff": "signoff-request",
            "schedule": "followup-schedule",
            "record": f"followup-{self.pk}",
            "extension": "extension-request",
            "extension-decide": f"extension-{self.pk}",
            "milestone-add": "milestone-add",
            "milestone": f"milestone-{self.pk}",
        }[self.kind]


def _label(measure: Measure) -> str:
    return f"措施 {measure.problem.number}.{measure.order}"


def _measure_url(measure_id: int, anchor: str = "") -> str:
    return reverse("ledger:measure-detail", args=[measure_id]) + (f"#{anchor}" if anchor else "")


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(_safe_next(request) or default)


def _origin(request: HttpRequest) -> str | None:
    """The view the action was sent from, by its `next`."""
    target = _safe_next(request)
    if not target:
        return None
    try:
        return resolve(urlsplit(target).path).view_name
    except Resolver404:
        return None


def _refused(
    request: HttpRequest,
    error: RectifyError,
    *,
    kind: str,
    pk: int,
    measure_id: int | Callable[[], int | None],
) -> HttpResponse:
    """Show the refusal on the page the action came from (the measure page by default), with the
    service's message and status; a measure or object the user may not see is simply not found."""
    if isinstance(error, NotFound):
        raise error
    failed = ActionError(kind, pk, error.message, request.POST.dict())
    origin = _origin(request)
    if origin == "progress:review-queue":
        return _review_queue_page(request, failed, error.status)
    if origin == "progress:signoff-queue":
        return _signoff_queue_page(request, failed, error.status)
    try:
        measure = ledger_services.get_measure(
            request.user, measure_id() if callable(measure_id) else measure_id
        )
    except RectifyError:
        raise error from None
    return render(
        request,
        "ledger/measure_detail.html",
        measure_page_context(request.user, measure, action_error=failed),
        status=error.status,
    )


# ------------------------------------------------------------------ the measure page


@dataclass(frozen=True)
class Step:
    """One level of a sign-off request: its decision if taken, and whether it is the current one."""

    level: str
    label: str
    decision: SignOffDecision | None
    current: bool


def signoff_steps(signoff: SignOff) -> list[Step]:
    """The three levels in order (decisions must be prefetched)."""
    decided = {decision.level: decision for decision in signoff.decisions.all()}
    pending = signoff.state == SignOffState.PENDING
    return [
        Step(level, SignOffLevel(level).label, decided.get(level), pending and signoff.level == level)
        for level in SIGNOFF_LEVELS
    ]


def report_threads(reports: list[ProgressReport]) -> list[list[ProgressReport]]:
    """Reports grouped by answer chain (a returned report and the versions answering it), each
    chain newest version first, chains newest first."""
    next_of = {report.supersedes_id: report for report in reports if report.supersedes_id}
    threads = []
    for report in reports:
        if report.supersedes_id:
            continue
        chain = [report]
        while chain[-1].pk in next_of:
            chain.append(next_of[chain[-1].pk])
        threads.append(chain[::-1])
    threads.sort(key=lambda chain: (chain[0].submitted_at, chain[0].pk), reverse=True)
    return threads


def measure_page_context(user: User, measure: Measure, *, action_error: ActionError | None = None) -> dict:
    """Everything the measure page shows: the ledger facts, reports, sign-off, follow-ups,
    indicators and history, and which forms this user may use now."""
    responsible = services.is_responsible(user, measure)
    office = is_office(user, measure.problem.inspection.inspected)
    events = allowed_events(measure)
    reports = list(
        measure.reports.select_related("author", "reviewer")
        .prefetch_related("evidence")
        .order_by("-submitted_at", "-id")
    )
    answered = {report.supersedes_id for report in reports if report.supersedes_id}
    open_returns = [r for r in reports if r.state == ReportState.RETURNED and r.pk not in answered]
    # Whether this user decides each request, from the one sign-off rule, in the same query.
    decidable = Exists(services.signoffs_to_decide(user).filter(pk=OuterRef("pk")))
    signoffs = list(
        measure.signoffs.select_related("requested_by")
        .prefetch_related(Prefetch("decisions", queryset=SignOffDecision.objects.select_related("actor")))
        .annotate(decidable=decidable)
    )
    pending = next((s for s in signoffs if s.state == SignOffState.PENDING), None)
    can_decide = pending is not None and pending.decidable
    if pending is not None:
        pending.completion_warning = services.signoff_warning(pending)
    followups = list(measure.followups.select_related("scheduled_by", "checked_by"))
    form_data = action_error.data if action_error else {}
    return {
        "measure": measure,
        "history": ledger_services.measure_history(measure),
        "can_change": Measure.objects.restrict(user, CHANGE).filter(pk=measure.pk).exists(),
        "action_error": action_error,
        "form_data": form_data,
        "next": _measure_url(measure.pk),
        "is_responsible_unit": responsible,
        "is_measure_office": office,
        "can_report": responsible and Event.REPORT in events,
        "can_request_signoff": responsible and Event.REQUEST_SIGNOFF in events,
        "is_long_term": measure.category == MeasureCategory.LONG_TERM,
        "report_threads": report_threads(reports),
        "open_returns": open_returns,
        "signoffs": signoffs,
        "current_signoff": (pending, signoff_steps(pending)) if pending else None,
        "closed_signoffs": [(s, signoff_steps(s)) for s in signoffs if s.state != SignOffState.PENDING],
        "can_decide": can_decide,
        "followups": followups,
        "can_schedule_followup": office and measure.status == MeasureStatus.SIGNED_OFF,
        "can_record_followup": office,
        "indicator_statuses": services.indicator_statuses(measure),
        "can_track_indicators": office or responsible,
        "meeting_tasks": meeting_services.with_completion(
            user, meeting_services.decisions_for_measure(user, measure)
        ),
        **_milestone_context(user, measure, responsible, office),
        # Sections the apps above progress add (supervision: 延期), by name.
        **{name: section(user, measure) for name, section in measure_sections.items()},
    }


def _milestone_context(user: User, measure: Measure, responsible: bool, office: bool) -> dict:
    """The 时间节点 section: the nodes as done, open or overdue, and what this user may do with them."""
    rows = milestones.milestone_rows(milestones.measure_milestones(measure))
    can_complete = (responsible or office) and any(row.milestone.state == "open" for row in rows)
    return {
        "milestone_rows": rows,
        "can_plan_milestones": office and measure.status != MeasureStatus.SIGNED_OFF,
        "can_complete_milestones": can_complete,
        "milestone_reports": milestones.evidence_reports(measure) if can_complete else [],
    }


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The measure page (ledger:measure-detail): served here, since most of what it shows is progress."""
    measure = ledger_services.get_measure(request.user, pk)
    # Ledger facts, history, reports, sign-off, follow-ups, indicators, and the forms this user may use.
    return render(request, "ledger/measure_detail.html", measure_page_context(request.user, measure))


@login_required
@require_GET
def export_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """An Excel ledger of the inspection (ledger_excel:export; ?list= picks the list, and the ledger
    page's filters, carried along, limit it to what the page showed)."""
    conditions = request.GET.copy()
    list_key = conditions.pop("list", [None])[-1]
    conditions.pop("page", None)
    content, name = ledger_excel.export_ledger(request.user, pk, list_key, conditions=conditions)
    return attachment(content, name, XLSX_TYPE)


@login_required
@require_GET
def export_ledgers(request: HttpRequest) -> HttpResponse:
    """One Excel ledger over several inspections (ledger_excel:export-several, ?inspection= repeated),
    with the ledger page's filters as export_ledger; each row says its inspection."""
    conditions = request.GET.copy()
    list_key = conditions.pop("list", [None])[-1]
    conditions.pop("page", None)
    content, name = ledger_excel.export_ledgers(request.user, conditions, list_key)
    return attachment(content, name, XLSX_TYPE)


# ------------------------------------------------------------------ 我的整改


@dataclass(frozen=True)
class Need:
    """One thing a measure needs from its unit now."""

    kind: str  # returned | unreported | overdue | due_soon | signoff_returned | reopened | waiting
    text: str
    url: str = ""
    action: str = ""

    @property
    def urgent(self) -> bool:
        return self.kind != "waiting"


def _needs(measure: Measure, today: date) -> list[Need]:
    detail = _measure_url(measure.pk)
    report_url = reverse("progress:report", args=[measure.pk])
    events = allowed_events(measure)
    needs = []
    if measure.status == MeasureStatus.REOPENED:
        needs.append(
            Need("reopened", f"回头看发现反弹：{measure.reopen_reason}", report_url, "重新整改并报送")
        )
    for report in measure.open_returns:
        text = f"{report.period_label}第 {report.revision} 版报告被退回：{report.review_comment}"
        if Event.REPORT in events:
            needs.append(Need("returned", text, f"{report_url}?answers={report.pk}", "答复退回"))
        else:  # e.g. while a sign-off is being decided: answered once it is back
            needs.append(Need("returned", text, detail, "查看"))
    _, label = services.period_of(measure.problem.inspection, today)
    if (
        Event.REPORT in events
        and measure.status != MeasureStatus.REOPENED  # asked above, with the reason
        and not measure.reported_this_period
        and not measure.open_returns
    ):
        needs.append(Need("unreported", f"本期（{label}）尚未报送整改进展", report_url, "报送进展"))
    if measure.is_overdue:
        days = (today - measure.deadline).days
        needs.append(
            Need("overdue", f"已超期 {days} 天（整改时限 {measure.deadline:%Y-%m-%d}）", detail, "查看")
        )
    elif (
        measure.deadline
        and measure.status in OPEN_STATUSES
        and measure.deadline <= today + timedelta(days=DUE_SOON_DAYS)
    ):
        days = (measure.deadline - today).days
        when = "今天到期" if days == 0 else f"还有 {days} 天到期"
        needs.append(Need("due_soon", f"{when}（整改时限 {measure.deadline:%Y-%m-%d}）", detail, "查看"))
    latest = measure.latest_signoffs[0] if measure.latest_signoffs else None
    if latest and latest.state == SignOffState.RETURNED and Event.REQUEST_SIGNOFF in events:
        returned = next((d for d in latest.decisions.all() if d.decision == "return"), None)
        reason = f"（{returned.get_level_display()}）：{returned.comment}" if returned else ""
        needs.append(
            Need(
                "signoff_returned",
                f"销号申请被退回{reason}",
                _measure_url(measure.pk, "signoff"),
                "重新申请销号",
            )
        )
    if measure.has_submitted_report:
        needs.append(Need("waiting", "有进展报告待整改办审核"))
    if latest and latest.state == SignOffState.PENDING:
        needs.append(Need("waiting", f"销号审批中，当前环节：{SignOffLevel(latest.level).label}"))
    return needs


@login_required
@require_GET
def my_measures(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    submitted = ProgressReport.objects.filter(measure=OuterRef("pk"), state=ReportState.SUBMITTED)
    measures = (
        services.with_reported_this_period(services.my_measures(request.user), today)
        .annotate(has_submitted_report=Exists(submitted))
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.filter(
                    state=ReportState.RETURNED, superseded_by__isnull=True
                ).order_by("-submitted_at", "-id"),
                to_attr="open_returns",
            ),
            Prefetch(
                "signoffs",
                queryset=SignOff.objects.order_by("-requested_at", "-id").prefetch_related("decisions")[:1],
                to_attr="latest_signoffs",
            ),
        )
    )
    rows = [(measure, _needs(measure, today)) for measure in measures]
    counts = {
        kind: 0 for kind in ("returned", "unreported", "overdue", "due_soon", "signoff_returned", "reopened")
    }
    for _, needs in rows:
        for kind in {need.kind for need in needs}:
            if kind in counts:
                counts[kind] += 1
    rows.sort(key=lambda row: not any(need.urgent for need in row[1]))  # stable: the service's order inside
    return render(
        request,
        "progress/my_measures.html",
        {
            "rows": rows,
            "counts": counts,
            "todo": sum(1 for _, needs in rows if any(need.urgent for need in needs)),
            "due_soon_days": DUE_SOON_DAYS,
            "tasks": meeting_services.with_completion(request.user, meeting_services.tasks_of(request.user)),
        },
    )


# ------------------------------------------------------------------ the report form


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    measure = ledger_services.get_measure(request.user, pk)
    if not services.is_responsible(request.user, measure):
        raise AccessDenied("只有该措施的责任单位可以报送整改进展。")
    if request.method == "GET":
        try:
            target_of(measure, Event.REPORT)  # a status that cannot report is told so before the form
        except IllegalTransition as error:
            return _report_page(request, measure, None, error=error.message, status=error.status)
        return _report_page(request, measure, ReportForm(initial={"answers": request.GET.get("answers")}))
    form = ReportForm(request.POST, request.FILES)
    chosen_files = bool(request.FILES.getlist("files"))
    if not form.is_valid():
        return _report_page(request, measure, form, status=400, files_dropped=chosen_files)
    data = form.cleaned_data
    try:
        created = services.submit_report(
            request.user,
            measure.pk,
            text=data["text"],
            files=data["files"],
            percent=data["percent"],
            stage=data["stage"],
            answers=data["answers"],
        )
    except RectifyError as error:
        return _report_page(
            request, measure, form, error=error.message, status=error.status, files_dropped=chosen_files
        )
    files = len(data["files"])
    attached = f"，附佐证材料 {files} 份" if files else ""
    messages.success(
        request,
        f"已报送{_label(measure)}的整改进展（{created.period_label}，"
        f"第 {created.revision} 版{attached}），等待整改办审核。",
    )
    return _back(request, _measure_url(measure.pk, "reports"))


def _report_page(
    request: HttpRequest,
    measure: Measure,
    form: ReportForm | None,
    *,
    error: str = "",
    status: int = 200,
    files_dropped: bool = False,
) -> HttpResponse:
    answers = (form.data.get("answers") if form is not None and form.is_bound else None) or request.GET.get(
        "answers"
    )
    answered = None
    if answers and str(answers).isdigit():
        answered = (
            measure.reports.select_related("reviewer").prefetch_related("evidence").filter(pk=answers).first()
        )
    if answered and (
        answered.state != ReportState.RETURNED or ProgressReport.objects.filter(supersedes=answered).exists()
    ):
        answered = None  # not one to answer: the service refuses it on submit, with its reason
    today = timezone.localdate()
    return render(
        request,
        "progress/report_form.html",
        {
            "measure": measure,
            "form": form,
            "error": error,
            "files_dropped": files_dropped,
            "answered": answered,
            "answers_invalid": bool(answers) and answered is None,
            "period_label": services.period_of(measure.problem.inspection, today)[1],
            "reported_this_period": services.reported_this_period(measure, today),
            "stage_suggestions": STAGE_SUGGESTIONS,
            "accepted_types": ACCEPTED,
            "max_file_size": size_text(settings.RECTIFY_EVIDENCE_MAX_BYTES),
            "max_report_size": size_text(settings.RECTIFY_EVIDENCE_MAX_REPORT_BYTES),
            "max_files": settings.RECTIFY_EVIDENCE_MAX_FILES,
            "next": _safe_next(request) or "",
        },
        status=status,
    )


# ------------------------------------------------------------------ the queues


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    return _review_queue_page(request)


def _review_queue_page(request: HttpRequest, action_error: ActionError | None = None, status: int = 200):
    reports = (
        services.review_queue(request.user)
        .select_related("measure__problem__area", "supersedes__reviewer", "supersedes__author")
        .prefetch_related("measure__unit_links__unit", "supersedes__evidence")
    )
    return render(
        request,
        "progress/review_queue.html",
        {
            "reports": reports,
            "action_error": action_error,
            "form_data": action_error.data if action_error else {},
            "next": reverse("progress:review-queue"),
        },
        status=status,
    )


@login_required
@require_GET
def signoff_queue(request: HttpRequest) -> HttpResponse:
    return _signoff_queue_page(request)


def _signoff_queue_page(request: HttpRequest, action_error: ActionError | None = None, status: int = 200):
    signoffs = list(
        services.signoff_queue(request.user).prefetch_related(
            Prefetch("decisions", queryset=SignOffDecision.objects.select_related("actor")),
            "measure__unit_links__unit",
            services.latest_accepted_reports(shown=True),
        )
    )
    for signoff in signoffs:
        signoff.completion_warning = services.signoff_warning(signoff)
    now = timezone.now()
    in_flight = list(services.signoffs_in_flight(request.user))
    for signoff in in_flight:
        signoff.waited_days = (now - signoff.waiting_since).days
    return render(
        request,
        "progress/signoff_queue.html",
        {
            "items": [(signoff, signoff_steps(signoff)) for signoff in signoffs],
            "in_flight": in_flight,
            "action_error": action_error,
            "form_data": action_error.data if action_error else {},
            "next": reverse("progress:signoff-queue"),
        },
        status=status,
    )


# ------------------------------------------------------------------ actions


def _measure_of(model, pk: int) -> Callable[[], int | None]:
    """The measure an object hangs from, looked up only if an action on it is refused."""
    return lambda: model.objects.filter(pk=pk).values_list("measure_id", flat=True).first()


def _act(
    request: HttpRequest,
    form,
    action: Callable[[dict], Any],
    *,
    done: Callable[[Any], str],
    anchor: str,
    **refusal,
) -> HttpResponse:
    """Run one action of the measure's decision forms: `action(cleaned_data)` for a valid form, then
    say `done(result)` and go back to where the form was sent from, by default the `anchor` section of
    the result's measure. An invalid form is refused with its first error; a refusal re-renders the
    page it came from (`_refused` with `refusal`)."""
    try:
        if not form.is_valid():
            raise InvalidInput(form.first_error)
        result = action(form.cleaned_data)
    except RectifyError as error:
        return _refused(request, error, **refusal)
    messages.success(request, done(result))
    return _back(request, _measure_url(result.measure_id, anchor))


def _reviewed(report: ProgressReport) -> str:
    what = f"{_label(report.measure)}的整改进展（{report.period_label}，第 {report.revision} 版）"
    if report.state == ReportState.ACCEPTED:
        return f"已采纳{what}。"
    return f"已退回{what}，责任单位将看到退回理由并重新报送。"


def _decided(signoff: SignOff) -> str:
    label = _label(signoff.measure)
    if signoff.state == SignOffState.APPROVED:
        return f"已同意{label}的销号申请，该措施已销号。"
    if signoff.state == SignOffState.RETURNED:
        return f"已退回{label}的销号申请，责任单位将看到退回理由。"
    return f"已同意{label}的销号申请，已转至“{SignOffLevel(signoff.level).label}”环节。"


def _recorded(followup: FollowUp) -> str:
    label = _label(followup.measure)
    if followup.outcome == FollowUpOutcome.RELAPSE:
        deadline = followup.measure.deadline
        return (
            f"已记录{label}回头看发现反弹，措施已转为“反弹重启”，"
            f"责任单位须在{deadline:%Y年%-m月%-d日}前重新整改到位。"
        )
    return f"已记录{label}回头看结果：整改成果巩固。"


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        ReviewForm(request.POST),
        lambda data: services.review_report(
            request.user, pk, decision=data["decision"], comment=data["comment"]
        ),
        done=_reviewed,
        anchor="reports",
        kind="review",
        pk=pk,
        measure_id=_measure_of(ProgressReport, pk),
    )


@login_required
@require_POST
def request_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        SignoffRequestForm(request.POST),
        lambda data: services.request_signoff(
            request.user, pk, note=data["note"], expected_version=data["version"]
        ),
        done=lambda signoff: (
            f"已提交{_label(signoff.measure)}的销号申请，等待{SignOffLevel.UNIT_HEAD.label}。"
        ),
        anchor="signoff",
        kind="signoff",
        pk=pk,
        measure_id=pk,
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        DecisionForm(request.POST),
        lambda data: services.decide_signoff(
            request.user, pk, decision=data["decision"], comment=data["comment"]
        ),
        done=_decided,
        anchor="signoff",
        kind="decide",
        pk=pk,
        measure_id=_measure_of(SignOff, pk),
    )


@login_required
@require_POST
def schedule_followup(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        ScheduleFollowupForm(request.POST),
        lambda data: services.schedule_followup(request.user, pk, due_on=data["due_on"]),
        done=lambda followup: (
            f"已安排{_label(followup.measure)}的回头看，计划于 {followup.due_on:%Y-%m-%d} 检查。"
        ),
        anchor="followups",
        kind="schedule",
        pk=pk,
        measure_id=pk,
    )


@login_required
@require_POST
def record_followup(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        RecordFollowupForm(request.POST),
        lambda data: services.record_followup(
            request.user,
            pk,
            outcome=data["outcome"],
            note=data["note"],
            new_deadline=data["new_deadline"],
        ),
        done=_recorded,
        anchor="followups",
        kind="record",
        pk=pk,
        measure_id=_measure_of(FollowUp, pk),
    )


# ------------------------------------------------------------------ evidence


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, as a download under its original name, to those who may see its measure."""
    evidence = services.get_evidence(request.user, pk)
    return file_response(evidence.file, evidence.original_name, evidence.content_type)


# ------------------------------------------------------------------ time nodes (时间节点)


def _milestone_act(request: HttpRequest, pk: int, form, action, done: Callable[[Milestone], str], kind: str):
    measure_id = pk if kind == "milestone-add" else _measure_of(Milestone, pk)
    return _act(
        request, form, action, done=done, anchor="milestones", kind=kind, pk=pk, measure_id=measure_id
    )


@login_required
@require_POST
def add_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _milestone_act(
        request,
        pk,
        MilestoneForm(request.POST),
        lambda data: milestones.add_milestone(request.user, pk, **data),
        lambda item: f"已为{_label(item.measure)}安排时间节点：{item.due_on:%Y-%m-%d} 前{item.deliverable}。",
        "milestone-add",
    )


@login_required
@require_POST
def change_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _milestone_act(
        request,
        pk,
        MilestoneForm(request.POST),
        lambda data: milestones.change_milestone(request.user, pk, **data),
        lambda item: f"已修改时间节点：{item.due_on:%Y-%m-%d} 前{item.deliverable}。",
        "milestone",
    )


@login_required
@require_POST
def delete_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _milestone_act(
        request,
        pk,
        ConfirmForm(request.POST),
        lambda data: milestones.delete_milestone(request.user, pk),
        lambda item: f"已删除时间节点“{item.deliverable}”。",
        "milestone",
    )


@login_required
@require_POST
def complete_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _milestone_act(
        request,
        pk,
        MilestoneCompleteForm(request.POST),
        lambda data: milestones.complete_milestone(request.user, pk, report_id=data["report"]),
        lambda item: f"时间节点“{item.deliverable}”已标记完成，佐证为{item.report.period_label}进展报告。",
        "milestone",
    )


@login_required
@require_POST
def reopen_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    return _milestone_act(
        request,
        pk,
        ConfirmForm(request.POST),
        lambda data: milestones.reopen_milestone(request.user, pk),
        lambda item: f"时间节点“{item.deliverable}”已改回未完成。",
        "milestone",
    )
