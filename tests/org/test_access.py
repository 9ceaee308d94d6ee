"""The permission matrix: who sees and changes what, enforced in the querysets every caller uses."""

import pytest

from rectify.ledger.models import Inspection, Measure, Problem
from rectify.org.access import CHANGE, VIEW

# person → (sees A's inspection, sees B's, measure keys of A seen, may change A's measures)
ALL_A = {(1, 1), (1, 2), (2, 1), (3, 1), (3, 2)}
MATRIX = {
    "alice": (True, False, ALL_A, True),
    "larry": (True, False, ALL_A, False),
    "vera": (True, False, ALL_A, False),
    "sam": (True, True, ALL_A, False),
    "hana": (True, False, {(1, 1), (1, 2), (3, 1), (3, 2)}, False),
    "bob": (True, False, {(1, 1), (1, 2), (3, 1), (3, 2)}, False),
    "lisa": (True, False, {(2, 1), (3, 1)}, False),
    "charlie": (False, True, set(), False),
    "nobody": (False, False, set(), False),
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_sees_exactly_its_part_of_the_ledger(ledger, world, name):
    sees_a, sees_b, measure_keys, may_change = MATRIX[name]
    user = world.people[name]
    inspections = set(Inspection.objects.restrict(user, VIEW))
    assert (ledger.inspection in inspections) is sees_a
    assert (ledger.other in inspections) is sees_b
    seen = {
        (m.problem.number, m.order)
        for m in Measure.objects.restrict(user, VIEW)
        .filter(problem__inspection=ledger.inspection)
        .select_related("problem")
    }
    assert seen == measure_keys
    problems = set(
        Problem.objects.restrict(user, VIEW)
        .filter(inspection=ledger.inspection)
        .values_list("number", flat=True)
    )
    assert problems == {number for number, _ in measure_keys}
    changeable = Measure.objects.restrict(user, CHANGE).filter(problem__inspection=ledger.inspection)
    assert changeable.count() == (len(ALL_A) if may_change else 0)


def test_a_unit_member_sees_measures_of_units_below_its_own(ledger, world):
    from rectify.ledger.models import MeasureUnit
    from rectify.org.models import Membership, Role, User

    squad_member = User.objects.create_user("squad", password="x" * 12)
    Membership.objects.create(user=squad_member, organisation=world.orgs["a1squad"], role=Role.LIAISON)
    seen = {
        (m.problem.number, m.order) for m in Measure.objects.restrict(squad_member).select_related("problem")
    }
    assert seen == {(1, 2)}  # the squad only supports measure 1.2
    # A unit sees measures assigned to units below it: the squad's parent sees 1.2 through itself anyway.
    MeasureUnit.objects.filter(measure=ledger.measures[(1, 2)], unit=world.orgs["a1"]).delete()
    assert ledger.measures[(1, 2)] in Measure.objects.restrict(world.bob)


def test_anonymous_and_inactive_users_see_nothing(ledger, world):
    from django.contrib.auth.models import AnonymousUser

    assert not Inspection.objects.restrict(AnonymousUser()).exists()
    world.alice.is_active = False
    world.alice.save()
    from rectify.org.models import User

    assert not Measure.objects.restrict(User.objects.get(pk=world.alice.pk)).exists()


def test_superuser_sees_everything(ledger, world):
    from rectify.org.models import User

    root = User.objects.create_superuser("root", password="x" * 12)
    assert Inspection.objects.restrict(root).count() == 2
    assert Measure.objects.restrict(root, CHANGE).count() == 10


def test_restrict_is_one_query_whatever_the_roles(ledger, world, django_assert_num_queries):
    from rectify.org.models import User

    user = User.objects.get(pk=world.bob.pk)  # fresh: memberships not cached yet
    with django_assert_num_queries(2):  # memberships once, then the restricted list
        list(Measure.objects.restrict(user))
    with django_assert_num_queries(1):
        list(Problem.objects.restrict(user))


def test_moving_an_organisation_moves_its_subtree(world):
    from rectify.org.models import Organisation

    squad = world.orgs["a1squad"]
    unit = world.orgs["a1"]
    unit.parent = world.orgs["b"]
    unit.save()
    squad.refresh_from_db()
    assert squad.path.startswith(world.orgs["b"].path)
    assert squad.is_within(world.orgs["b"]) and not squad.is_within(world.orgs["a"])
    unit.parent = squad
    with pytest.raises(ValueError):
        unit.save()
    assert Organisation.objects.get(pk=unit.pk).parent_id == world.orgs["b"].pk


def test_reaching_every_row_needs_a_role_for_it_in_every_top_level_organisation(ledger, world):
    """A shortcut for search: whoever holds a role for the action at the top of every tree reaches
    every row, and it must agree with the rows restrict() lists."""
    from django.contrib.auth.models import AnonymousUser

    from rectify.org.models import Membership, Organisation, OrganisationKind, Role, User
    from rectify.supervision.models import SupervisionOrder

    city_office = User.objects.create_user("city-office", password="x" * 12)
    Membership.objects.create(user=city_office, organisation=world.orgs["city"], role=Role.OFFICE)
    city_leader = User.objects.create_user("city-leader", password="x" * 12)
    Membership.objects.create(user=city_leader, organisation=world.orgs["city"], role=Role.LEADER)
    root = User.objects.create_superuser("root", password="x" * 12)
    for user, every_measure, every_order in (
        (city_office, True, True),
        (world.sam, True, True),  # the city's supervisor
        (city_leader, True, False),  # a leader sees the ledger, not every order
        (root, True, True),
        (world.alice, False, False),  # one bureau of two
        (world.bob, False, False),
        (world.nobody, False, False),
        (AnonymousUser(), False, False),
    ):
        assert Measure.objects.reaches_every_row(user) is every_measure, user
        assert SupervisionOrder.objects.reaches_every_row(user) is every_order, user
        if every_measure:
            assert Measure.objects.restrict(user).count() == Measure.objects.count()
    # A second tree beside the city's: the city's people no longer reach everything.
    Organisation.objects.create(name="另一市", code="other-city", kind=OrganisationKind.PARTY_ORGAN)
    fresh = User.objects.get(pk=city_office.pk)
    assert not Measure.objects.reaches_every_row(fresh)
    assert Measure.objects.reaches_every_row(User.objects.get(pk=root.pk))
