"""How every form field is drawn: Django's own form rendering (`{{ form.field.as_field_group }}`) with
one project template, templates/forms/field.html, instead of a `_field.html` per app.

The template sets the ids Django's widgets already point at (aria-describedby = `<id>_helptext
<id>_error`, aria-invalid on an invalid field), so a screen reader hears the hint and the error of
each field on every page. A form marks its required fields（必填）by setting `required_css_class`.
"""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """The project's templates (TEMPLATES setting) render forms, with the project's field template."""

    field_template_name = "forms/field.html"
