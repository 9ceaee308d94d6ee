"""One pager for every list (rectify.paging): page links keep the filters, the nav is labelled and
says which page is shown, and out-of-range page numbers show the nearest page as before."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from rectify.paging import paginate


def _pager(url: str, source: str) -> str:
    request = RequestFactory().get(url)
    page = paginate(request, list(range(120)), 50)
    return Template("{% load paging %}" + source).render(Context({"request": request, "page": page}))


def test_page_links_keep_the_filters_and_drop_the_old_page():
    html = _pager("/x/?status=routed&q=%E6%89%A7%E6%B3%95&page=2", "{% pager page %}")
    assert '<nav class="pager" aria-label="分页">' in html
    assert '<span aria-current="page">第 2 页，共 3 页</span>' in html
    assert 'href="?status=routed&amp;q=%E6%89%A7%E6%B3%95&amp;page=1" rel="prev"' in html
    assert 'href="?status=routed&amp;q=%E6%89%A7%E6%B3%95&amp;page=3" rel="next"' in html
    assert "hx-get" not in html


def test_htmx_lists_swap_only_their_results_and_the_portal_keeps_its_style():
    html = _pager("/measures/?page=1", '{% pager page hx_target="#ledger-results" %}')
    assert 'href="?page=2" rel="next" hx-get="?page=2" hx-target="#ledger-results"' in html
    assert "上一页" not in html
    assert '<nav class="portal-pager"' in _pager("/notices/", '{% pager page css="portal-pager" %}')


def test_one_page_shows_no_pager_and_bad_numbers_show_the_nearest_page():
    request = RequestFactory().get("/x/")
    single = Paginator(list(range(3)), 50).get_page(1)
    assert (
        Template("{% load paging %}{% pager page %}")
        .render(Context({"request": request, "page": single}))
        .strip()
        == ""
    )
    assert paginate(RequestFactory().get("/x/?page=abc"), list(range(120)), 50).number == 1
    assert paginate(RequestFactory().get("/x/?page=99999999999999999999"), list(range(120)), 50).number == 3


def test_a_real_list_pages_with_its_filter(client, world):
    from rectify.supervision.models import Notification

    Notification.objects.bulk_create(
        Notification(recipient=world.alice, kind="test", fact_key=f"fact-{n}", title=f"通知{n}")
        for n in range(60)
    )
    client.force_login(world.alice)
    html = client.get("/notifications/", {"unread": "1"}).content.decode()
    assert 'href="?unread=1&amp;page=2" rel="next"' in html and "第 1 页，共 2 页" in html


def _table(source: str, **context) -> str:
    request = RequestFactory().get("/x/")
    return Template("{% load paging %}" + source).render(Context({"request": request, **context}))


TABLE = (
    '{% table rows caption="本页的措施" css="table-compact" %}'
    "<tbody>{% for row in rows %}<tr><td>{{ row }}</td></tr>{% endfor %}</tbody>"
    "{% empty %}没有符合条件的措施。{% endtable %}"
)


def test_a_table_with_rows_draws_the_shell_and_escapes_the_rows():
    html = _table(TABLE, rows=["<b>措施 1.1</b>"])
    # The scrolling box takes the keyboard focus, named after the table, so a wide table can be
    # scrolled without a mouse.
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="本页的措施">' in html
    assert '<table class="table table-compact">' in html
    assert '<caption class="visually-hidden">本页的措施</caption>' in html
    assert "<td>&lt;b&gt;措施 1.1&lt;/b&gt;</td>" in html
    assert "没有符合条件的措施" not in html and 'class="empty"' not in html
    cards = _table(TABLE.replace('css="table-compact"', 'css="cards"'), rows=["措施 1.1"])
    assert '<div class="table-scroll">' in cards  # cards never scroll sideways: no extra tab stop


def test_a_table_without_rows_says_so_or_shows_nothing():
    html = _table(TABLE, rows=[])
    assert '<p class="empty">没有符合条件的措施。</p>' in html and "<table" not in html
    assert _table("{% table rows %}<tbody></tbody>{% endtable %}", rows=[]).strip() == ""


def test_a_paged_table_has_its_pager_below():
    request = RequestFactory().get("/x/?page=2")
    page = paginate(request, list(range(120)), 50)
    html = Template(
        '{% load paging %}{% table page caption="列表" page=page %}<tbody></tbody>{% endtable %}'
    ).render(Context({"request": request, "page": page}))
    assert html.index("</table>") < html.index('<nav class="pager"')


def test_a_table_with_an_unknown_option_is_refused_when_the_template_is_read():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load paging %}{% table rows colour="red" %}{% endtable %}')
    with pytest.raises(TemplateSyntaxError):
        Template("{% load paging %}{% table %}{% endtable %}")
