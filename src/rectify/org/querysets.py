"""The one queryset base behind every `Model.objects.restrict(user, action)`.

As in NetBox, a list is filtered by permission in the database, in one indexed query, never row by
row in Python. The base turns away the anonymous and the inactive, lets a superuser through, and
asks the model's queryset which rows the user reaches (`access_condition`): by default the rows of
the organisations (and those below them) in which the user holds a role that may take the action.
A model whose rows are reached another way as well (a responsible unit, a recipient) adds it there.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Self

from django.db import models
from django.db.models import Q, Value

from rectify.errors import NotFound

from .access import CHANGE, VIEW, VIEW_ALL, Access, path_q
from .models import WIDE_ROLES, Role

OFFICE_ONLY = frozenset({Role.OFFICE})


@cache
def _leads_to_an_organisation(model: type[models.Model], lookup: str) -> bool:
    """Whether every row of `model` reaches an organisation through `lookup` (…__path): no link on
    the way may be empty."""
    if not lookup:
        return False
    for name in lookup.split("__")[:-1]:
        field = model._meta.get_field(name)
        if field.null or not field.many_to_one:
            return False
        model = field.related_model
    return True


class RestrictedQuerySet(models.QuerySet):
    # Lookup from this model to the path of the organisation it belongs to ("" when there is none).
    organisation_path_lookup: str = ""
    # The roles in that organisation (or one above it) that may take each action on every row.
    roles_by_action: dict[str, frozenset[str]] = {VIEW: WIDE_ROLES, VIEW_ALL: WIDE_ROLES, CHANGE: OFFICE_ONLY}

    def restrict(self, user, action: str = VIEW):
        """The rows `user` may take `action` on (VIEW, VIEW_ALL, CHANGE or DECIDE)."""
        # Read from the user itself: a rule that needs no roles (one's own notifications) costs no query.
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        condition = self.access_condition(user, action)
        return self.filter(condition) if condition is not None else self.none()

    def access_condition(self, user, action: str) -> Q | None:
        """Q over this model's rows that `user` reaches for `action`; None when it reaches none.
        `Access.of(user)` reads the user's roles once and keeps them on the user object."""
        if not self.organisation_path_lookup:
            return None
        if self.reaches_every_row(user, action):
            # Every row, without joining each one to its organisation: a province's office would
            # otherwise match a million reports' paths against its own on every count.
            return Q(Value(True, output_field=models.BooleanField()))
        return path_q(self.organisation_path_lookup, Access.of(user).paths(self.roles_for(action)))

    def reaches_every_row(self, user, action: str = VIEW) -> bool:
        """Whether `user` may take `action` on every row there is by the organisation rule alone: a
        superuser, or one of the action's roles in every top-level organisation, where every row
        leads to an organisation (no nullable link on the way)."""
        return _leads_to_an_organisation(self.model, self.organisation_path_lookup) and Access.of(
            user
        ).holds_everywhere(self.roles_for(action))

    def roles_for(self, action: str) -> frozenset[str]:
        try:
            return self.roles_by_action[action]
        except KeyError:
            raise ValueError(f"unknown action {action!r} for {self.model.__name__}") from None

    def get_or_not_found(self, message: str, **lookups: Any) -> models.Model:
        """The one row matching `lookups`, or NotFound with `message`: a row the user may not see is
        refused as one that does not exist."""
        try:
            return self.get(**lookups)
        except self.model.DoesNotExist:
            raise NotFound(message) from None

    def filter_given(self, **lookups: Any) -> Self:
        """The rows matching each lookup whose value was given: a filter left empty (None, "" or 0)
        filters nothing, as in the lists' forms and query parameters."""
        return self.filter(**{lookup: value for lookup, value in lookups.items() if value})
