"""Browser tests drive Debian's chromium through Playwright; no browser is downloaded."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("RECTIFY_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"!!! {CHROMIUM} not found: browser tests cannot run (make test installs it as root) !!!"
        if os.environ.get("RECTIFY_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, live_server, settings, tmp_path):
    """The whole demo behind the live server, every account's password PASSWORD."""
    from ..conftest import PASSWORD
    from ..demo_copy import demo

    settings.MEDIA_ROOT = tmp_path
    return demo(PASSWORD)
