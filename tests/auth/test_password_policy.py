"""The password policy: length, three kinds of character, none of the last five, an age after which it
must be changed. Through the change-password page, and through the API's token endpoint for the age."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from rectify.accounts.models import PasswordHistory
from rectify.demo.builder import DEFAULT_PASSWORD
from rectify.org.models import User

from ..conftest import PASSWORD
from .conftest import sign_in, token_request

CHANGE = "/account/password/"


def change(client, old: str, new: str, confirm: str | None = None):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": confirm or new})


@pytest.mark.parametrize("password", [PASSWORD, DEFAULT_PASSWORD, "Root-pass-2025", "Query-count-2025"])
def test_the_passwords_of_tests_and_demo_pass_the_policy(db, password):
    validate_password(password, User(username="newcomer"))


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("Ab-12345", "密码太短：至少需要 10 个字符。"),
        ("abcdefgh-xyz", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        ("ABCDEFGH1234", "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类。"),
        (PASSWORD, "不能使用最近 5 次用过的密码，请换一个新密码。"),
    ],
)
def test_a_weak_or_reused_password_is_refused_in_chinese_and_nothing_changes(world, client, weak, message):
    client.force_login(world.alice)
    before = User.objects.get(username="alice").password
    response = change(client, PASSWORD, weak)
    assert response.status_code == 400
    page = response.content.decode()
    assert "密码未修改" in page and message in page
    assert User.objects.get(username="alice").password == before
    assert PasswordHistory.objects.filter(user=world.alice).count() == 1


def test_a_wrong_old_password_or_a_mismatch_is_refused(world, client):
    client.force_login(world.alice)
    assert "原密码不正确" in change(client, "Wrong-pass-99", "Brand-new-pass-1").content.decode()
    assert (
        "两次输入的新密码不一致"
        in change(client, PASSWORD, "Brand-new-pass-1", "Brand-new-pass-2").content.decode()
    )
    assert User.objects.get(username="alice").check_password(PASSWORD)


def test_none_of_the_last_five_passwords_the_sixth_back_again_allowed(world, client):
    client.force_login(world.alice)
    history = [PASSWORD] + [f"Rotation-{n}-pass!" for n in range(1, 6)]
    for old, new in itertools.pairwise(history):
        response = change(client, old, new)
        assert response.status_code == 302, response.content.decode()
    # The current one and the four before it are refused...
    for reused in history[1:]:
        response = change(client, history[-1], reused)
        assert response.status_code == 400 and "不能使用最近 5 次用过的密码" in response.content.decode()
    # ...the sixth back is allowed again, and only five hashes are ever kept.
    assert PasswordHistory.objects.filter(user=world.alice).count() == 5
    assert change(client, history[-1], PASSWORD).status_code == 302
    assert User.objects.get(username="alice").check_password(PASSWORD)
    assert PasswordHistory.objects.filter(user=world.alice).count() == 5


def test_the_change_password_page_is_reachable_from_the_navigation(world, client):
    client.force_login(world.bob)
    page = client.get("/inspections/").content.decode()
    assert 'href="/account/"' in page
    security = client.get("/account/").content.decode()
    assert f'href="{CHANGE}"' in security and "两步验证" in security
    form = client.get(CHANGE).content.decode()
    assert "原密码" in form and "须包含大写字母、小写字母、数字、符号四类中的至少 3 类" in form


def test_an_expired_password_must_be_changed_before_anything_else(world, client, settings):
    settings.RECTIFY_PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        assert sign_in(client, "alice").status_code == 302
        response = client.get("/inspections/")
        assert response.status_code == 302 and response.url.startswith(CHANGE + "?next=")
        page = client.get(CHANGE).content.decode()
        assert "您的密码已超过有效期" in page and 'class="main-nav"' not in page
        # A script gets a status and the reason, not the form.
        api = client.get("/api/v1/inspections")
        assert api.status_code == 403 and api.json()["detail"] == "密码已超过有效期，请先修改密码。"
        htmx = client.get("/measures/", headers={"HX-Request": "true"})
        assert htmx.status_code == 403 and htmx["HX-Redirect"] == CHANGE
        # The token endpoint refuses too, in Chinese.
        token = token_request(Client(), "alice")
        assert token.status_code == 403
        assert token.json()["detail"] == "密码已超过有效期，请先登录网页修改密码，再申请令牌。"

        response = client.post(
            CHANGE,
            {
                "old_password": PASSWORD,
                "new_password1": "Spring-2026-pass",
                "new_password2": "Spring-2026-pass",
                "next": "/measures/",
            },
        )
        assert response.status_code == 302 and response.url == "/measures/"
        assert client.get("/inspections/").status_code == 200
        assert token_request(Client(), "alice", "Spring-2026-pass").status_code == 200


def test_a_password_within_its_age_or_with_no_age_set_is_not_asked_for(world, client, settings):
    settings.RECTIFY_PASSWORD_MAX_AGE_DAYS = 90
    with time_machine.travel(timezone.now() + timedelta(days=89), tick=False):
        sign_in(client, "alice")
        assert client.get("/inspections/").status_code == 200
    settings.RECTIFY_PASSWORD_MAX_AGE_DAYS = 0
    with time_machine.travel(timezone.now() + timedelta(days=3000), tick=False):
        assert token_request(client, "alice").status_code == 200


def test_the_admin_applies_the_policy_too(world, client):
    root = User.objects.create_superuser("root", password="Root-pass-2025")
    client.force_login(root)
    response = client.post(
        f"/admin/org/user/{world.bob.pk}/password/", {"password1": "bob", "password2": "bob"}
    )
    assert response.status_code == 200
    assert "密码太短" in response.content.decode()
    assert User.objects.get(username="bob").check_password(PASSWORD)
    with pytest.raises(ValidationError):
        validate_password("short", world.bob)


def test_a_token_asked_for_before_the_password_expired_stops_with_it(world, settings):
    settings.RECTIFY_PASSWORD_MAX_AGE_DAYS = 90
    api = Client()
    with time_machine.travel(timezone.now() + timedelta(days=80), tick=False) as clock:
        token = token_request(api, "alice").json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert api.get("/api/v1/inspections", headers=bearer).status_code == 200
        clock.shift(timedelta(days=11))
        refused = api.get("/api/v1/inspections", headers=bearer)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "密码已超过有效期，令牌暂停使用：请先登录网页修改密码。"
