"""Forms of the indicator pages. They read what was typed; the rules (who may track, a target that
agrees with the direction, one value a day, no future dates) are progress.services'."""

from django import forms
from django.utils import timezone

from rectify.forms import Form, date_field, service_required_text

from .models import Indicator

NUMBER_ERRORS = {
    "invalid": "请输入数字。",
    "max_digits": "数字过大：最多 14 位有效数字。",
    "max_decimal_places": "最多保留 4 位小数。",
    "max_whole_digits": "数字过大：整数部分最多 10 位。",
}


def _number(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=4,
        error_messages={"required": f"请填写{label}。", **NUMBER_ERRORS},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **kwargs,
    )


class IndicatorForm(Form):
    name = service_required_text("指标名称", max_length=128, help_text="如：行政处罚案件线上办理率", size=40)
    unit = forms.CharField(label="计量单位", max_length=32, required=False, help_text="如：%、件、天")
    direction = forms.ChoiceField(
        label="方向", choices=Indicator.Direction.choices, initial=Indicator.Direction.INCREASE
    )
    baseline = _number("基线值", help_text="开始整改时的数值")
    target = _number("目标值", help_text="越高越好的指标，目标不低于基线；越低越好的反之")

    def service_arguments(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "unit", "baseline", "target", "direction")}


class ObservationForm(Form):
    observed_on = date_field("观测日期")
    value = _number("数值")
    note = forms.CharField(label="说明", max_length=255, required=False, help_text="选填，如数据来源")

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator is not None and indicator.unit:
            self.fields["value"].label = f"数值（{indicator.unit}）"
        if not self.is_bound:
            self.initial.setdefault("observed_on", timezone.localdate())

    def service_arguments(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("observed_on", "value", "note")}
