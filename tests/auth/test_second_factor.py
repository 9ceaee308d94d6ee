"""The second factor (TOTP through django-otp, with ten single-use recovery codes): enrolment, the code
after the password on the page and in the token endpoint, the lockout it shares with passwords, and the
organisation's rule that makes it required for its office and supervisors."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rectify.accounts import services

from .conftest import code_of, failures, sign_in, token_request

ENROL = "/account/two-factor/"
VERIFY = "/account/verify/"


def enrol(client: Client, user) -> list[str]:
    """Binds an authenticator for the signed-in user through the page; returns the recovery codes."""
    page = client.get(ENROL).content.decode()
    assert "<svg" in page and 'id="otp-secret"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_of(device)})
    assert response.status_code == 200, response.content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


@pytest.fixture
def enrolled(world):
    """Alice with an authenticator bound (through the page) and her recovery codes."""
    client = Client()
    client.force_login(world.alice)
    codes = enrol(client, world.alice)
    return codes


def test_enrolment_shows_the_qr_code_and_secret_and_gives_ten_recovery_codes_once(world, client):
    client.force_login(world.alice)
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=world.alice, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert len(secret) == 32
    # A wrong code binds nothing.
    wrong = client.post(ENROL, {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "动态验证码不正确" in wrong.content.decode()
    assert not services.has_second_factor(world.alice)
    codes = enrol(client, world.alice)
    assert len(codes) == 10 == len(set(codes))
    assert services.has_second_factor(world.alice)
    assert StaticToken.objects.filter(device__user=world.alice).count() == 10
    # Shown once: the security page tells how many are left, never the codes.
    security = client.get("/account/").content.decode()
    assert "已启用" in security and "剩余恢复码 10 个" in security
    assert not any(code in security for code in codes)


def test_login_with_the_code_after_the_password(world, enrolled):
    client = Client()
    start = timezone.now() + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        response = sign_in(client, "alice")
        assert response.status_code == 302
        # Nothing but the code page until the code is given.
        blocked = client.get("/inspections/")
        assert blocked.status_code == 302 and blocked.url == f"{VERIFY}?next=%2Finspections%2F"
        assert client.get("/api/v1/inspections").status_code == 403
        page = client.get(VERIFY).content.decode()
        assert "动态验证码" in page and 'class="main-nav"' not in page
        device = TOTPDevice.objects.get(user=world.alice)
        done = client.post(VERIFY, {"code": code_of(device), "next": "/measures/"})
        assert done.status_code == 302 and done.url == "/measures/"
        assert client.get("/inspections/").status_code == 200


def test_a_wrong_code_is_refused_and_counted_toward_the_lockout(world, enrolled, settings):
    client = Client()
    start = timezone.now() + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "alice")
        device = TOTPDevice.objects.get(user=world.alice)
        wrong = "123456" if code_of(device) != "123456" else "654321"
        for attempt in range(1, settings.AXES_FAILURE_LIMIT):
            clock.shift(timedelta(minutes=5))  # past django-otp's own growing wait
            response = client.post(VERIFY, {"code": wrong})
            assert response.status_code == 401
            assert "动态验证码或恢复码不正确" in response.content.decode()
            assert failures("alice") == attempt
        # Signing in again with the right password does not wipe the count of wrong codes...
        sign_in(client, "alice")
        assert failures("alice") == settings.AXES_FAILURE_LIMIT - 1
        clock.shift(timedelta(minutes=5))
        # ...and the fifth wrong code locks the account, for the password too.
        locked = client.post(VERIFY, {"code": wrong})
        assert locked.status_code == 429 and "账户已暂时锁定" in locked.content.decode()
        assert client.get("/inspections/").status_code == 302  # signed out
        assert sign_in(client, "alice").status_code == 429


def test_the_right_code_forgets_earlier_failures(world, enrolled):
    client = Client()
    start = timezone.now() + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "alice")
        client.post(VERIFY, {"code": "99999x"})
        assert failures("alice") == 1
        clock.shift(timedelta(minutes=1))
        device = TOTPDevice.objects.get(user=world.alice)
        assert client.post(VERIFY, {"code": code_of(device)}).status_code == 302
        assert failures("alice") == 0


def test_a_recovery_code_works_once(world, enrolled):
    code = enrolled[3]
    first = Client()
    sign_in(first, "alice")
    response = first.post(VERIFY, {"code": code.upper()})
    assert response.status_code == 302
    assert "还剩 9 个" in first.get(response.url, follow=True).content.decode()
    second = Client()
    sign_in(second, "alice")
    again = second.post(VERIFY, {"code": code})
    assert again.status_code == 401 and "动态验证码或恢复码不正确" in again.content.decode()


def test_regenerated_recovery_codes_replace_the_old_ones(world, enrolled):
    client = Client()
    client.force_login(world.alice)
    device = TOTPDevice.objects.get(user=world.alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False) as clock:
        client.post(VERIFY, {"code": code_of(device)})
        page = client.post("/account/two-factor/recovery-codes/").content.decode()
        fresh = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
        assert len(fresh) == 10 and not set(fresh) & set(enrolled)
        assert token_request(Client(), "alice", otp=enrolled[0]).status_code == 401
        # django-otp makes the next try wait a moment after a wrong code; then the new code works.
        assert token_request(Client(), "alice", otp=fresh[0]).json()["detail"] == services.THROTTLED
        clock.shift(timedelta(seconds=2))
        assert token_request(Client(), "alice", otp=fresh[0]).status_code == 200


def test_the_token_endpoint_asks_for_the_code_where_there_is_a_device(world, enrolled):
    api = Client()
    device = TOTPDevice.objects.get(user=world.alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False) as clock:
        missing = token_request(api, "alice")
        assert missing.status_code == 401
        assert missing.json()["detail"] == "该账户已启用两步验证，请同时提供动态验证码或恢复码（otp）。"
        assert failures("alice") == 0
        wrong = token_request(api, "alice", otp="000000" if code_of(device) != "000000" else "111111")
        assert wrong.status_code == 401 and "动态验证码或恢复码不正确" in wrong.json()["detail"]
        assert failures("alice") == 1
        clock.shift(timedelta(minutes=1))
        right = token_request(api, "alice", otp=code_of(device))
        assert right.status_code == 200 and right.json()["token"]
        assert token_request(api, "alice", otp=enrolled[0]).status_code == 200
        # Without a device, no code is asked for; a wrong password is still a wrong password.
        assert token_request(api, "bob").status_code == 200
        assert token_request(api, "alice", password="Wrong-pass-42", otp=code_of(device)).status_code == 401


def test_a_wrong_code_through_the_api_counts_toward_the_same_lockout(world, enrolled, settings):
    api = Client()
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            clock.shift(timedelta(minutes=5))
            assert token_request(api, "alice", otp="abcdefgh").status_code == 401
        clock.shift(timedelta(minutes=5))
        assert token_request(api, "alice", otp="abcdefgh").status_code == 429
        assert token_request(api, "alice", otp=enrolled[0]).status_code == 429


def test_the_organisation_can_require_it_of_its_office_and_supervisors(world):
    bureau = world.orgs["a"]
    bureau.require_second_factor = True
    bureau.save()
    # The office and the supervisor of 甲局 must bind one at login; the liaison and the leader need not.
    for username in ("alice", "vera"):
        client = Client()
        sign_in(client, username)
        blocked = client.get("/measures/")
        assert blocked.status_code == 302 and blocked.url.startswith(ENROL + "?next=")
        page = client.get(ENROL).content.decode()
        assert "所在组织要求整改办和纪检监察人员使用两步验证" in page
        assert token_request(Client(), username).json()["detail"] == services.ENROL_REQUIRED
    for username in ("bob", "larry", "charlie"):
        client = Client()
        sign_in(client, username)
        assert client.get("/measures/").status_code == 200
        assert token_request(Client(), username).status_code == 200
    # Once bound, the office goes on; it cannot switch the factor off while required.
    client = Client()
    sign_in(client, "alice")
    enrol(client, world.alice)
    assert client.get("/measures/").status_code == 200
    client.post("/account/two-factor/disable/")
    assert services.has_second_factor(world.alice)
    assert "不能停用" in client.get("/account/").content.decode()


def test_a_user_not_required_may_switch_it_off(world, enrolled):
    client = Client()
    client.force_login(world.alice)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        client.post(VERIFY, {"code": code_of(TOTPDevice.objects.get(user=world.alice))})
    client.post("/account/two-factor/disable/")
    assert not services.has_second_factor(world.alice)
    assert StaticToken.objects.filter(device__user=world.alice).count() == 0
    assert token_request(Client(), "alice").status_code == 200
