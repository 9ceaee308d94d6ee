"""Forms of the dispatch pages: which inspection and which range. The rules (who may build, the
range) are supervision.dispatch's; the form repeats the range check only to place its message
beside the field."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from rectify.forms import Form, date_field
from rectify.ledger.forms import InspectionFilterForm
from rectify.ledger.models import Inspection
from rectify.org.models import User

from . import dispatch


class DispatchFilterForm(InspectionFilterForm):
    refusal = "所选巡察不存在，或您无权查看其调度报告。"

    def inspections(self, user: User) -> QuerySet[Inspection]:
        return dispatch.readable_inspections(user)


class DispatchForm(Form):
    # Several of one organisation are dispatched together (合并调度): one report covering them all.
    inspection = forms.ModelMultipleChoiceField(
        label="巡察",
        queryset=Inspection.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="可多选：同一被巡察单位的几次巡察可合并调度，生成一份涵盖各次巡察的调度报告",
        error_messages={
            "required": "请选择巡察。",
            "invalid_choice": "所选巡察不存在，或您无权为其生成调度报告。",
            "invalid_pk_value": "所选巡察不存在，或您无权为其生成调度报告。",
        },
    )
    start = date_field("起始日期", help_text="本期从哪一天算起（含当天）")
    end = date_field("截止日期", help_text="统计截止日期（含当天），不能晚于今天；超期按此日期计算")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = dispatch.buildable_inspections(user).order_by(
            "-feedback_date", "-id"
        )
        for name, field in self.fields.items():
            if name == "inspection":
                continue  # one checkbox of several need be ticked, not each
            field.widget.attrs.setdefault("required", True)
            field.widget.attrs.setdefault("aria-required", "true")
        today = timezone.localdate().isoformat()
        self.fields["start"].widget.attrs["max"] = today
        self.fields["end"].widget.attrs["max"] = today

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        if end and end > today:
            self.add_error("end", f"截止日期不能晚于今天（{today.isoformat()}）。")
        if start and end and end < start:
            self.add_error("end", "截止日期不能早于起始日期。")
        return data

    @staticmethod
    def initial_for(user: User, inspection_ids: list[int]) -> dict:
        """Today as the end; the start follows on from the first inspection's last dispatch, or the
        first day of this month."""
        today = timezone.localdate()
        initial = {"start": today.replace(day=1), "end": today}
        if inspection_ids:
            initial["inspection"] = inspection_ids
            last = dispatch.readable_dispatches(user, inspection_ids[0]).order_by("-end", "-id").first()
            if last is not None and last.end < today:
                initial["start"] = last.end + timedelta(days=1)
        return initial
