"""One pager for every HTML list: the page a request asks for, and the `{% pager page %}` tag that
renders its links (templates/includes/pager.html) keeping the list's filters in the query string;
and the `{% table %}` tag that draws a list's table around the page's own columns
(templates/includes/table.html).

Registered in settings as the template library "paging", so templates `{% load paging %}` it without
an app of its own.
"""

from __future__ import annotations

from django import template
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.template.base import FilterExpression, NodeList, Parser, Token, token_kwargs
from django.template.context import Context
from django.utils.safestring import mark_safe

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


TABLE_OPTIONS = frozenset({"caption", "css", "page", "hx_target"})


class TableNode(template.Node):
    """A list's table: when there are rows, the page's own head and body in the table every list shows
    (scrolling wrapper, table classes, a caption for screen readers, then the pager); otherwise the
    empty message, if the page gave one."""

    child_nodelists = ("nodelist", "nodelist_empty")

    def __init__(
        self,
        rows: FilterExpression,
        options: dict[str, FilterExpression],
        nodelist: NodeList,
        nodelist_empty: NodeList,
    ) -> None:
        self.rows = rows
        self.options = options
        self.nodelist = nodelist
        self.nodelist_empty = nodelist_empty

    def render(self, context: Context) -> str:
        filled = bool(self.rows.resolve(context))
        # Like the {% if %}…{% else %} it replaces, only the part that shows is rendered.
        body = self.nodelist.render(context) if filled else ""
        # Rendered template output is escaped already; strip() only drops the tag's line breaks.
        empty = "" if filled else mark_safe(self.nodelist_empty.render(context).strip())
        values = dict.fromkeys(TABLE_OPTIONS, "") | {
            name: expression.resolve(context) for name, expression in self.options.items()
        }
        shell = context.template.engine.get_template("includes/table.html")
        # Pushed, not a new context: the pager reads the request; every name the shell uses is set here.
        with context.push(filled=filled, body=body, empty=empty, **values):
            return shell.render(context)


@register.tag("table")
def table(parser: Parser, token: Token) -> TableNode:
    """`{% table rows caption="…" css="…" page=page hx_target="#…" %}<thead>…</thead><tbody>…</tbody>
    {% empty %}No rows yet.{% endtable %}`

    `rows` decides whether the table shows; `caption` is its screen-reader caption (a caption that
    shows is written first in the body instead); `css` adds classes to `table`; `page` adds the
    pager below, `hx_target` as in `{% pager %}`. Without `{% empty %}` nothing shows when there are
    no rows."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'table' takes the rows first")
    rest = bits[2:]
    options = token_kwargs(rest, parser)
    if rest or not options.keys() <= TABLE_OPTIONS:
        raise template.TemplateSyntaxError(
            f"'table' takes the rows, then only {', '.join(sorted(TABLE_OPTIONS))} as name=value"
        )
    nodelist = parser.parse(("empty", "endtable"))
    if parser.next_token().contents == "empty":
        nodelist_empty = parser.parse(("endtable",))
        parser.delete_first_token()
    else:
        nodelist_empty = NodeList()
    return TableNode(parser.compile_filter(bits[1]), options, nodelist, nodelist_empty)
