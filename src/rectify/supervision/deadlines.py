"""The deadline engine: what is due, late or stuck, derived at any moment from deadlines, statuses
and report periods. Nothing here is stored; the tick (supervision.services.run_warnings) only
records which warnings it has already announced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from rectify.ledger.choices import OPEN_STATUSES, ReportPeriod
from rectify.ledger.models import Inspection, Measure
from rectify.org.models import Organisation
from rectify.progress.milestones import next_open, with_next_milestone
from rectify.progress.models import ProgressReport, ReportState, SignOff, SignOffState
from rectify.progress.services import period_of, with_waiting_since

from .models import WarningLevel, WarningPolicy


@dataclass(frozen=True)
class Policy:
    green_days: int = 20
    yellow_days: int = 10
    escalate_days: int = 15
    signoff_stuck_days: int = 7
    order_escalate_days: int = 3
    party_head_id: int | None = None


DEFAULT_POLICY = Policy()


def policies() -> dict[int, Policy]:
    """Every organisation's own policy, by organisation id (one query)."""
    return {
        row.organisation_id: Policy(
            row.green_days,
            row.yellow_days,
            row.escalate_days,
            row.signoff_stuck_days,
            row.order_escalate_days,
            row.party_head_id,
        )
        for row in WarningPolicy.objects.all()
    }


def policy_for(organisation_id: int, known: dict[int, Policy] | None = None) -> Policy:
    return (known if known is not None else policies()).get(organisation_id, DEFAULT_POLICY)


def party_head_id(organisation: Organisation) -> int | None:
    """The party head (党组（党委）书记) named in the organisation's warning policy, if active. Notices asks
    it through notices.extensions: he or she approves the rectification notice."""
    return (
        WarningPolicy.objects.filter(organisation=organisation, party_head__is_active=True)
        .values_list("party_head_id", flat=True)
        .first()
    )


class PlusDays(Func):
    """A date plus a whole number of days, the number being an expression (a policy column)."""

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


def _policy_days(field: str) -> Coalesce:
    """The inspected organisation's own threshold, or the default: a LEFT JOIN, not a query of its own."""
    return Coalesce(
        F(f"problem__inspection__inspected__warning_policy__{field}"),
        Value(getattr(DEFAULT_POLICY, field)),
        output_field=IntegerField(),
    )


def with_warning_level(measures: QuerySet[Measure], today: date | None = None) -> QuerySet[Measure]:
    """Annotate `warning_level` (a WarningLevel) under each inspected organisation's policy, in SQL.

    The one definition of the three-colour warning: the badge, the warnings page, the ledger's light,
    the dashboard, the dispatch report, the API and the tick all count from it (see warned()).

    The warning follows the next open time node (时间节点) as well as the final deadline: `warning_due`
    is the date of the measure's earliest open milestone (never after the deadline), else its deadline;
    `next_milestone_due` and `next_milestone_deliverable` say which node it is (None: the deadline)."""
    today = today or timezone.localdate()
    day = Value(today, output_field=DateField())
    measures = with_next_milestone(measures).annotate(
        warning_due=Coalesce(F("next_milestone_due"), F("deadline"), output_field=DateField())
    )
    running = Q(status__in=OPEN_STATUSES, warning_due__isnull=False)
    return measures.annotate(
        warning_level=Case(
            When(
                running & Q(warning_due__lt=PlusDays(day, _policy_days("escalate_days") * Value(-1))),
                then=Value(WarningLevel.ESCALATED),
            ),
            When(running & Q(warning_due__lt=day), then=Value(WarningLevel.RED)),
            When(
                running & Q(warning_due__lte=PlusDays(day, _policy_days("yellow_days"))),
                then=Value(WarningLevel.YELLOW),
            ),
            When(
                running & Q(warning_due__lte=PlusDays(day, _policy_days("green_days"))),
                then=Value(WarningLevel.GREEN),
            ),
            default=Value(WarningLevel.NONE),
            output_field=IntegerField(),
        )
    )


def due_words(measure: Measure) -> str:
    """What a warning is about, as a sentence starts: “措施 3.1” for its deadline, “措施 3.1 的时间节点
    “完成制度起草”” for its next open time node (the measure annotated by with_warning_level)."""
    label = f"措施 {measure.problem.number}.{measure.order}"
    if getattr(measure, "next_milestone_due", None) is not None:
        return f"{label} 的时间节点“{measure.next_milestone_deliverable}”"
    return label


def warned(measures: QuerySet[Measure], today: date | None = None) -> QuerySet[Measure]:
    """The measures that carry a warning today, of any colour (green included), with `warning_level`.
    What the 预警 badge counts, the warnings page lists (共 N 条) and the dashboard and dispatch count."""
    return with_warning_level(warned_only(measures, today), today)


def warned_only(measures: QuerySet[Measure], today: date | None = None) -> QuerySet[Measure]:
    """The measures of warned(), without the annotations a list shows: what a count needs.

    warning_level > NONE, said the short way: an open measure due within its green days. The policy's
    constraints (green_days > yellow_days >= 1, escalate_days >= 1) make each colour a part of that
    window, and the one condition reads the next time node once per row instead of eight times. The
    status is asked inside the expression, not as a filter of its own, so that the database does not
    read every open measure through the status index when a few inspections' measures are asked."""
    day = Value(today or timezone.localdate(), output_field=DateField())
    due = Coalesce(Subquery(next_open().values("due_on")[:1]), F("deadline"), output_field=DateField())
    open_due = Case(When(status__in=OPEN_STATUSES, then=due), output_field=DateField())
    return measures.alias(open_due=open_due).filter(open_due__lte=PlusDays(day, _policy_days("green_days")))


def previous_period_start(inspection: Inspection, today: date) -> date:
    """Start of the report period before the one containing `today`."""
    current, _ = period_of(inspection, today)
    return period_of(inspection, current - timedelta(days=1))[0]


def with_report_missing(measures: QuerySet[Measure], today: date | None = None) -> QuerySet[Measure]:
    """Annotate `report_missing`: an open (or long-term) measure with no report, other than a
    returned one, for the last complete period, although it existed before that period ended."""
    today = today or timezone.localdate()
    reported = ProgressReport.objects.filter(measure=OuterRef("pk")).exclude(state=ReportState.RETURNED)
    whens = []
    for period in ReportPeriod.values:
        start = previous_period_start(Inspection(report_period=period), today)
        current = period_of(Inspection(report_period=period), today)[0]
        whens.append(
            When(
                Q(
                    problem__inspection__report_period=period,
                    problem__inspection__created_at__date__lt=current,
                )
                & Q(status__in=[*OPEN_STATUSES, "ongoing"]),
                then=~Exists(reported.filter(period_start=start)),
            )
        )
    return measures.annotate(report_missing=Case(*whens, default=Value(False), output_field=BooleanField()))


def stuck_signoffs(now: datetime | None = None) -> QuerySet[SignOff]:
    """Pending sign-offs that have waited at their current level longer than the policy allows."""
    now = now or timezone.now()
    known = policies()
    pending = with_waiting_since(SignOff.objects.filter(state=SignOffState.PENDING))
    condition = Q(pk__in=[])
    for organisation_id, policy in known.items():
        condition |= Q(
            measure__problem__inspection__inspected_id=organisation_id,
            waiting_since__lt=now - timedelta(days=policy.signoff_stuck_days),
        )
    others = ~Q(measure__problem__inspection__inspected_id__in=list(known)) if known else Q()
    condition |= others & Q(waiting_since__lt=now - timedelta(days=DEFAULT_POLICY.signoff_stuck_days))
    return pending.filter(condition).select_related("measure__problem__inspection", "measure__lead_leader")
