"""Summary rows of public feedback (feedback.models.FeedbackTally, FeedbackUnitTally, FeedbackQrTally):
per receiving organisation, the items by status, channel and kind, how many were overdue on the day
they were counted, replied to on time, the working days the replies took, and the items per unit and
per QR code.

`refresh` is the one function that recomputes them. The services that register or change an item call
it in their transaction (`items_changed`), the daily tick counts every organisation again for the new
day (an item falls overdue by the date alone), and so does a change of the working-day calendar (the
replies' working days). A reader uses only the rows counted today and counts the other organisations'
items directly, so a figure is exact even before the tick has run. tests/feedback/test_tallies.py
applies random operations through the services and compares every figure with a direct count.

`count` is the direct count, the definition the rows are summed from: the statistics page and the
dashboard use it for whatever the rows cannot answer (one inspection's items, a unit's people)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from rectify.dbdates import LocalDate
from rectify.org.access import VIEW, Access
from rectify.org.models import Organisation, User
from rectify.supervision.workdays import cumulative_workdays

from .models import (
    FeedbackItem,
    FeedbackQrTally,
    FeedbackStatus,
    FeedbackTally,
    FeedbackUnitTally,
    reply_overdue_q,
)

REPLIED = Q(status=FeedbackStatus.REPLIED)


@dataclass
class Counts:
    """Items counted, ready to be summed: per (status, channel, kind) [items, overdue, replied on time,
    reply working days]; items per unit and per QR code (by name or label when read, by id when
    saved)."""

    groups: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)
    by_unit: dict = field(default_factory=dict)
    by_qr: dict = field(default_factory=dict)

    def add_group(self, key: tuple[str, str, str], *values: int) -> None:
        totals = self.groups.setdefault(key, [0, 0, 0, 0])
        for position, value in enumerate(values):
            totals[position] += value

    def add(self, other: Counts) -> None:
        for key, values in other.groups.items():
            self.add_group(key, *values)
        for mine, theirs in ((self.by_unit, other.by_unit), (self.by_qr, other.by_qr)):
            for key, n in theirs.items():
                mine[key] = mine.get(key, 0) + n


def count(items: QuerySet[FeedbackItem], on: date) -> Counts:
    """These items' counts on `on`, directly: four queries (five when some were replied to)."""
    return _count(items, on, (), unit="unit__name", qr="qr__label").get(None, Counts())


def _count(
    items: QuerySet[FeedbackItem], on: date, by: tuple[str, ...], *, unit: str, qr: str
) -> dict[int | None, Counts]:
    """Counts per value of `by` (("organisation_id",), or () for one Counts under None), the units and
    QR codes named by `unit` and `qr`."""
    items = items.order_by().alias(replied_on=LocalDate("closed_at"))
    found: dict[int | None, Counts] = {}

    def counts_of(row: tuple) -> tuple[Counts, tuple]:
        return found.setdefault(row[0] if by else None, Counts()), row[len(by) :]

    groups = items.values_list(*by, "status", "channel", "kind").annotate(
        n=Count("pk"),
        late=Count("pk", filter=reply_overdue_q(on)),
        on_time=Count("pk", filter=REPLIED & Q(replied_on__lte=F("due_date"))),
    )
    for row in groups:
        counts, (status, channel, kind, n, late, on_time) = counts_of(row)
        counts.add_group((status, channel, kind), n, late, on_time, 0)
    for name, attribute in ((unit, "by_unit"), (qr, "by_qr")):
        link = name.split("__")[0].removesuffix("_id")
        for row in items.exclude(**{link: None}).values_list(*by, name).annotate(n=Count("pk")):
            counts, (key, n) = counts_of(row)
            getattr(counts, attribute)[key] = n
    for key, channel_kinds in _reply_workdays(items.filter(REPLIED), by).items():
        for (channel, kind), days in channel_kinds.items():
            found[key].add_group((FeedbackStatus.REPLIED, channel, kind), 0, 0, 0, days)
    return found


def _reply_workdays(
    replied: QuerySet[FeedbackItem], by: tuple[str, ...]
) -> dict[int | None, dict[tuple[str, str], int]]:
    """Working days from receipt to reply, summed per value of `by` and (channel, kind): the items
    grouped by (day received, day replied), so the rows read are at most the distinct pairs of days,
    and the calendar is read once."""
    pairs = list(
        replied.annotate(received=LocalDate("received_at"), reply_day=LocalDate("closed_at"))
        .values_list(*by, "channel", "kind", "received", "reply_day")
        .annotate(n=Count("pk"))
    )
    if not pairs:
        return {}
    first = min(row[-3] for row in pairs)
    last = max(row[-2] for row in pairs)
    counter = cumulative_workdays(first, max(first, last))
    totals: dict[int | None, dict[tuple[str, str], int]] = {}
    for row in pairs:
        channel, kind, received, replied_on, n = row[len(by) :]
        channel_kinds = totals.setdefault(row[0] if by else None, {})
        taken = max(counter[replied_on] - counter[received], 0) * n
        channel_kinds[(channel, kind)] = channel_kinds.get((channel, kind), 0) + taken
    return totals


def refresh(organisation_ids: Iterable[int] | None = None, on: date | None = None) -> int:
    """Count again the summary rows of the items these organisations received (every organisation when
    None) for the day `on` (today), replacing the rows they had; returns the number of rows written.
    The organisations' rows are locked first (in id order, FOR NO KEY UPDATE), so two transactions
    refreshing the same organisation take turns, and the second counts with the first's changes
    committed."""
    on = on or timezone.localdate()
    with transaction.atomic():
        organisations = Organisation.objects.order_by("pk")
        if organisation_ids is not None:
            organisations = organisations.filter(pk__in=list(organisation_ids))
        # FOR NO KEY UPDATE: a FOR UPDATE lock waits for every transaction that has written a row
        # referring to the organisation (each new item does), and two submissions deadlocked on it.
        ids = list(organisations.select_for_update(no_key=True).values_list("pk", flat=True))
        if not ids:
            return 0
        items = FeedbackItem.objects.filter(organisation_id__in=ids)
        found = _count(items, on, ("organisation_id",), unit="unit_id", qr="qr_id")
        rows = [
            FeedbackTally(
                organisation_id=organisation_id,
                status=status,
                channel=channel,
                kind=kind,
                items=n,
                overdue=late,
                replied_on_time=on_time,
                reply_workdays=days,
                counted_on=on,
            )
            for organisation_id, counts in found.items()
            for (status, channel, kind), (n, late, on_time, days) in counts.groups.items()
        ]
        groups = {
            FeedbackUnitTally: [
                FeedbackUnitTally(organisation_id=organisation_id, unit_id=key, items=n, counted_on=on)
                for organisation_id, counts in found.items()
                for key, n in counts.by_unit.items()
            ],
            FeedbackQrTally: [
                FeedbackQrTally(organisation_id=organisation_id, qr_id=key, items=n, counted_on=on)
                for organisation_id, counts in found.items()
                for key, n in counts.by_qr.items()
            ],
        }
        for model, written in ((FeedbackTally, rows), *groups.items()):
            model.objects.filter(organisation_id__in=ids).delete()
            model.objects.bulk_create(written, batch_size=2000)
    return len(rows)


# Inside counted_once(): the organisations whose items changed, counted at its end instead of each time.
_pending: ContextVar[set[int] | None] = ContextVar("feedback_tallies_pending", default=None)


def items_changed(*organisation_ids: int) -> None:
    """An item of these organisations was registered or changed: their rows are counted again (at the
    end of the enclosing counted_once(), if any)."""
    pending = _pending.get()
    if pending is None:
        refresh(organisation_ids)
    else:
        pending.update(organisation_ids)


@contextmanager
def counted_once() -> Iterator[None]:
    """Many items changed in one go (a hotline workbook of a thousand orders): each organisation's rows
    are counted once when the block ends without an error, in the caller's transaction, rather than
    after every item."""
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    refresh(pending)


def count_all_for_the_day(on: date) -> None:
    """The daily tick's step, and what a change of the working-day calendar calls: every row again."""
    refresh(on=on)


def visible_counts(user: User, organisation: Organisation | None, on: date) -> Counts | None:
    """The counts of every item the user sees (those received by `organisation` or below it, when
    given) on `on`: today's rows summed in the database (three queries), and the items of the
    organisations without such rows (one query to find them) counted directly (four or five more, only
    while there are any: none once the tick or a change has counted them). None when the rows cannot
    answer for the user: a unit's head or liaison sees items one by one through the units they were
    routed to, not whole organisations."""
    access = Access.of(user)
    if access.unit_paths and not access.is_superuser:
        return None

    def kept(model):
        rows = model.objects.restrict(user, VIEW).filter(counted_on=on)
        if organisation is not None:
            rows = rows.filter(organisation__path__startswith=organisation.path)
        return rows.order_by()

    counts = Counts()
    summed = (
        kept(FeedbackTally)
        .values_list("status", "channel", "kind")
        .annotate(
            n=Sum("items"), late=Sum("overdue"), on_time=Sum("replied_on_time"), days=Sum("reply_workdays")
        )
    )
    for status, channel, kind, *values in summed:
        counts.add_group((status, channel, kind), *values)
    for model, name, found in (
        (FeedbackUnitTally, "unit__name", counts.by_unit),
        (FeedbackQrTally, "qr__label", counts.by_qr),
    ):
        for key, n in kept(model).values_list(name).annotate(n=Sum("items")):
            found[key] = found.get(key, 0) + n
    # The organisations that received items but have no rows today, listed first: usually none, and
    # then nothing more is read (a subquery left the planner guessing, and reading every item).
    counted_today = FeedbackTally.objects.filter(counted_on=on, organisation=OuterRef("pk"))
    received = FeedbackItem.objects.filter(organisation=OuterRef("pk"))
    uncounted = list(
        Organisation.objects.filter(Exists(received))
        .exclude(Exists(counted_today))
        .values_list("pk", flat=True)
    )
    if uncounted:
        items = FeedbackItem.objects.restrict(user, VIEW).filter(organisation__in=uncounted)
        if organisation is not None:
            items = items.filter(organisation__path__startswith=organisation.path)
        counts.add(count(items, on))
    return counts
