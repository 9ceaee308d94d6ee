"""Template helpers of 举一反三: shared terms marked in a text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def mark_terms(text: str, terms: Sequence[str]) -> SafeString:
    """The text, escaped, with every occurrence of the terms wrapped in <mark> (longest first)."""
    text = text or ""
    terms = sorted({term for term in terms or () if term}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(map(re.escape, terms)), re.IGNORECASE)
    parts: list[str] = []
    position = 0
    for found in pattern.finditer(text):
        parts.append(escape(text[position : found.start()]))
        parts.append(f"<mark>{escape(found.group())}</mark>")
        position = found.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece above is escaped


@register.filter
def percent(score: float) -> str:
    return f"{round(float(score) * 100)}%"
