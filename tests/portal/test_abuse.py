"""Abuse protection of the public channel: CSRF on the forms, a per-address rate limit shared by the
form and the API (behind proxies too), the honeypot, size limits on every field and on the request,
and markup that is stripped when stored and never reflected unescaped. Each refuses abuse while a
normal submission passes."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from django.test import Client, RequestFactory
from django.utils.html import escape

from rectify.feedback.abuse import MAX_BODY_BYTES, client_address
from rectify.feedback.models import FeedbackItem

NEW = "/portal/feedback/new/"
TRACK = "/portal/feedback/track/"
API = "/api/v1/public/feedback"
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def values(org, **changes) -> dict:
    return {"organisation": org.pk, "kind": "opinion", "content": "路口信号灯损坏多日无人维修。"} | changes


def api_post(client: Client, body: dict, **extra):
    return client.post(API, json.dumps(body), content_type="application/json", **extra)


def assert_not_reflected(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html and '<img src="x"' not in html
    assert '"><img' not in html


def test_the_rate_limit_refuses_the_next_submission_and_keeps_what_was_typed(ledger, world, settings):
    settings.RECTIFY_FEEDBACK_RATE = "3/h"
    org = world.orgs["a"]
    client = Client()
    for _ in range(4):  # mistakes do not use up the allowance
        assert client.post(NEW, values(org, content="")).status_code == 400
    for number in range(3):
        assert client.post(NEW, values(org, content=f"第{number}条意见")).status_code == 302
    response = client.post(NEW, values(org, content="第四条意见：仍然要说", name="赵六"))
    html = response.content.decode()
    assert response.status_code == 429
    assert "提交过于频繁" in html and 'role="alert"' in html
    assert "第四条意见：仍然要说</textarea>" in html and 'value="赵六"' in html
    assert FeedbackItem.objects.count() == 3
    # Another address has its own allowance.
    assert client.post(NEW, values(org), REMOTE_ADDR="192.0.2.7").status_code == 302
    assert FeedbackItem.objects.count() == 4


def test_the_form_and_the_api_share_one_allowance(ledger, world, settings):
    settings.RECTIFY_FEEDBACK_RATE = "2/h"
    org = world.orgs["a"]
    assert Client().post(NEW, values(org)).status_code == 302
    body = {"kind": "opinion", "content": "接口留言", "organisation": org.pk}
    assert api_post(Client(), body).status_code == 201
    response = api_post(Client(), body)
    assert response.status_code == 429 and "提交过于频繁" in response.json()["detail"]
    assert Client().post(NEW, values(org)).status_code == 429
    assert FeedbackItem.objects.count() == 2


def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_wrote(ledger, world, settings):
    settings.RECTIFY_FEEDBACK_RATE = "1/h"
    settings.RECTIFY_PROXY_COUNT = 1
    org = world.orgs["a"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert Client().post(NEW, values(org), HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 302
    # Writing another address in front does not escape the limit...
    forged = "198.51.100.1, 203.0.113.9"
    assert Client().post(NEW, values(org), HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
    # ...while another visitor behind the same proxy has an allowance of their own.
    assert Client().post(NEW, values(org), HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy).status_code == 302


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no proxy: the header is the client's own words
        (1, "10.0.0.1", "1.1.1.1, 203.0.113.9", "203.0.113.9"),
        (2, "10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "10.0.0.2", "", "10.0.0.2"),  # did not come through the proxies
        (0, "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::"),  # one IPv6 subscriber: its /64
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.RECTIFY_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_filled_honeypot_is_refused_and_nothing_is_stored(ledger, world, settings):
    settings.RECTIFY_FEEDBACK_RATE = "1/h"
    org = world.orgs["a"]
    client = Client()
    response = client.post(NEW, values(org, website="http://spam.example/", content="机器人留言"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "提交未成功" in html and "机器人留言</textarea>" in html
    assert 'name="website" id="id_website" value=""' in html  # emptied for a person to resend
    assert not FeedbackItem.objects.exists()
    # The refused attempt counted: robots do not get unlimited tries.
    assert client.post(NEW, values(org)).status_code == 429


def test_the_forms_need_the_csrf_token(ledger, world):
    client = Client(enforce_csrf_checks=True)
    assert client.post(NEW, values(world.orgs["a"])).status_code == 403
    assert client.post(TRACK, {"code": "AAAA-BBBB-CCCC"}).status_code == 403
    html = client.get(NEW).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(NEW, values(world.orgs["a"], csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert FeedbackItem.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("content", "字" * 2001, "内容不能超过 2000 个字"),
        ("name", "名" * 65, "姓名不能超过 64 个字（现为 65 个字）"),
        ("phone", "1" * 33, "联系电话不能超过 32 个字"),
        ("email", "a" * 250 + "@x.cn", "电子邮箱不能超过 254 个字"),
        ("enterprise", "企" * 256, "企业名称不能超过 255 个字"),
        ("credit_code", "9" * 25, "统一社会信用代码不能超过 24 个字"),
    ],
)
def test_every_field_has_a_size_limit(ledger, world, field, value, message):
    response = Client().post(NEW, values(world.orgs["a"], **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FeedbackItem.objects.exists()


def test_an_oversized_request_is_refused_before_it_is_read(ledger, world):
    content = "字" * (MAX_BODY_BYTES // 3)  # percent-encoded: about three times the limit
    response = Client().post(NEW, values(world.orgs["a"], content=content))
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()
    response = api_post(Client(), {"kind": "opinion", "content": content, "organisation": world.orgs["a"].pk})
    assert response.status_code == 413 and "提交的内容过大" in response.json()["detail"]
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_is_never_reflected_on_a_refused_form(ledger, world, payload):
    fields = ("content", "name", "phone", "email", "enterprise", "credit_code", "website")
    data = values(world.orgs["a"], **dict.fromkeys(fields, payload)) | {
        "kind": payload,
        "organisation": payload,
    }
    for url in (NEW, f"{NEW}?problem={payload}"):
        response = Client().post(url, data)
        assert response.status_code in (400, 404)
        assert_not_reflected(response.content.decode())
    data = values(world.orgs["a"], **dict.fromkeys(("content", "name", "enterprise"), payload))
    response = Client().post(NEW, data | {"phone": payload})  # the phone is refused, the rest shown again
    html = response.content.decode()
    assert response.status_code == 400
    assert escape(payload) in html  # shown again, as text
    assert_not_reflected(html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_is_stripped_when_stored_and_escaped_when_shown(ledger, world, payload):
    client = Client()
    data = values(world.orgs["a"], content=f"{payload}施工噪音扰民", name=payload, enterprise=payload)
    assert client.post(NEW, data).status_code == 302
    item = FeedbackItem.objects.get()
    for stored in (item.content, item.sender_name, item.enterprise):
        assert "<script" not in stored and "<img" not in stored
    assert_not_reflected(client.get("/portal/feedback/submitted/").content.decode())
    html = client.post(TRACK, {"code": item.code}).content.decode()
    assert "查询结果" in html
    assert_not_reflected(html)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_code_lookup_never_reflects_markup(db, payload):
    response = Client().post(TRACK, {"code": payload})
    html = response.content.decode()
    assert response.status_code == 200 and "未找到与该查询码对应的留言" in html
    assert_not_reflected(html)
    response = Client().get(f"/api/v1/public/feedback/{quote(payload, safe='')}")
    assert response.status_code == 404
    assert_not_reflected(response.content.decode())


def test_lookups_are_rate_limited_against_guessing(db, settings):
    settings.RECTIFY_FEEDBACK_LOOKUP_RATE = "3/h"
    client = Client()
    for _ in range(3):
        assert client.post(TRACK, {"code": "AAAA-BBBB-CCCC"}).status_code == 200
    response = client.post(TRACK, {"code": "DDDD-EEEE-FFFF"})
    html = response.content.decode()
    assert response.status_code == 429 and "查询过于频繁" in html
    assert 'value="DDDD-EEEE-FFFF"' in html
    # The API shares the look-up allowance.
    assert Client().get("/api/v1/public/feedback/AAAA-BBBB-CCCC").status_code == 429
