"""The search page (/search/?q=&type=&inspection=&page=). Thin: rectify.search.services does the work."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rectify.errors import InvalidInput, RectifyError
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW

from .kinds import KINDS
from .services import parse_types, search
from .text import MAX_QUERY_LENGTH

PAGE_SIZE = 20


def _number(value: str | None, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise InvalidInput(f"{label}应为正整数。")
    return int(value)


def _link(q: str, types: set[str] | None, inspection_id: int | None) -> str:
    """The first page of another search (a facet, all types, all inspections)."""
    params: list[tuple[str, str | int]] = [("q", q)]
    params += [("type", kind) for kind in sorted(types or ())]
    if inspection_id:
        params.append(("inspection", inspection_id))
    return "?" + urlencode(params)


@login_required
@require_GET
def search_page(request):
    user = request.user
    q = request.GET.get("q", "").strip()
    context: dict = {
        "q": q,
        "selected_types": request.GET.getlist("type"),
        "selected_inspection": request.GET.get("inspection", ""),
        "inspections": Inspection.objects.restrict(user, VIEW).select_related("inspected"),
        "kinds": [(key, kind.label) for key, kind in KINDS.items()],
        "max_length": MAX_QUERY_LENGTH,
    }
    if not q:
        return render(request, "search/search.html", context)
    try:
        types = parse_types(request.GET.getlist("type"))
        inspection_id = _number(request.GET.get("inspection"), "巡察编号")
        page = _number(request.GET.get("page"), "页码") or 1
        results = search(
            user, q, types=types, inspection_id=inspection_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        if not results.hits and results.total and page > 1:  # past the last page: show the last one
            last = (results.total - 1) // PAGE_SIZE
            results = search(
                user, q, types=types, inspection_id=inspection_id, limit=PAGE_SIZE, offset=last * PAGE_SIZE
            )
    except RectifyError as error:
        context["error"] = error.message
        return render(request, "search/search.html", context, status=error.status)
    context.update(
        results=results,
        facets=[
            (facet, _link(q, {facet.kind}, inspection_id))
            for facet in results.facets
            if facet.count or facet.selected
        ],
        all_types_link=_link(q, None, inspection_id),
        all_count=sum(results.counts.values()),
        without_inspection_link=_link(q, types, None) if inspection_id else "",
        # A page of the hits, for the one pager every list shows (the search pages by offset itself).
        page=Paginator(range(results.total), PAGE_SIZE).page(results.offset // PAGE_SIZE + 1),
    )
    return render(request, "search/search.html", context)
