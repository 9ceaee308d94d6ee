"""The public portal: anyone reads published notices (never a draft), with the disclosure metadata,
the feedback contacts, a view counter, corrections linked both ways, filters, the Atom feed and the
public API; and nothing internal (people, comments, reasons) ever reaches any of them."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from lxml import etree

from rectify.notices import publishing
from rectify.notices.models import NoticePublication
from rectify.org.models import User

from ..publications.test_publishing import CREDIT_A, at, publish_through, staff  # noqa: F401  (fixture)

ATOM = "{http://www.w3.org/2005/Atom}"
CONTACT = "联系电话：020-88886666；电子邮箱：jubao@example.gov.cn，通信地址：甲市甲路1号，邮编：510000。"
SECRET_COMMENT = "内部意见：措辞需再斟酌"
SECRET_REASON = "退回理由：第三部分与台账不一致"


@pytest.fixture
def portal(ledger, staff):  # noqa: F811
    """Bureau A: version 1 published on 2025-03-27 (after a return with a reason, with internal
    comments), corrected by version 2 on 2026-01-05, and version 3 still a draft. Bureau B: one
    notice published in 2025. Charlie's bureau B has no party head."""
    w = staff
    with time_machine.travel(at(date(2025, 3, 27)), tick=False):
        draft = publishing.create_draft(w.alice, ledger.inspection.pk)
        publishing.update_draft(w.alice, draft.pk, {"contact": CONTACT, "subject_terms": "巡察 整改"})
        publishing.decide(w.alice, draft.pk, "submit", "请审核。")
        publishing.decide(w.olga, draft.pk, "return", SECRET_REASON)
        publishing.decide(w.alice, draft.pk, "submit")
        publishing.decide(w.olga, draft.pk, "accept", SECRET_COMMENT)
        publishing.decide(w.larry, draft.pk, "approve", SECRET_COMMENT)
        first = publishing.decide(w.alice, draft.pk, "publish")
        User.objects.create_superuser("root", password="x-" * 8)
        root = User.objects.get(username="root")
        other = publishing.create_draft(w.charlie, ledger.other.pk)
        publishing.decide(w.charlie, other.pk, "submit")
        publishing.decide(root, other.pk, "accept")
        publishing.decide(root, other.pk, "approve")
        other = publishing.decide(w.charlie, other.pk, "publish")
    with time_machine.travel(at(date(2026, 1, 5)), tick=False):
        correction = publishing.create_correction(w.alice, first.pk)
        for person, decision in (
            (w.alice, "submit"),
            (w.olga, "accept"),
            (w.larry, "approve"),
            (w.alice, "publish"),
        ):
            correction = publishing.decide(person, correction.pk, decision)
        pending = publishing.create_draft(w.alice, ledger.inspection.pk)
        publishing.update_draft(w.alice, pending.pk, {"title": "尚未发布的草稿标题"})
    return {"first": first, "correction": correction, "pending": pending, "other": other}


def page(url: str, **params):
    response = Client().get(url, params)
    return response, response.content.decode()


def test_anyone_reads_the_list_of_published_notices_only(portal):
    response, html = page("/portal/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html and 'href="#main"' in html and '<main id="main"' in html
    for key in ("first", "correction", "other"):
        assert f'href="/portal/notices/{portal[key].pk}/"' in html, key
    assert f"/portal/notices/{portal['pending'].pk}/" not in html
    assert "尚未发布的草稿标题" not in html
    assert "更正第1版" in html
    assert "共 3 篇通报" in html


def test_filters_by_organisation_and_year(portal, world):
    _response, html = page("/portal/", organisation=world.orgs["b"].pk)
    assert "共 1 篇通报" in html and f"/portal/notices/{portal['other'].pk}/" in html
    _response, html = page("/portal/", year=2026)
    assert "共 1 篇通报" in html and f"/portal/notices/{portal['correction'].pk}/" in html
    _response, html = page("/portal/", organisation=world.orgs["a"].pk, year=2025)
    assert "共 1 篇通报" in html and f"/portal/notices/{portal['first'].pk}/" in html
    response, html = page("/portal/", year=1999)
    assert response.status_code == 400 and "筛选条件无效" in html
    for label in ('<label for="id_organisation">发布机构</label>', '<label for="id_year">发布年度</label>'):
        assert label in html


def test_the_notice_page_shows_metadata_body_contacts_and_corrections(portal):
    first, correction = portal["first"], portal["correction"]
    response, html = page(f"/portal/notices/{first.pk}/")
    assert response.status_code == 200
    for label, value in (
        ("索引号", f"{CREDIT_A}/2025-00001"),
        ("分类", "机关党建、通告"),
        ("发布机构", "甲局"),
        ("成文日期", ""),
        ("名称", first.title),
        ("文号", ""),
        ("发布日期", "2025-03-27"),
        ("主题词", "巡察 整改"),
    ):
        assert f'<th scope="row">{label}</th>' in html, label
        assert value in html, value
    assert '<article class="notice">' in html and "规范执法程序" in html
    assert 'href="tel:020-88886666"' in html and 'href="mailto:jubao@example.gov.cn"' in html
    assert "甲市甲路1号" in html and "510000" in html
    assert f'本通报已由2026年1月5日发布的<a href="/portal/notices/{correction.pk}/">第2版</a>更正' in html

    _response, html = page(f"/portal/notices/{correction.pk}/")
    assert f'发布的<a href="/portal/notices/{first.pk}/">第1版</a>（索引号：{CREDIT_A}/2025-00001）' in html
    assert f"本通报更正2025年3月27日发布的第1版（索引号：{CREDIT_A}/2026-00001" not in html
    assert f"{CREDIT_A}/2026-00001" in html


def test_drafts_and_unknown_notices_are_not_found(portal):
    for key in ("pending",):
        response, html = page(f"/portal/notices/{portal[key].pk}/")
        assert response.status_code == 404 and "尚未发布" in html
    assert page("/portal/notices/999999/")[0].status_code == 404
    for state in ("draft", "in_review", "awaiting_approval", "approved"):
        NoticePublication.objects.filter(pk=portal["pending"].pk).update(state=state)
        assert page(f"/portal/notices/{portal['pending'].pk}/")[0].status_code == 404, state
        assert Client().get(f"/api/v1/public/notices/{portal['pending'].pk}").status_code == 404, state


def test_each_page_view_counts_once(portal):
    """Every view counts (in the cache until the page is rendered again); the page shows the count as
    of its rendering, at most RECTIFY_PORTAL_CACHE_SECONDS old."""
    url = f"/portal/notices/{portal['first'].pk}/"
    assert NoticePublication.objects.get(pk=portal["first"].pk).view_count == 0
    _response, html = page(url)
    assert "<span data-view-count>1</span>" in html
    page(url)
    page("/portal/")  # the list does not count
    Client().get(f"/api/v1/public/notices/{portal['first'].pk}")  # nor the API
    _response, html = page(url)
    assert "<span data-view-count>1</span>" in html  # the page kept from the first view
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        _response, html = page(url)
    assert "<span data-view-count>4</span>" in html
    assert NoticePublication.objects.get(pk=portal["first"].pk).view_count == 4
    assert NoticePublication.objects.get(pk=portal["correction"].pk).view_count == 0


def test_the_atom_feed_lists_published_notices(portal):
    response = Client().get("/portal/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    links = {entry.find(f"{ATOM}link").get("href") for entry in entries}
    assert links == {
        f"http://testserver/portal/notices/{portal[key].pk}/" for key in ("first", "correction", "other")
    }
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles[0].endswith("（更正第1版）")  # newest first
    assert all("尚未发布" not in title for title in titles)


def test_the_public_api_answers_published_notices_without_sign_in(portal, world):
    client = Client()
    listed = client.get("/api/v1/public/notices")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 3
    assert {item["id"] for item in body["items"]} == {
        portal[key].pk for key in ("first", "correction", "other")
    }
    assert client.get("/api/v1/public/notices", {"organisation": world.orgs["b"].pk}).json()["count"] == 1
    assert client.get("/api/v1/public/notices", {"year": 2026}).json()["count"] == 1
    detail = client.get(f"/api/v1/public/notices/{portal['correction'].pk}").json()
    assert detail["corrects"]["version"] == 1 and detail["index_number"] == f"{CREDIT_A}/2026-00001"
    assert detail["url"] == f"http://testserver/portal/notices/{portal['correction'].pk}/"
    assert detail["html"].startswith('<article class="notice">') and detail["document"]["areas"]
    assert set(detail) >= {"index_number", "category", "publisher", "written_date", "title", "subject_terms"}
    for internal in ("created_by", "steps", "return_reason", "state", "decisions"):
        assert internal not in detail, internal
    # The staff API still wants a token.
    assert client.get("/api/v1/publications").status_code == 401


def test_nothing_internal_reaches_the_public(portal, world):
    """No person's name, no comment, no return reason, in any public page, feed or API answer."""
    names = [user.full_name for user in User.objects.exclude(full_name="")] + [
        user.username for user in User.objects.all() if len(user.username) > 3
    ]
    client = Client()
    public = [
        client.get("/portal/"),
        client.get("/portal/feed/"),
        client.get("/api/v1/public/notices"),
        *[client.get(f"/portal/notices/{portal[key].pk}/") for key in ("first", "correction", "other")],
        *[client.get(f"/api/v1/public/notices/{portal[key].pk}") for key in ("first", "correction", "other")],
    ]
    for response in public:
        assert response.status_code == 200
        text = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            text = json.dumps(response.json(), ensure_ascii=False)
        for secret in (SECRET_COMMENT, SECRET_REASON, "请审核。", *names):
            assert secret not in text, (response.request["PATH_INFO"], secret)


def test_the_body_is_escaped(ledger, staff):  # noqa: F811
    published = publish_through(
        ledger.inspection, staff, edits={"opening": "开篇<script>alert('x')</script>。"}
    )
    _response, html = page(f"/portal/notices/{published.pk}/")
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
