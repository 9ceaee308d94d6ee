"""What the portal's public forms share: size messages in Chinese naming the field, the error summary
at the top of the page, the honeypot, and taking a submission under the abuse rules (feedback.abuse).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.http import HttpRequest

from rectify.errors import InvalidInput, RateLimited, RectifyError
from rectify.feedback import abuse

Saved = TypeVar("Saved")


class PublicFormMixin:
    """Chinese size messages naming the field, and the list of errors for the summary at the top
    (Django itself points each invalid field at its message and hint with aria-describedby)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                name = re.sub(r"（.*?）", "", str(field.label))
                field.error_messages["max_length"] = (
                    f"{name}不能超过 %(limit_value)d 个字（现为 %(show_value)d 个字）。"
                )

    def field_errors(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) of each error, in the order of the page, for the summary."""
        summary = []
        for name, field in self.fields.items():
            bound = self[name]
            anchor = f"{bound.auto_id}_0" if isinstance(field.widget, forms.RadioSelect) else bound.auto_id
            summary.extend((anchor, field.label, message) for message in bound.errors)
        return summary

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get(abuse.HONEYPOT_FIELD) or "").strip())


def take_submission(
    request: HttpRequest, form: PublicFormMixin, save: Callable[[], Saved]
) -> tuple[Saved | None, str, int]:
    """Save a valid public form through `save`, under the abuse rules: (what `save` returned, or None
    when nothing was saved; a notice for the top of the page; the status to answer with).

    Only what would be saved counts against the allowance: a visitor correcting a mistake does not
    use it up; a robot filling the honeypot does. A form shown again keeps what was typed, but never
    the honeypot."""
    notice = ""
    try:
        if form.honeypot_filled or form.is_valid():
            abuse.count_submission(request)
        if form.honeypot_filled:
            raise InvalidInput(abuse.HONEYPOT_MESSAGE)
        if form.is_valid():
            return save(), notice, 200
        status = 400
    except RateLimited as error:
        notice, status = error.message, error.status
    except RectifyError as error:
        form.add_error(None, error.message)
        status = error.status
    form.data = form.data.copy()
    form.data[abuse.HONEYPOT_FIELD] = ""
    return None, notice, status
