"""Where apps above meetings add to them. Consultation meetings (征求意见座谈会) are recorded as
consultations (feedback.consultations), which meetings may not import (DESIGN §6: nothing imports
upwards): feedback registers here, from its AppConfig.ready, how to list them beside the meetings and
how many to count as 座谈会, so that one meeting is never recorded twice."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from rectify.ledger.models import Inspection
from rectify.org.models import User


@dataclass(frozen=True)
class ListedMeeting:
    """A meeting recorded elsewhere, as the meeting list shows it (a link to where it is kept)."""

    kind_label: str
    held_on: date
    title: str
    url: str
    organisation: str


# listing(user, inspection or None, kind filter ("" for all)) -> meetings recorded elsewhere.
listings: dict[str, Callable[[User, Inspection | None, str], Iterable[ListedMeeting]]] = {}
# counter(inspection, start or None, end) -> {meeting kind: count} of meetings recorded elsewhere.
counters: dict[str, Callable[[Inspection, date | None, date], dict[str, int]]] = {}


def listed_elsewhere(user: User, inspection: Inspection | None, kind: str) -> list[ListedMeeting]:
    found = [item for listing in listings.values() for item in listing(user, inspection, kind)]
    return sorted(found, key=lambda item: item.held_on, reverse=True)


def counted_elsewhere(inspection: Inspection, start: date | None, end: date) -> dict[str, int]:
    totals: dict[str, int] = {}
    for counter in counters.values():
        for kind, count in counter(inspection, start, end).items():
            totals[kind] = totals.get(kind, 0) + count
    return totals
