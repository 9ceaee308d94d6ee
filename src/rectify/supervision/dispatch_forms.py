"""Forms of the dispatch pages: which inspection and which range. The rules (who may build, the
range) are supervision.dispatch's; the form repeats the range check only to place its message
beside the field."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from rectify.forms import Form, ModelChoiceField, date_field
from rectify.ledger.forms import InspectionFilterForm
from rectify.ledger.models import Inspection
from rectify.org.models import User

from . import dispatch


class DispatchFilterForm(InspectionFilterForm):
    refusal = "所选巡察不存在，或您无权查看其调度报告。"

    def inspections(self, user: User) -> QuerySet[Inspection]:
        return dispatch.readable_inspections(user)


class DispatchForm(Form):
    inspection = ModelChoiceField(
        label="巡察",
        queryset=Inspection.objects.none(),
        empty_label=None,
        error_messages={
            "required": "请选择巡察。",
            "invalid_choice": "所选巡察不存在，或您无权为其生成调度报告。",
        },
    )
    start = date_field("起始日期", help_text="本期从哪一天算起（含当天）")
    end = date_field("截止日期", help_text="统计截止日期（含当天），不能晚于今天；超期按此日期计算")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = dispatch.buildable_inspections(user).order_by(
            "-feedback_date", "-id"
        )
        for field in self.fields.values():
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
    def initial_for(user: User, inspection_id: int | None) -> dict:
        """Today as the end; the start follows on from the inspection's last dispatch, or the
        first day of this month."""
        today = timezone.localdate()
        initial = {"start": today.replace(day=1), "end": today}
        if inspection_id:
            initial["inspection"] = inspection_id
            last = dispatch.readable_dispatches(user, inspection_id).order_by("-end", "-id").first()
            if last is not None and last.end < today:
                initial["start"] = last.end + timedelta(days=1)
        return initial
