from rectify.org.access import Access
from rectify.org.models import Role


def roles(request):
    """What the navigation needs to know of the signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = Access.of(user)
    return {
        "is_office": access.is_superuser or Role.OFFICE in access.roles,
        "role_labels": [Role(role).label for role in sorted(access.roles)],
    }
