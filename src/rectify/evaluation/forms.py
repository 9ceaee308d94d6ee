"""The evaluation page's forms. Points are read as text: the service checks them against each item's
marks and says what is wrong in the same words as the API."""

from __future__ import annotations

from typing import Any

from django import forms

from rectify.forms import EMPTY_LABEL, Form
from rectify.ledger.choices import InspectionScope

from .models import Result
from .services import ScoreLine


class EvaluationForm(Form):
    result = forms.ChoiceField(label="评估结果", required=False, choices=[("", EMPTY_LABEL), *Result.choices])
    comment = forms.CharField(
        label="评估意见", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, lines: list[ScoreLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"points-{line.item.pk}"] = forms.CharField(
                label=f"{line.item.title}得分（满分{line.item.max_score}分）",
                required=False,
                max_length=8,
                initial="" if line.points is None else line.points,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )
            self.fields[f"note-{line.item.pk}"] = forms.CharField(
                label=f"{line.item.title}扣分说明",
                required=False,
                max_length=2000,
                initial=line.note,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[ScoreLine, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"points-{line.item.pk}"], self[f"note-{line.item.pk}"]) for line in self.lines]

    def scores(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            line.item.pk: (data.get(f"points-{line.item.pk}", ""), data.get(f"note-{line.item.pk}", ""))
            for line in self.lines
        }


class ClassifyForm(Form):
    round_name = forms.CharField(label="巡察轮次", required=False, max_length=128)
    scope = forms.ChoiceField(label="巡察类别", choices=InspectionScope.choices)


class RubricItemForm(Form):
    title = forms.CharField(label="评估指标", required=False, max_length=100)
    max_score = forms.CharField(
        label="分值",
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    guidance = forms.CharField(
        label="评分要点", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
