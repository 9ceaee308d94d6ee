from django import forms

from rectify.forms import Form, ModelChoiceField
from rectify.org.access import organisations_under_office
from rectify.org.models import Organisation


class NoticeUploadForm(Form):
    organisation = ModelChoiceField(label="被巡察组织", queryset=Organisation.objects.none())
    file = forms.FileField(label="通报文件", help_text="支持 .txt（UTF-8 或 GBK）、.html、.docx")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_under_office(user)
        self.fields["file"].widget.attrs["accept"] = ".txt,.html,.htm,.docx,text/plain,text/html"


class NoticeConfirmForm(Form):
    organisation = ModelChoiceField(queryset=Organisation.objects.none(), widget=forms.HiddenInput)
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_under_office(user)
