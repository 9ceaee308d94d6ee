"""The forms of the order pages. They check the shape of what was sent; who may issue or answer,
and what an order must be, are the rules of supervision.orders."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from rectify.forms import Form, ModelChoiceField
from rectify.org.access import VIEW
from rectify.org.models import Organisation, User

from . import orders
from .models import OrderState, SupervisionOrder

OVERDUE_CHOICES = [("", "全部"), ("1", "逾期未答复"), ("0", "未逾期")]
DEFAULT_ANSWER_DAYS = 7


class OrderFilterForm(Form):
    state = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *OrderState.choices], required=False)
    overdue = forms.ChoiceField(label="是否逾期", choices=OVERDUE_CHOICES, required=False)
    unit = ModelChoiceField(
        label="被督办单位", queryset=Organisation.objects.none(), required=False, empty_label="全部单位"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Organisation.objects.filter(
            pk__in=SupervisionOrder.objects.restrict(user, VIEW).values("unit_id")
        ).order_by("path")

    def to_filter(self) -> orders.OrderFilter:
        data = self.cleaned_data if self.is_valid() else {}
        unit = data.get("unit")
        return orders.OrderFilter(
            state=data.get("state") or None,
            overdue={"1": True, "0": False}.get(data.get("overdue") or ""),
            unit=unit.pk if unit else None,
        )


class UnitChoiceForm(Form):
    """Step one of issuing: which unit the order goes to."""

    unit = ModelChoiceField(
        label="被督办单位",
        queryset=Organisation.objects.none(),
        empty_label="请选择单位",
        error_messages={"required": "请选择被督办单位。", "invalid_choice": "请从列表中选择被督办单位。"},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = orders.issuable_units(user)


def _text(label: str, help_text: str, rows: int = 4) -> forms.CharField:
    """A required text of the order, as long as the order's rules allow."""
    return forms.CharField(
        label=label,
        max_length=orders.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        error_messages={"required": f"请填写{label}。"},
    )


class MeasureChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, measure) -> str:
        deadline = f"，时限 {measure.deadline:%Y-%m-%d}" if measure.deadline else ""
        return (
            f"措施 {measure.problem.number}.{measure.order} {measure.text[:60]}"
            f"（{measure.get_status_display()}{deadline}）"
        )


class OrderForm(Form):
    """Step two: the measures of that unit, the reason, what is demanded and the answer's due date."""

    measures = MeasureChoices(
        label="督办事项（该单位负责或配合的整改措施）",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项督办事项（整改措施）。"},
    )
    reason = _text("督办事由", "为何督办：如整改进度滞后、超期未完成、反映问题未解决。")
    demanded_action = _text("督办要求", "要求被督办单位做什么、做到什么程度。")
    answer_due = forms.DateField(
        label="答复期限",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="被督办单位须在此日期前（含当日）书面答复；不能早于今天。",
        error_messages={"required": "请填写答复期限。", "invalid": "请按 年-月-日 填写答复期限。"},
    )

    def __init__(self, *args, user: User, unit: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = (
            orders.issuable_measures(user)
            .filter(unit_links__unit=unit)
            .select_related("problem")
            .order_by("problem__inspection_id", "problem__number", "order")
        )
        self.fields["answer_due"].initial = timezone.localdate() + timedelta(days=DEFAULT_ANSWER_DAYS)
        self.fields["answer_due"].widget.attrs["min"] = timezone.localdate().isoformat()


class AnswerForm(Form):
    answer = _text("答复内容", "落实了什么、取得什么成效、还有哪些未完成及时间安排。答复后不能修改。", rows=6)
