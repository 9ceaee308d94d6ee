"""What the warning pages need beyond deadlines.py and services.py: the navigation's counts in one
query (deadlines.with_warning_level reads every policy first, a query of its own; at_least_yellow joins
each measure's organisation policy instead), and the filters shared by the warning page and the API."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, DateField, F, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import Measure
from rectify.org.models import User

from .deadlines import DEFAULT_POLICY
from .models import Notification
from .services import visible_warnings


class PlusDays(Func):
    """A date plus a whole number of days, the number being an expression (a column)."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        (day, day_params), (days, days_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"(CAST({day} AS date) + {days})", [*day_params, *days_params]  # PostgreSQL

    def as_sqlite(self, compiler, connection, **extra_context):
        (day, day_params), (days, days_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"date({day}, {days} || ' days')", [*day_params, *days_params]


def at_least_yellow(measures: QuerySet[Measure], today: date | None = None) -> QuerySet[Measure]:
    """The measures at yellow or worse under their organisation's policy: open, with a deadline no
    later than today plus the policy's yellow days (red and escalated are past the deadline, so they
    are inside too). The same rows as with_warning_level(...).filter(warning_level__gte=YELLOW)."""
    today = today or timezone.localdate()
    yellow_days = Coalesce(
        F("problem__inspection__inspected__warning_policy__yellow_days"),
        Value(DEFAULT_POLICY.yellow_days),
        output_field=IntegerField(),
    )
    # An alias, not a filter on the F(): a filter would turn the policy join into an inner join and
    # drop the organisations without a policy of their own.
    return measures.alias(yellow_from=PlusDays(Value(today, output_field=DateField()), yellow_days)).filter(
        status__in=OPEN_STATUSES, deadline__isnull=False, deadline__lte=F("yellow_from")
    )


def warning_count(user, today: date | None = None) -> int:
    """How many measures the user may see are at yellow or worse (one query)."""
    return at_least_yellow(Measure.objects.restrict(user), today).count()


def nav_counts(user, *more: QuerySet, today: date | None = None) -> tuple[int, ...]:
    """(warning_count, unread notifications, then the size of each of `more`) for the navigation,
    all in one query."""
    warnings = _count_of(at_least_yellow(Measure.objects.restrict(user), today))
    unread = _count_of(Notification.objects.filter(recipient=user, read_at__isnull=True))
    counts = [warnings, unread, *(_count_of(queryset) for queryset in more)]
    return User.objects.filter(pk=user.pk).values_list(*counts).get()


def _count_of(queryset: QuerySet) -> Subquery:
    """SELECT COUNT(*) of the queryset, as a scalar subquery (no GROUP BY: the count is not an aggregate
    of the outer query)."""
    count = Func(F("pk"), function="COUNT", output_field=IntegerField())
    return Subquery(queryset.order_by().values(n=count), output_field=IntegerField())


def filtered_warnings(user, *, inspection: int | None = None, mine: bool = False, today: date | None = None):
    """services.visible_warnings narrowed to one inspection and/or the measures the user leads; the
    warnings page and the API share it."""
    measures = visible_warnings(user, today)
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
