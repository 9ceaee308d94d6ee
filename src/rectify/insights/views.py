"""Dashboard pages (数据看板): all the inspections the user may see, or one. Thin: the figures come
from insights.services, the chart data from insights.charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW
from rectify.paging import paginate
from rectify.supervision.deadline_extensions import awaiting
from rectify.supervision.holiday_calendar import calendar_warnings_for

from . import charts, services

LEADING_PAGE_SIZE = 50


@login_required
@require_GET
def home(request):
    """The site's address: a lead leader starts from the measures he or she leads, everyone else from
    the inspections."""
    if services.leads_measures(request.user):
        return redirect("insights:leading")
    return redirect("ledger:inspection-list")


@login_required
@require_GET
def index(request):
    """Every inspection the user may see; picking one in the form goes to its own page."""
    picked = _picked_inspection(request)
    if picked is not None:
        return redirect("insights:inspection", pk=picked)
    return _page(request, None)


@login_required
@require_GET
def leading(request):
    """我牵头的: the extension requests waiting for the leader's decision, the measures the leader leads,
    each with its deadline, warning and status, and the dashboard of those measures only; of one
    inspection when picked."""
    if not services.leads_measures(request.user):
        raise AccessDenied(services.LEADERS_ONLY)
    inspection_id = _picked_inspection(request)
    board = services.dashboard(request.user, inspection_id, led_only=True)
    page = paginate(request, services.led_measures(request.user, inspection_id), LEADING_PAGE_SIZE)
    if request.headers.get("HX-Request"):
        return render(request, "ledger/_measure_table.html", {"page": page})
    # 待办: extension requests waiting for the leader's decision (the organisation's policy).
    extra = {"page": page, "extensions_awaiting": list(awaiting(request.user))}
    return _page(request, inspection_id, board=board, extra=extra)


def _picked_inspection(request) -> int | None:
    picked = request.GET.get("inspection", "").strip()
    if not picked:
        return None
    if not picked.isdigit():
        raise InvalidInput(f"巡察编号“{picked}”无效，应为整数。")
    return int(picked)


@login_required
@require_GET
def inspection(request, pk: int):
    return _page(request, pk)


def _page(request, inspection_id: int | None, board: services.Dashboard | None = None, extra=None):
    board = board or services.dashboard(request.user, inspection_id)
    found = charts.charts(board)
    inspections = Inspection.objects.restrict(request.user, VIEW).select_related("inspected")
    if board.led_by:
        inspections = inspections.filter(problems__measures__lead_leader=request.user).distinct()
    return render(
        request,
        "insights/leading.html" if board.led_by else "insights/dashboard.html",
        {
            "board": board,
            "charts": found,
            "chart_data": charts.chart_json(found),
            "inspections": inspections,
            "behind_limit": services.BEHIND_LIMIT,
            **(extra or {}),
            "calendar_warnings": calendar_warnings_for(request.user, timezone.localdate()),
        },
    )
