"""Forms of the meeting pages. They read what was typed; the rules (who may save, people and units of
the inspected organisation only, a task has an owner and a date) are meetings.services'."""

from __future__ import annotations

from django import forms

from rectify.forms import Form, ModelChoiceField, date_field, service_required_text
from rectify.ledger.forms import InspectionFilterForm
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.org.models import Organisation, User, units_within

from . import services
from .models import Meeting, MeetingDecision, MeetingKind


class PassedOnChoices(forms.TypedMultipleChoiceField):
    """Checkboxes whose submitted ids outside the list are passed on, so that the service refuses them
    with its own message (the one the API gives) instead of the form repeating the rule."""

    def valid_value(self, value) -> bool:
        return True


class PassedOnChoice(forms.TypedChoiceField):
    """A select whose submitted id outside the list is passed on to the service, as PassedOnChoices."""

    def valid_value(self, value) -> bool:
        return True


def _choices(queryset, label) -> list[tuple[int, str]]:
    return [(item.pk, label(item)) for item in queryset]


def _person(user: User) -> str:
    return user.display_name or user.username


class MeetingFilterForm(InspectionFilterForm):
    kind = forms.ChoiceField(
        label="会议类型", choices=[("", "全部类型"), *MeetingKind.choices], required=False
    )

    def kind_value(self) -> str:
        return self.cleaned_data.get("kind", "") if self.is_valid() else ""


class MeetingForm(Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices, widget=forms.RadioSelect)
    held_on = date_field("会议日期")
    title = service_required_text(
        "会议名称", max_length=255, help_text="如：局党组会议专题研究巡察整改工作", size=60
    )
    chair = PassedOnChoice(label="主持人", coerce=int, required=False, empty_value=None)
    attendees = PassedOnChoices(
        label="参会人员", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_attendees = forms.CharField(
        label="其他参会人员",
        required=False,
        max_length=2000,
        help_text="未在平台开设账号的参会人员，用顿号分隔",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.FileField(
        label="会议纪要", required=False, help_text="可上传 PDF、OFD、Word 等文件；再次上传将替换原纪要"
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        people = _choices(services.people_of(inspection), _person)
        self.fields["chair"].choices = [("", "（不指定）"), *people]
        self.fields["attendees"].choices = people

    @staticmethod
    def initial_for(meeting: Meeting) -> dict:
        return {
            "kind": meeting.kind,
            "held_on": meeting.held_on,
            "title": meeting.title,
            "chair": meeting.chair_id,
            "attendees": [person.pk for person in meeting.attendees.all()],
            "other_attendees": meeting.other_attendees,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "title": data["title"],
            "chair_id": data["chair"],
            "attendee_ids": list(data["attendees"]),
            "other_attendees": data["other_attendees"],
        }


class DecisionForm(Form):
    text = forms.CharField(
        label="决定事项",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写决定事项。"},
    )
    problems = PassedOnChoices(
        label="相关问题", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    measures = PassedOnChoices(
        label="相关措施", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    owner_unit = ModelChoiceField(
        label="承办单位", queryset=Organisation.objects.none(), required=False, empty_label="（不交办单位）"
    )
    owner_person = ModelChoiceField(
        label="承办人", queryset=User.objects.none(), required=False, empty_label="（不指定承办人）"
    )
    due_on = date_field("完成时限", required=False, help_text="交办任务时填写，并明确承办单位或承办人")

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].choices = _choices(
            Problem.objects.filter(inspection=inspection).order_by("number"),
            lambda p: f"{p.number}. {p.title}",
        )
        self.fields["measures"].choices = _choices(
            Measure.objects.filter(problem__inspection=inspection)
            .select_related("problem")
            .order_by("problem__number", "order"),
            lambda m: f"{m.problem.number}.{m.order} {m.text[:40]}",
        )
        self.fields["owner_unit"].queryset = units_within(inspection.inspected)
        self.fields["owner_person"].queryset = services.people_of(inspection)
        self.fields["owner_person"].label_from_instance = _person
        for name in ("owner_unit", "owner_person"):
            self.fields[name].error_messages["invalid_choice"] = "所选承办单位或承办人无效。"

    @staticmethod
    def initial_for(decision: MeetingDecision) -> dict:
        return {
            "text": decision.text,
            "problems": [problem.pk for problem in decision.problems.all()],
            "measures": [measure.pk for measure in decision.measures.all()],
            "owner_unit": decision.owner_unit_id,
            "owner_person": decision.owner_person_id,
            "due_on": decision.due_on,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "problem_ids": list(data["problems"]),
            "measure_ids": list(data["measures"]),
            "owner_unit_id": data["owner_unit"].pk if data["owner_unit"] else None,
            "owner_person_id": data["owner_person"].pk if data["owner_person"] else None,
            "due_on": data["due_on"],
        }


class TaskDoneForm(Form):
    note = forms.CharField(
        label="完成情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写完成情况。"},
    )
