"""One pager for every list (rectify.paging): page links keep the filters, the nav is labelled and
says which page is shown, and out-of-range page numbers show the nearest page as before."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template import Context, Template
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
