"""Figures of public feedback (统计): counts by channel, kind, status, unit and QR code, what is open
and overdue, and how many replies went out on time. Aggregate queries only: no item is loaded, so
thousands of submissions cost the same few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q

from rectify.dbdates import LocalDate
from rectify.ledger.models import Inspection
from rectify.org.access import VIEW
from rectify.org.models import Organisation, User
from rectify.supervision.workdays import cumulative_workdays

from .models import OPEN_STATUSES, Channel, FeedbackItem, FeedbackKind, FeedbackStatus, reply_overdue_q


@dataclass(frozen=True)
class FeedbackFigures:
    """The figures of the items a user may see, on a day. The dictionaries keep the order of the
    choices (every channel, kind and status, zeros included) or, for units and QR codes, most first."""

    on: date
    total: int
    open: int
    overdue: int  # open and past the reply date on `on`
    replied: int
    replied_on_time: int  # replied no later than the reply date
    closed_without_reply: int
    on_time_rate: float | None  # replied_on_time / replied, 0..1; None when nothing was replied
    average_reply_workdays: float | None  # from receipt to the approved reply, in working days
    by_channel: dict[str, int]  # Channel value → count
    by_kind: dict[str, int]  # FeedbackKind value → count
    by_status: dict[str, int]  # FeedbackStatus value → count
    by_unit: dict[str, int]  # the routed unit's name → count (items not yet routed are not in it)
    by_qr: dict[str, int]  # the QR code's label → count of items that came through it

    @property
    def on_time_percent(self) -> float | None:
        return None if self.on_time_rate is None else round(self.on_time_rate * 100, 1)

    @property
    def channel_rows(self) -> list[tuple[str, int]]:
        return [(Channel(value).label, count) for value, count in self.by_channel.items()]

    @property
    def kind_rows(self) -> list[tuple[str, int]]:
        return [(FeedbackKind(value).label, count) for value, count in self.by_kind.items()]

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        return [(FeedbackStatus(value).label, count) for value, count in self.by_status.items()]


def feedback_figures(
    user: User,
    *,
    organisation: Organisation | None = None,
    inspection: Inspection | None = None,
    on: date,
) -> FeedbackFigures:
    items = FeedbackItem.objects.restrict(user, VIEW)
    if organisation is not None:
        items = items.filter(organisation__path__startswith=organisation.path)
    if inspection is not None:
        items = items.filter(inspection=inspection)
    # The local day of the reply (LocalDate: no per-row call into Python on SQLite).
    items = items.order_by().alias(replied_on=LocalDate("closed_at"))

    replied = Q(status=FeedbackStatus.REPLIED)
    counts = {
        "total": Count("pk"),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=reply_overdue_q(on)),
        "replied": Count("pk", filter=replied),
        "replied_on_time": Count("pk", filter=replied & Q(replied_on__lte=F("due_date"))),
        "closed_without_reply": Count("pk", filter=Q(status=FeedbackStatus.CLOSED)),
    }
    counts |= {f"channel_{c}": Count("pk", filter=Q(channel=c)) for c in Channel.values}
    counts |= {f"kind_{k}": Count("pk", filter=Q(kind=k)) for k in FeedbackKind.values}
    counts |= {f"status_{s}": Count("pk", filter=Q(status=s)) for s in FeedbackStatus.values}
    totals = items.aggregate(**counts)

    by_unit = dict(
        items.exclude(unit=None)
        .values_list("unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit__name")
    )
    by_qr = dict(
        items.exclude(qr=None).values_list("qr__label").annotate(n=Count("pk")).order_by("-n", "qr__label")
    )
    return FeedbackFigures(
        on=on,
        total=totals["total"],
        open=totals["open"],
        overdue=totals["overdue"],
        replied=totals["replied"],
        replied_on_time=totals["replied_on_time"],
        closed_without_reply=totals["closed_without_reply"],
        on_time_rate=totals["replied_on_time"] / totals["replied"] if totals["replied"] else None,
        average_reply_workdays=_average_reply_workdays(items.filter(replied)) if totals["replied"] else None,
        by_channel={c: totals[f"channel_{c}"] for c in Channel.values},
        by_kind={k: totals[f"kind_{k}"] for k in FeedbackKind.values},
        by_status={s: totals[f"status_{s}"] for s in FeedbackStatus.values},
        by_unit=by_unit,
        by_qr=by_qr,
    )


def _average_reply_workdays(replied_items) -> float | None:
    """Mean working days from receipt to reply: items grouped by (day received, day replied), so the
    rows read are at most the distinct pairs of days, and the calendar is read once."""
    pairs = list(
        replied_items.annotate(received=LocalDate("received_at"), reply_day=LocalDate("closed_at"))
        .values_list("received", "reply_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not pairs:
        return None
    first = min(received for received, _, _ in pairs)
    last = max(replied_on for _, replied_on, _ in pairs)
    counter = cumulative_workdays(first, max(first, last))
    total = sum(max(counter[replied_on] - counter[received], 0) * n for received, replied_on, n in pairs)
    return round(total / sum(n for _, _, n in pairs), 1)
