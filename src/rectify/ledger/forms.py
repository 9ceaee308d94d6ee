from django import forms
from django.db.models import QuerySet

from rectify.org.access import VIEW
from rectify.org.models import Organisation, User

from .choices import MeasureCategory, MeasureStatus
from .models import Area, Inspection, Measure, MeasureUnit
from .services import MeasureFilter, assignable_leaders, assignable_units

OVERDUE_CHOICES = [("", "全部"), ("1", "已超期"), ("0", "未超期")]


class InspectionFilterForm(forms.Form):
    """A list page filtered by one inspection, among those the page shows the user. A page that shows
    other inspections says which (`inspections`) and how one outside them is refused (`refusal`)."""

    refusal = "所选巡察不存在，或您无权查看。"

    inspection = forms.ModelChoiceField(
        label="巡察", queryset=Inspection.objects.none(), required=False, empty_label="全部巡察"
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("label_suffix", "")
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


class MeasureFilterForm(forms.Form):
    """The ledger's filters. Every choice list holds only what the user may see."""

    q = forms.CharField(label="关键词", required=False, max_length=100)
    inspection = forms.ModelChoiceField(
        label="巡察", queryset=Inspection.objects.none(), required=False, empty_label="全部巡察"
    )
    area = forms.ModelChoiceField(
        label="问题方面", queryset=Area.objects.none(), required=False, empty_label="全部方面"
    )
    unit = forms.ModelChoiceField(
        label="涉及单位（含配合、下属）",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="全部单位",
    )
    responsible = forms.ModelChoiceField(
        label="责任单位", queryset=Organisation.objects.none(), required=False, empty_label="全部单位"
    )
    leader = forms.ModelChoiceField(
        label="牵头领导", queryset=User.objects.none(), required=False, empty_label="全部领导"
    )
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *MeasureStatus.choices], required=False
    )
    category = forms.ChoiceField(
        label="整改类型", choices=[("", "全部类型"), *MeasureCategory.choices], required=False
    )
    overdue = forms.ChoiceField(label="是否超期", choices=OVERDUE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        inspections = Inspection.objects.restrict(user, VIEW)
        self.fields["inspection"].queryset = inspections
        areas = Area.objects.restrict(user, VIEW).select_related("inspection").exclude(title="")
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda area: area.title
        visible_measures = Measure.objects.restrict(user, VIEW)
        self.fields["unit"].queryset = (
            Organisation.objects.filter(measure_links__measure__in=visible_measures)
            .distinct()
            .order_by("path")
        )
        self.fields["responsible"].queryset = (
            Organisation.objects.filter(
                measure_links__measure__in=visible_measures, measure_links__role=MeasureUnit.Role.RESPONSIBLE
            )
            .distinct()
            .order_by("path")
        )
        self.fields["leader"].queryset = (
            User.objects.filter(led_measures__in=visible_measures)
            .distinct()
            .order_by("full_name", "username")
        )

    def to_filter(self) -> MeasureFilter:
        data = self.cleaned_data if self.is_valid() else {}
        overdue = {"1": True, "0": False}.get(data.get("overdue") or "")
        return MeasureFilter(
            inspection=_pk(data.get("inspection")),
            area=_pk(data.get("area")),
            unit=_pk(data.get("unit")),
            responsible=_pk(data.get("responsible")),
            leader=_pk(data.get("leader")),
            status=data.get("status") or None,
            category=data.get("category") or None,
            overdue=overdue,
            q=data.get("q") or "",
        )


def _pk(obj):
    return obj.pk if obj is not None else None


class MeasureAssignmentForm(forms.Form):
    """The office's edit of who does a measure and by when. `version` is the one the user loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    lead_leader = forms.ModelChoiceField(
        label="牵头领导", queryset=User.objects.none(), required=False, empty_label="（未指定）"
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

    def __init__(self, *args, inspection: Inspection, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["lead_leader"].queryset = assignable_leaders(inspection)
        units = assignable_units(inspection)
        self.fields["units"].queryset = units
        self.fields["supporting_units"].queryset = units

    @classmethod
    def initial_for(cls, measure: Measure) -> dict:
        return {
            "version": measure.version,
            "lead_leader": measure.lead_leader_id,
            "units": [unit.pk for unit in measure.responsible_units],
            "supporting_units": [unit.pk for unit in measure.supporting_units],
            "outside_units": measure.outside_units,
            "deadline": measure.deadline,
            "category": measure.category,
        }
