"""A browser that signs in through the login form as one person after another."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from ..conftest import PASSWORD


class Session:
    """The browser as whoever signed in last."""

    def __init__(self, page: Page, base: str):
        self.page = page
        self.base = base
        self.signed_in = False

    def sign_in(self, username: str) -> Page:
        page = self.page
        if self.signed_in:
            page.get_by_role("button", name="退出").click()
            page.wait_for_url(re.compile(r".*/login/$"))
        page.goto(f"{self.base}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        # Home depends on the role: 我牵头的 for a leader, the inspections for everyone else.
        page.wait_for_url(lambda url: url.startswith(self.base) and "/login/" not in url)
        self.signed_in = True
        return page
