"""Figures of public feedback (统计): counts by channel, kind, status, unit and QR code, what is open
and overdue, and how many replies went out on time. Summed from the summary rows (feedback.tallies)
where they answer, else from aggregate queries: no item is loaded, so thousands of submissions cost
the same few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rectify.ledger.models import Inspection
from rectify.org.access import VIEW
from rectify.org.models import Organisation, User

from . import tallies
from .models import OPEN_STATUSES, Channel, FeedbackItem, FeedbackKind, FeedbackStatus


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
    """The figures of the items the user may see (received by `organisation` or below it, about
    `inspection`, when given) on `on`: from the summary rows where they answer (feedback.tallies;
    not for one inspection's items), else counted directly."""
    counts = None if inspection is not None else tallies.visible_counts(user, organisation, on)
    if counts is None:
        items = FeedbackItem.objects.restrict(user, VIEW)
        if organisation is not None:
            items = items.filter(organisation__path__startswith=organisation.path)
        if inspection is not None:
            items = items.filter(inspection=inspection)
        counts = tallies.count(items, on)
    return _figures(counts, on)


def _figures(counts: tallies.Counts, on: date) -> FeedbackFigures:
    """The figures summed from the counts (no query)."""

    def total(index: int = 0, **match: str) -> int:
        fields = ("status", "channel", "kind")
        return sum(
            values[index]
            for key, values in counts.groups.items()
            if all(key[fields.index(name)] == value for name, value in match.items())
        )

    by_status = {s: total(status=s) for s in FeedbackStatus.values}
    replied = by_status[FeedbackStatus.REPLIED]
    replied_on_time = total(2)
    return FeedbackFigures(
        on=on,
        total=total(),
        open=sum(by_status[s] for s in OPEN_STATUSES),
        overdue=total(1),
        replied=replied,
        replied_on_time=replied_on_time,
        closed_without_reply=by_status[FeedbackStatus.CLOSED],
        on_time_rate=replied_on_time / replied if replied else None,
        average_reply_workdays=round(total(3) / replied, 1) if replied else None,
        by_channel={c: total(channel=c) for c in Channel.values},
        by_kind={k: total(kind=k) for k in FeedbackKind.values},
        by_status=by_status,
        by_unit=_most_first(counts.by_unit),
        by_qr=_most_first(counts.by_qr),
    )


def _most_first(found: dict[str, int]) -> dict[str, int]:
    """Most first, then by name."""
    return dict(sorted(found.items(), key=lambda item: (-item[1], item[0])))
