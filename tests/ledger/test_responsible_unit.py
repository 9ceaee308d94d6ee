"""Issue 13, part 4: a measure always has exactly one responsible unit (主责单位), in the form, the API
and the database. Refusals are in Chinese, answer 400 and change nothing; a notice that names no unit
gives the inspected organisation itself."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from rectify.ledger.models import Measure, MeasureUnit
from rectify.notices.importer import import_notice

from ..conftest import small_notice


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _state(measure: Measure) -> tuple:
    measure.refresh_from_db()
    links = set(MeasureUnit.objects.filter(measure=measure).values_list("unit__code", "role"))
    return measure.version, measure.responsible_unit_id, links


def test_the_database_refuses_a_measure_without_a_responsible_unit(ledger):
    problem = ledger.measures[(1, 1)].problem
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(problem=problem, order=9, text="无主责单位的措施。")


def test_the_form_refuses_a_measure_without_a_responsible_unit(world, ledger):
    measure = ledger.measures[(1, 1)]
    before = _state(measure)
    form = {"version": 1, "units": [world.orgs["a2"].pk], "category": "deadline", "deadline": "2025-09-30"}
    response = _client(world.alice).post(f"/measures/{measure.pk}/edit/", form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "请选择主责单位：每项整改措施必须有且只有一个主责单位。" in page
    assert _state(measure) == before


def test_the_form_shows_and_changes_the_responsible_unit(world, ledger):
    measure = ledger.measures[(3, 1)]  # A1 responsible, A2 supporting
    client = _client(world.alice)
    page = client.get(f"/measures/{measure.pk}/edit/").content.decode()
    assert "主责单位" in page and 'name="responsible_unit"' in page
    form = {
        "version": 1,
        "responsible_unit": world.orgs["a2"].pk,
        "units": [world.orgs["a1"].pk],
        "category": "deadline",
        "deadline": "2025-09-30",
    }
    response = client.post(f"/measures/{measure.pk}/edit/", form)
    assert response.status_code == 302
    _, main, links = _state(measure)
    assert main == world.orgs["a2"].pk  # a supporting unit made the main one is no longer supporting
    assert links == {("a-unit-1", "responsible"), ("a-unit-2", "responsible")}
    page = client.get(f"/measures/{measure.pk}/").content.decode()
    assert "主责单位" in page and "甲局法规处" in page


@pytest.mark.parametrize(
    "body",
    [
        {"units": []},
        {"responsible_unit": None},
        {"responsible_unit": None, "units": []},
    ],
)
def test_the_api_refuses_a_measure_without_a_responsible_unit(world, ledger, body):
    measure = ledger.measures[(1, 1)]
    before = _state(measure)
    response = _client(world.alice).patch(
        f"/api/v1/measures/{measure.pk}", {"version": 1, **body}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("每项整改措施必须有且只有一个主责单位")
    assert _state(measure) == before


def test_the_api_names_and_changes_the_responsible_unit(world, ledger):
    measure = ledger.measures[(1, 2)]  # A1 responsible, its squad supporting
    client = _client(world.alice)
    data = client.get(f"/api/v1/measures/{measure.pk}").json()
    assert data["responsible_unit"] == {"id": world.orgs["a1"].pk, "name": "甲局执法支队"}
    response = client.patch(
        f"/api/v1/measures/{measure.pk}",
        {"version": 1, "responsible_unit": world.orgs["a2"].pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["responsible_unit"]["name"] == "甲局法规处"
    assert [unit["name"] for unit in data["units"]] == ["甲局法规处", "甲局执法支队"]  # the main one first
    assert [unit["name"] for unit in data["supporting_units"]] == ["甲局执法支队一大队"]
    # Units named without the main one: the first named takes its place.
    response = client.patch(
        f"/api/v1/measures/{measure.pk}",
        {"version": 2, "units": [world.orgs["a1"].pk]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["responsible_unit"]["name"] == "甲局执法支队"
    assert _state(measure)[2] == {("a-unit-1", "responsible"), ("a-unit-1-squad", "supporting")}


def test_a_responsible_unit_of_another_organisation_is_refused(world, ledger):
    measure = ledger.measures[(1, 1)]
    before = _state(measure)
    response = _client(world.alice).patch(
        f"/api/v1/measures/{measure.pk}",
        {"version": 1, "responsible_unit": world.orgs["b1"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "不是甲局或其下属单位" in response.json()["detail"]
    assert _state(measure) == before


def test_an_imported_notice_gives_each_measure_the_inspected_organisation(world):
    inspection = import_notice(small_notice(), organisation=world.orgs["a"], user=world.alice)
    measures = Measure.objects.filter(problem__inspection=inspection)
    assert measures.count() == 5
    assert set(measures.values_list("responsible_unit", flat=True)) == {world.orgs["a"].pk}
    links = MeasureUnit.objects.filter(measure__in=measures)
    assert set(links.values_list("unit", "role")) == {(world.orgs["a"].pk, "responsible")}
    assert links.count() == 5
    # The office finds them in the ledger under the bureau, not lost between units.
    page = _client(world.alice).get(f"/measures/?responsible={world.orgs['a'].pk}").content.decode()
    assert "规范执法程序" in page
