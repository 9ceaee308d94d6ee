"""Round trip: a ledger exported to Excel and imported into an empty organisation is the same ledger
(areas, problems, measures, texts, deadlines, categories, units by name, leaders by name)."""

from datetime import date, timedelta

import pytest

from rectify.ledger import excel_import
from rectify.ledger.models import Inspection, Measure, MeasureUnit
from rectify.notices.importer import import_notice
from rectify.notices.parser import parse_file
from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User
from rectify.progress import ledger_excel

from ..conftest import GUANGZHOU


def snapshot(inspection: Inspection) -> list:
    measures = (
        Measure.objects.filter(problem__inspection=inspection)
        .select_related("lead_leader")
        .prefetch_related("unit_links__unit")
        .order_by("order")
    )
    by_problem: dict[int, list] = {}
    for m in measures:
        by_problem.setdefault(m.problem_id, []).append(
            (
                m.order,
                m.text,
                m.deadline,
                m.category,
                m.lead_leader.full_name if m.lead_leader else None,
                sorted(unit.name for unit in m.responsible_units),
                sorted(unit.name for unit in m.supporting_units),
            )
        )
    return [
        (
            area.order,
            area.title,
            [
                (p.number, p.title, p.description, by_problem.get(p.pk, []))
                for p in area.problems.order_by("number")
            ],
        )
        for area in inspection.areas.order_by("order")
    ]


@pytest.fixture
def empty_bureau(world):
    """Bureau C: an office, and a leader who has the same name as bureau A's (another person)."""
    bureau = Organisation.objects.create(
        name="丙局", code="bureau-c", kind=OrganisationKind.PARTY_ORGAN, parent=world.orgs["city"]
    )
    office = User.objects.create_user("olivia", full_name="欧维")
    Membership.objects.create(user=office, organisation=bureau, role=Role.OFFICE)
    namesake = User.objects.create_user("li-c", full_name="李瑞")
    Membership.objects.create(user=namesake, organisation=bureau, role=Role.LEADER)
    return bureau, office, namesake


@pytest.mark.parametrize("list_key", ["all", "responsibility"])
def test_export_then_import_into_an_empty_organisation_gives_the_same_ledger(
    lived, world, empty_bureau, list_key
):
    bureau, office, namesake = empty_bureau
    content, name = ledger_excel.export_ledger(world.alice, lived.inspection.pk, list_key)
    copy = excel_import.import_ledger(office, bureau, content, source_name=name)
    assert snapshot(copy) == snapshot(lived.inspection)
    # The inspection's own fields come back from the facts row above the header.
    original = lived.inspection
    assert (copy.title, copy.inspecting_body, copy.kind, copy.feedback_date) == (
        original.title,
        original.inspecting_body,
        original.kind,
        original.feedback_date,
    )
    assert copy.inspected == bureau and copy.source_name == name
    # The leader is bureau C's namesake; the units are bureau C's new departments.
    copied = Measure.objects.filter(problem__inspection=copy)
    assert set(copied.values_list("lead_leader", flat=True)) == {namesake.pk}
    units = Organisation.objects.filter(pk__in=MeasureUnit.objects.filter(measure__in=copied).values("unit"))
    assert {(unit.parent_id, unit.kind) for unit in units} == {(bureau.pk, "department")}
    assert sorted(units.values_list("name", flat=True)) == [
        "甲局执法支队",
        "甲局执法支队一大队",
        "甲局法规处",
    ]


def test_a_real_notice_survives_the_round_trip(world, empty_bureau):
    """The Guangzhou notice (17 problems, 36 measures, long texts), assigned and dated, then exported
    and imported: every text, date, category, unit and leader comes back."""
    bureau, office, _ = empty_bureau
    inspection = import_notice(parse_file(GUANGZHOU), organisation=world.orgs["a"], user=world.alice)
    units = [world.orgs["a1"], world.orgs["a2"], world.orgs["a1squad"]]
    categories = ["immediate", "deadline", "long_term"]
    measures = Measure.objects.filter(problem__inspection=inspection).order_by("problem__number", "order")
    for index, measure in enumerate(measures):
        category = categories[index % 3]
        measure.category = category
        measure.deadline = (
            None if category == "long_term" and index % 2 else date(2025, 1, 31) + timedelta(index * 9)
        )
        measure.lead_leader = world.larry if index % 4 else None
        measure.save()
        MeasureUnit.objects.create(measure=measure, unit=units[index % 3], role="responsible")
        if index % 5 == 0:
            MeasureUnit.objects.create(measure=measure, unit=units[(index + 1) % 3], role="supporting")
    content, _ = ledger_excel.export_ledger(world.alice, inspection.pk, "all")
    copy = excel_import.import_ledger(office, bureau, content)
    assert snapshot(copy) == snapshot(inspection)
    assert copy.problems.count() == 17 and Measure.objects.filter(problem__inspection=copy).count() == 36


def test_an_exported_ledger_with_an_extension_reads_back_at_its_current_deadline(lived, world, empty_bureau):
    """The 延期情况 column is not imported (no warning, no error); the deadline comes back as it stands."""
    from rectify.supervision import deadline_extensions as extensions

    bureau, office, _ = empty_bureau
    measure = lived.measures[(1, 2)]
    asked = extensions.request_extension(world.bob, measure.pk, date(2026, 3, 31), "需协调市级部门")
    extensions.decide_extension(world.alice, asked.pk, "approve")
    content, name = ledger_excel.export_ledger(world.alice, lived.inspection.pk, "all")
    sheet = excel_import.read_workbook(content)
    column = next(column for column in sheet.columns if column.header == "延期情况")
    assert column.not_imported
    copy = excel_import.import_ledger(office, bureau, content, source_name=name)
    assert snapshot(copy) == snapshot(lived.inspection)
    moved = Measure.objects.get(problem__inspection=copy, problem__number=1, order=2)
    assert moved.deadline == date(2026, 3, 31)
