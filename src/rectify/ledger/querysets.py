"""Querysets of the ledger on the shared `restrict(user, action)` base (rectify.org.querysets).

Office, leader and supervisor see every inspection of their organisation and the organisations
below it; a responsible unit's head and liaison see the measures their unit (or a unit under it) is
responsible for or supports, and the problems and inspections those measures belong to. Only the
office changes the ledger. One query each, whatever the number of rows.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from rectify.org.access import VIEW, Access, any_of, path_q
from rectify.org.querysets import RestrictedQuerySet

from .choices import COMPLETED_STATUSES, OPEN_STATUSES


def overdue_q(today: date, prefix: str = "") -> Q:
    """Overdue (超期), the one definition: open and past its deadline on the day asked, never stored.
    `prefix` reaches the measure from another model ("measure__"). The ledger's filter, the dashboard,
    the dispatch report and the API all count with it."""
    return Q(**{f"{prefix}deadline__lt": today, f"{prefix}status__in": OPEN_STATUSES})


def counted_problems(problems: QuerySet, *fields: str) -> QuerySet:
    """Problems and rectified problems of `problems` per group of `fields` (values): one query. A
    problem is rectified when it has measures and every one of them is completed (all its measures,
    also those of units the reader does not see). The dashboard and the summary rows
    (supervision.tallies) both count with it."""
    of_problem = apps.get_model("ledger", "Measure").objects.filter(problem=OuterRef("pk"))
    return (
        problems.alias(
            has_measures=Exists(of_problem),
            has_unfinished=Exists(of_problem.exclude(status__in=COMPLETED_STATUSES)),
        )
        .values(*fields)
        .annotate(
            problems=Count("pk"),
            rectified=Count("pk", filter=Q(has_measures=True, has_unfinished=False)),
        )
        .order_by()
    )


class LedgerQuerySet(RestrictedQuerySet):
    # Lookup from MeasureUnit to the field `unit_outer_ref` of this model, for the units' view;
    # "" when units see none.
    unit_link_lookup: str = ""
    unit_outer_ref: str = "pk"

    def access_condition(self, user, action: str) -> Q | None:
        return any_of(
            super().access_condition(user, action),
            self._unit_condition(Access.of(user)) if action == VIEW else None,
        )

    def reached_through_units(self, user) -> LedgerQuerySet | None:
        """The rows `user` sees through the units they work in (VIEW), apart from whole inspections;
        None when they hold no unit role. Search pairs it with the inspections seen whole."""
        condition = self._unit_condition(Access.of(user))
        return None if condition is None else self.filter(condition)

    def _unit_condition(self, access: Access) -> Q | None:
        unit_paths = path_q("unit__path", access.unit_paths)
        if unit_paths is None or not self.unit_link_lookup:
            return None
        links = apps.get_model("ledger", "MeasureUnit").objects.filter(
            unit_paths, **{self.unit_link_lookup: OuterRef(self.unit_outer_ref)}
        )
        return Q(Exists(links))


class InspectionQuerySet(LedgerQuerySet):
    organisation_path_lookup = "inspected__path"
    unit_link_lookup = "measure__problem__inspection"


class AreaQuerySet(LedgerQuerySet):
    organisation_path_lookup = "inspection__inspected__path"
    unit_link_lookup = "measure__problem__area"


class ProblemQuerySet(LedgerQuerySet):
    organisation_path_lookup = "inspection__inspected__path"
    unit_link_lookup = "measure__problem"


class MechanismQuerySet(LedgerQuerySet):
    organisation_path_lookup = "inspection__inspected__path"
    unit_link_lookup = "measure__problem__mechanisms"


class MeasureQuerySet(LedgerQuerySet):
    organisation_path_lookup = "problem__inspection__inspected__path"
    unit_link_lookup = "measure"

    def overdue(self, today: date):
        return self.filter(overdue_q(today))

    def not_overdue(self, today: date):
        return self.exclude(overdue_q(today))

    def with_overdue(self, today: date):
        """Annotate `is_overdue`: derived from deadline and status on the day asked, never stored; and
        `overdue_by`, how long past its deadline an overdue measure is (a timedelta; None when it is
        not overdue), which the ledger shows as 超期天数."""
        past_deadline = ExpressionWrapper(
            Value(today, output_field=DateField()) - F("deadline"), output_field=DurationField()
        )
        return self.annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            overdue_by=Case(When(overdue_q(today), then=past_deadline), default=None),
        )


class MeasurePartQuerySet(LedgerQuerySet):
    """A record that hangs from one measure (a report, a sign-off, an indicator): whoever sees the
    measure sees it, whoever changes the measure changes it; the same one query as the measure's."""

    organisation_path_lookup = "measure__problem__inspection__inspected__path"
    unit_link_lookup = "measure"
    unit_outer_ref = "measure"
