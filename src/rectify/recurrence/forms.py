from django import forms

from .models import FlagKind
from .services import MAX_NOTE


class DecisionForm(forms.Form):
    """The office's decision on a flag; the rules (a kind and a note to confirm) are the service's."""

    decision = forms.ChoiceField(
        label="处理",
        choices=[("confirm", "确认"), ("dismiss", "排除（不相关）")],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label="认定为", choices=FlagKind.choices, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="确认时必填：为何认定为共性问题或问题反弹、下一步如何处理；排除时可说明理由。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["aria-describedby"] = f"{self['note'].id_for_label}-help"


def decision_form(flag_id: int, data=None) -> DecisionForm:
    """One form per flag, its fields prefixed so several on one page keep distinct ids."""
    return DecisionForm(data, prefix=f"flag-{flag_id}")
