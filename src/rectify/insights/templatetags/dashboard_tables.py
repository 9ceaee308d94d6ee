"""The rows of the dashboard's figure tables, built in Python as Django's admin builds the cells of its
change list: a province's dashboard lists hundreds of inspections and units, and each figure through
the template engine (a variable lookup, localisation, escaping) cost about a tenth of a millisecond,
100 ms a page. Names and addresses are escaped here; the figures are numbers. The markup is the same
the templates wrote; the tables' heads stay in the templates."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rectify.insights.services import GroupRow

register = template.Library()


def _linked(url: str, label: str, figure: int) -> str:
    """A figure, linked to the ledger rows it counts when there is an address."""
    return f'<a href="{escape(url)}" aria-label="{escape(label)}">{figure}</a>' if url else str(figure)


def _overdue_class(row: GroupRow) -> str:
    return " dashboard-overdue" if row.figures.overdue else ""


def _figure_cells(row: GroupRow) -> str:
    """措施 … 完成率: each figure, those the ledger can list linked."""
    figures, name = row.figures, row.name
    total = _linked(row.url, f"在整改台账中查看{name}的 {figures.total} 条措施", figures.total)
    signed_off = _linked(
        row.signed_off_url, f"在整改台账中查看{name}已销号的 {figures.signed_off} 条措施", figures.signed_off
    )
    overdue = _linked(
        row.overdue_url, f"在整改台账中查看{name}超期的 {figures.overdue} 条措施", figures.overdue
    )
    return (
        f'<td class="num" data-figure="total">{total}</td>'
        f'<td class="num" data-figure="signed_off">{signed_off}</td>'
        f'<td class="num" data-figure="ongoing">{figures.ongoing}</td>'
        f'<td class="num" data-figure="in_progress">{figures.in_progress}</td>'
        f'<td class="num" data-figure="not_started">{figures.not_started}</td>'
        f'<td class="num{_overdue_class(row)}" data-figure="overdue">{overdue}</td>'
        f'<td class="num nowrap" data-figure="completion_rate">{figures.completion_rate}%</td>'
    )


@register.simple_tag
def group_rows(rows: Iterable[GroupRow], problems: bool = False) -> SafeString:
    """The body of insights/_group_table.html: a row per group with its figures, linked where the
    ledger can list them; the problem columns when `problems`."""
    built = []
    for row in rows:
        name = escape(row.name)
        if row.dashboard_url:
            name = f'<a href="{escape(row.dashboard_url)}" aria-label="{name}的数据看板">{name}</a>'
        problem_cells = (
            f'<td class="num" data-figure="problems">{row.problems}</td>'
            f'<td class="num" data-figure="rectified_problems">{row.rectified_problems}</td>'
            if problems
            else ""
        )
        cells = f'<th scope="row">{name}</th>{problem_cells}{_figure_cells(row)}'
        built.append(f'<tr data-key="{escape(row.key)}">{cells}</tr>')
    return mark_safe("\n".join(built))  # names and addresses escaped above, the rest are numbers


@register.simple_tag
def unit_rows(rows: Iterable[GroupRow]) -> SafeString:
    """The body of the dashboard's 按责任单位 table: the figures, then links to the unit's measures
    and, when some are overdue, to those."""
    built = []
    for row in rows:
        figures, name = row.figures, escape(row.name)
        hidden = f'<span class="visually-hidden">（{name}）</span>'
        if row.url:
            links = f'<a href="{escape(row.url)}" data-count="{figures.total}">全部 {figures.total} 条'
            links += f"{hidden}</a>"
            if figures.overdue:
                links += (
                    f'、<a href="{escape(row.overdue_url)}" data-count="{figures.overdue}">'
                    f"超期 {figures.overdue} 条{hidden}</a>"
                )
        else:
            links = "—"
        built.append(
            f'<tr data-key="{escape(row.key)}"><th scope="row">{name}</th>'
            f'<td class="num" data-figure="total">{figures.total}</td>'
            f'<td class="num" data-figure="signed_off">{figures.signed_off}</td>'
            f'<td class="num" data-figure="ongoing">{figures.ongoing}</td>'
            f'<td class="num" data-figure="in_progress">{figures.in_progress}</td>'
            f'<td class="num" data-figure="not_started">{figures.not_started}</td>'
            f'<td class="num{_overdue_class(row)}" data-figure="overdue">{figures.overdue}</td>'
            f'<td class="num nowrap" data-figure="completion_rate">{figures.completion_rate}%</td>'
            f"<td>{links}</td></tr>"
        )
    return mark_safe("\n".join(built))  # names and addresses escaped above, the rest are numbers


@register.simple_tag
def problem_rows(rows: Iterable[GroupRow]) -> SafeString:
    """The body of the dashboard's 问题整改到位情况 table."""
    return mark_safe(  # names escaped, the rest are numbers
        "\n".join(
            f'<tr data-key="{escape(row.key)}"><th scope="row">{escape(row.name)}</th>'
            f'<td class="num" data-figure="problems">{row.problems}</td>'
            f'<td class="num" data-figure="rectified_problems">{row.rectified_problems}</td>'
            f'<td class="num" data-figure="unrectified_problems">{row.unrectified_problems}</td></tr>'
            for row in rows
        )
    )
