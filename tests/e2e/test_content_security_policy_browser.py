"""The Content Security Policy in a real browser, on the demo: chromium enforces the site's policy
(no inline script or style, nothing from elsewhere) and reports every refusal as a
`securitypolicyviolation` event, which a script added to every document before the page's own
collects. The office opens every staff page it can reach by a link (one address per URL name, from
the inspections page outward), the public every portal page, the administrator the admin and the
API's documentation; no page is refused anything, no script fails, and the dashboard's charts are
drawn and show their tooltips (ECharts styles its elements from script, which the policy allows)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from rectify.feedback.models import Consultation, FeedbackItem, QrCode
from rectify.org.models import User
from rectify.recurrence.models import RecurrenceFlag
from rectify.supervision.models import DispatchReport

from ..conftest import PASSWORD
from .session import Session
from .test_dashboard_browser import assert_every_chart_drawn, watch_errors

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} refused ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""
# Not pages: files, feeds and calendars (their own content types), and what signs out or leaves.
NOT_PAGES = ("/logout/", "/api/", "/admin/", "/media-not-served/", "/static/")


@pytest.fixture
def watched(page):
    page.context.add_init_script(LISTEN)
    return page


def violations(page) -> list[str]:
    return page.evaluate("() => window.__csp || []")


def open_page(page, url: str) -> list[str]:
    """Open one page, wait for what it loads after (htmx on load, deferred charts), and return the
    refusals it met."""
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    page.wait_for_load_state("networkidle")
    return [f"{urlsplit(url).path}: {item}" for item in violations(page)]


def crawl(page, base: str, starts: list[str], namespaces: tuple[str, ...] | None) -> dict[str, str]:
    """Every page reachable by a link from `starts`, one address per URL name; with `namespaces`,
    only pages of those. Each page opened is checked, the refusals gathered; returns {name: path} of
    the pages opened (downloads, feeds and redirects are passed by)."""
    seen: dict[str, str] = {}
    opened: dict[str, str] = {}
    queue = list(starts)
    refused: list[str] = []
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
        seen[name] = path
        probe = page.request.get(urljoin(base, path), max_redirects=0)
        if probe.status != 200 or not probe.headers.get("content-type", "").startswith("text/html"):
            continue  # a download, a feed, a redirect: not a page
        refused += open_page(page, urljoin(base, path))
        opened[name] = path
        for href in page.eval_on_selector_all("a[href]", "nodes => nodes.map(node => node.href)"):
            link = urlsplit(href)
            if link.netloc == urlsplit(base).netloc:
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    assert not refused, "\n".join(refused)
    return opened


def test_every_staff_page_is_served_within_the_policy(demo, watched, live_server):
    page = watched
    errors = watch_errors(page)
    Session(page, live_server.url).sign_in("office")
    received = FeedbackItem.objects.filter(status="received").order_by("pk").first()
    consultation = Consultation.objects.order_by("pk").first()
    dispatch = DispatchReport.objects.order_by("pk").first()
    starts = [
        "/inspections/",
        "/dashboard/",
        "/search/?q=非法营运",
        "/feedback/to-reply/",
        f"/feedback/{received.pk}/route/",
        f"/consultations/{consultation.pk}/edit/",
        *(f"/recurrence/{flag.pk}/" for flag in RecurrenceFlag.objects.order_by("pk")[:1]),
    ]
    seen = crawl(page, live_server.url, starts, namespaces=None)
    # The crawl went everywhere the office works (a sample of what it must have reached).
    for name in (
        "ledger:measure-detail",
        "progress:review-queue",
        "insights:inspection",
        "dispatch:detail",
        "publications:detail",
        "feedback:stats",
        "qr:poster",
        "consultations:detail",
        "audit:search",
        "search:search",
    ):
        assert name in seen, (name, sorted(seen))
    # The dispatch report as a document of its own (the API's HTML, its style sheet no longer inline).
    assert not open_page(page, f"{live_server.url}/api/v1/dispatch-reports/{dispatch.pk}?format=html")
    print(f"{len(seen)} staff pages opened within the policy as the office")
    assert not errors, errors


def test_every_page_of_a_liaison_is_served_within_the_policy(demo, watched, live_server):
    page = watched
    errors = watch_errors(page)
    Session(page, live_server.url).sign_in("unit")
    seen = crawl(page, live_server.url, ["/my/", "/orders/", "/feedback/"], namespaces=None)
    for name in ("progress:my-measures", "progress:report", "orders:detail"):
        assert name in seen, (name, sorted(seen))
    print(f"{len(seen)} staff pages opened within the policy as a liaison")
    assert not errors, errors


def hover_every_chart(page) -> int:
    """Move the mouse over the middle of every chart drawn on the page (its tooltip shows)."""
    canvases = page.locator(".dashboard-chart canvas, [data-chart-data] canvas").all()
    for canvas in canvases:
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(200)
    return len(canvases)


def test_the_charts_draw_and_show_tooltips_within_the_policy(demo, watched, live_server):
    from rectify.progress.models import Indicator

    page = watched
    errors = watch_errors(page)
    Session(page, live_server.url).sign_in("office")
    assert not open_page(page, f"{live_server.url}/dashboard/inspections/{demo.inspection.pk}/")
    assert_every_chart_drawn(page)
    assert hover_every_chart(page) >= 4
    refused = violations(page)
    indicator = Indicator.objects.order_by("pk").first()
    for path in ("/feedback/stats/", f"/indicators/{indicator.pk}/"):
        assert not open_page(page, f"{live_server.url}{path}")
        page.locator("[data-chart-data] canvas").first.wait_for()
        assert hover_every_chart(page) >= 1, path
        refused += violations(page)
    assert not refused, refused
    assert not errors, errors


def test_every_portal_page_is_served_within_the_policy(demo, watched, live_server):
    page = watched
    errors = watch_errors(page)
    seen = crawl(
        page,
        live_server.url,
        [
            "/portal/",
            "/portal/feedback/new/",
            "/portal/feedback/track/",
            "/portal/consultations/",
            f"/portal/feedback/q/{QrCode.objects.filter(active=True).order_by('pk').first().token}/",
        ],
        namespaces=("portal:", "public_feedback:", "public_consultations:"),
    )
    for name in ("portal:list", "portal:notice", "public_feedback:new", "public_feedback:qr"):
        assert name in seen, (name, sorted(seen))
    # The reading settings (font size, elder mode) are set from the portal's script, not inline.
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("button", name="大").click()
    assert not violations(page), violations(page)
    print(f"{len(seen)} portal pages opened within the policy")
    assert not errors, errors


def test_the_admin_and_the_api_documentation_are_served_within_the_policy(demo, watched, live_server):
    page = watched
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    refused = violations(page)
    admin = User.objects.get(username="admin")
    admin_pages = ("/admin/", "/admin/ledger/measure/", "/admin/ledger/measure/add/")
    for path in (*admin_pages, f"/admin/org/user/{admin.pk}/change/"):
        refused += open_page(page, f"{live_server.url}{path}")
    refused += open_page(page, f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()
    refused += violations(page)
    assert not refused, refused
    assert not errors, errors
