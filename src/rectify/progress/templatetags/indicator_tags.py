"""What the indicator templates need and the template language lacks: plain numbers, the chart's
data as a json_script element, and unbound forms with ids unique on the page."""

from decimal import Decimal

from django import template
from django.utils.html import json_script

from rectify.progress.indicator_forms import IndicatorForm, ObservationForm

register = template.Library()


@register.filter
def plain_number(value) -> str:
    """85.5000 → "85.5", 100.0000 → "100"; never an exponent."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


@register.simple_tag
def indicator_chart_json(status):
    """The chart data of one IndicatorStatus, in a <script type="application/json"> element."""
    indicator = status.indicator
    data = {
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline": float(indicator.baseline),
        "target": float(indicator.target),
        "points": [[obs.observed_on.isoformat(), float(obs.value)] for obs in status.observations],
    }
    return json_script(data, f"indicator-data-{indicator.pk}")


@register.simple_tag
def new_indicator_form():
    return IndicatorForm(auto_id="id_indicator_%s")


@register.simple_tag
def new_observation_form(indicator):
    return ObservationForm(indicator=indicator, auto_id=f"id_observation_{indicator.pk}_%s")
