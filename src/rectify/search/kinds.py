"""What is searchable, kind by kind: which model, what text is indexed, who may see it, and how a
hit is shown and linked.

`rows` reads the indexed text straight from the database (`values_list`, no model instances), so
one object after a save and a whole inspection after an import go through the same code.
`visible` is the model's own visibility rule (`Model.objects.restrict(user, VIEW)`): the
search filters by it and loads the hits of a page through it, so it shows and counts exactly what
the rest of the product would show this user. Sender contacts of feedback are never indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from rectify.feedback.models import FeedbackItem
from rectify.ledger.models import Measure, Mechanism, Problem
from rectify.org.access import VIEW
from rectify.org.models import User
from rectify.progress.models import ProgressReport
from rectify.supervision.models import SupervisionOrder

from .models import SearchKind

# (object id, inspection id or None, title, body)
Row = tuple[int, int | None, str, str]


@dataclass(frozen=True)
class Kind:
    key: str
    model: type[models.Model]
    # Fields whose change alters the indexed text or the inspection; other saves skip the index.
    fields: frozenset[str]
    rows: Callable[[QuerySet], Iterable[Row]]
    # Q over the model selecting its objects in one inspection (for reindexing an inspection), or
    # several, each selecting some of them (their union).
    in_inspection: Callable[[int], Q | tuple[Q, ...]]
    related: tuple[str, ...]  # select_related when a page of hits is loaded
    heading: Callable[[models.Model], str]
    url: Callable[[models.Model], str]
    # A ledger record: whoever sees its inspection whole sees it (the entry's own `inspection`),
    # anyone else only through their units (`reached_through_units`).
    follows_inspection: bool = False

    @property
    def label(self) -> str:
        return str(SearchKind(self.key).label)

    def visible(self, user: User) -> QuerySet:
        return self.model.objects.restrict(user, VIEW)


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _problem_rows(problems: QuerySet) -> Iterable[Row]:
    for pk, inspection_id, title, description, source_text in problems.values_list(
        "pk", "inspection_id", "title", "description", "source_text"
    ):
        # The importer copies the source into the description; index the source only if edited apart.
        yield pk, inspection_id, title, _join(description, source_text if source_text != description else "")


def _measure_rows(measures: QuerySet) -> Iterable[Row]:
    return measures.values_list("pk", "problem__inspection_id", "text", "reopen_reason")


def _report_rows(reports: QuerySet) -> Iterable[Row]:
    for pk, inspection_id, stage, text, comment in reports.values_list(
        "pk", "measure__problem__inspection_id", "stage", "text", "review_comment"
    ):
        yield pk, inspection_id, stage, _join(text, comment)


def _mechanism_rows(mechanisms: QuerySet) -> Iterable[Row]:
    return mechanisms.values_list("pk", "inspection_id", "title", "document_number")


def _order_rows(orders: QuerySet) -> Iterable[Row]:
    # An order may name measures of several inspections; it is filed under the earliest one.
    rows = orders.annotate(first_inspection=Min("measures__problem__inspection_id")).values_list(
        "pk", "first_inspection", "number", "reason", "demanded_action", "answer"
    )
    for pk, inspection_id, number, reason, demanded_action, answer in rows:
        yield pk, inspection_id, number, _join(reason, demanded_action, answer)


def _feedback_rows(items: QuerySet) -> Iterable[Row]:
    rows = items.annotate(
        filed_under=Coalesce("inspection_id", "problem__inspection_id", "measure__problem__inspection_id")
    ).values_list("pk", "filed_under", "code", "external_ref", "content")
    for pk, inspection_id, code, external_ref, content in rows:
        yield pk, inspection_id, " ".join(part for part in (code, external_ref) if part), content


def _measure_heading(measure: Measure) -> str:
    return f"措施 {measure.problem.number}.{measure.order}"


def _report_heading(report: ProgressReport) -> str:
    revision = f"（第 {report.revision} 版）" if report.revision > 1 else ""
    return f"{_measure_heading(report.measure)} · {report.period_label}进展{revision}"


def _order_heading(order: SupervisionOrder) -> str:
    return f"{order.number} · {order.unit.name}"


def _feedback_heading(item: FeedbackItem) -> str:
    return f"{item.get_kind_display()} · {item.get_channel_display()} · {item.get_status_display()}"


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            key=SearchKind.PROBLEM,
            model=Problem,
            fields=frozenset({"inspection", "title", "description", "source_text"}),
            rows=_problem_rows,
            in_inspection=lambda inspection_id: Q(inspection_id=inspection_id),
            related=(),
            heading=lambda problem: f"问题 {problem.number}",
            url=lambda problem: reverse("ledger:problem-detail", args=[problem.pk]),
            follows_inspection=True,
        ),
        Kind(
            key=SearchKind.MEASURE,
            model=Measure,
            fields=frozenset({"problem", "text", "reopen_reason"}),
            rows=_measure_rows,
            in_inspection=lambda inspection_id: Q(problem__inspection_id=inspection_id),
            related=("problem",),
            heading=_measure_heading,
            url=lambda measure: reverse("ledger:measure-detail", args=[measure.pk]),
            follows_inspection=True,
        ),
        Kind(
            key=SearchKind.REPORT,
            model=ProgressReport,
            fields=frozenset({"measure", "stage", "text", "review_comment"}),
            rows=_report_rows,
            in_inspection=lambda inspection_id: Q(measure__problem__inspection_id=inspection_id),
            related=("measure__problem",),
            heading=_report_heading,
            url=lambda report: (
                reverse("ledger:measure-detail", args=[report.measure_id]) + f"#report-{report.pk}"
            ),
            follows_inspection=True,
        ),
        Kind(
            key=SearchKind.MECHANISM,
            model=Mechanism,
            fields=frozenset({"inspection", "title", "document_number"}),
            rows=_mechanism_rows,
            in_inspection=lambda inspection_id: Q(inspection_id=inspection_id),
            related=(),
            heading=lambda mechanism: f"{mechanism.get_kind_display()} · {mechanism.get_status_display()}",
            url=lambda mechanism: reverse("mechanisms:inspection", args=[mechanism.inspection_id]),
            follows_inspection=True,
        ),
        Kind(
            key=SearchKind.ORDER,
            model=SupervisionOrder,
            fields=frozenset({"number", "reason", "demanded_action", "answer"}),
            rows=_order_rows,
            in_inspection=lambda inspection_id: Q(measures__problem__inspection_id=inspection_id),
            related=("unit",),
            heading=_order_heading,
            url=lambda order: reverse("orders:detail", args=[order.pk]),
        ),
        Kind(
            key=SearchKind.FEEDBACK,
            model=FeedbackItem,
            fields=frozenset({"inspection", "problem", "measure", "code", "external_ref", "content"}),
            rows=_feedback_rows,
            # Filed under the inspection named, else its problem's, else its measure's: each condition
            # found through its own index, the three united (OR-ed, they read every item).
            in_inspection=lambda inspection_id: (
                Q(inspection_id=inspection_id),
                Q(inspection__isnull=True, problem__inspection_id=inspection_id),
                Q(
                    inspection__isnull=True,
                    problem__isnull=True,
                    measure__problem__inspection_id=inspection_id,
                ),
            ),
            related=(),
            heading=_feedback_heading,
            url=lambda item: reverse("feedback:detail", args=[item.pk]),
        ),
    )
}

KIND_OF_MODEL: dict[type[models.Model], Kind] = {kind.model: kind for kind in KINDS.values()}
