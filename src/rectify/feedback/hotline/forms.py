"""Forms of the hotline import: the upload, and the column mapping the office confirms. The rules
(file type, required fields, each row's values) are feedback.hotline.services'."""

from __future__ import annotations

from django import forms

from rectify.forms import Form, ModelChoiceField
from rectify.org.models import Organisation, User

from . import services as hotline


class UploadForm(Form):
    organisation = ModelChoiceField(
        label="受理组织",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "只能为您担任整改办的组织导入热线工单。"},
    )
    file = forms.FileField(
        label="12345 工单导出文件（.xlsx）",
        help_text="热线系统导出的 Excel 工作簿；第一个工作表中应有工单编号、来电时间、诉求内容等列。",
        error_messages={"required": "请选择要导入的文件。", "empty": "上传的文件是空的。"},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = hotline.importing_organisations(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > hotline.MAX_BYTES:
            raise forms.ValidationError(hotline.too_large(upload.size))
        return upload


class MappingForm(Form):
    """One choice per column of the file: the field it holds, or not imported (as guessed from the
    headers until the office changes it)."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        guessed = hotline.guess_mapping(headers)
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=hotline.column_label(index, header),
                choices=hotline.field_choices(),
                required=False,
                initial=guessed[index],
            )

    def mapping(self) -> list[str]:
        """The chosen mapping (an invalid choice is passed on, and refused by hotline.mapping_problems)."""
        if self.is_bound:
            return [self.data.get(f"col_{index}", hotline.SKIP) for index in range(len(self.headers))]
        return [self.fields[f"col_{index}"].initial for index in range(len(self.headers))]
