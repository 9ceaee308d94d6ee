"""Forms of the mechanism pages. They read what was typed; the rules (who may save, an issued rule
needs its date, problems of this inspection only, a title) are ledger.services.save_mechanism's."""

from django import forms

from rectify.forms import Form, date_field, service_required_text

from .choices import MechanismKind, MechanismStatus
from .models import Inspection, Mechanism, Problem


class ProblemChoiceField(forms.TypedMultipleChoiceField):
    """Checkboxes of the inspection's problems. A submitted id outside them is passed on, so the
    service refuses it with its own message instead of the form repeating the rule."""

    def valid_value(self, value) -> bool:
        return True


class MechanismForm(Form):
    title = service_required_text("制度名称", max_length=255, help_text="如：《广州市停车场条例》", size=60)
    kind = forms.ChoiceField(label="类型", choices=MechanismKind.choices, widget=forms.RadioSelect)
    status = forms.ChoiceField(label="状态", choices=MechanismStatus.choices, widget=forms.RadioSelect)
    issued_on = date_field("印发日期", required=False, help_text="状态为“已印发”时必填")
    document_number = forms.CharField(
        label="文号", max_length=64, required=False, help_text="如：穗交运〔2025〕12号"
    )
    problems = ProblemChoiceField(
        label="对应问题",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选问题编号无效。"},
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        problems = Problem.objects.filter(inspection=inspection).order_by("number")
        self.fields["problems"].choices = [
            (problem.pk, f"{problem.number}. {problem.title}") for problem in problems
        ]

    @staticmethod
    def initial_for(mechanism: Mechanism) -> dict:
        return {
            "title": mechanism.title,
            "kind": mechanism.kind,
            "status": mechanism.status,
            "issued_on": mechanism.issued_on,
            "document_number": mechanism.document_number,
            "problems": [problem.pk for problem in mechanism.problems.all()],
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "status": data["status"],
            "issued_on": data["issued_on"],
            "document_number": data["document_number"],
            "problem_ids": list(data["problems"]),
        }
