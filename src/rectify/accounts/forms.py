from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.password_validation import get_default_password_validators

from rectify.forms import Form

from . import validators


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (old password, new twice; the policy's validators), worded as the pages are."""

    required_css_class = "required"
    error_messages = {
        **DjangoPasswordChangeForm.error_messages,
        "password_incorrect": "原密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再次输入新密码"
        # The policy in one sentence (Django's is a <ul> of each validator's words, which the field's
        # <span> cannot hold): ours first, then what Django's own validators refuse.
        ours = [
            validator.get_help_text().rstrip("。")
            for validator in get_default_password_validators()
            if type(validator).__module__ == validators.__name__
        ]
        django_rules = "不能与用户名、姓名相似，不能是常见密码或纯数字。"
        self.fields["new_password1"].help_text = "；".join([*ours, django_rules])
        self.fields["new_password2"].help_text = ""
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}。"


class CodeForm(Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=32,
        help_text="验证器应用当前显示的 6 位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）。",
        error_messages={"required": "请输入动态验证码。"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "size": 12, "autofocus": True}
        ),
    )


class EnrolForm(Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=16,
        help_text="用验证器应用扫描二维码（或手工输入密钥）后，填写应用显示的 6 位数字。",
        error_messages={"required": "请输入验证器应用显示的 6 位动态验证码。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )
