"""The small forms of the progress pages. They check the shape of what was sent; the rules
(who may act, what the measure's state allows, what a file may be) are the services'."""

from __future__ import annotations

from django import forms

from rectify.forms import Form

from .models import FollowUpOutcome, SignOffDecision

STAGE_SUGGESTIONS = ["制定方案", "推进实施", "基本完成", "已完成", "持续巩固"]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name (<input type=file multiple>). Empty files pass through
    so the evidence check refuses them with its own message."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class _Form(Form):
    @property
    def first_error(self) -> str:
        for errors in self.errors.values():
            return str(errors[0])
        return "提交的内容不完整，请检查后重试。"


class ReportForm(_Form):
    text = forms.CharField(
        label="进展情况",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="本期做了什么、取得什么成效、下一步安排。",
        error_messages={"required": "请填写整改进展情况。"},
    )
    percent = forms.IntegerField(
        label="完成比例（%）",
        required=False,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
        error_messages={
            "min_value": "完成比例应在 0 到 100 之间。",
            "max_value": "完成比例应在 0 到 100 之间。",
            "invalid": "完成比例应为 0 到 100 之间的整数。",
        },
    )
    stage = forms.CharField(
        label="所处阶段",
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"list": "stage-suggestions"}),
    )
    files = MultipleFileField(label="佐证材料", required=False)
    answers = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class ReviewForm(_Form):
    decision = forms.ChoiceField(
        choices=[("accept", "采纳"), ("return", "退回")],
        error_messages={"required": "请选择审核意见。", "invalid_choice": "审核意见应为“采纳”或“退回”。"},
    )
    comment = forms.CharField(label="审核意见", required=False, max_length=2000)


class SignoffRequestForm(_Form):
    note = forms.CharField(
        label="申请说明",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="简述整改完成情况和佐证材料。",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class DecisionForm(_Form):
    decision = forms.ChoiceField(
        choices=SignOffDecision.Decision.choices,
        error_messages={"required": "请选择审批意见。", "invalid_choice": "审批意见应为“同意”或“退回”。"},
    )
    comment = forms.CharField(label="审批意见", required=False, max_length=2000)


class ScheduleFollowupForm(_Form):
    due_on = forms.DateField(
        label="计划检查日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择计划检查日期。", "invalid": "请输入有效的日期。"},
    )


class RecordFollowupForm(_Form):
    outcome = forms.ChoiceField(
        label="检查结果",
        choices=[(FollowUpOutcome.STABLE, "巩固"), (FollowUpOutcome.RELAPSE, "反弹")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择检查结果。", "invalid_choice": "检查结果应为“巩固”或“反弹”。"},
    )
    note = forms.CharField(label="检查情况", required=False, max_length=4000)
    # Not required here: the service says it is missing for a relapse, in the same words as the API.
    new_deadline = forms.DateField(
        label="新的整改时限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "新的整改时限格式有误，应为“2025-12-31”这样的日期。"},
    )


class MilestoneForm(_Form):
    """A time node's date and deliverable; the service checks them against the measure's deadline."""

    due_on = forms.DateField(
        label="节点日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "节点日期格式不正确，请按“年-月-日”填写。"},
    )
    deliverable = forms.CharField(label="节点任务", required=False, max_length=200)


class MilestoneCompleteForm(_Form):
    report = forms.IntegerField(
        label="佐证的整改进展",
        required=False,
        min_value=1,
        error_messages={"invalid": "请选择作为佐证的整改进展报告。"},
    )


class ConfirmForm(_Form):
    """An action that takes nothing but the button (delete a time node, set it back to open)."""
