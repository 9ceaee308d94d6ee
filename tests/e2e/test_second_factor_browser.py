"""The second factor in a real browser: the office binds an authenticator app from 账户安全, keeps the
recovery codes, signs out, and signs in again with the password and then the app's code."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from ..conftest import PASSWORD

pytestmark = pytest.mark.browser


def app_code(secret: str, ahead: int = 0) -> str:
    """What an authenticator app shows for the secret, `ahead` steps of 30 s from now."""
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * ahead
    return f"{totp.token():06d}"


def test_bind_an_app_then_sign_in_with_its_code(world, live_server, page):
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/inspections/")

    page.get_by_role("link", name="账户安全").click()
    page.get_by_role("link", name="启用两步验证").click()
    expect(page.get_by_role("img", name="绑定验证器的二维码")).to_be_visible()
    secret = page.locator("#otp-secret").inner_text()
    page.get_by_label("动态验证码").fill(app_code(secret))
    page.get_by_role("button", name="完成绑定").click()
    expect(page.get_by_text("两步验证已启用")).to_be_visible()
    codes = page.get_by_role("list", name="恢复码").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.get_by_text("剩余恢复码 10 个")).to_be_visible()

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r".*/login/$"))
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("alice")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/account/verify/"))
    expect(page.get_by_role("navigation", name="主导航")).to_have_count(0)
    page.get_by_label("动态验证码").fill("000000" if app_code(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="验证并登录").click()
    expect(page.get_by_role("alert")).to_contain_text("动态验证码或恢复码不正确")
    time.sleep(1.1)  # django-otp's wait after a wrong code
    # The code of the next 30 s is accepted too (clock drift); the one just used for binding is spent.
    page.get_by_label("动态验证码").fill(app_code(secret, 1))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(f"{base}/inspections/")
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
