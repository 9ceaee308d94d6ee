"""Forms of the accountability pages. They read what was typed; the rules are accountability.services'."""

from __future__ import annotations

from django import forms

from rectify.forms import Form, date_field, service_required_text
from rectify.ledger.forms import InspectionFilterForm
from rectify.ledger.models import Inspection, Problem

from .models import AccountabilityForm, AccountabilityRecord


class ProblemChoices(forms.TypedMultipleChoiceField):
    """Checkboxes of the inspection's problems; an id outside them is passed on for the service to refuse."""

    def valid_value(self, value) -> bool:
        return True


class RecordFilterForm(InspectionFilterForm):
    form = forms.ChoiceField(
        label="问责方式", choices=[("", "全部方式"), *AccountabilityForm.choices], required=False
    )

    def form_value(self) -> str:
        return self.cleaned_data.get("form", "") if self.is_valid() else ""


class RecordForm(Form):
    person_name = service_required_text("姓名", max_length=64, help_text="被问责人的姓名", size=20)
    position = forms.CharField(label="职务", max_length=128, required=False)
    unit_name = forms.CharField(label="所在单位", max_length=128, required=False)
    dealt_on = date_field("处理日期")
    form = forms.ChoiceField(label="问责方式", choices=AccountabilityForm.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="问责事由",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写问责事由。"},
    )
    problems = ProblemChoices(
        label="相关问题", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        problems = Problem.objects.filter(inspection=inspection).order_by("number")
        self.fields["problems"].choices = [(p.pk, f"{p.number}. {p.title}") for p in problems]

    @staticmethod
    def initial_for(record: AccountabilityRecord) -> dict:
        return {
            "person_name": record.person_name,
            "position": record.position,
            "unit_name": record.unit_name,
            "dealt_on": record.dealt_on,
            "form": record.form,
            "reason": record.reason,
            "problems": [problem.pk for problem in record.problems.all()],
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "person_name": data["person_name"],
            "position": data["position"],
            "unit_name": data["unit_name"],
            "dealt_on": data["dealt_on"],
            "form": data["form"],
            "reason": data["reason"],
            "problem_ids": list(data["problems"]),
        }
