"""The error path never fails itself.

Defect (issue 12): served under production settings before `rectify collectstatic`, a request whose
Host is not in ALLOWED_HOSTS answered 500, not 400: the 400 page extends the site's layout, whose
{% static %} raised "Missing staticfiles manifest entry", and Django answered that failure with a 500.
`rectify serve` now builds the manifest before it starts; and whatever keeps an error page from being
drawn, its status stays and a plain Chinese page says it.
"""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def no_manifest(settings, tmp_path):
    """Production's static files storage, and nothing collected."""
    settings.DEBUG = False
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path / "static"


def test_a_disallowed_host_is_refused_with_400_before_collectstatic(no_manifest, client):
    response = client.get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


def test_a_disallowed_host_under_the_api_is_a_chinese_400(no_manifest, client):
    response = client.get("/api/v1/openapi.json", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求的内容格式不正确。"}


def test_a_missing_page_stays_404_when_its_template_cannot_be_drawn(no_manifest, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_a_refused_csrf_token_stays_403_when_its_template_cannot_be_drawn(no_manifest, db):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_the_error_pages_keep_the_site_layout_when_they_can(client, db):
    assert (
        'href="/static/css/rectify.css"' in client.get("/login/", HTTP_HOST="evil.example").content.decode()
    )
    page = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    assert page.status_code == 403 and "css/rectify.css" in page.content.decode()
