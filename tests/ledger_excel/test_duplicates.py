"""A ledger already imported (same inspection name and feedback date for the organisation) is refused at
the preview and by the API's dry run, naming the inspection, not only at the last step."""

from django.test import Client
from django.utils import timezone

from rectify.documents import date_label
from rectify.ledger.models import Inspection

from ..api.test_api import token_for
from .conftest import ledger_counts, signed_in, upload
from .test_api import IMPORT, sample
from .test_views import mapping_post, office_ledger, start

TITLE = "市委第七巡察组常规巡察"


def refusal_of(inspection: Inspection) -> str:
    day = date_label(timezone.localdate(inspection.created_at))
    return f"该台账已于{day}导入为“{inspection.title}”，不能重复导入。"


def imported_through_the_api(api: Client) -> Inspection:
    fields = {"organisation": "bureau-a", "title": TITLE, "feedback_date": "2025-03-01"}
    response = api.post(IMPORT, {**fields, "file": upload(sample())}, headers=token_for(api, "alice"))
    assert response.status_code == 201, response.content
    return Inspection.objects.get()


def test_the_dry_run_names_the_inspection_already_imported(world):
    api = Client(enforce_csrf_checks=True)
    inspection = imported_through_the_api(api)
    before = ledger_counts()
    fields = {"organisation": "bureau-a", "title": TITLE, "feedback_date": "2025-03-01", "dry_run": "true"}
    response = api.post(IMPORT, {**fields, "file": upload(sample())}, headers=token_for(api, "alice"))
    assert response.status_code == 400
    assert [error["message"] for error in response.json()["errors"]] == [
        refusal_of(inspection) + "如确是另一次巡察，请修改巡察名称。"
    ]
    assert ledger_counts() == before


def test_the_preview_page_names_the_inspection_already_imported(world):
    client = signed_in("alice")
    url = start(client, world, office_ledger())
    context = client.get(url).context
    first = client.post(url, mapping_post(context, title=TITLE, feedback_date="2025-03-01", action="preview"))
    assert first.status_code == 200
    client.post(url + "confirm/", mapping_post(context, title=TITLE, feedback_date="2025-03-01"))
    inspection = Inspection.objects.get()
    before = ledger_counts()
    url = start(client, world, office_ledger())
    context = client.get(url).context
    again = client.post(url, mapping_post(context, title=TITLE, feedback_date="2025-03-01", action="preview"))
    html = again.content.decode()
    assert again.status_code == 400 and refusal_of(inspection) in html and "确认导入" not in html
    renamed = client.post(url, mapping_post(context, title=TITLE + "（第二次）", action="preview"))
    assert renamed.status_code == 200 and ledger_counts() == before
