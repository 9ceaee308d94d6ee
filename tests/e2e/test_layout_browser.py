"""The layout on a phone (390×844) and on a desk (1366×768), on the demo, in a real browser.

Every staff page the office, a liaison, a lead leader and the supervisor reach by a link, and every
portal page, is opened at both sizes: no page is wider than the screen (a wide table scrolls inside
its own box), the page's main action lies within the screen, and axe-core finds no serious or
critical violation. On a phone the staff header is at most 130 px tall while its menu is closed and
the portal header at most 120 px; on a desk the staff navigation fits one row. The ledger's compact
view shows at least 8 measures above the fold at 1366×768 with its header sticking; a list's filters
fold under 筛选 on a phone; the dashboard's donut keeps its legend below the ring there. The figures
measured are printed (and written to $RECTIFY_LAYOUT_FIGURES when set), so a change of layout can be
compared."""

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
PORTAL_HEADER = 120  # px: the portal header on a phone, with its reading tools
ABOVE_THE_FOLD = 8  # measures of the compact ledger visible at 1366×768 without scrolling

MEASURE = """
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const header = document.querySelector(".site-header, .portal-header");
  // The main action: the first primary button or submit button that shows (not one folded away).
  const action = [...document.querySelectorAll(
    "main .button-primary, main button[type=submit]:not(.link-button), main .portal-button")]
    .find(node => node.offsetParent !== null && node.getClientRects().length > 0);
  let actionRight = null;
  if (action) {
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


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the form; each role lands on its own home (a lead leader on 我牵头的)."""
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def measure_pages(page, base: str, starts: list[str], namespaces: tuple[str, ...] | None) -> dict:
    """Open every page reachable by a link from `starts` (one address per URL name; with
    `namespaces`, only those), check each with axe-core, and return {path: figures}."""
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
        assert_accessible(page, f"{path} at {page.viewport_size['width']}")
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


def assert_fits(figures: dict, size: dict, staff: bool) -> None:
    """Nothing wider than the screen and the main action on it, at either size; on a phone the
    headers stay short, on a desk the staff navigation keeps to one row."""
    wide = [f"{path} {f['scroll']}" for path, f in figures.items() if f["scroll"] > f["width"] + TOLERANCE]
    assert not wide, wide
    off = [
        f"{path} {f['actionRight']}"
        for path, f in figures.items()
        if f["actionRight"] is not None and f["actionRight"] > f["width"] + TOLERANCE
    ]
    assert not off, off
    if size == PHONE:
        limit = HEADER_CLOSED if staff else PORTAL_HEADER
        tall = [
            f"{path} {f['header']}"
            for path, f in figures.items()
            if f["header"] is not None and f["header"] > limit  # a printable poster has no header
        ]
        assert not tall, tall
    elif staff:
        rows = [f"{path} {f['navRows']}" for path, f in figures.items() if f["staff"] and f["navRows"] != 1]
        assert not rows, rows


STAFF = {
    "office": ["/inspections/", "/measures/", "/dashboard/", "/search/?q=非法营运", "/feedback/to-reply/"],
    "unit": ["/my/", "/orders/", "/feedback/"],
    "leader": ["/inspections/", "/dashboard/", "/leading/"],
    "supervisor": ["/inspections/", "/audit/"],
}
SIZES = {"phone": PHONE, "desk": DESK}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("username", list(STAFF))
def test_no_staff_page_is_wider_than_the_screen(demo, page, live_server, username, size):
    page.set_viewport_size(SIZES[size])
    sign_in(page, live_server.url, username)
    figures = measure_pages(page, live_server.url, STAFF[username], namespaces=None)
    report(f"{size}-{username}", figures)
    assert len(figures) > 5
    assert_fits(figures, SIZES[size], staff=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_no_portal_page_is_wider_than_the_screen(demo, page, live_server, size):
    page.set_viewport_size(SIZES[size])
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
    report(f"{size}-portal", figures)
    assert len(figures) > 3
    assert_fits(figures, SIZES[size], staff=False)


def test_the_menu_opens_on_a_phone_and_my_measures_are_cards(demo, page, live_server):
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


ROWS_ABOVE_THE_FOLD = """
() => [...document.querySelectorAll(".ledger-table tbody tr:not(.group-row)")]
  .filter(row => row.getBoundingClientRect().top < window.innerHeight).length
"""


def test_the_compact_ledger_shows_eight_measures_on_a_desk_with_its_header_sticking(demo, page, live_server):
    page.set_viewport_size(DESK)
    sign_in(page, live_server.url, "office")
    page.goto(f"{live_server.url}/measures/")
    standard = page.evaluate(ROWS_ABOVE_THE_FOLD)
    page.get_by_role("button", name="改为紧凑视图").click()
    page.wait_for_url(f"{live_server.url}/measures/")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.ledger-compact").count() == 1
    compact = page.evaluate(ROWS_ABOVE_THE_FOLD)
    print(f"\nmeasures above the fold at 1366×768: standard {standard}, compact {compact}")
    assert compact >= ABOVE_THE_FOLD
    # Each problem stated once, its measures beneath it.
    groups = page.locator(".ledger-compact tr.group-row").all_inner_texts()
    assert len(groups) == len(set(groups)) > 1
    # Scrolled down, the column headings stay at the top of the window.
    page.mouse.wheel(0, 900)
    page.wait_for_function("() => window.scrollY > 600")
    heading = page.locator(".ledger-compact thead th").first.bounding_box()
    assert heading is not None and abs(heading["y"]) <= TOLERANCE
    # The columns are chosen in a form, and remembered on the server for the next visit.
    page.get_by_text("选择显示的列").click()
    page.get_by_role("checkbox", name="预警").uncheck()
    page.get_by_role("checkbox", name="配合单位").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    headings = page.locator(".ledger-compact thead th").all_inner_texts()
    assert "配合单位" in headings and "预警" not in headings
    assert_accessible(page, "/measures/ compact at 1366")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate(MEASURE)["scroll"] <= PHONE["width"] + TOLERANCE
    assert_accessible(page, "/measures/ compact at 390")


def test_a_phone_folds_the_filters_so_the_list_shows_first(demo, page, live_server):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "office")
    for path in ("/measures/", "/warnings/", "/orders/", "/feedback/", "/audit/"):
        page.goto(f"{live_server.url}{path}")
        fold = page.locator("details.filter-fold")
        assert fold.count() == 1 and not fold.evaluate("node => node.open"), path
        assert page.locator("details.filter-fold > summary").inner_text() == "筛选"
    page.goto(f"{live_server.url}/measures/")
    # The first measure's card starts on the first screen.
    assert page.locator(".ledger-table tbody tr").first.bounding_box()["y"] < PHONE["height"]
    page.get_by_text("筛选", exact=True).first.click()
    assert page.get_by_label("状态").is_visible()
    # A filter chosen: the filters show unfolded, with what was chosen.
    page.goto(f"{live_server.url}/measures/?status=in_progress")
    assert page.locator("details.filter-fold").evaluate("node => node.open")
    assert page.get_by_label("状态").input_value() == "in_progress"
    # On a desk the filters show as they are.
    page.set_viewport_size(DESK)
    page.goto(f"{live_server.url}/measures/")
    assert page.get_by_label("状态").is_visible()
    assert not page.locator("details.filter-fold > summary").is_visible()


def test_the_donut_keeps_its_legend_below_the_ring_on_a_phone(demo, page, live_server):
    sign_in(page, live_server.url, "office")
    legend = """() => {
      const chart = echarts.getInstanceByDom(document.getElementById("chart-status"));
      const option = chart.getOption();
      return {orient: option.legend[0].orient, label: option.series[0].label.position};
    }"""
    for size, orient, label in ((PHONE, "horizontal", "inside"), (DESK, "vertical", "outer")):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/dashboard/")
        page.wait_for_function("() => document.querySelector('.dashboard-chart[data-drawn]')")
        assert page.evaluate(legend) == {"orient": orient, "label": label}
