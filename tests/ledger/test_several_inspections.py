"""An office working two inspections together (结合十二届市委第六轮巡察反馈意见整改工作): one ledger over
both, on the page, in the Excel export and through the API, each row saying its inspection."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from rectify.ledger.models import Inspection, Measure
from rectify.notices.importer import import_notice

from ..conftest import small_notice
from ..ledger_excel.conftest import read


@pytest.fixture
def audit(ledger, world):
    """Bureau A's second inspection (an audit) beside the patrol of the `ledger` fixture."""
    inspection = import_notice(
        small_notice("中共甲局党组关于审计整改进展情况的通报"), organisation=world.orgs["a"], user=world.alice
    )
    Inspection.objects.filter(pk=ledger.inspection.pk).update(round_name="十二届市委第六轮")
    Inspection.objects.filter(pk=inspection.pk).update(title="2024年审计", kind="audit")
    return Inspection.objects.get(pk=inspection.pk)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ids_of(*inspections) -> set[int]:
    return set(Measure.objects.filter(problem__inspection__in=inspections).values_list("pk", flat=True))


def test_the_page_lists_both_inspections_and_each_row_names_its_own(ledger, audit, world):
    client = signed_in(world.alice)
    both = {"inspection": [ledger.inspection.pk, audit.pk]}
    response = client.get("/measures/", both)
    assert response.status_code == 200
    assert {measure.pk for measure in response.context["page"].object_list} == ids_of(
        ledger.inspection, audit
    )
    page = response.content.decode()
    assert 'class="row-inspection"' in page
    assert "十二届市委第六轮巡察" in page and "2024年审计" in page
    # Checkboxes, both checked, inside a fieldset with a legend: works without JS.
    assert page.count('type="checkbox" name="inspection"') >= 2
    assert f'value="{audit.pk}" id="id_inspection_' in page
    assert "<legend>巡察" in page

    one = client.get("/measures/", {"inspection": audit.pk})
    assert {measure.pk for measure in one.context["page"].object_list} == ids_of(audit)
    assert 'class="row-inspection"' not in one.content.decode()


def test_the_page_offers_one_export_over_both(ledger, audit, world):
    client = signed_in(world.alice)
    page = client.get("/measures/", {"inspection": [ledger.inspection.pk, audit.pk]}).content.decode()
    url = reverse("ledger_excel:export-several")
    assert f'href="{url}?inspection={ledger.inspection.pk}&amp;inspection={audit.pk}&amp;list=all"' in page

    download = client.get(url, {"inspection": [ledger.inspection.pk, audit.pk], "list": "tasks"})
    assert download.status_code == 200
    sheet = read(download.content)
    assert sheet["A1"].value == "甲局关于十二届市委第六轮巡察和2024年审计反馈问题整改任务清单"
    assert sheet.cell(row=3, column=1).value == "巡察"
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[4]]
    assert len(rows) == len(ids_of(ledger.inspection, audit)) == 10
    named = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert named.count("十二届市委第六轮巡察") == 3 and named.count("2024年审计") == 3  # merged per problem


def test_the_export_over_both_keeps_the_other_filters(ledger, audit, world):
    client = signed_in(world.alice)
    query = {"inspection": [ledger.inspection.pk, audit.pk], "unit": world.orgs["a2"].pk, "list": "tasks"}
    download = client.get(reverse("ledger_excel:export-several"), query)
    rows = [row for row in read(download.content).iter_rows(min_row=4, values_only=True) if row[4]]
    # Only the first inspection's measures were given to A2 (the audit's are all the bureau's).
    assert len(rows) == 2


def test_the_api_lists_and_exports_both(ledger, audit, world):
    client = signed_in(world.alice)
    query = f"inspection={ledger.inspection.pk}&inspection={audit.pk}"
    listed = client.get(f"/api/v1/measures?{query}&page_size=200").json()
    assert {item["id"] for item in listed["items"]} == ids_of(ledger.inspection, audit)
    assert {item["inspection_id"] for item in listed["items"]} == {ledger.inspection.pk, audit.pk}

    exported = client.get(f"/api/v1/ledger.xlsx?{query}&list=all")
    assert exported.status_code == 200
    assert read(exported.content)["A1"].value.endswith("反馈问题整改台账")


def test_an_inspection_the_user_may_not_see_is_refused_in_chinese(ledger, audit, world):
    client = signed_in(world.alice)
    foreign = [ledger.inspection.pk, ledger.other.pk]
    page = client.get("/measures/", {"inspection": foreign})
    assert page.context["page"].paginator.count == 0
    assert "所选巡察不存在，或您无权查看。" in page.content.decode()

    for url in ("/api/v1/measures", "/api/v1/ledger.xlsx", reverse("ledger_excel:export-several")):
        refused = client.get(url, {"inspection": foreign})
        assert refused.status_code == 400, url
        assert "所选巡察不存在，或您无权查看。" in refused.content.decode()

    nothing = client.get("/api/v1/ledger.xlsx")
    assert nothing.status_code == 400
    assert "请选择要合并导出的巡察" in nothing.json()["detail"]


def test_the_inspection_list_and_page_offer_to_read_both_together(ledger, audit, world):
    client = signed_in(world.alice)
    link = f"/measures/?inspection={ledger.inspection.pk}&amp;inspection={audit.pk}"
    listing = client.get("/inspections/").content.decode()
    assert "合并查看整改台账" in listing and link in listing
    detail = client.get(f"/inspections/{audit.pk}/").content.decode()
    assert "合并查看" in detail and link in detail

    # Once one of them is done (every measure signed off), there is nothing to read together.
    Measure.objects.filter(problem__inspection=audit).update(status="signed_off")
    assert "合并查看" not in client.get("/inspections/").content.decode()
    assert "合并查看" not in client.get(f"/inspections/{ledger.inspection.pk}/").content.decode()
