"""Ledger rules: filters, derived overdue, counts, and the office's assignment edit."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.ledger import services
from rectify.ledger.choices import MeasureCategory, MeasureStatus
from rectify.ledger.filters import filter_measures
from rectify.ledger.models import Measure, MeasureUnit, Problem

TODAY = date(2025, 6, 1)


def keys(measures):
    return {(m.problem.number, m.order) for m in measures}


def test_filters_narrow_the_ledger(ledger, world):
    m = ledger.measures
    Measure.objects.filter(pk=m[(1, 1)].pk).update(
        status=MeasureStatus.SIGNED_OFF, deadline=TODAY - timedelta(days=9)
    )
    Measure.objects.filter(pk=m[(2, 1)].pk).update(
        status=MeasureStatus.IN_PROGRESS, deadline=TODAY - timedelta(days=1)
    )
    Measure.objects.filter(pk=m[(3, 2)].pk).update(
        category=MeasureCategory.LONG_TERM, status=MeasureStatus.ONGOING
    )

    def run(**filters):
        return keys(filter_measures(world.alice, filters, on=TODAY))

    area2 = ledger.inspection.areas.get(order=2)
    assert run() == {(1, 1), (1, 2), (2, 1), (3, 1), (3, 2)}
    assert run(area=area2.pk) == {(3, 1), (3, 2)}
    assert run(unit=world.orgs["a2"].pk) == {(2, 1), (3, 1)}
    assert run(unit=world.orgs["a1"].pk) == {(1, 1), (1, 2), (3, 1), (3, 2)}  # the squad's 1.2 counts too
    # The responsible unit itself only: A2 supports 3.1, the squad supports 1.2 and is responsible for none.
    assert run(responsible=world.orgs["a2"].pk) == {(2, 1)}
    assert run(responsible=world.orgs["a1squad"].pk) == set()
    assert run(status=MeasureStatus.SIGNED_OFF) == {(1, 1)}
    assert run(category=MeasureCategory.LONG_TERM) == {(3, 2)}
    assert run(overdue=True) == {(2, 1)}  # 1.1 is past its deadline but signed off
    assert run(overdue=False) == {(1, 1), (1, 2), (3, 1), (3, 2)}
    assert run(q="非法营运") == {(2, 1)}
    assert run(q="审批 网上") == {(3, 2)}
    assert run(leader=world.larry.pk) == run()
    assert run(inspection=ledger.other.pk) == set()  # Alice cannot see bureau B's


def test_overdue_is_derived_on_the_day_asked(ledger, world):
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=TODAY, status=MeasureStatus.IN_PROGRESS)
    assert not services.get_measure(world.alice, measure.pk, on=TODAY).is_overdue
    assert services.get_measure(world.alice, measure.pk, on=TODAY + timedelta(days=1)).is_overdue


def test_summary_counts_what_the_user_may_see(ledger, world):
    Measure.objects.filter(problem__number=2).update(status=MeasureStatus.SIGNED_OFF)
    office = services.summarise(world.alice, ledger.inspection, on=TODAY)
    assert (office.problems, office.measures, office.rectified_problems) == (3, 5, 1)
    assert office.by_status == {MeasureStatus.NOT_STARTED: 4, MeasureStatus.SIGNED_OFF: 1}
    unit = services.summarise(world.lisa, ledger.inspection, on=TODAY)
    assert (unit.problems, unit.measures) == (2, 2)


def test_office_edits_assignment_and_the_version_moves_on(ledger, world):
    measure = ledger.measures[(1, 1)]
    updated = services.update_measure_assignment(
        world.alice,
        measure.pk,
        version=1,
        lead_leader=None,
        units=[world.orgs["a2"]],
        supporting_units=[world.orgs["a1"]],
        deadline=date(2025, 12, 31),
        category=MeasureCategory.IMMEDIATE,
    )
    assert updated.version == 2
    assert [u.code for u in updated.responsible_units] == ["a-unit-2"]
    assert [u.code for u in updated.supporting_units] == ["a-unit-1"]
    assert (updated.deadline, updated.category, updated.lead_leader) == (
        date(2025, 12, 31),
        "immediate",
        None,
    )


def test_a_stale_edit_is_refused_and_changes_nothing(ledger, world):
    measure = ledger.measures[(1, 1)]
    services.update_measure_assignment(world.alice, measure.pk, version=1, deadline=date(2025, 9, 1))
    with pytest.raises(StaleEdit) as error:
        services.update_measure_assignment(world.alice, measure.pk, version=1, deadline=date(2026, 1, 1))
    assert "已被他人修改" in error.value.message and error.value.status == 409
    measure.refresh_from_db()
    assert (measure.version, measure.deadline) == (2, date(2025, 9, 1))


@pytest.mark.parametrize("name", ["larry", "vera", "sam", "hana", "bob"])
def test_only_the_office_may_edit(ledger, world, name):
    measure = ledger.measures[(1, 1)]
    with pytest.raises(AccessDenied):
        services.update_measure_assignment(
            world.people[name], measure.pk, version=1, deadline=date(2025, 9, 1)
        )
    measure.refresh_from_db()
    assert measure.version == 1


def test_an_outsider_is_told_the_measure_does_not_exist(ledger, world):
    with pytest.raises(NotFound):
        services.update_measure_assignment(
            world.charlie, ledger.measures[(1, 1)].pk, version=1, deadline=None
        )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"deadline": date(2024, 1, 1)}, "早于巡察反馈日期"),
        ({"category": "someday"}, "整改类型"),
        ({"deadline": None}, "必须填写整改时限"),
        ({"lead_leader": "bob"}, "不能担任牵头领导"),
        ({"units": ["a1"], "supporting_units": ["a1"]}, "不能同时"),
        ({"units": ["city"]}, "不能承担整改任务"),
    ],
)
def test_invalid_assignments_are_refused_in_chinese_and_change_nothing(ledger, world, changes, message):
    measure = ledger.measures[(2, 1)]
    resolved = {}
    for key, value in changes.items():
        if key == "lead_leader":
            value = world.people[value]
        elif key in ("units", "supporting_units"):
            value = [world.orgs[code] for code in value]
        resolved[key] = value
    with pytest.raises(InvalidInput) as error:
        services.update_measure_assignment(world.alice, measure.pk, version=1, **resolved)
    assert message in error.value.message
    measure.refresh_from_db()
    assert measure.version == 1
    assert list(MeasureUnit.objects.filter(measure=measure).values_list("unit__code", flat=True)) == [
        "a-unit-2"
    ]


def test_long_term_measures_may_have_no_deadline(ledger, world):
    measure = services.update_measure_assignment(
        world.alice, ledger.measures[(3, 2)].pk, version=1, category=MeasureCategory.LONG_TERM, deadline=None
    )
    assert measure.deadline is None and measure.category == "long_term"


def test_the_database_refuses_what_the_ledger_forbids(ledger):
    problem = Problem.objects.get(inspection=ledger.inspection, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Problem.objects.create(inspection=ledger.inspection, area=problem.area, number=1, title="重复编号")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=ledger.measures[(1, 1)].pk).update(status="finished-ish")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=ledger.measures[(1, 1)].pk).update(version=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureUnit.objects.create(
            measure=ledger.measures[(1, 1)],
            unit=ledger.measures[(1, 1)].responsible_units[0],
            role="supporting",
        )


def test_saving_without_changes_keeps_the_version(ledger, world):
    measure = ledger.measures[(2, 1)]
    same = services.update_measure_assignment(
        world.alice,
        measure.pk,
        version=1,
        units=[world.orgs["a2"]],
        supporting_units=[],
        lead_leader=world.larry,
    )
    assert same.version == 1


def test_history_shows_field_and_unit_changes_in_chinese(ledger, world):
    from auditlog.context import set_actor

    measure = ledger.measures[(2, 1)]
    with set_actor(world.alice):
        services.update_measure_assignment(
            world.alice, measure.pk, version=1, deadline=date(2025, 8, 1), units=[world.orgs["a1"]]
        )
    history = services.measure_history(measure)
    actions = [entry.action for entry in history[:3]]
    assert "移除责任单位：甲局法规处" in actions and "增加责任单位：甲局执法支队" in actions
    edit = next(entry for entry in history if entry.action == "修改" and entry.actor == "艾丽")
    # In any order: PostgreSQL's jsonb keeps the changed fields in its own order, SQLite in the model's.
    assert sorted(edit.changes) == sorted(
        [("主责单位", "甲局法规处", "甲局执法支队"), ("整改时限", "（空）", "2025年8月1日")]
    )
    assert all(field != "版本" for entry in history for field, _, _ in entry.changes)


def test_mechanisms_show_a_unit_only_the_problems_it_may_see(ledger, world):
    problems = {p.number: p for p in Problem.objects.filter(inspection=ledger.inspection)}
    services.save_mechanism(
        world.alice,
        inspection_id=ledger.inspection.pk,
        title="《执法程序规定》",
        kind="revised",
        status="drafting",
        problem_ids=[problems[1].pk, problems[2].pk],
    )
    seen_by_lisa = services.mechanism_list(world.lisa).get()
    assert [p.number for p in seen_by_lisa.problems.all()] == [2]  # problem 1 is unit A1's alone
    assert [p.number for p in services.mechanism_list(world.alice).get().problems.all()] == [1, 2]
    assert not services.mechanism_list(world.charlie).exists()


def test_an_untitled_area_is_audited_like_any_other(ledger):
    """An area without a title (notices without areas) names itself in words; the audit trail calls
    str() on it and failed on the lazy translation it used to return."""
    from auditlog.models import LogEntry

    from rectify.ledger.models import Area

    area = Area.objects.create(inspection=ledger.inspection, order=99, title="")
    assert str(area) == "（未分方面）"
    assert LogEntry.objects.get_for_object(area).get().object_repr == "（未分方面）"
