"""Defect 1 of issue 11: responsible and supporting units are units of the inspected organisation's
own tree, by the one rule (org.models.units_within) that feedback routing follows too. Another
organisation's department named as a unit is refused in Chinese and changes nothing; a body outside
the tree is recorded by name only and sees nothing."""

import pytest
from django.test import Client

from rectify.errors import InvalidInput
from rectify.feedback.services import routable_units
from rectify.ledger.models import Measure, MeasureUnit
from rectify.ledger.services import assignable_units, update_measure_assignment
from rectify.org.access import VIEW
from rectify.org.models import units_within


def _units(measure: Measure) -> set[tuple[str, str]]:
    return set(MeasureUnit.objects.filter(measure=measure).values_list("unit__code", "role"))


def test_measures_and_feedback_routing_take_units_from_one_rule(world, ledger):
    bureau_a = world.orgs["a"]
    within = set(units_within(bureau_a))
    assert within == {bureau_a, world.orgs["a1"], world.orgs["a1squad"], world.orgs["a2"]}
    assert set(assignable_units(ledger.inspection)) == within
    assert set(routable_units(bureau_a)) == within - {bureau_a}  # the office does not route to itself


def test_patching_another_organisations_department_into_units_is_refused_and_changes_nothing(world, ledger):
    measure = ledger.measures[(2, 1)]
    before = _units(measure)
    client = Client()
    client.force_login(world.alice)
    for field in ("units", "supporting_units"):
        response = client.patch(
            f"/api/v1/measures/{measure.pk}",
            {"version": measure.version, field: [world.orgs["b1"].pk]},
            content_type="application/json",
        )
        assert response.status_code in (400, 422), response.content
        assert "乙局办公室" in response.json()["detail"] and "甲局" in response.json()["detail"]
    measure.refresh_from_db()
    assert _units(measure) == before and measure.version == 1
    # The outsider's people see nothing of A's measure.
    assert not Measure.objects.restrict(world.charlie, VIEW).filter(pk=measure.pk).exists()


def test_the_service_and_the_form_refuse_a_unit_outside_the_tree(world, ledger):
    measure = ledger.measures[(1, 1)]
    with pytest.raises(InvalidInput, match="不是甲局或其下属单位"):
        update_measure_assignment(world.alice, measure.pk, version=1, units=[world.orgs["b1"]])
    client = Client()
    client.force_login(world.alice)
    response = client.post(
        f"/measures/{measure.pk}/edit/",
        {
            "version": 1,
            "responsible_unit": world.orgs["b1"].pk,
            "units": [world.orgs["b1"].pk],
            "category": measure.category,
        },
    )
    assert response.status_code == 400
    assert _units(measure) == {("a-unit-1", "responsible")}


def test_a_body_outside_the_tree_is_recorded_by_name_only(world, ledger):
    measure = ledger.measures[(1, 1)]
    client = Client()
    client.force_login(world.alice)
    response = client.patch(
        f"/api/v1/measures/{measure.pk}",
        {"version": 1, "outside_units": "某区人民政府"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["outside_units"] == "某区人民政府" and response.json()["version"] == 2
    assert _units(measure) == {("a-unit-1", "responsible")}
    page = client.get(f"/measures/{measure.pk}/").content.decode()
    assert "系统外承办单位" in page and "某区人民政府" in page
