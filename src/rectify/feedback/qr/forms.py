"""The office's form for a new QR code (二维码)."""

from __future__ import annotations

from django import forms

from rectify.forms import Form, ModelChoiceField
from rectify.org.models import User

from . import services as qr_rules


class ProblemField(ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.inspection.title} · 问题{obj.number}：{obj.title}"


class MeasureField(ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        text = obj.text if len(obj.text) <= 40 else obj.text[:40] + "…"
        return f"{obj.problem.inspection.title} · 措施{obj.problem.number}.{obj.order}：{text}"


class QrCodeForm(Form):
    organisation = ModelChoiceField(
        label="受理单位", queryset=None, help_text="扫码留言由该单位的整改办受理。"
    )
    label = forms.CharField(
        label="名称",
        max_length=qr_rules.MAX_LABEL,
        help_text="便于整改办识别，如“环市路施工围挡公示牌”；也印在海报上。",
    )
    site = forms.CharField(
        label="地点（可不填）",
        required=False,
        max_length=qr_rules.MAX_SITE,
        help_text="张贴或设置的地点，公众扫码后可以看到。",
    )
    problem = ProblemField(
        label="关联问题（可不选）",
        required=False,
        queryset=None,
        empty_label="不关联具体问题",
        help_text="扫码留言自动关联到该问题。",
    )
    measure = MeasureField(
        label="关联整改措施（可不选）",
        required=False,
        queryset=None,
        empty_label="不关联具体措施",
        help_text="选择措施时，问题按措施所属的问题关联。",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = qr_rules.organisations_for(user)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["problem"].queryset = qr_rules.problems_for(user)
        self.fields["measure"].queryset = qr_rules.measures_for(user)
