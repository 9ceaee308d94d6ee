"""Forms of the public feedback pages: the message form and the tracking form.

Each field is checked by the same rules feedback.services applies when saving (so a mistake is shown
beside its field), and every field has a size limit. Errors are announced: each invalid field points
at its message with aria-describedby (Django does that), and the page lists them at the top.
"""

from __future__ import annotations

from django import forms

from rectify.errors import InvalidInput
from rectify.feedback import services
from rectify.feedback.models import FeedbackKind
from rectify.feedback.public import Subject, consent_problem, problem_label, public_organisations
from rectify.forms import Form, ModelChoiceField

from ..forms import PublicFormMixin


def _checked(check, value: str) -> str:
    try:
        return check(value)
    except InvalidInput as error:
        raise forms.ValidationError(error.message) from None


class ProblemChoiceField(ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return problem_label(obj)


class PublicFeedbackForm(PublicFormMixin, Form):
    organisation = ModelChoiceField(
        label="受理单位",
        queryset=public_organisations(),
        empty_label="请选择",
        help_text="您的意见建议或诉求由哪个单位受理。",
        error_messages={"required": "请选择受理单位。", "invalid_choice": "请从列表中选择受理单位。"},
    )
    problem = ProblemChoiceField(
        label="涉及的问题（可不选）",
        required=False,
        queryset=None,
        empty_label="不涉及具体问题",
        error_messages={"invalid_choice": "请从列表中选择问题。"},
        help_text="通报中列出的整改问题；选择后，您的留言会直接送到负责该问题整改的单位。",
    )
    kind = forms.ChoiceField(
        label="类别",
        choices=FeedbackKind.choices,
        initial=FeedbackKind.OPINION,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择类别。", "invalid_choice": "请选择“意见建议”或“企业诉求”。"},
        help_text="企业反映经营中遇到的困难和问题，请选择“企业诉求”并填写企业信息。",
    )
    content = forms.CharField(
        label="内容",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": services.MAX_CONTENT}),
        help_text=f"请写明时间、地点和具体情况，不超过 {services.MAX_CONTENT} 字。"
        "请勿填写身份证号等与反映事项无关的个人信息。",
        error_messages={"required": "请填写内容。"},
    )
    name = forms.CharField(label="姓名（可不填）", required=False, max_length=services.MAX_NAME)
    phone = forms.CharField(
        label="联系电话（可不填）",
        required=False,
        max_length=services.MAX_PHONE,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text="手机号或带区号的固定电话，如 020-12345678。",
    )
    email = forms.CharField(
        label="电子邮箱（可不填）",
        required=False,
        max_length=services.MAX_EMAIL,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="答复发布后，我们会发邮件告知您。",
    )
    enterprise = forms.CharField(label="企业名称", required=False, max_length=services.MAX_ENTERPRISE)
    credit_code = forms.CharField(
        label="统一社会信用代码",
        required=False,
        max_length=24,  # 18 symbols, with the spaces people type
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        help_text="18 位，见营业执照。",
    )
    consent_to_contact = forms.BooleanField(
        label="我同意工作人员为办理本件通过以上电话或电子邮箱与我联系",
        required=False,
        help_text="留下电话或电子邮箱时须勾选；不留联系方式也可以，凭查询码查看答复。",
    )
    # The honeypot (abuse.HONEYPOT_FIELD): never shown; the template hides it and takes it out of reach.
    website = forms.CharField(label="网址（请勿填写）", required=False, max_length=200)

    def __init__(self, *args, subject: Subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        if subject.organisation is not None:
            del self.fields["organisation"]
        if subject.inspection is None or subject.problem_is_fixed:
            del self.fields["problem"]
        else:
            self.fields["problem"].queryset = subject.inspection.problems.order_by("number")
            if subject.problem is not None:
                self.fields["problem"].initial = subject.problem.pk

    def clean_content(self) -> str:
        return _checked(services.clean_content, self.cleaned_data["content"])

    def clean_phone(self) -> str:
        return _checked(services.clean_phone, self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return _checked(services.clean_email, self.cleaned_data["email"])

    def clean_credit_code(self) -> str:
        return _checked(services.clean_credit_code, self.cleaned_data["credit_code"])

    def clean(self):
        data = super().clean()
        if "phone" in self.errors or "email" in self.errors:
            return data
        problem = consent_problem(
            has_contact=bool(data.get("phone") or data.get("email")),
            consent=bool(data.get("consent_to_contact")),
        )
        if problem:
            self.add_error("consent_to_contact", problem)
        return data

    def submission(self) -> dict:
        """Keyword arguments of services.submit_public."""
        data = self.cleaned_data
        subject = self.subject
        return {
            "organisation": subject.organisation or data["organisation"],
            "kind": data["kind"],
            "content": data["content"],
            "inspection": subject.inspection,
            "problem": data.get("problem") if "problem" in self.fields else subject.problem,
            "measure": subject.measure,
            "qr": subject.qr,
            **services.sender_of(data),
        }


class TrackForm(PublicFormMixin, Form):
    code = forms.CharField(
        label="查询码",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text="提交留言后页面上显示的查询码，如 K7QD-9XTM-F3HB；不区分大小写，短横线可不输入。",
        error_messages={"required": "请输入查询码。"},
    )
