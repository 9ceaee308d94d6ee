"""The ledger's filters are declared once (ledger.filters.MeasureFilterSet): the page, the Excel
export and the API take the same parameters and list the same measures."""

from datetime import date, timedelta

from django.test import Client
from django.urls import reverse

from rectify.ledger.choices import MeasureStatus
from rectify.ledger.filters import MeasureFilterSet
from rectify.ledger.models import Area, Measure
from rectify.notices.importer import import_notice
from rectify.progress import ledger_excel
from rectify.schemas import Paging, query_schema

from ..conftest import small_notice
from ..ledger_excel.conftest import read


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure_ids_on_page(client, query) -> set[int]:
    response = client.get("/measures/", query)
    assert response.status_code == 200
    return {measure.pk for measure in response.context["page"].object_list}


def test_page_api_and_export_list_the_same_measures(ledger, world):
    Measure.objects.filter(problem__inspection=ledger.inspection, problem__number=2).update(
        status=MeasureStatus.IN_PROGRESS, deadline=date.today() - timedelta(days=3)
    )
    client = signed_in(world.alice)
    query = {"inspection": ledger.inspection.pk, "unit": world.orgs["a2"].pk}
    expected = set(
        Measure.objects.filter(
            problem__inspection=ledger.inspection, unit_links__unit=world.orgs["a2"]
        ).values_list("pk", flat=True)
    )
    assert expected and measure_ids_on_page(client, query) == expected

    api = client.get("/api/v1/measures", query).json()
    assert {item["id"] for item in api["items"]} == expected

    content, _name = ledger_excel.export_ledger(
        world.alice, ledger.inspection.pk, "tasks", conditions={"unit": world.orgs["a2"].pk}
    )
    exported = [row for row in read(content).iter_rows(min_row=4, values_only=True) if row[0]]
    assert len(exported) == len(expected)

    overdue = {"inspection": ledger.inspection.pk, "overdue": "1"}
    late = set(ledger.inspection.problems.get(number=2).measures.values_list("pk", flat=True))
    assert measure_ids_on_page(client, overdue) == late
    assert {item["id"] for item in client.get("/api/v1/measures", overdue).json()["items"]} == late


def test_the_page_offers_the_filtered_export_within_one_inspection(ledger, world):
    client = signed_in(world.alice)
    page = client.get("/measures/", {"inspection": ledger.inspection.pk, "status": MeasureStatus.NOT_STARTED})
    assert "导出筛选结果（Excel）" in page.content.decode()
    export_url = reverse("ledger_excel:export", args=[ledger.inspection.pk])
    link = f"{export_url}?inspection={ledger.inspection.pk}"
    assert link in page.content.decode().replace("&amp;", "&")
    assert "导出筛选结果" not in client.get("/measures/").content.decode()  # several inspections: no export

    download = client.get(export_url, {"list": "tasks", "status": MeasureStatus.SIGNED_OFF})
    assert download.status_code == 200
    rows = [row for row in read(download.content).iter_rows(min_row=4, values_only=True) if row[0]]
    assert rows == []  # nothing is signed off yet: the filter narrowed the export to nothing


def test_a_value_the_user_may_not_ask_for_lists_nothing_and_the_api_refuses_it(ledger, world):
    client = signed_in(world.alice)
    response = client.get("/measures/", {"inspection": ledger.other.pk})
    assert response.context["page"].paginator.count == 0
    assert "所选巡察不存在，或您无权查看。" in response.content.decode()
    refused = client.get("/api/v1/measures", {"inspection": ledger.other.pk})
    assert refused.status_code == 400
    assert "所选巡察不存在，或您无权查看。" in refused.json()["detail"]


def test_the_api_parameters_are_derived_from_the_filter_set():
    schema = query_schema("Probe", MeasureFilterSet, base=Paging)
    assert set(schema.model_fields) == set(MeasureFilterSet.base_filters) | set(Paging.model_fields)
    parameters = schema.model_json_schema()["properties"]
    assert parameters["q"]["maxLength"] == 100
    assert {"enum": list(MeasureStatus.values), "type": "string"} in parameters["status"]["anyOf"]


def test_the_area_list_holds_the_chosen_inspections_areas_and_a_link_s_area(ledger, world):
    """问题方面 offers the titled areas of the chosen inspections only (a province's inspections have
    thousands), none before one is chosen; an area given alone (a dashboard's link) still filters, on
    the page and in the API; the htmx answer brings the list for the inspections now ticked."""
    second = import_notice(
        small_notice("关于第二轮巡察整改进展情况的通报"), organisation=world.orgs["a"], user=world.alice
    )
    client = signed_in(world.alice)

    def offered(query: dict, **headers) -> list[str]:
        response = client.get("/measures/", query, headers=headers)
        assert response.status_code == 200
        return [label for value, label in response.context["form"].fields["area"].choices if value]

    first_areas = list(Area.objects.filter(inspection=ledger.inspection).exclude(title=""))
    second_titles = list(
        Area.objects.filter(inspection=second).exclude(title="").values_list("title", flat=True)
    )
    assert offered({}) == []
    assert "选择巡察后列出其问题方面" in client.get("/measures/").content.decode()
    assert offered({"inspection": ledger.inspection.pk}) == [area.title for area in first_areas]
    both = {"inspection": [ledger.inspection.pk, second.pk]}
    assert offered(both) == [area.title for area in first_areas] + second_titles

    area = first_areas[0]
    expected = set(Measure.objects.filter(problem__area=area).values_list("pk", flat=True))
    assert expected and measure_ids_on_page(client, {"area": area.pk}) == expected
    assert offered({"area": area.pk}) == [area.title]
    assert {
        item["id"] for item in client.get("/api/v1/measures", {"area": area.pk}).json()["items"]
    } == expected

    swapped = client.get(
        "/measures/", {"inspection": second.pk}, headers={"HX-Request": "true"}
    ).content.decode()
    second_ids = Area.objects.filter(inspection=second).exclude(title="").values_list("pk", flat=True)
    assert 'id="area-field" hx-swap-oob="true"' in swapped
    assert all(f'<option value="{pk}"' in swapped for pk in second_ids)
    assert f'<option value="{area.pk}"' not in swapped
