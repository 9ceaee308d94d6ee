"""Indicator pages: add an indicator to a measure, record its values, and one indicator's own page.
Thin: they read forms, call progress.services and go back to the measure. The measure page shows
the indicators through progress/_indicators.html."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rectify.errors import AccessDenied, NotFound, RectifyError
from rectify.forms import submit
from rectify.ledger.models import Measure
from rectify.ledger.services import get_measure
from rectify.org.access import VIEW, is_office
from rectify.org.models import User

from . import services
from .indicator_forms import IndicatorForm, ObservationForm
from .models import Indicator

TRACK_DENIED = "只有整改办或该措施的责任单位可以设置指标和填报数值。"


def may_track(user: User, measure: Measure) -> bool:
    """The office of the inspected organisation, or a unit responsible for the measure."""
    return is_office(user, measure.problem.inspection.inspected) or services.is_responsible(user, measure)


def _back_to_measure(measure_id: int, anchor: str = "indicators"):
    return redirect(reverse("ledger:measure-detail", args=[measure_id]) + f"#{anchor}")


def _visible_indicator(user: User, pk: int) -> Indicator:
    visible = Measure.objects.restrict(user, VIEW).values("pk")
    indicator = (
        Indicator.objects.select_related("measure__problem__inspection__inspected")
        .filter(pk=pk, measure__in=visible)
        .first()
    )
    if indicator is None:
        raise NotFound("指标不存在，或您无权查看。")
    return indicator


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk: int):
    """GET: the form on its own page; POST: add the indicator and go back to the measure."""
    measure = get_measure(request.user, pk)
    if not may_track(request.user, measure):
        raise AccessDenied(TRACK_DENIED)
    status = 200
    if request.method == "POST":
        form = IndicatorForm(request.POST, auto_id="id_indicator_%s")
        indicator, status = submit(
            form, lambda data: services.add_indicator(request.user, measure.pk, **form.service_arguments())
        )
        if status is None:
            messages.success(request, f"已添加指标“{indicator.name}”。")
            return _back_to_measure(measure.pk, f"indicator-{indicator.pk}")
    else:
        form = IndicatorForm(auto_id="id_indicator_%s")
    return render(request, "progress/indicator_new.html", {"measure": measure, "form": form}, status=status)


@login_required
@require_GET
def indicator_detail(request, pk: int):
    indicator = _visible_indicator(request.user, pk)
    return _detail(request, indicator, None, 200)


@login_required
@require_POST
def indicator_observe(request, pk: int):
    """Record one value; back to the measure, or this indicator's page with the form and the reason."""
    indicator = _visible_indicator(request.user, pk)
    if not may_track(request.user, indicator.measure):
        raise AccessDenied("只有整改办或该措施的责任单位可以填报指标数值。")
    form = ObservationForm(request.POST, indicator=indicator, auto_id=f"id_observation_{indicator.pk}_%s")
    if not form.is_valid():
        return _detail(request, indicator, form, 400)
    try:
        services.add_observation(request.user, indicator.pk, **form.service_arguments())
    except RectifyError as error:
        form.add_error(None, error.message)
        return _detail(request, indicator, form, error.status)
    messages.success(request, f"已填报“{indicator.name}”{form.cleaned_data['observed_on']:%Y-%m-%d} 的数值。")
    return _back_to_measure(indicator.measure_id, f"indicator-{indicator.pk}")


def _detail(request, indicator: Indicator, form: ObservationForm | None, status: int):
    observations = list(indicator.observations.order_by("observed_on"))
    can_track = may_track(request.user, indicator.measure)
    if can_track and form is None:
        form = ObservationForm(indicator=indicator, auto_id=f"id_observation_{indicator.pk}_%s")
    return render(
        request,
        "progress/indicator_detail.html",
        {
            "measure": indicator.measure,
            "indicator": indicator,
            "status": services.IndicatorStatus(indicator, observations),
            "can_track_indicators": can_track,
            "form": form if can_track else None,
        },
        status=status,
    )
