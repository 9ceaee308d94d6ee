"""A notice already imported is refused at once, by the preview page and the API's dry run, naming the
inspection it was imported as; nothing new is written."""

from django.test import Client
from django.utils import timezone

from rectify.documents import date_label
from rectify.ledger.models import Inspection

from ..api.test_api import token_for
from ..conftest import GUANGZHOU


def imported_once(world) -> Inspection:
    client = Client()
    client.force_login(world.alice)
    with GUANGZHOU.open("rb") as notice:
        preview = client.post("/notices/import/", {"organisation": world.orgs["a"].pk, "file": notice})
    assert preview.status_code == 200
    client.post("/notices/import/", {"organisation": world.orgs["a"].pk, "token": preview.context["token"]})
    return Inspection.objects.get()


def refusal_of(inspection: Inspection) -> str:
    day = date_label(timezone.localdate(inspection.created_at))
    return f"该通报已于{day}导入为“{inspection.title}”，不能重复导入。"


def test_the_preview_says_the_notice_was_already_imported(world):
    inspection = imported_once(world)
    client = Client()
    client.force_login(world.alice)
    with GUANGZHOU.open("rb") as notice:
        response = client.post("/notices/import/", {"organisation": world.orgs["a"].pk, "file": notice})
    page = response.content.decode()
    assert response.status_code == 400
    assert refusal_of(inspection) in page
    assert "确认导入" not in page and "预览：" not in page
    assert Inspection.objects.count() == 1


def test_the_dry_run_says_the_notice_was_already_imported(world):
    inspection = imported_once(world)
    api = Client(enforce_csrf_checks=True)
    with GUANGZHOU.open("rb") as notice:
        response = api.post(
            "/api/v1/inspections/import?dry_run=true",
            {"organisation": "bureau-a", "file": notice},
            headers=token_for(api, "alice"),
        )
    assert response.status_code == 400 and response.json()["detail"] == refusal_of(inspection)
    with GUANGZHOU.open("rb") as notice:
        real = api.post(
            "/api/v1/inspections/import",
            {"organisation": "bureau-a", "file": notice},
            headers=token_for(api, "alice"),
        )
    assert real.status_code == 400 and real.json()["detail"] == refusal_of(inspection)
    assert Inspection.objects.count() == 1


def test_another_organisation_may_import_the_same_notice(world):
    imported_once(world)
    client = Client()
    client.force_login(world.charlie)
    with GUANGZHOU.open("rb") as notice:
        response = client.post("/notices/import/", {"organisation": world.orgs["b"].pk, "file": notice})
    assert response.status_code == 200 and "确认导入" in response.content.decode()
