"""Model field helpers shared by the apps."""

from django.conf import settings
from django.db import models


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
