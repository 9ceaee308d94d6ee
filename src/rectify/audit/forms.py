"""The audit trail's filters. Choices hold only what the reader may see: the kinds of record the
trail can be searched by, and the people who appear in the reader's part of the trail."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from rectify.forms import Form, ModelChoiceField, date_field
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW
from rectify.org.models import User
from rectify.security.models import Kind as SecurityKind

from .services import AuditFilter, SecurityFilter, model_choices, search_audit


def _id_field(label: str, help_text: str) -> forms.IntegerField:
    """A record's id to filter by (optional)."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        help_text=help_text,
        error_messages={"invalid": "请输入整数编号。", "min_value": "编号应为正整数。"},
    )


class DatedFilterForm(Form):
    """Filters with a day range, the first day not after the last."""

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data


class AuditFilterForm(DatedFilterForm):
    model = forms.ChoiceField(label="对象类型", required=False)
    object_id = _id_field("对象编号", "须同时选择对象类型")
    inspection = ModelChoiceField(
        label="巡察",
        queryset=Inspection.objects.none(),
        required=False,
        empty_label="全部巡察",
        error_messages={"invalid_choice": "所选巡察不存在，或您无权查看。"},
    )
    measure_number = forms.CharField(
        label="措施",
        required=False,
        max_length=12,
        help_text="措施序号，如 10.1：该措施及其进展、销号、指标等的全部记录",
    )
    actor = forms.ModelChoiceField(
        label="操作人",
        queryset=User.objects.none(),
        required=False,
        empty_label="全部人员",
        error_messages={"invalid_choice": "所选操作人不在可查阅的记录中。"},
    )
    since = date_field("起始日期", required=False)
    until = date_field("截止日期", required=False)
    q = forms.CharField(label="关键词", required=False, max_length=100, help_text="按对象名称查找")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "全部类型"), *model_choices()]
        self.fields["inspection"].queryset = Inspection.objects.restrict(user, VIEW).order_by("-id")
        self.fields["inspection"].label_from_instance = lambda inspection: inspection.title
        # People who appear in the part of the trail this reader may search, not every account.
        actors = search_audit(user, AuditFilter()).order_by().values("actor_id")
        self.fields["actor"].queryset = User.objects.filter(pk__in=actors).order_by("full_name", "username")
        self.fields["actor"].label_from_instance = lambda person: (
            f"{person.display_name}（{person.username}）" if person.full_name else person.username
        )

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data if self.is_valid() else {}
        since, until = _day_range(data.get("since"), data.get("until"))
        return AuditFilter(
            model=data.get("model") or "",
            object_id=data.get("object_id"),
            measure_number=data.get("measure_number") or "",
            inspection=data["inspection"].pk if data.get("inspection") else None,
            actor=data["actor"].pk if data.get("actor") else None,
            since=since,
            until=until,
            q=data.get("q") or "",
        )


def _day_range(since, until) -> tuple[datetime | None, datetime | None]:
    """From the first moment of `since` to the last of `until`, in the current time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=zone) if since else None
    end = (
        datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone) - timedelta(microseconds=1)
        if until
        else None
    )
    return start, end


class SecurityFilterForm(DatedFilterForm):
    kind = forms.ChoiceField(
        label="事件类型",
        required=False,
        choices=[("", "全部事件"), *SecurityKind.choices],
        error_messages={"invalid_choice": "请选择列出的事件类型。"},
    )
    username = forms.CharField(label="用户名", required=False, max_length=150, help_text="登录时所用的用户名")
    since = date_field("起始日期", required=False)
    until = date_field("截止日期", required=False)

    def to_filter(self) -> SecurityFilter:
        data = self.cleaned_data if self.is_valid() else {}
        since, until = _day_range(data.get("since"), data.get("until"))
        return SecurityFilter(
            kind=data.get("kind") or "", username=data.get("username") or "", since=since, until=until
        )
