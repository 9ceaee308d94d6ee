"""Evidence downloads hold no web worker: streamed by default, handed to nginx when asked.

With RECTIFY_ACCEL_REDIRECT (the `internal` nginx location over MEDIA_ROOT) the view still decides
who may read the file, and answers with an empty body and X-Accel-Redirect for nginx to send it.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client

from rectify.progress import services

from ..api.test_api import token_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOCATION = "/protected/media/"


@pytest.fixture
def evidence(ledger, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = services.submit_report(
        world.bob,
        ledger.measures[(1, 1)].pk,
        text="已制定执法规范。",
        files=[SimpleUploadedFile("执法规范 2025.pdf", PDF, content_type="application/pdf")],
    )
    return report.evidence.get()


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def assert_handed_to_nginx(response, evidence) -> None:
    assert response.status_code == 200
    assert not isinstance(response, FileResponse) and response.content == b""
    assert response["X-Accel-Redirect"] == LOCATION + quote(evidence.file.name)
    assert response["X-Accel-Redirect"].startswith("/protected/media/evidence/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%89%A7%E6%B3%95%E8%A7%84%E8%8C%83%202025.pdf"
    )
    assert response["Cache-Control"] == "private, no-store"


def test_by_default_the_file_is_streamed(evidence):
    response = signed_in("alice").get(f"/evidence/{evidence.pk}/")
    assert isinstance(response, FileResponse) and "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PDF


def test_with_accel_redirect_nginx_sends_the_file_from_the_page(evidence, settings):
    settings.RECTIFY_ACCEL_REDIRECT = LOCATION
    assert_handed_to_nginx(signed_in("alice").get(f"/evidence/{evidence.pk}/"), evidence)


def test_with_accel_redirect_nginx_sends_the_file_from_the_api(evidence, settings):
    settings.RECTIFY_ACCEL_REDIRECT = LOCATION
    api = Client()
    response = api.get(f"/api/v1/evidence/{evidence.pk}", headers=token_for(api, "larry"))
    assert_handed_to_nginx(response, evidence)


def test_with_accel_redirect_the_view_still_decides_who_may_read(evidence, settings):
    settings.RECTIFY_ACCEL_REDIRECT = LOCATION
    response = signed_in("charlie").get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_with_accel_redirect_a_file_gone_from_the_store_is_said_in_chinese(evidence, settings):
    settings.RECTIFY_ACCEL_REDIRECT = LOCATION
    evidence.file.storage.delete(evidence.file.name)
    response = signed_in("alice").get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 404 and "X-Accel-Redirect" not in response
    assert "文件已不在存储中" in response.content.decode()
