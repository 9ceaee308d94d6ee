"""The forms of the 整改文书 pages: which kind to draft (and, for a 阶段性整改报告, as of which day),
the wording of each part of a draft, and a decision with its comment (and the day it was sent)."""

from __future__ import annotations

from django import forms

from rectify.forms import Form

from .models import DocumentKind


class DraftForm(Form):
    required_css_class = "required"

    kind = forms.ChoiceField(label="文书类型", choices=DocumentKind.choices)
    on = forms.DateField(
        label="截至日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="仅阶段性整改报告填写：按台账在此日的情况生成；其他文书截至今天。",
    )


class EditForm(Form):
    """One field per part the office may reword (services.editable_parts)."""

    def __init__(self, *args, parts: list[tuple[str, str, str]], **kwargs):
        super().__init__(*args, initial={key: text for key, _label, text in parts}, **kwargs)
        for key, label, _text in parts:
            one_line = key in ("title", "addressee")
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                max_length=255 if one_line else 20000,
                widget=forms.TextInput() if one_line else forms.Textarea(attrs={"rows": 5}),
                help_text="" if one_line else "每行一段；清空即恢复按台账生成的表述。",
            )


class DecisionForm(Form):
    decision = forms.ChoiceField(
        choices=[(key, key) for key in ("submit", "accept", "approve", "send", "return")]
    )
    comment = forms.CharField(required=False, max_length=2000)
    sent_on = forms.DateField(required=False)
