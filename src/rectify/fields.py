"""Helpers for the apps' model declarations: fields and constraints that many models repeat with one
meaning."""

from django.conf import settings
from django.db import models
from django.db.models import Q


def done_by(
    verbose_name, *, optional: bool = False, on_delete=models.PROTECT, **options
) -> models.ForeignKey:
    """The user who did something to the row (drafted, decided, checked, imported it), kept for the
    record: the user gets no reverse accessor for it. `optional` where the act has not happened yet
    or no person did it (e.g. a form sent from the portal)."""
    if optional:
        options = {"null": True, "blank": True, **options}
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=verbose_name, on_delete=on_delete, related_name="+", **options
    )


def valid_choice(
    field: str, choices: type[models.Choices], *, name: str, blank: bool = False
) -> models.CheckConstraint:
    """The database refuses a value of `field` that is not one of `choices` (with `blank`, empty is
    allowed too): the choices are checked where every write passes, not only in forms."""
    condition = Q(**{f"{field}__in": choices.values})
    if blank:
        condition = Q(**{field: ""}) | condition
    return models.CheckConstraint(condition=condition, name=name)
