"""What the warning pages need beyond deadlines.py and services.py: the navigation's counts in one
query, and the filters shared by the warning page and the API. Every count of warnings comes from
deadlines.warned(), so the badge, the page, the dashboard and the dispatch report agree."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, ExpressionWrapper, Func, IntegerField, QuerySet, Subquery

from rectify.ledger.models import Measure
from rectify.org.models import User

from . import tallies
from .deadlines import warned_only
from .models import Notification
from .services import warning_list


def warning_count(user, today: date | None = None) -> int:
    """How many measures the user may see carry a warning (one query): the 预警 badge's figure."""
    return warned_only(Measure.objects.restrict(user), today).count()


def nav_counts(user, *more: QuerySet, today: date | None = None) -> tuple[int, ...]:
    """(warning_count, unread notifications, then the size of each of `more`) for the navigation,
    all in one query."""
    # From the summary rows kept on write (supervision.tallies) where they answer for the user, rather
    # than the warning light of every visible measure on every page.
    parts = tallies.warned_parts(user, today)
    if parts is None:
        warnings = _count_of(warned_only(Measure.objects.restrict(user), today))
    else:
        summed, uncounted = parts
        warnings = ExpressionWrapper(summed + _count_of(uncounted), output_field=IntegerField())
    unread = _count_of(Notification.objects.filter(recipient=user, read_at__isnull=True))
    counts = [warnings, unread, *(_count_of(queryset) for queryset in more)]
    return User.objects.filter(pk=user.pk).values_list(*counts).get()


def _count_of(queryset: QuerySet) -> Subquery:
    """SELECT COUNT(*) of the queryset, as a scalar subquery (no GROUP BY: the count is not an aggregate
    of the outer query)."""
    # COUNT(*), not of a column: an index that covers the filter answers it without the rows.
    count = Func(template="COUNT(*)", output_field=IntegerField())
    return Subquery(queryset.order_by().values(n=count), output_field=IntegerField())


def filtered_warnings(user, *, inspection: int | None = None, mine: bool = False, today: date | None = None):
    """services.warning_list narrowed to one inspection and/or the measures the user leads; the
    warnings page and the API share it."""
    measures = warning_list(user, today)
    if inspection:
        measures = measures.filter(problem__inspection_id=inspection)
    if mine:
        measures = measures.filter(lead_leader=user)
    return measures


def level_counts(measures: QuerySet[Measure]) -> dict[int, int]:
    """{warning level: number of measures} of an annotated queryset, in one grouped query."""
    rows = measures.prefetch_related(None).order_by().values_list("warning_level").annotate(n=Count("pk"))
    return {level: n for level, n in rows}


def days_left(deadline: date, today: date) -> int:
    """Days until the deadline; negative when it has passed."""
    return (deadline - today).days


def days_text(days: int) -> str:
    if days > 0:
        return f"还有 {days} 天"
    if days == 0:
        return "今天到期"
    return f"超期 {-days} 天"
