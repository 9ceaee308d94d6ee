"""The portal's pages come from the cache: no database query and no session for a reader, HTTP
validators (304 when unchanged), a publication seen at once, and view counts that stay exact."""

from __future__ import annotations

import random
from datetime import timedelta

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.notices import publishing
from rectify.notices.models import NoticePublication

from .test_portal import portal, staff  # noqa: F401  (fixtures)


def test_a_kept_page_costs_no_query_and_no_session(portal):  # noqa: F811
    url = f"/portal/notices/{portal['first'].pk}/"
    for address in (url, "/portal/"):
        first = Client().get(address)
        with CaptureQueriesContext(connection) as queries:
            again = Client().get(address)
        assert queries.captured_queries == [], address
        assert again.content == first.content and again.status_code == 200
        assert "sessionid" not in again.cookies and "csrftoken" not in again.cookies
        assert again["Cache-Control"] == "public, max-age=60"
        assert again["ETag"] == first["ETag"] and again["Last-Modified"] == first["Last-Modified"]


def test_asked_again_with_its_validators_the_page_answers_304(portal):  # noqa: F811
    url = f"/portal/notices/{portal['first'].pk}/"
    response = Client().get(url)
    unchanged = Client().get(url, headers={"if-none-match": response["ETag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    since = Client().get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert since.status_code == 304
    assert Client().get(url, headers={"if-none-match": '"other"'}).status_code == 200


def test_a_signed_in_reader_is_not_cached_by_proxies(portal, staff):  # noqa: F811
    client = Client()
    client.force_login(staff.alice)
    assert client.get("/portal/")["Cache-Control"] == "private, max-age=60"


def test_a_publication_shows_at_once(portal, staff):  # noqa: F811
    first = f"/portal/notices/{portal['first'].pk}/"
    correction = f"/portal/notices/{portal['correction'].pk}/"
    assert "尚未发布的草稿标题" not in Client().get("/portal/").content.decode()
    assert Client().get(correction).content.decode().count("portal-correction") == 1
    pending = portal["pending"]
    for person, decision in ((staff.alice, "submit"), (staff.olga, "accept"), (staff.larry, "approve")):
        publishing.decide(person, pending.pk, decision)
    assert "尚未发布的草稿标题" not in Client().get("/portal/").content.decode()  # not yet published
    publishing.decide(staff.alice, pending.pk, "publish")
    assert "尚未发布的草稿标题" in Client().get("/portal/").content.decode()
    assert Client().get(f"/portal/notices/{pending.pk}/").status_code == 200
    assert Client().get(first).status_code == 200


def test_an_unknown_notice_is_not_kept_nor_counted(portal):  # noqa: F811
    missing = NoticePublication.objects.order_by("-pk").first().pk + 100
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(f"/portal/notices/{missing}/").status_code == 404
        assert queries.captured_queries
    assert Client().get(f"/portal/notices/{portal['pending'].pk}/").status_code == 404


def test_view_counts_stay_exact_whatever_the_order(portal):  # noqa: F811
    """Random views of the published notices, the clock moving on now and then (pages expire and are
    rendered again, counts reach the database when due) and the cache losing a page or the public
    version: at the end each notice's count in the database and on its page is exactly its views."""
    rng = random.Random(12)
    notices = [portal["first"].pk, portal["correction"].pk, portal["other"].pk]
    views = dict.fromkeys(notices, 0)
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        for _ in range(120):
            action = rng.random()
            if action < 0.8:
                pk = rng.choice(notices)
                assert Client().get(f"/portal/notices/{pk}/").status_code == 200
                views[pk] += 1
            elif action < 0.95:
                clock.shift(timedelta(seconds=rng.choice([5, 30, 61])))
            else:
                lost = rng.choice([f"portal:notice:{rng.choice(notices)}", publishing.PUBLIC_VERSION_KEY])
                cache.delete(lost)
        clock.shift(timedelta(seconds=61))
        for pk in notices:
            html = Client().get(f"/portal/notices/{pk}/").content.decode()
            views[pk] += 1
            assert f"<span data-view-count>{views[pk]}</span>" in html
            assert NoticePublication.objects.get(pk=pk).view_count == views[pk]
