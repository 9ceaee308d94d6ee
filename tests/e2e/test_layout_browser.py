"""The layout on a phone (390×844) and on a desk (1366×768), on the demo, in a real browser.

Every staff page the office, a liaison, a lead leader and the supervisor reach by a link, and every
portal page, is opened at 390 px: no page is wider than the screen (a wide table scrolls inside its
own box), the staff header is at most 130 px tall while its menu is closed, and the page's main
action lies within the screen. At 1366 px the staff navigation fits one row. axe-core finds no
serious or critical violation on the key pages at 390 px. The figures measured are printed (and
written to $RECTIFY_LAYOUT_FIGURES when set), so a change of layout can be compared."""

from __future__ import annotations

import json
import os
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from rectify.feedback.models import QrCode

from ..conftest import PASSWORD
from .test_content_security_policy_browser import NOT_PAGES
from .test_portal_browser import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
TOLERANCE = 1  # px: sub-pixel rounding
HEADER_CLOSED = 130  # px: the staff header on a phone, its menu closed

MEASURE = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const header = document.querySelector(".site-header, .portal-header");
  const action = document.querySelector(
    "main .button-primary, main button[type=submit]:not(.link-button), main .portal-button");
  let actionRight = null;
  if (action && action.offsetParent !== null) {
    const box = action.getBoundingClientRect();
    actionRight = Math.round(box.right + window.scrollX);
  }
  // What sticks out (the deepest elements past the right edge), to tell which part is too wide.
  const out = [];
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !node.closest(".table-scroll, details:not([open])")
        && ![...node.children].some(child => child.getBoundingClientRect().right > width + 1)) {
      out.push(`${node.tagName.toLowerCase()}.${[...node.classList].join(".")}→${Math.round(box.right)}`);
    }
  }
  const nav = document.querySelector(".main-nav");
  let rows = null;
  if (nav && nav.offsetParent !== null) {
    const items = [...nav.querySelectorAll(":scope > a, :scope > details > summary")]
      .filter(item => item.offsetParent !== null);
    rows = new Set(items.map(item => Math.round(item.getBoundingClientRect().top))).size;
  }
  return {
    width, scroll: root.scrollWidth, staff: header !== null && header.matches(".site-header"),
    header: header ? Math.round(header.getBoundingClientRect().height) : null,
    actionRight, navRows: rows, out: out.slice(0, 4),
  };
}
"""


@pytest.fixture
def demo(transactional_db, live_server, settings, tmp_path):
    from rectify.demo.builder import build_demo

    settings.MEDIA_ROOT = tmp_path
    return build_demo(password=PASSWORD)


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the form; each role lands on its own home (a lead leader on 我牵头的)."""
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def measure_pages(page, base: str, starts: list[str], namespaces: tuple[str, ...] | None) -> dict:
    """Open every page reachable by a link from `starts` (one address per URL name; with
    `namespaces`, only those) and return {path: figures}."""
    seen: set[str] = set()
    figures: dict[str, dict] = {}
    queue = list(starts)
    while queue:
        path = queue.pop(0)
        split = urlsplit(path)
        if split.path.startswith(NOT_PAGES):
            continue
        try:
            name = resolve(split.path).view_name
        except Resolver404:
            continue
        if name in seen or (namespaces and not name.startswith(namespaces)):
            continue
        seen.add(name)
        probe = page.request.get(urljoin(base, path), max_redirects=0)
        if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
            continue
        page.goto(urljoin(base, path))
        page.wait_for_load_state("networkidle")
        figures[path] = {"name": name, **page.evaluate(MEASURE)}
        for href in page.eval_on_selector_all("a[href]", "nodes => nodes.map(node => node.href)"):
            link = urlsplit(href)
            if link.netloc == urlsplit(base).netloc:
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return figures


def report(label: str, figures: dict) -> None:
    wide = {path: f for path, f in figures.items() if f["scroll"] > f["width"] + TOLERANCE}
    print(f"\n{label}: {len(figures)} pages, {len(wide)} wider than the screen")
    for path, f in sorted(figures.items(), key=lambda item: -item[1]["scroll"]):
        print(
            f"  {f['scroll']:>5} / {f['width']}  header {f['header']}  rows {f['navRows']}"
            f"  action {f['actionRight']}  {path}  {' '.join(f['out'])}"
        )
    target = os.environ.get("RECTIFY_LAYOUT_FIGURES")
    if target:
        with open(f"{target}-{label}.json", "w", encoding="utf-8") as out:
            json.dump(figures, out, ensure_ascii=False, indent=1)


def assert_phone(figures: dict, staff: bool) -> None:
    wide = [f"{path} {f['scroll']}" for path, f in figures.items() if f["scroll"] > f["width"] + TOLERANCE]
    assert not wide, wide
    if staff:
        tall = [
            f"{path} {f['header']}"
            for path, f in figures.items()
            if f["staff"] and f["header"] > HEADER_CLOSED
        ]
        assert not tall, tall
    off = [
        f"{path} {f['actionRight']}"
        for path, f in figures.items()
        if f["actionRight"] is not None and f["actionRight"] > f["width"] + TOLERANCE
    ]
    assert not off, off


STAFF = {
    "office": ["/inspections/", "/dashboard/", "/search/?q=非法营运", "/feedback/to-reply/"],
    "unit": ["/my/", "/orders/", "/feedback/"],
    "leader": ["/inspections/", "/dashboard/", "/leading/"],
    "supervisor": ["/inspections/", "/audit/"],
}


@pytest.mark.parametrize("username", list(STAFF))
def test_no_staff_page_is_wider_than_a_phone(demo, page, live_server, username):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, username)
    figures = measure_pages(page, live_server.url, STAFF[username], namespaces=None)
    report(f"phone-{username}", figures)
    assert len(figures) > 5
    assert_phone(figures, staff=True)


def test_no_portal_page_is_wider_than_a_phone(demo, page, live_server):
    page.set_viewport_size(PHONE)
    qr = QrCode.objects.filter(active=True).order_by("pk").first()
    starts = [
        "/portal/",
        "/portal/feedback/new/",
        "/portal/feedback/track/",
        "/portal/consultations/",
        f"/portal/feedback/q/{qr.token}/",
    ]
    figures = measure_pages(
        page, live_server.url, starts, namespaces=("portal:", "public_feedback:", "public_consultations:")
    )
    report("phone-portal", figures)
    assert len(figures) > 3
    assert_phone(figures, staff=False)


def test_the_menu_opens_on_a_phone_and_the_key_pages_are_accessible(demo, page, live_server):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "unit")
    page.goto(f"{live_server.url}/my/")
    menu = page.locator(".site-menu > summary")
    assert menu.is_visible()
    assert not page.get_by_role("link", name="整改台账").first.is_visible()
    menu.click()
    assert page.get_by_role("link", name="整改台账").first.is_visible()
    menu.click()
    # 我的整改 as cards: the deadline, the status and 报送进展 on the screen, not off to the right.
    first = page.locator(".my-table tbody tr").first
    for part in ("[data-label='整改时限']", "[data-label='状态']", "a:has-text('报送进展')"):
        item = first.locator(part).first
        if item.count():
            box = item.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + TOLERANCE, part
    for path in ("/my/", "/measures/", "/dashboard/", "/warnings/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert_accessible(page, f"{path} at 390")
    page.goto(f"{live_server.url}/portal/")
    assert_accessible(page, "/portal/ at 390")


@pytest.mark.parametrize("username", ["office", "unit", "leader", "supervisor"])
def test_the_navigation_fits_one_row_on_a_desk(demo, page, live_server, username):
    page.set_viewport_size(DESK)
    sign_in(page, live_server.url, username)
    figures = {}
    for path in ("/inspections/", "/measures/", "/dashboard/", "/warnings/", "/orders/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        figures[path] = {"name": path, **page.evaluate(MEASURE)}
    report(f"desk-{username}", figures)
    assert all(f["navRows"] == 1 for f in figures.values()), figures
    assert all(f["scroll"] <= f["width"] + TOLERANCE for f in figures.values()), figures
