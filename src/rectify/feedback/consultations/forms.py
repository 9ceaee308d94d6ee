"""Forms of the consultation pages. They read what was typed; the rules (who may act, required
fields, sizes, dates in order, the state) are feedback.consultations'."""

from __future__ import annotations

from django import forms

from rectify.forms import Form, ModelChoiceField
from rectify.ledger.models import Mechanism
from rectify.org.models import Organisation, User

from ..models import Channel
from . import services as consultations
from .models import Consultation
from .services import (
    DECISION_INVALID,
    DECISIONS,
    RECORDED_CHANNELS,
    ConsultationFields,
    Decision,
    Kind,
    Status,
)

DATE_INVALID = "日期格式不正确，请按“年-月-日”填写。"


def _date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": DATE_INVALID},
    )


class ConsultationForm(Form):
    """A consultation as the office writes it: online (a period) or a meeting (one day, a place)."""

    kind = forms.ChoiceField(label="征求意见方式", choices=Kind.choices, widget=forms.RadioSelect)
    mechanism = ModelChoiceField(
        label="所涉长效机制",
        queryset=Mechanism.objects.none(),
        required=False,
        empty_label="不涉及具体制度",
        help_text="就正在制定或修订的制度征求意见时选择；征求意见将显示在该制度下。",
        error_messages={"invalid_choice": "所选长效机制不存在，或您无权办理。"},
    )
    organisation = ModelChoiceField(
        label="征求意见单位",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="请选择",
        help_text="不涉及具体制度时选择；涉及制度时为该制度所属单位。",
        error_messages={"invalid_choice": "只能为您担任整改办的组织发起征求意见。"},
    )
    title = forms.CharField(
        label="标题",
        max_length=consultations.MAX_TITLE,
        required=False,
        help_text="如：关于《广州市停车场条例（修订草案征求意见稿）》公开征求意见的公告",
        widget=forms.TextInput(attrs={"size": 70, "aria-required": "true"}),
    )
    draft_text = forms.CharField(
        label="征求意见稿",
        required=False,
        max_length=consultations.MAX_DRAFT,
        help_text="纯文本，按段落换行；门户按段落显示。",
        widget=forms.Textarea(attrs={"rows": 16, "aria-required": "true"}),
    )
    opens_on = _date_field("开始日期", "网上征求意见必填")
    closes_on = _date_field("截止日期", "网上征求意见必填；截止日当天仍可提出意见")
    meeting_on = _date_field("座谈日期", "座谈会必填")
    meeting_place = forms.CharField(
        label="座谈地点", max_length=consultations.MAX_PLACE, required=False, help_text="座谈会必填"
    )
    participants = forms.CharField(
        label="参加单位",
        required=False,
        max_length=consultations.MAX_PARTICIPANTS,
        help_text="座谈会必填；每行一个单位，如：广州市道路运输协会",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user: User, consultation: Consultation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        if consultation is None:
            self.fields["mechanism"].queryset = consultations.mechanisms_for(user)
            self.fields["mechanism"].label_from_instance = lambda mechanism: (
                f"{mechanism.get_kind_display()}{mechanism.title}（{mechanism.inspection.inspected.display_name}）"
            )
            self.fields["organisation"].queryset = consultations.organisations_for(user)
        else:
            # Where a consultation belongs is settled when it is created.
            del self.fields["mechanism"]
            del self.fields["organisation"]

    @staticmethod
    def initial_for(consultation: Consultation) -> dict:
        meeting = consultation.kind == Kind.MEETING
        return {
            "kind": consultation.kind,
            "title": consultation.title,
            "draft_text": consultation.draft_text,
            "opens_on": None if meeting else consultation.opens_on,
            "closes_on": None if meeting else consultation.closes_on,
            "meeting_on": consultation.opens_on if meeting else None,
            "meeting_place": consultation.meeting_place,
            "participants": consultation.participants,
        }

    def fields_typed(self) -> ConsultationFields:
        data = self.cleaned_data
        meeting = data["kind"] == Kind.MEETING
        return ConsultationFields(
            kind=data["kind"],
            title=data["title"],
            draft_text=data["draft_text"],
            opens_on=data["meeting_on"] if meeting else data["opens_on"],
            closes_on=data["meeting_on"] if meeting else data["closes_on"],
            meeting_place=data["meeting_place"],
            participants=data["participants"],
        )

    def placement(self) -> dict:
        data = self.cleaned_data
        return {
            "mechanism_id": data["mechanism"].pk if data.get("mechanism") else None,
            "organisation_id": data["organisation"].pk if data.get("organisation") else None,
        }


class ConsultationFilterForm(Form):
    mechanism = forms.IntegerField(required=False, widget=forms.HiddenInput)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Status.choices])
    kind = forms.ChoiceField(label="方式", required=False, choices=[("", "全部"), *Kind.choices])


class StateForm(forms.Form):
    """A move on a consultation, with the state the page showed (a stale page is refused)."""

    status = forms.ChoiceField(choices=Status.choices)


class CommentRecordForm(Form):
    """A comment the office enters: heard at the meeting, or received by letter, e-mail or phone."""

    channel = forms.ChoiceField(
        label="意见来源",
        choices=[(value, Channel(value).label) for value in RECORDED_CHANNELS],
        widget=forms.RadioSelect,
    )
    enterprise = forms.CharField(
        label="企业或协会",
        max_length=consultations.MAX_ENTERPRISE,
        required=False,
        help_text="行业协会转达的必填，如：广州市道路运输协会",
    )
    content = forms.CharField(
        label="意见内容",
        required=False,
        max_length=consultations.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 5, "aria-required": "true"}),
    )
    name = forms.CharField(label="提出人姓名", max_length=consultations.MAX_NAME, required=False)
    contact = forms.CharField(
        label="联系方式",
        max_length=consultations.MAX_CONTACT,
        required=False,
        help_text="电话或电子邮箱，不公开",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "comment")
        super().__init__(*args, **kwargs)


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label="采纳情况",
        choices=[(value, Decision(value).label) for value in DECISIONS],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择采纳情况。", "invalid_choice": DECISION_INVALID},
    )
    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=consultations.MAX_REASON,
        help_text="部分采纳或未采纳时必填",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SummaryForm(Form):
    summary = forms.CharField(
        label="意见采纳情况",
        required=False,
        max_length=consultations.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 12, "aria-describedby": "summary-help"}),
    )
    status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
