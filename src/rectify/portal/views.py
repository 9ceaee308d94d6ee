"""The public portal (政府信息公开): published rectification notices for anyone, without signing in.

Only published versions are ever read here (notices.publishing.published_notices), and only what
is public: the document and its disclosure metadata. Works without JavaScript; the font size,
elder mode (长者模式) and print buttons are an enhancement added by portal/portal.js.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.syndication.views import Feed
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from rectify.errors import NotFound
from rectify.forms import Form, ModelChoiceField
from rectify.notices import publishing
from rectify.org.models import Organisation
from rectify.paging import paginate

from . import pages

PAGE_SIZE = 20
LIST_PARAMETERS = {"organisation", "year", "page"}  # what the list reads: only such queries are cached


class NoticeFilterForm(Form):
    organisation = ModelChoiceField(
        label="发布机构", required=False, queryset=Organisation.objects.none(), empty_label="全部"
    )
    year = forms.TypedChoiceField(label="发布年度", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = publishing.public_organisations()
        self.fields["year"].choices = [("", "全部")] + [
            (year, f"{year}年") for year in publishing.public_years()
        ]


@require_GET
def notice_list(request):
    query = request.META.get("QUERY_STRING", "")
    cacheable = set(request.GET) <= LIST_PARAMETERS and len(query) <= 200
    page_key = pages.key("list", hashlib.sha256(query.encode()).hexdigest()[:32]) if cacheable else None
    return pages.cached(request, page_key, lambda: _notice_list(request))


def _notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    notices = publishing.published_notices()
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            notices = notices.filter_given(
                organisation=data["organisation"], published_date__year=data["year"]
            )
        else:
            status = 400
            notices = notices.none()
    page = paginate(request, notices, PAGE_SIZE)
    return render(
        request,
        "portal/notice_list.html",
        {"form": form, "page": page},
        status=status,
    )


@require_GET
def notice_detail(request, pk: int):
    """A published notice: counted as viewed whether its page comes from the cache or not."""
    return pages.cached(
        request,
        pages.key("notice", pk),
        lambda: _notice_detail(request, pk),
        lambda: publishing.count_view(pk),
    )


def _notice_detail(request, pk: int):
    from rectify.notices.render import render_html

    try:
        notice = publishing.get_published(pk)
    except NotFound as error:
        return render(request, "portal/not_found.html", {"message": error.message}, status=404)
    publishing.count_view(notice.pk)
    publishing.views_of(notice)
    document = publishing.document_of(notice)
    return render(
        request,
        "portal/notice_detail.html",
        {
            "notice": notice,
            "document": document,
            # render_html escapes the document's text itself; the body is placed as it renders.
            "body": mark_safe(render_html(document)),
            "corrections": publishing.published_notices().filter(corrects=notice),
        },
    )


class NoticeFeed(Feed):
    """Atom feed of the published notices, newest first."""

    feed_type = Atom1Feed
    title = "巡察整改进展情况通报"
    subtitle = "政府信息公开：已发布的巡察整改进展情况通报"
    author_name = "巡察整改督办平台"

    def link(self):
        return reverse("portal:list")

    def items(self):
        return publishing.published_notices()[:50]

    def item_title(self, item):
        title = item.title
        if item.corrects_id:
            title += f"（更正第{item.corrects.version}版）"
        return title

    def item_description(self, item):
        document = publishing.document_of(item)
        return f"索引号：{item.index_number}；发布机构：{item.publisher}。{document.opening[:200]}"

    def item_link(self, item):
        return reverse("portal:notice", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.publisher

    def item_categories(self, item):
        return [item.category] if item.category else []
