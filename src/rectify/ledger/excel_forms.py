"""Forms of the Excel ledger import: the upload, the column mapping, the inspection's own fields."""

from django import forms

from rectify.forms import Form, ModelChoiceField, date_field
from rectify.org.access import organisations_under_office
from rectify.org.models import Organisation

from .choices import InspectionKind
from .excel_import import FIELDS, Column, InspectionFields, LedgerSheet, Mapping, mapping_errors

FIELD_CHOICES = [("", "（不导入）")] + [
    (item.key, f"{item.label}（必填）" if item.required else item.label) for item in FIELDS
]


class LedgerUploadForm(Form):
    organisation = ModelChoiceField(
        label="被巡察组织",
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": "所选组织不存在，或您不是该组织的整改办。"},
    )
    file = forms.FileField(
        label="台账文件",
        help_text="Excel 工作簿（.xlsx）。表头可以不在第一行（上面可有标题行）；合并的单元格按每格重复读取。",
        error_messages={"required": "请选择台账文件。", "empty": "上传的文件是空的。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_under_office(user)
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )


class ColumnMappingForm(Form):
    """One choice per column of the sheet: the ledger field it holds, or none."""

    def __init__(self, *args, sheet: LedgerSheet, mapping: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for column in sheet.columns:
            self.fields[self.name_of(column)] = forms.ChoiceField(
                label=f"{column.letter} 列“{column.header or '（无表头）'}”对应",
                choices=FIELD_CHOICES,
                required=False,
                initial=mapping.get(column.index, ""),
            )

    @staticmethod
    def name_of(column: Column) -> str:
        return f"column_{column.letter}"

    def clean(self):
        cleaned = super().clean()
        for problem in mapping_errors(self.sheet, self.mapping()):
            self.add_error(None, problem.message)
        return cleaned

    def mapping(self) -> Mapping:
        data = getattr(self, "cleaned_data", {})
        return {
            column.index: data[self.name_of(column)]
            for column in self.sheet.columns
            if data.get(self.name_of(column))
        }

    def rows(self) -> list[tuple[Column, forms.BoundField]]:
        return [(column, self[self.name_of(column)]) for column in self.sheet.columns]


class InspectionFieldsForm(Form):
    """The inspection the ledger becomes: the file says little about it, the office says the rest."""

    title = forms.CharField(
        label="巡察名称",
        max_length=255,
        help_text="如：市委第七巡察组优化营商环境专项巡察",
        error_messages={"required": "请填写巡察名称。"},
    )
    kind = forms.ChoiceField(label="类型", choices=InspectionKind.choices, initial=InspectionKind.PATROL)
    inspecting_body = forms.CharField(
        label="巡察组", max_length=128, required=False, help_text="如：市委第七巡察组"
    )
    round_name = forms.CharField(
        label="巡察轮次", max_length=128, required=False, help_text="如：十二届市委第六轮"
    )
    onsite_start = date_field("进驻开始日期", required=False)
    onsite_end = date_field("进驻结束日期", required=False)
    feedback_date = date_field("反馈日期", required=False)
    deadline = date_field("整改期限", required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for problem in self.inspection_fields().problems():
                self.add_error(None, problem)
        return cleaned

    def inspection_fields(self) -> InspectionFields:
        data = self.cleaned_data
        return InspectionFields(
            title=data.get("title") or "",
            kind=data.get("kind") or InspectionKind.PATROL,
            inspecting_body=data.get("inspecting_body") or "",
            round_name=data.get("round_name") or "",
            onsite_start=data.get("onsite_start"),
            onsite_end=data.get("onsite_end"),
            feedback_date=data.get("feedback_date"),
            deadline=data.get("deadline"),
        )
