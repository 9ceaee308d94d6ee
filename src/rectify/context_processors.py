"""What every staff page's navigation shows. It sits beside urls.py, above the layers, because the menu
counts come from several apps (progress, supervision, recurrence) that org, at the ground, may not import."""

from django.utils.functional import SimpleLazyObject

from rectify.accountability.services import may_read as may_read_accountability
from rectify.org.access import Access
from rectify.org.models import UNIT_ROLES, Role
from rectify.progress.services import review_queue, signoff_queue
from rectify.recurrence.services import pending_flags
from rectify.supervision.warning_helpers import nav_counts


def roles(request):
    """What the navigation needs to know of the signed-in user: which menus apply, and the
    length of each work queue (one count query each, only for the queues the user has)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = Access.of(user)
    superuser = access.is_superuser
    is_office = superuser or Role.OFFICE in access.roles
    decides_signoffs = superuser or bool(access.roles & {Role.OFFICE, Role.LEADER, Role.UNIT_HEAD})
    # Measures at yellow or worse, unread notifications and (for the office) 举一反三 flags waiting: one
    # query for all, and only when the page shows them (an htmx fragment does not).
    nav = SimpleLazyObject(lambda: nav_counts(user, *([pending_flags(user)] if is_office else [])))
    return {
        "is_office": is_office,
        "is_unit": bool(access.roles & UNIT_ROLES),
        "is_leader": Role.LEADER in access.roles,
        "can_audit": superuser or bool(access.roles & {Role.OFFICE, Role.SUPERVISOR}),
        "reads_dispatch": superuser or bool(access.roles & {Role.OFFICE, Role.SUPERVISOR, Role.LEADER}),
        "reads_accountability": may_read_accountability(user),
        "decides_signoffs": decides_signoffs,
        "review_count": review_queue(user).count() if is_office else 0,
        "signoff_count": signoff_queue(user).count() if decides_signoffs else 0,
        "warning_count": SimpleLazyObject(lambda: nav[0]),
        "unread_count": SimpleLazyObject(lambda: nav[1]),
        "recurrence_count": SimpleLazyObject(lambda: nav[2] if is_office else 0),
        "role_labels": [Role(role).label for role in sorted(access.roles)],
    }
