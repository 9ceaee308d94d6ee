"""Who may see and do what: the roles a user holds, reduced to organisation path prefixes.

Every restricted queryset (`Model.objects.restrict(user, action)`, built on rectify.org.querysets)
asks this module, so the web pages, the API and the commands apply one rule, in the database, in
one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Subquery

from .models import UNIT_ROLES, Membership, Organisation, Role

VIEW = "view"
# The whole of a record, not only a responsible unit's share of it (e.g. the notice draft).
VIEW_ALL = "view_all"
CHANGE = "change"
# Take the decision a record waits for (e.g. a sign-off at its current level).
DECIDE = "decide"


@dataclass(frozen=True)
class Access:
    """The paths of the organisations in which a user holds each role."""

    is_authenticated: bool
    is_superuser: bool = False
    paths_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The roles held at a top-level organisation, by its path, and how many top-level organisations
    # there are: whoever holds a role at every one reaches every row by that role.
    top_level_roles: frozenset[tuple[str, str]] = frozenset()
    top_level_count: int = 0

    @classmethod
    def of(cls, user) -> Access:
        """The user's access, read once per user object (one query) and cached on it."""
        cached = getattr(user, "_rectify_access", None)
        if cached is not None:
            return cached
        if user is None or not user.is_authenticated or not user.is_active:
            access = cls(is_authenticated=False)
        else:
            top_level = Organisation.objects.filter(parent=None).order_by().values("parent")
            rows = (
                Membership.objects.filter(user=user)
                .annotate(top_level_count=Subquery(top_level.annotate(n=Count("pk")).values("n")))
                .values_list("role", "organisation__path", "organisation__parent_id", "top_level_count")
            )
            paths: dict[str, list[str]] = {}
            top_level_roles = set()
            top_level_count = 0
            for role, path, parent_id, count in rows:
                paths.setdefault(role, []).append(path)
                top_level_count = count
                if parent_id is None:
                    top_level_roles.add((role, path))
            access = cls(
                is_authenticated=True,
                is_superuser=user.is_superuser,
                paths_by_role={role: tuple(sorted(items)) for role, items in paths.items()},
                top_level_roles=frozenset(top_level_roles),
                top_level_count=top_level_count,
            )
        if user is not None:
            user._rectify_access = access
        return access

    def paths(self, roles: Iterable[str]) -> tuple[str, ...]:
        return tuple(path for role in roles for path in self.paths_by_role.get(role, ()))

    @property
    def unit_paths(self) -> tuple[str, ...]:
        return self.paths(UNIT_ROLES)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.paths_by_role)

    def has_role(self, role: str, organisation: Organisation | None = None) -> bool:
        """True if the user holds `role` in `organisation` or above it (or anywhere, without one)."""
        if organisation is None:
            return role in self.paths_by_role
        return any(organisation.path.startswith(path) for path in self.paths_by_role.get(role, ()))

    def holds_everywhere(self, roles: Iterable[str]) -> bool:
        """Whether the user holds one of `roles` at every top-level organisation (a superuser does), so
        that a rule by organisation path reaches every row there is."""
        if self.is_superuser:
            return True
        tops = {path for role, path in self.top_level_roles if role in roles}
        return bool(tops) and len(tops) == self.top_level_count

    def is_office_for(self, organisation: Organisation) -> bool:
        return self.is_superuser or self.has_role(Role.OFFICE, organisation)


def is_office(user, organisation: Organisation) -> bool:
    """The user is the office (整改办) of `organisation` or of one above it, or a superuser."""
    return Access.of(user).is_office_for(organisation)


def path_q(lookup: str, paths: Iterable[str]) -> Q | None:
    """Q matching rows whose organisation path (at `lookup`) lies under any of `paths`; None if none."""
    condition: Q | None = None
    for path in paths:
        part = Q(**{f"{lookup}__startswith": path})
        condition = part if condition is None else condition | part
    return condition


def any_of(*conditions: Q | None) -> Q | None:
    """OR of the conditions that exist; None when there is none (the caller then returns nothing)."""
    result: Q | None = None
    for condition in conditions:
        if condition is not None:
            result = condition if result is None else result | condition
    return result


def organisations_under_office(user) -> QuerySet[Organisation]:
    """Organisations where the user is the office, and those below them (all, for a superuser): where
    the user may import notices, Excel ledgers and hotline orders, and put rules out for comment."""
    access = Access.of(user)
    if access.is_superuser:
        return Organisation.objects.all()
    condition = path_q("path", access.paths([Role.OFFICE]))
    return Organisation.objects.filter(condition) if condition is not None else Organisation.objects.none()
