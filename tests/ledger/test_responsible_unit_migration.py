"""Migration 0005 gives every existing measure its 主责单位: the first responsible unit by its place in
the tree, or, for a measure with none, the inspected organisation itself (also made a responsible
unit, so the measure shows in that organisation's 我的整改)."""

import pytest

from ..migrating import back_at, forward_to

BEFORE = [("ledger", "0004_measure_responsible_unit")]
AFTER = [("ledger", "0006_measure_responsible_unit_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_measures_get_their_responsible_unit():
    with back_at(BEFORE) as apps:
        _check_the_migration(apps)


def _check_the_migration(apps):
    Organisation = apps.get_model("org", "Organisation")
    Inspection = apps.get_model("ledger", "Inspection")
    Area = apps.get_model("ledger", "Area")
    Problem = apps.get_model("ledger", "Problem")
    Measure = apps.get_model("ledger", "Measure")
    MeasureUnit = apps.get_model("ledger", "MeasureUnit")

    bureau = Organisation.objects.create(name="甲局", code="m-bureau", kind="party_organ", path="00000001/")
    first = Organisation.objects.create(
        name="甲局执法支队", code="m-a1", kind="affiliated", parent=bureau, path="00000001/00000002/"
    )
    second = Organisation.objects.create(
        name="甲局法规处", code="m-a2", kind="department", parent=bureau, path="00000001/00000003/"
    )
    inspection = Inspection.objects.create(title="常规巡察", inspected=bureau)
    area = Area.objects.create(inspection=inspection, order=1)
    problem = Problem.objects.create(inspection=inspection, area=area, number=1, title="问题")
    assigned = Measure.objects.create(problem=problem, order=1, text="有责任单位。")
    MeasureUnit.objects.create(measure=assigned, unit=second, role="responsible")
    MeasureUnit.objects.create(measure=assigned, unit=first, role="responsible")
    supported = Measure.objects.create(problem=problem, order=2, text="只有配合单位。")
    MeasureUnit.objects.create(measure=supported, unit=first, role="supporting")
    bare = Measure.objects.create(problem=problem, order=3, text="尚未分工。")

    apps = forward_to(AFTER)
    Measure = apps.get_model("ledger", "Measure")
    MeasureUnit = apps.get_model("ledger", "MeasureUnit")

    def units(measure_id):
        return set(MeasureUnit.objects.filter(measure_id=measure_id).values_list("unit__code", "role"))

    assert Measure.objects.get(pk=assigned.pk).responsible_unit_id == first.pk  # first in the tree
    assert Measure.objects.get(pk=supported.pk).responsible_unit_id == bureau.pk
    assert units(supported.pk) == {("m-a1", "supporting"), ("m-bureau", "responsible")}
    assert Measure.objects.get(pk=bare.pk).responsible_unit_id == bureau.pk
    assert units(bare.pk) == {("m-bureau", "responsible")}
