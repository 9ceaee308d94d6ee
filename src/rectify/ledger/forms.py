from datetime import date

from django import forms
from django.db.models import QuerySet

from rectify.forms import Form, ModelChoiceField
from rectify.org.access import VIEW
from rectify.org.models import Organisation, User

from .choices import LedgerColumn, MeasureCategory
from .models import Inspection, Measure
from .services import assignable_leaders, assignable_units


class InspectionFilterForm(Form):
    """A list page filtered by one inspection, among those the page shows the user. A page that shows
    other inspections says which (`inspections`) and how one outside them is refused (`refusal`)."""

    refusal = "所选巡察不存在，或您无权查看。"

    inspection = ModelChoiceField(
        label="巡察", queryset=Inspection.objects.none(), required=False, empty_label="全部巡察"
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["inspection"]
        field.queryset = self.inspections(user)
        field.error_messages["invalid_choice"] = self.refusal

    def inspections(self, user: User) -> QuerySet[Inspection]:
        return Inspection.objects.restrict(user, VIEW)

    def inspection_id(self) -> int | None:
        if not self.is_valid() or self.cleaned_data["inspection"] is None:
            return None
        return self.cleaned_data["inspection"].pk


class MeasureAssignmentForm(Form):
    """The office's edit of who does a measure and by when. `version` is the one the user loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    lead_leader = ModelChoiceField(
        label="牵头领导", queryset=User.objects.none(), required=False, empty_label="（未指定）"
    )
    responsible_unit = forms.ModelChoiceField(
        label="主责单位",
        queryset=Organisation.objects.none(),
        empty_label="（请选择）",
        help_text="每项措施有且只有一个主责单位，自动计入责任单位",
        error_messages={
            "required": "请选择主责单位：每项整改措施必须有且只有一个主责单位。",
            "invalid_choice": "所选主责单位不是本单位或其下属单位。",
        },
    )
    units = forms.ModelMultipleChoiceField(
        label="责任单位",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    supporting_units = forms.ModelMultipleChoiceField(
        label="配合单位",
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outside_units = forms.CharField(
        label="系统外承办单位",
        required=False,
        max_length=255,
        help_text="不属于本单位的承办单位（如某区人民政府），只记名称，不开通查看权限",
    )
    deadline = forms.DateField(
        label="整改时限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="长期坚持的措施可不填",
    )
    category = forms.ChoiceField(label="整改类型", choices=MeasureCategory.choices)
    # Only on a signed-off measure; the service says when it is missing, in the same words as the API.
    reason = forms.CharField(
        label="修改理由",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="该措施已销号：更换牵头领导或责任单位须填写理由，理由记入变更记录",
    )

    def __init__(
        self,
        *args,
        inspection: Inspection,
        fixed_deadline: date | None = None,
        signed_off: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not signed_off:
            del self.fields["reason"]
        if fixed_deadline is not None:
            # A deadline once set moves only by an extension request (延期申请) on the measure page.
            field = self.fields["deadline"]
            field.disabled = True
            field.initial = fixed_deadline
            field.help_text = "整改时限已确定，如需调整请在措施页面提交延期申请"
        self.fields["lead_leader"].queryset = assignable_leaders(inspection)
        units = assignable_units(inspection)
        self.fields["responsible_unit"].queryset = units
        self.fields["units"].queryset = units
        self.fields["supporting_units"].queryset = units

    @classmethod
    def initial_for(cls, measure: Measure) -> dict:
        return {
            "version": measure.version,
            "lead_leader": measure.lead_leader_id,
            "responsible_unit": measure.responsible_unit_id,
            "units": [unit.pk for unit in measure.responsible_units],
            "supporting_units": [unit.pk for unit in measure.supporting_units],
            "outside_units": measure.outside_units,
            "deadline": measure.deadline,
            "category": measure.category,
        }


class LedgerViewForm(Form):
    """The ledger's display: standard or compact (紧凑视图), and the compact view's columns. `next` is
    the ledger address to return to, with its filters."""

    compact = forms.TypedChoiceField(
        label="显示方式",
        choices=[("0", "标准视图（每条措施列出所属问题）"), ("1", "紧凑视图（措施归入所属问题，一行一条）")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    columns = forms.MultipleChoiceField(
        label="紧凑视图显示的列",
        choices=LedgerColumn.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "所选的列“%(value)s”不存在。"},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
