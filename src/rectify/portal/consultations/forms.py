"""The portal's comment form on a consultation (公开征求意见)."""

from __future__ import annotations

from django import forms

from rectify.errors import InvalidInput
from rectify.feedback.consultations import services as consultations
from rectify.forms import Form

from ..forms import PublicFormMixin


class PublicCommentForm(PublicFormMixin, Form):
    """The portal's comment form. The honeypot and the rate limit are feedback.abuse's; the text is
    made plain and sized by the service."""

    content = forms.CharField(
        label="意见建议",
        max_length=consultations.MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": consultations.MAX_COMMENT}),
        help_text=f"请针对征求意见稿提出具体意见，不超过 {consultations.MAX_COMMENT} 字。",
        error_messages={"required": "请填写意见建议。"},
    )
    name = forms.CharField(
        label="姓名（可不填）",
        max_length=consultations.MAX_NAME,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact = forms.CharField(
        label="联系方式（可不填）",
        max_length=consultations.MAX_CONTACT,
        required=False,
        help_text="电话或电子邮箱，仅用于就您的意见与您沟通，不会公开。",
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    enterprise = forms.CharField(
        label="企业或行业协会名称（可不填）",
        max_length=consultations.MAX_ENTERPRISE,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    # The honeypot (abuse.HONEYPOT_FIELD): never shown; the template hides it and takes it out of reach.
    website = forms.CharField(label="网址（请勿填写）", required=False, max_length=200)

    def clean_contact(self) -> str:
        try:
            return consultations.clean_contact(self.cleaned_data["contact"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None

    def submission(self) -> dict:
        """Keyword arguments of consultations.submit_public_comment."""
        return {name: self.cleaned_data[name] for name in ("content", "name", "contact", "enterprise")}
