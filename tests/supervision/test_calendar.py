"""The private calendar feed: what each person's feed holds (all-day events, stable UIDs, Chinese
summaries, links on the site's address), that only the token's digest is stored, and that a new
token revokes the old one (a wrong or revoked token is not found)."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from icalendar import Calendar

import rectify.urls
from rectify.ledger.models import Measure
from rectify.org.models import User
from rectify.supervision import calendar, orders
from rectify.supervision.models import CalendarToken

# The feed lives at /calendar/ (rectify/urls.py mounts calendar_urls there); until it is mounted,
# these tests mount it themselves.
urlpatterns = list(rectify.urls.urlpatterns)
if not any(getattr(pattern, "namespace", None) == "calendar" for pattern in urlpatterns):
    urlpatterns.append(path("calendar/", include("rectify.supervision.calendar_urls")))
pytestmark = pytest.mark.urls(__name__)

SITE = "https://zhenggai.example.gov.cn"


@pytest.fixture
def deadlines(ledger, world, settings):
    """Deadlines on every measure of bureau A (and B); 3.2 signed off; an unanswered and an answered
    order to unit A1."""
    settings.RECTIFY_SITE_URL = SITE
    base = date(2026, 6, 1)
    for (number, order), measure in ledger.measures.items():
        Measure.objects.filter(pk=measure.pk).update(deadline=base + timedelta(days=number * 10 + order))
    Measure.objects.filter(problem__inspection=ledger.other).update(deadline=base)
    Measure.objects.filter(pk=ledger.measures[(3, 2)].pk).update(status="signed_off")
    due = timezone.localdate() + timedelta(days=5)
    common = {"reason": "滞后。", "demanded_action": "报送整改情况。", "answer_due": due}
    pending = orders.issue_order(
        world.alice, unit_id=world.orgs["a1"].pk, measure_ids=[ledger.measures[(1, 1)].pk], **common
    )
    answered = orders.issue_order(
        world.alice, unit_id=world.orgs["a1"].pk, measure_ids=[ledger.measures[(1, 2)].pk], **common
    )
    orders.answer_order(world.bob, answered.pk, answer="已答复。")
    return {"pending": pending, "answered": answered, "due": due}


def feed_of(client: Client, raw: str):
    return client.get(f"/calendar/{raw}.ics")


def events(content: bytes) -> dict[str, object]:
    parsed = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in parsed.walk("VEVENT")}


def measure_uid(measure) -> str:
    return f"rectify-measure-{measure.pk}@zhenggai.example.gov.cn"


def test_a_liaisons_feed_holds_the_units_deadlines_and_order_dues(deadlines, ledger, world):
    raw = calendar.issue_calendar_token(world.bob)
    response = feed_of(Client(), raw)  # no login: calendar programs cannot sign in
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    found = events(response.content)
    pending = deadlines["pending"]
    expected = {measure_uid(ledger.measures[key]) for key in [(1, 1), (1, 2), (3, 1)]}
    expected.add(f"rectify-order-{pending.pk}@zhenggai.example.gov.cn")
    assert set(found) == expected  # 3.2 is signed off; the answered order needs nothing
    event = found[measure_uid(ledger.measures[(1, 2)])]
    assert str(event["SUMMARY"]) == "【整改时限】措施 1.2 加强执法培训。"
    assert event.start == date(2026, 6, 13) and event.end == date(2026, 6, 14)
    assert event["DTSTART"].params.get("VALUE") == "DATE"  # all day
    assert str(event["URL"]) == f"{SITE}/measures/{ledger.measures[(1, 2)].pk}/"
    assert "状态：未启动" in str(event["DESCRIPTION"])
    order_event = found[f"rectify-order-{pending.pk}@zhenggai.example.gov.cn"]
    assert str(order_event["SUMMARY"]) == f"【督办答复期限】甲局{pending.number}"
    assert order_event.start == deadlines["due"]
    assert str(order_event["URL"]) == f"{SITE}/orders/{pending.pk}/"
    parsed = Calendar.from_ical(response.content)
    assert "包博" in str(parsed["X-WR-CALNAME"]) and str(parsed["VERSION"]) == "2.0"
    assert str(parsed["UID"]) == f"rectify-calendar-{world.bob.pk}@zhenggai.example.gov.cn"
    # UIDs are stable: a later fetch names the same events the same way.
    assert set(events(feed_of(Client(), raw).content)) == expected


def test_each_person_gets_only_the_deadlines_they_own(deadlines, ledger, world):
    def uids(username: str) -> set[str]:
        raw = calendar.issue_calendar_token(world.people[username])
        return set(events(feed_of(Client(), raw).content))

    a = {key: measure_uid(measure) for key, measure in ledger.measures.items()}
    # Larry leads every measure of bureau A; only the unfinished ones remain.
    assert uids("larry") == {a[(1, 1)], a[(1, 2)], a[(2, 1)], a[(3, 1)]}
    # Lisa: A2 is responsible for 2.1 and supports 3.1; no order went to A2.
    assert uids("lisa") == {a[(2, 1)], a[(3, 1)]}
    # The office and the supervisors own no deadline themselves.
    assert uids("alice") == set() and uids("sam") == set() and uids("charlie") == set()


def test_only_the_digest_is_stored_and_a_new_token_revokes_the_old(deadlines, world):
    first = calendar.issue_calendar_token(world.bob)
    stored = CalendarToken.objects.get(user=world.bob)
    assert stored.key_hash == hashlib.sha256(first.encode()).hexdigest()
    assert first not in stored.key_hash
    assert feed_of(Client(), first).status_code == 200
    second = calendar.issue_calendar_token(world.bob)
    assert second != first and CalendarToken.objects.filter(user=world.bob).count() == 1
    assert feed_of(Client(), first).status_code == 404
    assert feed_of(Client(), second).status_code == 200
    assert calendar.revoke_calendar_token(world.bob)
    assert feed_of(Client(), second).status_code == 404
    for wrong in ("x" * 43, "not-a-token", second[:-1] + ("A" if second[-1] != "A" else "B")):
        assert feed_of(Client(), wrong).status_code == 404
    # A deactivated user's feed stops as well.
    third = calendar.issue_calendar_token(world.bob)
    User.objects.filter(pk=world.bob.pk).update(is_active=False)
    assert feed_of(Client(), third).status_code == 404


def test_the_settings_page_shows_a_new_address_once_and_regenerates(deadlines, world):
    client = Client()
    client.force_login(world.bob)
    page = client.get("/orders/calendar/").content.decode()
    assert "尚未生成订阅地址" in page and "生成订阅地址" in page
    response = client.post("/orders/calendar/", {"action": "generate"})
    assert response.status_code == 302 and response["Location"] == "/orders/calendar/"
    page = client.get("/orders/calendar/").content.decode()
    first = re.search(rf'value="({re.escape(SITE)}/calendar/([A-Za-z0-9_-]+)\.ics)"', page)
    assert first and "只显示这一次" in page and "重新生成" in page
    assert feed_of(Client(), first.group(2)).status_code == 200
    again = client.get("/orders/calendar/").content.decode()
    assert first.group(1) not in again and "地址不再显示" in again  # shown once only
    client.post("/orders/calendar/", {"action": "generate"})
    page = client.get("/orders/calendar/").content.decode()
    assert "原地址已失效" in page
    second = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", page).group(1)
    assert feed_of(Client(), first.group(2)).status_code == 404
    assert feed_of(Client(), second).status_code == 200
    client.post("/orders/calendar/", {"action": "revoke"})
    assert feed_of(Client(), second).status_code == 404
    assert "已停用日历订阅" in client.get("/orders/calendar/").content.decode()
    assert Client().get("/orders/calendar/").status_code == 302  # the page itself needs a login
