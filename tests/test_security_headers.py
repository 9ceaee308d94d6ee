"""Every answer of the site carries its security headers, whoever asks and however it ends: the
Content Security Policy (django-csp), Permissions-Policy (rectify.headers), X-Frame-Options,
X-Content-Type-Options and Referrer-Policy (Django). Pages, redirects, refusals, errors, JSON, the
admin and the API documentation alike; the policy can be switched to report-only."""

from __future__ import annotations

import re

from django.test import Client

from .conftest import PASSWORD
from .test_authorisation_matrix import fill, web_routes
from .test_settings import rectify

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
REFUSED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")


def directives(value: str) -> dict[str, str]:
    pairs = (part.strip().split(" ", 1) for part in value.split(";") if part.strip())
    return {name: rest for name, rest in pairs}


def assert_secured(response, label: str) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy == POLICY, label
    assert "unsafe" not in response["Content-Security-Policy"], label
    assert response["X-Frame-Options"] == "DENY", label
    assert response["X-Content-Type-Options"] == "nosniff", label
    assert response["Referrer-Policy"] == "same-origin", label
    features = dict(re.findall(r"([\w-]+)=\(([^)]*)\)", response["Permissions-Policy"]))
    for feature in REFUSED_FEATURES:
        assert features.get(feature) == "", (label, feature)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_without_an_id_answers_with_the_headers_whoever_asks(world, ledger):
    """Each named page that needs no object, as the office, a liaison and the public: 200, redirect
    to the login page, 403 or 405, the headers are there."""
    clients = {"office": signed_in(world.alice), "liaison": signed_in(world.bob), "public": Client()}
    pages = [(name, fill(route, {})) for name, route, kwargs in web_routes() if not kwargs]
    assert len(pages) > 30
    statuses = set()
    for who, client in clients.items():
        for name, path in pages:
            response = client.get(path)
            statuses.add(response.status_code)
            assert_secured(response, f"{who} {name} {path} {response.status_code}")
    assert {200, 302, 403} <= statuses


def test_errors_json_and_downloads_answer_with_the_headers(world, ledger):
    alice = signed_in(world.alice)
    answers = {
        "not found": Client().get("/portal/notices/999999/"),
        "missing page": alice.get("/no-such-page/"),
        "another bureau's measure": signed_in(world.charlie).get(
            f"/measures/{ledger.inspection.problems.first().measures.first().pk}/"
        ),
        "API JSON": alice.get("/api/v1/inspections"),
        "API refusal": Client().get("/api/v1/inspections"),
        "API not found": alice.get("/api/v1/measures/999999"),
        "ledger download": alice.get(f"/ledgers/inspections/{ledger.inspection.pk}/ledger.xlsx"),
        "admin login": Client().get("/admin/login/"),
        "API documentation": alice.get("/api/v1/docs"),
        "portal feed": Client().get("/portal/feed/"),
    }
    for label, response in answers.items():
        assert_secured(response, label)
    assert answers["not found"].status_code == 404
    assert answers["API refusal"].status_code == 401
    assert answers["API JSON"]["Content-Type"].startswith("application/json")


def test_a_refused_form_post_answers_with_the_headers(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert_secured(response, "CSRF failure")


def test_the_policy_can_be_reported_only_while_templates_change(tmp_path):
    """RECTIFY_CSP_REPORT_ONLY sends the same policy under the report-only header, and none enforced."""
    code = (
        "from django.test import Client; r = Client().get('/login/'); "
        "print(r.get('Content-Security-Policy', '-')); "
        "print(r.get('Content-Security-Policy-Report-Only', '-'))"
    )
    env = {
        "RECTIFY_DATA_DIR": str(tmp_path),
        "RECTIFY_CSP_REPORT_ONLY": "true",
        "RECTIFY_CSP_REPORT_URI": "https://collector.example.gov.cn/csp/",
    }
    result = rectify("shell", "-c", code, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    enforced, reported = result.stdout.splitlines()[-2:]
    assert enforced == "-"
    assert directives(reported) == POLICY | {"report-uri": "https://collector.example.gov.cn/csp/"}


def test_only_the_queue_dashboard_of_the_admin_may_run_inline_code(world):
    """django-rq's dashboard writes inline script and style: its pages alone get 'unsafe-inline'."""
    from rectify.org.models import User

    root = signed_in(User.objects.create_superuser("root", password=PASSWORD))
    dashboard = root.get("/admin/django_rq/dashboard/")
    assert dashboard.status_code == 200
    policy = directives(dashboard["Content-Security-Policy"])
    assert policy["script-src"] == policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    for path in ("/admin/", "/admin/org/user/", "/admin/django_tasks_db/", "/inspections/"):
        assert_secured(root.get(path), path)
