"""Forms of the warning and notification pages: the warning filters, a person's notification
preferences, and an organisation's warning policy. Every message is Chinese; the database constraints
on the policy are checked here first, so the user never sees a constraint's name."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings

from rectify.forms import Form, ModelChoiceField
from rectify.ledger.models import Inspection
from rectify.org.models import Membership, Organisation, Role, User

from .channels import webhook_allowed
from .models import WarningLevel

# The level filter's values, worst first, as they appear in addresses and in the API.
LEVEL_SLUGS = {
    "escalated": WarningLevel.ESCALATED,
    "red": WarningLevel.RED,
    "yellow": WarningLevel.YELLOW,
    "green": WarningLevel.GREEN,
}
SLUG_OF_LEVEL = {level: slug for slug, level in LEVEL_SLUGS.items()}
MAX_DAYS = 365


class InspectionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        return obj.title


class WarningFilterForm(Form):
    level = forms.ChoiceField(
        label="预警等级",
        required=False,
        choices=[
            ("", "全部等级"),
            *((slug, WarningLevel(level).label) for slug, level in LEVEL_SLUGS.items()),
        ],
    )
    inspection = InspectionChoiceField(
        label="巡察", required=False, queryset=Inspection.objects.none(), empty_label="全部巡察"
    )
    mine = forms.BooleanField(label="只看我牵头的", required=False)

    def __init__(self, *args, inspections=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inspections is not None:
            self.fields["inspection"].queryset = inspections

    def value(self, name: str):
        """The cleaned filter, or None when the form is unbound or that field is invalid (an invalid
        filter is ignored, the others still apply)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


def _robot_field(label: str, example: str) -> forms.CharField:
    """A group robot's webhook address (optional), shown with an example of its form."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=300,
        widget=forms.URLInput(attrs={"placeholder": example, "size": 70}),
        error_messages={"max_length": "机器人地址不能超过 300 个字符。"},
    )


class PreferenceForm(Form):
    email = forms.BooleanField(label="通过邮件接收每日汇总", required=False)
    wecom_webhook = _robot_field(
        "企业微信群机器人地址", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
    )
    dingtalk_webhook = _robot_field("钉钉群机器人地址", "https://oapi.dingtalk.com/robot/send?access_token=…")

    # The public robot hosts, and the parameter that carries each robot's key there.
    KNOWN = {
        "qyapi.weixin.qq.com": ("wecom_webhook", "key", "企业微信"),
        "oapi.dingtalk.com": ("dingtalk_webhook", "access_token", "钉钉"),
    }

    def clean_wecom_webhook(self) -> str:
        return self._robot_url("wecom_webhook")

    def clean_dingtalk_webhook(self) -> str:
        return self._robot_url("dingtalk_webhook")

    def _robot_url(self, name: str) -> str:
        url = self.cleaned_data.get(name, "").strip()
        if not url:
            return ""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise forms.ValidationError("请填写完整的机器人地址（以 https:// 开头）。")
        try:
            parts.port  # noqa: B018 (raises ValueError when out of range)
        except ValueError:
            raise forms.ValidationError("机器人地址中的端口号无效。") from None
        if not webhook_allowed(url):
            hosts = "、".join(settings.RECTIFY_WEBHOOK_HOSTS) or "（无）"
            raise forms.ValidationError(
                f"平台只会调用管理员允许的机器人地址（{hosts}），“{parts.hostname}”不在其中。"
            )
        known = self.KNOWN.get(parts.hostname)
        if known:
            field, key, product = known
            if field != name:
                raise forms.ValidationError(f"这是{product}机器人的地址，请填在“{product}”一栏。")
            if not parse_qs(parts.query).get(key):
                raise forms.ValidationError(
                    f"地址缺少 {key} 参数，请在{product}群设置中复制机器人的完整 Webhook 地址。"
                )
        return url


def day_field(label: str, help_text: str, minimum: int = 1) -> forms.IntegerField:
    message = f"请填写 {minimum} 到 {MAX_DAYS} 之间的整数天数。"
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=minimum,
        max_value=MAX_DAYS,
        widget=forms.NumberInput(attrs={"min": minimum, "max": MAX_DAYS, "step": 1, "inputmode": "numeric"}),
        error_messages={
            "required": f"请填写“{label}”。",
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class LeaderChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class PolicyForm(Form):
    green_days = day_field(
        "绿色预警：到期前天数", "到期前多少天发出绿色预警，提醒责任单位联络员。", minimum=2
    )
    yellow_days = day_field("黄色预警：到期前天数", "到期前多少天发出黄色预警，同时提醒牵头领导。")
    escalate_days = day_field(
        "超期多少天升级", "超期后再过多少天，红色预警升级，同时提醒纪检监察组（巡察办）。"
    )
    signoff_stuck_days = day_field(
        "销号审批滞留提醒天数", "销号申请在同一审批环节等待多少天后，提醒该环节的审批人。"
    )
    order_escalate_days = day_field("督办单逾期多少天升级", "督办单超过答复期限多少天后升级。")
    feedback_reply_workdays = day_field(
        "意见诉求答复期限（工作日）",
        "收到群众意见、企业诉求后多少个工作日内须答复；节假日和调休按节假日调整表计算。已受理的不变。",
    )
    party_head = LeaderChoiceField(
        label="党组（党委）书记",
        required=False,
        queryset=User.objects.none(),
        empty_label="（不设置）",
        help_text="红色预警同时提醒此人。只能从本单位领导小组成员中选择。",
        error_messages={"invalid_choice": "所选人员不是本单位的领导小组成员，请重新选择。"},
    )
    extension_needs_leader = forms.BooleanField(
        label="延期须经牵头领导审批",
        required=False,
        help_text="勾选后，整改办同意的延期申请再报该措施的牵头领导审批，牵头领导同意后整改时限才调整；"
        "措施未指定牵头领导的，整改办同意即生效。",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["party_head"].queryset = party_head_choices(organisation)

    def clean(self):
        data = super().clean()
        green, yellow = data.get("green_days"), data.get("yellow_days")
        if green is not None and yellow is not None and green <= yellow:
            self.add_error(
                "green_days",
                f"绿色预警应早于黄色预警：到期前天数须大于黄色预警的 {yellow} 天。",
            )
        return data


def party_head_choices(organisation: Organisation):
    """The organisation's own leaders (领导小组成员), active, by name."""
    leaders = Membership.objects.filter(organisation=organisation, role=Role.LEADER).values("user_id")
    return User.objects.filter(pk__in=leaders, is_active=True).order_by("full_name", "username")
