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
    length of each work queue the user has, counted in one query with the warnings and notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = Access.of(user)
    superuser = access.is_superuser
    is_office = superuser or Role.OFFICE in access.roles
    decides_signoffs = superuser or bool(access.roles & {Role.OFFICE, Role.LEADER, Role.UNIT_HEAD})
    # Measures at yellow or worse, unread notifications and the queues the user has (reports to review,
    # sign-offs to decide, for the office 举一反三 flags waiting): one query for all, and only when the
    # page shows them (an htmx fragment does not).
    queues = {
        "review": review_queue(user) if is_office else None,
        "signoff": signoff_queue(user) if decides_signoffs else None,
        "recurrence": pending_flags(user) if is_office else None,
    }
    asked = [name for name, queue in queues.items() if queue is not None]

    def counts() -> dict[str, int]:
        warnings, unread, *sizes = nav_counts(user, *(queues[name] for name in asked))
        return {
            "warning": warnings,
            "unread": unread,
            **dict.fromkeys(queues, 0),
            **dict(zip(asked, sizes, strict=True)),
        }

    nav = SimpleLazyObject(counts)
    return {
        "is_office": is_office,
        "is_unit": bool(access.roles & UNIT_ROLES),
        "is_leader": Role.LEADER in access.roles,
        "can_audit": superuser or bool(access.roles & {Role.OFFICE, Role.SUPERVISOR}),
        "reads_dispatch": superuser or bool(access.roles & {Role.OFFICE, Role.SUPERVISOR, Role.LEADER}),
        "reads_accountability": may_read_accountability(user),
        "decides_signoffs": decides_signoffs,
        **{
            f"{name}_count": SimpleLazyObject(lambda name=name: nav[name])
            for name in (*queues, "warning", "unread")
        },
        "role_labels": [Role(role).label for role in sorted(access.roles)],
    }
