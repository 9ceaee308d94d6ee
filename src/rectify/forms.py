"""How every form field is drawn: Django's own form rendering (`{{ form.field.as_field_group }}`) with
one project template, templates/forms/field.html, instead of a `_field.html` per app.

The template sets the ids Django's widgets already point at (aria-describedby = `<id>_helptext
<id>_error`, aria-invalid on an invalid field), so a screen reader hears the hint and the error of
each field on every page. A form marks its required fields（必填）by setting `required_css_class`.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from rectify.errors import RectifyError
from rectify.security.models import Kind as SecurityKind
from rectify.security.services import record as record_security_event

T = TypeVar("T")


class FormRenderer(TemplatesSetting):
    """The project's templates (TEMPLATES setting) render forms, with the project's field template."""

    field_template_name = "forms/field.html"


class Form(forms.Form):
    """A form of the project's pages: its labels stand without Django's colon (label_suffix), as the
    pages write them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# What an empty choice says: a select asks to choose (a filter's empty choice says 全部… instead, set
# where the filter is declared), never Django's "---------".
EMPTY_LABEL = "请选择…"


class ModelChoiceField(forms.ModelChoiceField):
    """Django's ModelChoiceField whose empty choice reads 请选择… unless the field names its own."""

    def __init__(self, queryset: Any, *, empty_label: str | None = EMPTY_LABEL, **kwargs: Any) -> None:
        super().__init__(queryset, empty_label=empty_label, **kwargs)


class Select(forms.Select):
    """Django's select, the same HTML as its templates (django/forms/widgets/select.html), written
    here in one pass: Django renders a template for every option, and a list of hundreds of options
    (the ledger filter's areas) took a third of the ledger page."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attributes(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.append(
                format_html_join(
                    "",
                    '\n  <option value="{}"{}>{}</option>\n',
                    (
                        (str(option["value"]), _attributes(option["attrs"]), option["label"])
                        for option in options
                    ),
                )
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Django's checkboxes, the same HTML as its templates (django/forms/widgets/multiple_input.html,
    input_option.html, input.html), written here in one pass as Select is: a province's hundreds of
    inspections in the ledger filter rendered a template for every one."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        element = widget["attrs"].get("id")
        parts = [
            format_html(
                "<div{}{}>",
                format_html(' id="{}"', element) if element else "",
                format_html(' class="{}"', widget["attrs"]["class"]) if widget["attrs"].get("class") else "",
            )
        ]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html("\n  <div><label>{}</label>", group_name))
            parts.extend(_option(option) for option in options)
            if group_name:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))


def _option(option: dict[str, Any]) -> SafeString:
    """One checkbox in its div (input_option.html with input.html)."""
    value = "" if option["value"] is None else format_html(' value="{}"', str(option["value"]))
    tag = format_html(
        '<input type="{}" name="{}"{}{}>\n',
        option["type"],
        option["name"],
        value,
        _attributes(option["attrs"]),
    )
    if option["wrap_label"]:
        element = option["attrs"].get("id")
        opening = format_html(' for="{}"', element) if element else ""
        tag = format_html("<label{}>{} {}</label>", opening, tag, option["label"])
    return format_html("<div>\n    {}\n\n</div>", tag)


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """django/forms/widgets/attrs.html: ` name="value"`, only the name when True, none when False."""
    return format_html_join(
        "",
        "{}{}",
        (
            (format_html(" {}", name), "" if value is True else format_html('="{}"', str(value)))
            for name, value in attrs.items()
            if value is not False
        ),
    )


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    """A date picked in the browser's date input, refused in Chinese naming the field."""
    messages = {"invalid": f"{label}格式不正确，请按“年-月-日”填写。"}
    if required:
        messages["required"] = f"请填写{label}。"
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=messages,
    )


def service_required_text(label: str, *, max_length: int, help_text: str, size: int) -> forms.CharField:
    """A one-line text the page marks required (for the browser and screen readers) while the form lets
    an empty one through, so that the service refuses it with its own message, the one the API gives."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"required": True, "aria-required": "true", "size": size}),
    )


def submit(
    form: forms.Form, action: Callable[[dict[str, Any]], T], *, error_field: str | None = None
) -> tuple[T | None, int | None]:
    """The POST half of a form page: validate the form, then hand its cleaned data to the service.

    Returns the service's result and None once it went through; otherwise no result and the status to
    show the form again with: 400 for what the form refused, the error's own status when the service
    refused, its message placed on `error_field` (None: above the form).
    """
    if not form.is_valid():
        return None, 400
    try:
        return action(form.cleaned_data), None
    except RectifyError as error:
        if error.status == 403:  # a refusal shown on the form is a security event like any 403
            record_security_event(SecurityKind.ACCESS_DENIED, detail={"reason": error.message[:200]})
        form.add_error(error_field, error.message)
        return None, error.status


def at_version(form: forms.Form, version: int, **form_kwargs: Any) -> forms.Form:
    """The form shown again after someone else saved first (StaleEdit): what the user typed, now on
    top of the `version` saved meanwhile and validated, so that saving again overwrites it knowingly."""
    data = form.data.copy()
    data["version"] = str(version)
    again = type(form)(data, **form_kwargs)
    again.is_valid()
    return again
