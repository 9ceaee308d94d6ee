"""Dashboard pages (数据看板): all the inspections the user may see, or one. Thin: the figures come
from insights.services, the chart data from insights.charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from rectify.errors import InvalidInput
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW

from . import charts, services


@login_required
@require_GET
def index(request):
    """Every inspection the user may see; picking one in the form goes to its own page."""
    picked = request.GET.get("inspection", "").strip()
    if picked:
        if not picked.isdigit():
            raise InvalidInput(f"巡察编号“{picked}”无效，应为整数。")
        return redirect("insights:inspection", pk=int(picked))
    return _page(request, None)


@login_required
@require_GET
def inspection(request, pk: int):
    return _page(request, pk)


def _page(request, inspection_id: int | None):
    board = services.dashboard(request.user, inspection_id)
    found = charts.charts(board)
    return render(
        request,
        "insights/dashboard.html",
        {
            "board": board,
            "charts": found,
            "chart_data": charts.chart_json(found),
            "inspections": Inspection.objects.restrict(request.user, VIEW).select_related("inspected"),
            "behind_limit": services.BEHIND_LIMIT,
        },
    )
