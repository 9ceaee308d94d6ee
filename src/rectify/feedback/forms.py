"""Forms of the staff pages of public feedback. They only read what was typed; the rules (sizes,
formats, who may do what) are in feedback.services, whose Chinese messages the pages show."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from rectify.forms import Form, ModelChoiceField
from rectify.ledger.models import Measure, Problem
from rectify.org.access import VIEW, Access
from rectify.org.models import Membership, Organisation, Role, User

from .models import Channel, CloseReason, FeedbackItem, FeedbackKind, FeedbackStatus, QrCode
from .services import (
    MAX_ASSOCIATION,
    MAX_CONTENT,
    MAX_EMAIL,
    MAX_ENTERPRISE,
    MAX_EXTERNAL_REF,
    MAX_NAME,
    MAX_PHONE,
    MAX_REASON,
    MAX_REPLY,
    STAFF_CHANNELS,
    FeedbackFilter,
    routable_units,
)

OVERDUE_CHOICES = [("", "全部"), ("1", "已超期"), ("0", "未超期")]


class _Form(Form):
    required_css_class = "required"  # the field template marks required fields: （必填）


class FeedbackFilterForm(_Form):
    """The list's filters; the unit and QR code choices hold only those of items the user sees."""

    q = forms.CharField(label="关键词或查询码", required=False, max_length=100)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *FeedbackStatus.choices], required=False
    )
    channel = forms.ChoiceField(label="渠道", choices=[("", "全部渠道"), *Channel.choices], required=False)
    kind = forms.ChoiceField(label="类别", choices=[("", "全部类别"), *FeedbackKind.choices], required=False)
    unit = ModelChoiceField(
        label="承办单位", queryset=Organisation.objects.none(), required=False, empty_label="全部单位"
    )
    qr = ModelChoiceField(
        label="来源二维码", queryset=QrCode.objects.none(), required=False, empty_label="全部"
    )
    overdue = forms.ChoiceField(label="是否超期", choices=OVERDUE_CHOICES, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        visible = FeedbackItem.objects.restrict(user, VIEW)
        self.fields["unit"].queryset = Organisation.objects.filter(
            pk__in=visible.exclude(unit=None).values("unit_id")
        ).order_by("path")
        self.fields["qr"].queryset = QrCode.objects.filter(pk__in=visible.exclude(qr=None).values("qr_id"))

    def to_filter(self) -> FeedbackFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return FeedbackFilter(
            status=data.get("status") or None,
            channel=data.get("channel") or None,
            kind=data.get("kind") or None,
            unit=data["unit"].pk if data.get("unit") else None,
            qr=data["qr"].pk if data.get("qr") else None,
            overdue={"1": True, "0": False}.get(data.get("overdue") or ""),
            q=data.get("q") or "",
        )


def office_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations whose office the user is: those the user registers items for."""
    access = Access.of(user)
    if access.is_superuser:
        return Organisation.objects.filter(
            pk__in=Membership.objects.filter(role=Role.OFFICE).values("organisation_id")
        ).order_by("path")
    return Organisation.objects.filter(path__in=access.paths([Role.OFFICE])).order_by("path")


def problems_of(organisation: Organisation) -> QuerySet[Problem]:
    return (
        Problem.objects.filter(inspection__inspected__path__startswith=organisation.path)
        .select_related("inspection")
        .order_by("inspection_id", "number")
    )


class ProblemChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Problem) -> str:
        return f"{obj.inspection.title} · {obj.number}. {obj.title}"


class MeasureChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        return f"措施 {obj.problem.number}.{obj.order} {obj.text[:40]}"


class StaffEntryForm(_Form):
    """An item that came by phone, e-mail, letter, visit, an association or the hotline."""

    organisation = ModelChoiceField(label="受理组织", queryset=Organisation.objects.none())
    channel = forms.ChoiceField(
        label="来源渠道", choices=[(c.value, c.label) for c in STAFF_CHANNELS], initial=Channel.PHONE
    )
    kind = forms.ChoiceField(label="类别", choices=FeedbackKind.choices, widget=forms.RadioSelect)
    content = forms.CharField(
        label="内容",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_CONTENT}),
        max_length=MAX_CONTENT * 2,
    )
    received_at = forms.DateTimeField(
        label="收到时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text="不填为现在；答复期限从收到之日起按工作日计算",
    )
    association = forms.CharField(
        label="转达的行业协会", required=False, max_length=MAX_ASSOCIATION, help_text="行业协会转达的必填"
    )
    external_ref = forms.CharField(
        label="外部编号", required=False, max_length=MAX_EXTERNAL_REF, help_text="12345 工单号、来信编号等"
    )
    problem = ProblemChoiceField(
        label="涉及问题", queryset=Problem.objects.none(), required=False, empty_label="（未指明）"
    )
    name = forms.CharField(label="姓名", required=False, max_length=MAX_NAME)
    phone = forms.CharField(label="联系电话", required=False, max_length=MAX_PHONE)
    email = forms.CharField(label="电子邮箱", required=False, max_length=MAX_EMAIL)
    enterprise = forms.CharField(label="企业名称", required=False, max_length=MAX_ENTERPRISE)
    credit_code = forms.CharField(label="统一社会信用代码", required=False, max_length=30)
    consent_to_contact = forms.BooleanField(label="来信人同意工作人员联系", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = office_organisations(user)
        self.fields["organisation"].queryset = organisations
        first = organisations.first()
        if first is not None:
            self.fields["organisation"].initial = first.pk
        chosen = self._chosen_organisation(organisations) or first
        self.fields["problem"].queryset = problems_of(chosen) if chosen else Problem.objects.none()

    def _chosen_organisation(self, organisations: QuerySet[Organisation]) -> Organisation | None:
        wanted = self.data.get("organisation") if self.is_bound else None
        return organisations.filter(pk=wanted).first() if wanted and str(wanted).isdigit() else None


class RouteForm(_Form):
    """The office's routing (分办): the unit, and the problem or measure the item concerns."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    unit = ModelChoiceField(label="承办单位", queryset=Organisation.objects.none())
    problem = ProblemChoiceField(
        label="关联问题", queryset=Problem.objects.none(), required=False, empty_label="（不关联）"
    )
    measure = MeasureChoiceField(
        label="关联措施", queryset=Measure.objects.none(), required=False, empty_label="（不关联）"
    )

    def __init__(self, *args, item: FeedbackItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = routable_units(item.organisation)
        problems = problems_of(item.organisation)
        self.fields["problem"].queryset = problems
        self.fields["measure"].queryset = (
            Measure.objects.filter(problem__in=problems.values("pk"))
            .select_related("problem")
            .order_by("problem__inspection_id", "problem__number", "order")
        )


class ReplyForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label="答复内容",
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": MAX_REPLY}),
        max_length=MAX_REPLY * 2,
        help_text="答复经整改办审核后发布，来信人凭查询码查看；留有邮箱并同意联系的，同时发送电子邮件。",
    )


class ReturnForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label="退回理由",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_REASON}),
        max_length=MAX_REASON,
    )


class CloseForm(_Form):
    """Closing without a reply, always for a recorded reason."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.ChoiceField(
        label="办结理由",
        choices=[(value, label) for value, label in CloseReason.choices if value != CloseReason.REPLIED],
        widget=forms.RadioSelect,
    )
    duplicate_of = forms.CharField(
        label="与之重复的意见诉求（查询码）", required=False, max_length=32, help_text="重复反映的必填"
    )
    note = forms.CharField(
        label="办结说明",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_REASON}),
        max_length=MAX_REASON,
    )


class ExportForm(_Form):
    include_contacts = forms.BooleanField(label="包含联系方式", required=False)
    reason = forms.CharField(
        label="导出联系方式的理由",
        required=False,
        max_length=MAX_REASON,
        help_text="包含联系方式时必填，记入审计日志",
    )
