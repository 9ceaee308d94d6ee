"""One pager for every HTML list: the page a request asks for, and the `{% pager page %}` tag that
renders its links (templates/includes/pager.html) keeping the list's filters in the query string.

Registered in settings as the template library "paging", so templates `{% load paging %}` it without
an app of its own.
"""

from __future__ import annotations

from django import template
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

register = template.Library()


def paginate(request: HttpRequest, items, per_page: int) -> Page:
    """The page of `items` the request asks for (?page=). Django's `get_page` semantics: a number that
    is not one, or out of range, shows the first or the last page instead of failing."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The request's query string without `page`: the filters a page link must keep."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@register.inclusion_tag("includes/pager.html", takes_context=True)
def pager(context, page: Page, hx_target: str = "", css: str = "pager") -> dict:
    """Previous/next links of `page` when the list has more than one page. `hx_target` makes the links
    swap only that element (htmx) while still working as plain links; `css` is the nav's class."""
    query = query_without_page(context["request"])
    prefix = f"?{query}&page=" if query else "?page="
    return {
        "page": page,
        "previous_url": f"{prefix}{page.previous_page_number()}" if page.has_previous() else "",
        "next_url": f"{prefix}{page.next_page_number()}" if page.has_next() else "",
        "hx_target": hx_target,
        "css": css,
    }
