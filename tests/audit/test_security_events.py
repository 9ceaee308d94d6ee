"""Security events through real requests: logins by page and API token, failures, lockouts, logouts,
refusals, downloads and views of personal data; the login history every user sees of their own name;
the audit page's security events and their export, within the reader's organisations."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from rectify.security.models import Kind, SecurityEvent

from ..conftest import PASSWORD

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


def browser() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER)


def signed_in(username: str) -> Client:
    client = browser()
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def events(kind: str, **filters) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind, **filters).order_by("created_at", "id"))


def token_request(client: Client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        HTTP_USER_AGENT="python-requests/2.32",
    )


# ------------------------------------------------------------------ logins


def test_page_login_is_recorded_with_address_device_and_organisation(world):
    signed_in("alice")
    [event] = events(Kind.LOGIN)
    assert event.user == world.alice and event.username == "alice"
    assert event.ip == "127.0.0.1" and "Chrome" in event.user_agent and event.path == "/login/"
    assert event.organisation == world.orgs["a"]
    assert event.detail == {"via": "page"}


def test_page_login_failures_count_the_attempts(world):
    client = browser()
    for _ in range(3):
        response = client.post("/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    failures = events(Kind.LOGIN_FAILED)
    assert [event.detail.get("attempt") for event in failures] == [1, 2, 3]
    assert all(event.user == world.alice and event.ip == "127.0.0.1" for event in failures)
    assert not events(Kind.LOGIN)


def test_a_name_nobody_holds_is_recorded_without_a_user(world):
    browser().post("/login/", {"username": "mallory", "password": "guess"})
    [event] = events(Kind.LOGIN_FAILED)
    assert event.username == "mallory" and event.user is None and event.organisation is None


def test_api_token_success_and_failure(world):
    client = Client()
    assert token_request(client, "bob", "wrong").status_code == 401
    assert token_request(client, "bob", PASSWORD).status_code == 200
    [failure] = events(Kind.LOGIN_FAILED)
    assert failure.username == "bob" and failure.detail == {"via": "api", "attempt": 1}
    assert failure.path == "/api/v1/auth/token" and failure.user_agent == "python-requests/2.32"
    [login] = events(Kind.LOGIN)
    assert login.user == world.bob and login.detail == {"via": "api"}
    assert login.organisation == world.orgs["a1"]


def test_lockout_after_five_failures_and_attempts_during_it(world):
    client = browser()
    for _ in range(5):
        client.post("/login/", {"username": "bob", "password": "wrong"})
    response = client.post("/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429
    assert [event.detail.get("attempt") for event in events(Kind.LOGIN_FAILED)] == [1, 2, 3, 4, 5]
    locked, during = events(Kind.LOCKOUT)
    assert locked.detail == {"via": "page", "attempt": 5} and locked.user == world.bob
    assert during.detail == {"via": "page", "attempt": 6, "during_lockout": True}
    assert not events(Kind.LOGIN)


def test_api_lockout_is_recorded(world):
    client = Client()
    for _ in range(5):
        token_request(client, "hana", "wrong")
    assert token_request(client, "hana", PASSWORD).status_code == 429
    assert events(Kind.LOCKOUT)[0].detail == {"via": "api", "attempt": 5}


def test_logout_is_recorded(world):
    client = signed_in("vera")
    client.post("/logout/")
    [event] = events(Kind.LOGOUT)
    assert event.user == world.vera and event.organisation == world.orgs["a"]


# ------------------------------------------------------------------ refusals, downloads, personal data


def test_refused_page_and_api_call_are_recorded(world):
    client = signed_in("bob")
    assert client.get("/audit/").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    page, api = events(Kind.ACCESS_DENIED)
    assert (page.user, page.path, api.path) == (world.bob, "/audit/", "/api/v1/audit")
    assert "审计日志" in page.detail["reason"]


def test_token_callers_refusals_name_the_token_user(world):
    token = token_request(Client(), "bob", PASSWORD).json()["token"]
    response = Client().get("/api/v1/audit", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    [event] = events(Kind.ACCESS_DENIED)
    assert event.user == world.bob


def test_ledger_download_is_recorded_and_ordinary_pages_are_not(world, ledger):
    client = signed_in("alice")
    assert client.get("/").status_code in (200, 302)
    assert client.get(f"/inspections/{ledger.inspection.pk}/").status_code == 200
    assert not events(Kind.EXPORT)
    response = client.get(f"/ledgers/inspections/{ledger.inspection.pk}/ledger.xlsx")
    assert response.status_code == 200
    [event] = events(Kind.EXPORT)
    assert event.user == world.alice and event.detail["file"].endswith(".xlsx")
    assert event.path == f"/ledgers/inspections/{ledger.inspection.pk}/ledger.xlsx"


def test_an_api_download_names_the_token_user(world, ledger):
    token = token_request(Client(), "vera", PASSWORD).json()["token"]
    response = Client().get(
        f"/api/v1/inspections/{ledger.inspection.pk}/ledger.xlsx", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    [event] = events(Kind.EXPORT)
    assert event.user == world.vera and event.organisation == world.orgs["a"]
    assert event.detail["file"].endswith(".xlsx") and event.user_agent == ""


def test_public_downloads_are_not_security_events(world):
    client = signed_in("alice")
    client.get("/portal/")
    assert not events(Kind.EXPORT)


def test_viewing_a_senders_contacts_is_recorded(world, ledger):
    from rectify.feedback.services import submit_public

    item = submit_public(
        organisation=world.orgs["a"],
        kind="opinion",
        content="公交站台破损。",
        name="张三",
        phone="13812345678",
    )
    client = signed_in("alice")
    response = client.post(f"/feedback/{item.pk}/contacts/")
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    [event] = events(Kind.PERSONAL_DATA)
    assert event.user == world.alice and event.organisation == world.orgs["a"]
    assert event.path == f"/feedback/{item.pk}/contacts/" and event.ip == "127.0.0.1"
    assert event.detail["id"] == item.pk
    assert "13812345678" not in str(event.detail)  # the event says whose, never what


# ------------------------------------------------------------------ login history


def test_login_history_shows_only_the_users_own_name(world):
    browser().post("/login/", {"username": "bob", "password": "wrong"})
    signed_in("alice")
    client = signed_in("bob")
    page = client.get("/account/logins/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "登录记录" in html and "Chrome · Windows" in html and "127.0.0.1" in html
    assert html.count("<tr>") == 1 + 2  # header, bob's login and bob's failure; not alice's login
    assert "失败" in html and "（第 1 次）" in html
    assert 'href="/account/logins/"' in client.get("/inspections/").content.decode()


def test_login_history_needs_a_login(world):
    response = Client().get("/account/logins/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# ------------------------------------------------------------------ the audit page and its export


@pytest.fixture
def happenings(world):
    """Bob (unit of 甲局) fails once and signs in; Charlie (乙局) signs in; someone tries "mallory"."""
    browser().post("/login/", {"username": "bob", "password": "wrong"})
    bob = signed_in("bob")
    bob.get("/audit/")  # refused
    signed_in("charlie")
    browser().post("/login/", {"username": "mallory", "password": "guess"})
    return bob


def test_office_sees_security_events_of_its_organisations_in_sentences(world, happenings):
    page = signed_in("alice").get("/audit/security/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "包博 于 " in html and " 从 127.0.0.1 登录成功" in html
    assert "用户名 bob 登录失败（第 1 次）" in html
    assert "包博 被拒绝访问 /audit/" in html
    assert "查理" not in html and "mallory" not in html  # another bureau's; nobody's


def test_kind_filter_and_refusals(world, happenings):
    client = signed_in("vera")
    html = client.get("/audit/security/", {"kind": "access_denied"}).content.decode()
    assert "包博 被拒绝访问 /audit/" in html and "从 127.0.0.1 登录成功" not in html
    bad = client.get("/audit/security/", {"kind": "nonsense"})
    assert bad.status_code == 400 and "请选择列出的事件类型" in bad.content.decode()
    assert happenings.get("/audit/security/").status_code == 403


def test_city_supervisor_sees_both_bureaus(world, happenings):
    html = signed_in("sam").get("/audit/security/").content.decode()
    assert "包博" in html and "查理" in html and "mallory" not in html


def test_export_holds_the_filtered_visible_rows_and_is_itself_recorded(world, happenings):
    client = signed_in("alice")
    response = client.get("/audit/security/export.xlsx", {"kind": "login"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert {row[3] for row in rows} == {"bob", "alice"}  # logins of 甲局's people only
    assert all(row[1] == "登录成功" for row in rows)
    assert any("包博 于 " in row[2] for row in rows)
    [export] = events(Kind.EXPORT, user=world.alice)
    assert export.detail["file"].startswith("安全事件-") and export.path == "/audit/security/export.xlsx"


def test_change_trail_export(world, ledger):
    client = signed_in("alice")
    response = client.get("/audit/export.xlsx", {"model": "ledger.inspection"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    # 甲局's inspection only: 乙局's is outside alice's organisations.
    assert [(row[3], row[5]) for row in rows] == [(f"系统 导入巡察反馈“{ledger.inspection.title}”", "巡察")]
    assert events(Kind.EXPORT, user=world.alice)
    assert signed_in("bob").get("/audit/export.xlsx").status_code == 403


def test_a_refusal_shown_on_a_form_is_recorded_too(world):
    """A service's 403 that a form page shows in place (rectify.forms.submit), not as the error page:
    the request being answered names who and where (the middleware sets it for every request)."""
    from django import forms
    from django.test import RequestFactory

    from rectify.errors import AccessDenied
    from rectify.forms import submit
    from rectify.security.services import current_request

    class Form(forms.Form):
        reason = forms.CharField()

    def refuse(data):
        raise AccessDenied("只有整改办可以签发督办单。")

    request = RequestFactory().post("/orders/new/", HTTP_USER_AGENT=BROWSER)
    request.user = world.bob
    token = current_request.set(request)
    try:
        result, status = submit(Form({"reason": "逾期"}), refuse)
    finally:
        current_request.reset(token)
    assert (result, status) == (None, 403)
    [event] = events(Kind.ACCESS_DENIED)
    assert (event.user, event.path, event.ip) == (world.bob, "/orders/new/", "127.0.0.1")
    assert event.detail == {"reason": "只有整改办可以签发督办单。"}
