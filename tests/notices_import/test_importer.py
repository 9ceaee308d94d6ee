"""Importing a notice writes the whole inspection in one transaction, or nothing."""

import pytest

from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger.models import Area, Inspection, Measure, Problem
from rectify.notices.document import NoticeArea, NoticeMeasure, NoticeProblem
from rectify.notices.importer import import_notice, organisation_name_from

from ..conftest import small_notice


def test_import_writes_areas_problems_and_measures_in_order(world):
    inspection = import_notice(small_notice(), organisation=world.orgs["a"], user=world.alice)
    assert inspection.title == "市委第一巡察组常规巡察"
    assert (inspection.inspecting_body, inspection.inspected_name, inspection.kind) == (
        "市委第一巡察组",
        "甲局党组",
        "patrol",
    )
    assert [a.title for a in inspection.areas.order_by("order")] == ["关于执法方面", "关于服务方面"]
    assert list(inspection.problems.order_by("number").values_list("number", "title")) == [
        (1, "执法不规范的整改"),
        (2, "非法营运打击不力的整改"),
        (3, "审批时限过长的整改"),
    ]
    measures = Measure.objects.filter(problem__inspection=inspection).order_by("problem__number", "order")
    assert [(m.problem.number, m.order, m.text) for m in measures][:2] == [
        (1, 1, "规范执法程序。"),
        (1, 2, "加强执法培训。"),
    ]
    assert {m.status for m in measures} == {"not_started"} and {m.version for m in measures} == {1}
    assert inspection.created_by == world.alice


def test_a_failure_midway_writes_nothing(world):
    notice = small_notice()
    # Two problems numbered 3: the database refuses the second, after areas and problems were written.
    notice.areas[1].problems.append(NoticeProblem(3, "重复编号的问题", [NoticeMeasure("措施。")]))
    with pytest.raises(InvalidInput) as error:
        import_notice(notice, organisation=world.orgs["a"], user=world.alice)
    assert "未导入任何内容" in error.value.message
    assert (
        Inspection.objects.count(),
        Area.objects.count(),
        Problem.objects.count(),
        Measure.objects.count(),
    ) == (0, 0, 0, 0)


def test_the_same_notice_is_not_imported_twice(world):
    import_notice(small_notice(), organisation=world.orgs["a"], user=world.alice)
    with pytest.raises(InvalidInput, match="不能重复导入"):
        import_notice(small_notice(), organisation=world.orgs["a"], user=world.alice)
    assert Inspection.objects.count() == 1


@pytest.mark.parametrize("name", ["larry", "bob", "vera", "sam", "charlie"])
def test_only_the_office_of_the_organisation_imports(world, name):
    with pytest.raises(AccessDenied):
        import_notice(small_notice(), organisation=world.orgs["a"], user=world.people[name])
    assert not Inspection.objects.exists()


def test_a_notice_without_problems_is_refused(world):
    notice = small_notice()
    notice.areas = [NoticeArea(title="", problems=[])]
    with pytest.raises(InvalidInput, match="没有识别到整改问题"):
        import_notice(notice, organisation=world.orgs["a"], user=world.alice)


def test_the_command_line_creates_the_organisation_named_by_the_signature(db):
    from rectify.org.models import Organisation

    notice = small_notice()
    assert organisation_name_from(notice) == "甲局"
    inspection = import_notice(notice)
    assert inspection.inspected.name == "甲局"
    assert Organisation.objects.get(name="甲局").code.startswith("org-")
