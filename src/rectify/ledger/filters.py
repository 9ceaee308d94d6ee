"""The measure ledger's filters, declared once (django-filter).

The ledger page renders this filter set's form; the Excel ledger export and the API take the same
parameters and apply the same filter set, so a link copied from the page filters the export and the
API alike. django-filter was chosen over ninja's FilterSchema because the page needs a Django form
(Chinese labels, choice lists limited to what the user may see) and the API's typed query schema can
be derived from a filter set (`rectify.schemas.query_schema`), while a pydantic schema cannot give
the page its form.

Every choice list holds only what the user may see, so an id the user may not see is refused by the
form, and the filter set then lists nothing rather than quietly dropping the condition.
"""

from __future__ import annotations

from datetime import date

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet

from rectify.errors import InvalidInput
from rectify.forms import CheckboxSelectMultiple, Select
from rectify.org.access import VIEW
from rectify.org.models import Organisation, User
from rectify.schemas import DB_INT_MAX

from .choices import MeasureCategory, MeasureStatus
from .models import Area, Inspection, Measure, MeasureUnit
from .services import measure_queryset, today

OVERDUE_CHOICES = [("", "全部"), ("1", "已超期"), ("0", "未超期")]


class IdFilter(filters.NumberFilter):
    """A record's id, taken as is: the rows are already limited to what the user may see, so an id
    beyond them simply matches nothing, and no query is spent checking it."""

    field_class = forms.IntegerField


def _unit_filter(label: str, method: str, help_text: str) -> filters.ModelChoiceFilter:
    """A unit of the measures, chosen among those the user may see (set by the filter set)."""
    return filters.ModelChoiceFilter(
        label=label,
        method=method,
        queryset=Organisation.objects.none(),
        widget=Select,
        empty_label="全部单位",
        help_text=help_text,
    )


def _linked_units(measures: QuerySet[Measure], **link) -> QuerySet[Organisation]:
    """The units linked to any of `measures`, in tree order; `link` narrows the link itself (one
    filter() call, so that every condition holds for the same link). Asked unit by unit (EXISTS,
    found through the links' unit index, stopping at the first visible measure) rather than by
    DISTINCT over every link of every visible measure, which grows with the ledger."""
    conditions = {f"unit_links__{name}": value for name, value in link.items()}
    return Organisation.objects.filter(
        Exists(measures.filter(unit_links__unit=OuterRef("pk"), **conditions))
    ).order_by("path")


def _asked_ids(data, name: str) -> list[int]:
    """The ids given for `name` in the filters' data (a query string's values, or the API's value or
    list); a value that is no id is left out here and refused by the form."""
    values = (data.getlist(name) if hasattr(data, "getlist") else data.get(name)) if data else None
    if not isinstance(values, list | tuple):
        values = [] if values is None else [values]
    return [int(value) for value in map(str, values) if value.isdigit() and int(value) <= DB_INT_MAX]


class InspectionsField(forms.ModelMultipleChoiceField):
    """Several inspections; an id beyond the database's integer range is no choice (SQLite would fail
    on it in the IN list rather than find nothing)."""

    def _check_values(self, value):
        for key in value:
            if str(key).isdigit() and int(key) > DB_INT_MAX:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": key}
                )
        return super()._check_values(value)


class InspectionsFilter(filters.ModelMultipleChoiceFilter):
    field_class = InspectionsField


class MeasureFilterSet(filters.FilterSet):
    q = filters.CharFilter(
        label="关键词", method="search", max_length=100, help_text="措施、问题或方面中的文字"
    )
    # Several at once (?inspection=1&inspection=3): an office working two inspections together reads
    # one ledger over both. No DISTINCT: a measure belongs to one inspection, so no row repeats.
    inspection = InspectionsFilter(
        label="巡察",
        field_name="problem__inspection",
        queryset=Inspection.objects.none(),
        widget=CheckboxSelectMultiple,
        distinct=False,
        help_text="巡察编号，可多选；不选即全部巡察",
    )
    area = filters.ModelChoiceFilter(
        label="问题方面",
        field_name="problem__area",
        queryset=Area.objects.none(),
        widget=Select,
        empty_label="全部方面",
    )
    # Not on the page's form: the problem page lists its measures through it, and the API takes it.
    problem = IdFilter(label="问题", field_name="problem_id")
    unit = _unit_filter("涉及单位（含配合、下属）", "involving", "责任或配合单位（含其下级单位）")
    responsible = _unit_filter("责任单位", "responsible_unit", "责任单位（仅该单位本身作为责任单位的措施）")
    leader = filters.ModelChoiceFilter(
        label="牵头领导",
        field_name="lead_leader",
        queryset=User.objects.none(),
        widget=Select,
        empty_label="全部领导",
        help_text="牵头领导的用户编号",
    )
    status = filters.ChoiceFilter(
        label="状态", choices=MeasureStatus.choices, widget=Select, empty_label="全部状态"
    )
    category = filters.ChoiceFilter(
        label="整改类型", choices=MeasureCategory.choices, widget=Select, empty_label="全部类型"
    )
    overdue = filters.BooleanFilter(
        label="是否超期", method="by_overdue", widget=Select(choices=OVERDUE_CHOICES)
    )

    class Meta:
        model = Measure
        fields: list[str] = []

    def __init__(self, data=None, *, user: User, on: date | None = None, **kwargs):
        self.user = user
        self.on = on or today()
        ledger_order = ("problem__inspection_id", "problem__number", "order")
        super().__init__(data, queryset=measure_queryset(user, self.on).order_by(*ledger_order), **kwargs)
        self.form.label_suffix = ""
        visible_measures = Measure.objects.restrict(user, VIEW)
        fields = self.form.fields
        fields["inspection"].queryset = Inspection.objects.restrict(user, VIEW)
        fields["inspection"].error_messages["invalid_choice"] = "所选巡察不存在，或您无权查看。"
        fields["inspection"].error_messages["invalid_pk_value"] = "巡察编号应为正整数。"
        # The titled areas of the chosen inspections only (a province's inspections have thousands), and
        # the area asked for, so that a link's ?area= alone still filters; only what the option shows.
        areas = Area.objects.restrict(user, VIEW).exclude(title="").only("pk", "title")
        inspections = _asked_ids(data, "inspection")
        fields["area"].queryset = areas.filter(
            Q(inspection_id__in=inspections) | Q(pk__in=_asked_ids(data, "area"))
        )
        fields["area"].label_from_instance = lambda area: area.title
        if not inspections:
            fields[
                "area"
            ].help_text = "选择巡察后列出其问题方面"  # the select points to it (aria-describedby)
        fields["unit"].queryset = _linked_units(visible_measures)
        fields["responsible"].queryset = _linked_units(visible_measures, role=MeasureUnit.Role.RESPONSIBLE)
        fields["leader"].queryset = User.objects.filter(
            Exists(visible_measures.filter(lead_leader=OuterRef("pk")))
        ).order_by("full_name", "username")

    def filter_queryset(self, queryset: QuerySet[Measure]) -> QuerySet[Measure]:
        # A value the user may not ask for (an inspection of another organisation, a status that does
        # not exist) lists nothing: dropping that condition would show more than was asked for.
        if self.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def search(self, queryset: QuerySet[Measure], name: str, value: str) -> QuerySet[Measure]:
        for term in value.split():
            queryset = queryset.filter(
                Q(text__icontains=term)
                | Q(problem__title__icontains=term)
                | Q(problem__area__title__icontains=term)
            )
        return queryset

    def involving(self, queryset: QuerySet[Measure], name: str, unit: Organisation) -> QuerySet[Measure]:
        """The unit or a unit under it, responsible or supporting."""
        links = MeasureUnit.objects.filter(unit__path__startswith=unit.path)
        return queryset.filter(pk__in=links.values("measure_id"))

    def responsible_unit(
        self, queryset: QuerySet[Measure], name: str, unit: Organisation
    ) -> QuerySet[Measure]:
        """That unit itself as a responsible unit (the dashboard's unit rows count exactly these)."""
        links = MeasureUnit.objects.filter(unit=unit, role=MeasureUnit.Role.RESPONSIBLE)
        return queryset.filter(pk__in=links.values("measure_id"))

    def by_overdue(self, queryset: QuerySet[Measure], name: str, overdue: bool | None) -> QuerySet[Measure]:
        if overdue is None:
            return queryset
        return queryset.overdue(self.on) if overdue else queryset.not_overdue(self.on)


def filter_measures(user: User, data: dict | None = None, on: date | None = None) -> QuerySet[Measure]:
    """The measures the user may see that match `data` (the filter set's parameters), in ledger order."""
    return MeasureFilterSet(data or {}, user=user, on=on).qs


def check(filters: MeasureFilterSet) -> None:
    """Refuse the filters (InvalidInput) when a value is one the user may not ask for: the API and the
    export answer 400 where the page shows the same message above an empty list."""
    if not filters.is_valid():
        fields = filters.form.fields
        problems = [
            f"{fields[name].label if name in fields else name}：{error}"
            for name, errors in filters.errors.items()
            for error in errors
        ]
        raise InvalidInput("筛选条件有误：" + "；".join(problems))


def chosen_inspections(filters: MeasureFilterSet) -> list[Inspection]:
    """The inspections the (valid) filters name, in the order the ledger lists them (by id)."""
    if not filters.is_valid():
        return []
    return sorted(filters.form.cleaned_data.get("inspection") or [], key=lambda inspection: inspection.pk)
