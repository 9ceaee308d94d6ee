"""The ledger's measure list (ledger:measure-list). Served from supervision, not the ledger, because each
row shows its warning light (三色预警), which supervision computes; the ledger may not import it."""

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from rectify.ledger.choices import LedgerColumn
from rectify.ledger.filters import MeasureFilterSet, chosen_inspections
from rectify.ledger.forms import LedgerViewForm
from rectify.ledger.services import ledger_view
from rectify.paging import paginate

from .deadlines import with_warning_level
from .models import DeadlineExtension, ExtensionState

PAGE_SIZE = 50
LONG_TEXTS = (
    "problem__description",
    "problem__source_text",
    "problem__inspection__source_text",
    "problem__inspection__opening",
    "problem__inspection__sections",
)


@login_required
def measure_list(request):
    filters = MeasureFilterSet(request.GET, user=request.user)
    # The warning light of each row (三色预警) and its next time node, computed in the same query as the rows.
    # A row shows its problem's number and title, not the texts of the problem and of its inspection (the
    # whole imported notice, tens of kilobytes, which every one of the 50 rows would carry).
    rows = filters.qs.defer(*LONG_TEXTS)
    measures = with_warning_level(rows).annotate(
        # 已延期 beside the deadline: the deadline was moved by an approved extension request.
        extended=Exists(
            DeadlineExtension.objects.filter(measure=OuterRef("pk"), state=ExtensionState.APPROVED)
        )
    )
    page = paginate(request, measures, PAGE_SIZE)
    # The 预警 column shows only when a measure of the page carries a warning (the rows are read here
    # once; the table reads the same list).
    has_warnings = any(measure.warning_level for measure in page.object_list)
    # Rows name their inspection when the list holds several (措施 numbers repeat across inspections).
    chosen = chosen_inspections(filters)
    several = len(chosen) > 1 or (
        not chosen and len({measure.problem.inspection_id for measure in page.object_list}) > 1
    )
    view = ledger_view(request.user)
    # The compact view's columns, in the product's order, as (key, heading).
    columns = [
        (key, label)
        for key, label in LedgerColumn.choices
        if key in view.shown and (has_warnings or key != LedgerColumn.WARNING)
    ]
    context = {
        "form": filters.form,
        "today": timezone.localdate(),  # the next time node (with_warning_level) shows red once past
        # Within the chosen inspections the Excel ledger can be exported with the same filters.
        "export_url": _export_url(request, chosen),
        "page": page,
        "has_warnings": has_warnings,
        "several_inspections": several,
        "view": view,
        "columns": columns,
        "span": len(columns) + 1,  # a problem's row spans the measure and its columns
        "view_form": LedgerViewForm(initial={"columns": sorted(view.shown)}),
    }
    template = (
        "ledger/_measure_results.html" if request.headers.get("HX-Request") else "ledger/measure_list.html"
    )
    return render(request, template, context)


def _export_url(request, chosen: list) -> str:
    """The Excel ledger of the chosen inspections with the page's filters; none unless some are chosen."""
    if not chosen:
        return ""
    query = request.GET.copy()
    query.pop("page", None)
    query["list"] = "all"
    if len(chosen) > 1:
        return f"{reverse('ledger_excel:export-several')}?{query.urlencode()}"
    return f"{reverse('ledger_excel:export', args=[chosen[0].pk])}?{query.urlencode()}"
