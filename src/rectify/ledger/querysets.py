"""Querysets of the ledger: `restrict(user, action)` filters by permission in the database.

Office, leader and supervisor see every inspection of their organisation and the organisations
below it; a responsible unit's head and liaison see the measures their unit (or a unit under it) is
responsible for or supports, and the problems and inspections those measures belong to. Only the
office changes the ledger. One query each, whatever the number of rows.
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import models
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, Value, When

from rectify.org.access import CHANGE, VIEW, Access, any_of, path_q
from rectify.org.models import WIDE_ROLES, Role

from .choices import OPEN_STATUSES


def overdue_q(today: date, prefix: str = "") -> Q:
    """Overdue (超期), the one definition: open and past its deadline on the day asked, never stored.
    `prefix` reaches the measure from another model ("measure__"). The ledger's filter, the dashboard,
    the dispatch report and the API all count with it."""
    return Q(**{f"{prefix}deadline__lt": today, f"{prefix}status__in": OPEN_STATUSES})


def _roles_for(action: str) -> frozenset[str]:
    if action == VIEW:
        return WIDE_ROLES
    if action == CHANGE:
        return frozenset({Role.OFFICE})
    raise ValueError(f"unknown action {action!r}")


class RestrictedQuerySet(models.QuerySet):
    # Lookup from this model to the inspected organisation's path.
    inspected_path_lookup: str = ""
    # Lookup from MeasureUnit to this model's primary key, for the units' view; "" when units see none.
    unit_link_lookup: str = ""

    def restrict(self, user, action: str = VIEW):
        access = Access.of(user)
        if not access.is_authenticated:
            return self.none()
        if access.is_superuser:
            return self
        condition = any_of(
            path_q(self.inspected_path_lookup, access.paths(_roles_for(action))),
            self._unit_condition(access) if action == VIEW else None,
        )
        return self.filter(condition) if condition is not None else self.none()

    def _unit_condition(self, access: Access) -> Q | None:
        unit_paths = path_q("unit__path", access.unit_paths)
        if unit_paths is None or not self.unit_link_lookup:
            return None
        links = apps.get_model("ledger", "MeasureUnit").objects.filter(
            unit_paths, **{self.unit_link_lookup: OuterRef("pk")}
        )
        return Q(Exists(links))


class InspectionQuerySet(RestrictedQuerySet):
    inspected_path_lookup = "inspected__path"
    unit_link_lookup = "measure__problem__inspection"


class AreaQuerySet(RestrictedQuerySet):
    inspected_path_lookup = "inspection__inspected__path"
    unit_link_lookup = "measure__problem__area"


class ProblemQuerySet(RestrictedQuerySet):
    inspected_path_lookup = "inspection__inspected__path"
    unit_link_lookup = "measure__problem"


class MechanismQuerySet(RestrictedQuerySet):
    inspected_path_lookup = "inspection__inspected__path"
    unit_link_lookup = "measure__problem__mechanisms"


class MeasureQuerySet(RestrictedQuerySet):
    inspected_path_lookup = "problem__inspection__inspected__path"
    unit_link_lookup = "measure"

    def overdue(self, today: date):
        return self.filter(overdue_q(today))

    def not_overdue(self, today: date):
        return self.exclude(overdue_q(today))

    def with_overdue(self, today: date):
        """Annotate `is_overdue`: derived from deadline and status on the day asked, never stored."""
        return self.annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
