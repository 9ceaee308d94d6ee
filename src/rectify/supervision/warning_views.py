"""Warning pages: the three-colour warnings (三色预警) of the measures the user may see, the sign-offs
stuck at one level, the reports missing for the last period, and the office's warning policy.

Thin: the levels come from supervision.deadlines (computed in SQL at the moment asked), who sees
what from the ledger's access rules (`restrict`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rectify.errors import AccessDenied
from rectify.ledger.models import Inspection, Measure
from rectify.org.access import VIEW, Access, path_q
from rectify.org.models import Organisation, Role, User
from rectify.progress.services import period_of

from . import extensions, tallies
from .deadlines import DEFAULT_POLICY, previous_period_start, stuck_signoffs, with_report_missing
from .forms import LEVEL_SLUGS, SLUG_OF_LEVEL, PolicyForm, WarningFilterForm
from .holiday_calendar import calendar_warnings_for
from .models import WarningLevel, WarningPolicy
from .warning_helpers import days_left, days_text, filtered_warnings, level_counts

PAGE_SIZE = 100
SECTION_LIMIT = 100  # rows shown in the stuck sign-off and missing report sections
LEVELS_WORST_FIRST = [WarningLevel.ESCALATED, WarningLevel.RED, WarningLevel.YELLOW, WarningLevel.GREEN]
LEVEL_NOTES = {
    WarningLevel.ESCALATED: "超期已久，已升级提醒纪检监察组（巡察办）",
    WarningLevel.RED: "已超过整改时限",
    WarningLevel.YELLOW: "临近整改时限",
    WarningLevel.GREEN: "整改时限将至",
}


@login_required
@require_GET
def warning_list(request):
    user = request.user
    today = timezone.localdate()
    access = Access.of(user)
    is_leader = access.is_superuser or Role.LEADER in access.roles
    form = WarningFilterForm(
        request.GET or None,
        inspections=Inspection.objects.restrict(user, VIEW).select_related("inspected").order_by("-id"),
    )
    inspection = form.value("inspection")
    mine = bool(form.value("mine")) and is_leader
    level = LEVEL_SLUGS.get(form.value("level") or "")

    measures = filtered_warnings(
        user, inspection=inspection.pk if inspection else None, mine=mine, today=today
    )
    counts = level_counts(measures)
    shown = measures.filter(warning_level=level) if level else measures
    paginator = Paginator(shown, PAGE_SIZE)
    paginator.count = counts.get(level, 0) if level else sum(counts.values())  # known: no second count
    page = paginator.get_page(request.GET.get("page"))
    groups = {value: [] for value in LEVELS_WORST_FIRST}
    for measure in page.object_list:
        measure.days = days_left(measure.warning_due, today)
        measure.days_text = days_text(measure.days)
        groups[measure.warning_level].append(measure)

    level_query = request.GET.copy()
    level_query.pop("page", None)
    level_query.pop("level", None)
    return render(
        request,
        "supervision/warnings.html",
        {
            "form": form,
            "today": today,
            "is_leader": is_leader,
            "mine": mine,
            "selected_level": level,
            "total": sum(counts.values()),
            "levels": [
                {
                    "value": value,
                    "slug": SLUG_OF_LEVEL[value],
                    "label": WarningLevel(value).label,
                    "note": LEVEL_NOTES[value],
                    "count": counts.get(value, 0),
                    "rows": groups[value],
                }
                for value in LEVELS_WORST_FIRST
            ],
            "page": page,
            "level_query": level_query.urlencode(),
            "stuck": _stuck_signoffs(user, inspection, mine),
            "missing": _missing_reports(user, inspection, mine, today),
            # Sections other apps add (feedback: replies falling due), by name.
            **{name: rows(user, today, SECTION_LIMIT) for name, rows in extensions.warning_sections.items()},
            "section_limit": SECTION_LIMIT,
            "sets_policy": _may_set_policy(access),
            "calendar_warnings": calendar_warnings_for(user, today),
        },
    )


def _visible(user: User, inspection: Inspection | None, mine: bool) -> QuerySet[Measure]:
    measures = Measure.objects.restrict(user, VIEW)
    if inspection:
        measures = measures.filter(problem__inspection=inspection)
    if mine:
        measures = measures.filter(lead_leader=user)
    return measures


def _stuck_signoffs(user: User, inspection: Inspection | None, mine: bool) -> list:
    """Sign-offs waiting too long at one level, among the measures the user may see."""
    now = timezone.now()
    visible = _visible(user, inspection, mine).values("pk")
    rows = list(stuck_signoffs(now).filter(measure__in=visible).order_by("waiting_since")[:SECTION_LIMIT])
    for signoff in rows:
        signoff.waited_days = (now - signoff.waiting_since).days
    return rows


def _missing_reports(user: User, inspection: Inspection | None, mine: bool, today) -> list:
    """Measures without a report for the last complete period, among those the user may see."""
    rows = list(
        with_report_missing(_visible(user, inspection, mine), today)
        .filter(report_missing=True)
        .select_related("problem__inspection", "lead_leader")
        .prefetch_related("unit_links__unit")
        .order_by("problem__inspection_id", "problem__number", "order")[:SECTION_LIMIT]
    )
    for measure in rows:
        inspection_of = measure.problem.inspection
        measure.missing_period = period_of(inspection_of, previous_period_start(inspection_of, today))[1]
    return rows


# ------------------------------------------------------------------ the office's warning policy


def _may_set_policy(access: Access) -> bool:
    return access.is_superuser or Role.OFFICE in access.roles


def policy_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose warning policy the user may set: where the user is the office, and the
    inspected organisations under them (everything inspected, for a superuser)."""
    access = Access.of(user)
    inspected = Q(pk__in=Inspection.objects.values("inspected_id"))
    if access.is_superuser:
        return Organisation.objects.filter(inspected).order_by("path")
    office_paths = access.paths([Role.OFFICE])
    if not office_paths:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(path__in=office_paths) | (path_q("path", office_paths) & inspected)
    ).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def policy(request):
    user = request.user
    organisations = list(policy_organisations(user))
    if not organisations:
        raise AccessDenied("只有整改办可以设置预警规则。")
    wanted = request.POST.get("organisation") or request.GET.get("organisation")
    if wanted:
        organisation = next((org for org in organisations if str(org.pk) == wanted), None)
        if organisation is None:
            raise AccessDenied("您无权设置该组织的预警规则。")
    else:
        organisation = organisations[0]
    current = WarningPolicy.objects.filter(organisation=organisation).first()
    initial = {
        "green_days": current.green_days if current else DEFAULT_POLICY.green_days,
        "yellow_days": current.yellow_days if current else DEFAULT_POLICY.yellow_days,
        "escalate_days": current.escalate_days if current else DEFAULT_POLICY.escalate_days,
        "signoff_stuck_days": current.signoff_stuck_days if current else DEFAULT_POLICY.signoff_stuck_days,
        "order_escalate_days": current.order_escalate_days if current else DEFAULT_POLICY.order_escalate_days,
        "feedback_reply_workdays": (
            current.feedback_reply_workdays
            if current
            else WarningPolicy._meta.get_field("feedback_reply_workdays").default
        ),
        "party_head": current.party_head_id if current else None,
        "extension_needs_leader": current.extension_needs_leader if current else False,
    }
    status = 200
    if request.method == "POST":
        form = PolicyForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    WarningPolicy.objects.update_or_create(
                        organisation=organisation, defaults=form.cleaned_data
                    )
                    # The thresholds of its inspections' warnings changed: their summary rows too.
                    tallies.refresh(organisation.inspections.values_list("pk", flat=True))
            except IntegrityError:
                form.add_error(
                    None, "预警规则不符合要求（绿色预警天数须大于黄色预警天数，各天数至少为 1），未保存。"
                )
            else:
                messages.success(
                    request, f"已保存{organisation.display_name}的预警规则，此后的预警按新规则计算。"
                )
                return redirect(f"{reverse('warnings:policy')}?organisation={organisation.pk}")
        status = 400
    else:
        form = PolicyForm(initial=initial, organisation=organisation)
    return render(
        request,
        "supervision/policy.html",
        {
            "form": form,
            "organisation": organisation,
            "organisations": organisations,
            "has_own_policy": current is not None,
            "defaults": DEFAULT_POLICY,
        },
        status=status,
    )
