"""Consultation meetings (征求意见座谈会) as meetings (rectify.meetings) see them: listed beside the
recorded meetings, linking here, and counted as 座谈会 in the notice and the dispatch report, so that
a symposium is recorded once, as a consultation. Registered from feedback's AppConfig.ready."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from rectify.ledger.models import Inspection
from rectify.meetings.extensions import ListedMeeting
from rectify.meetings.models import MeetingKind
from rectify.org.access import VIEW
from rectify.org.models import User

from .models import Consultation, ConsultationKind, ConsultationStatus


def _held():
    """Consultation meetings past their draft: a draft is a meeting not yet held."""
    return Consultation.objects.filter(kind=ConsultationKind.MEETING).exclude(status=ConsultationStatus.DRAFT)


def listed(user: User, inspection: Inspection | None, kind: str) -> list[ListedMeeting]:
    """The consultation meetings the user may see (of the inspected organisation, when one is chosen)."""
    if kind not in ("", MeetingKind.SYMPOSIUM):
        return []
    held = _held().filter(pk__in=Consultation.objects.restrict(user, VIEW).values("pk"))
    if inspection is not None:
        held = held.filter(organisation=inspection.inspected_id)
    return [
        ListedMeeting(
            kind_label=str(ConsultationKind.MEETING.label),
            held_on=consultation.opens_on,
            title=consultation.title,
            url=reverse("consultations:detail", args=[consultation.pk]),
            organisation=consultation.organisation.name,
        )
        for consultation in held.select_related("organisation").order_by("-opens_on", "-id")
    ]


def counted(inspection: Inspection, start: date | None, end: date) -> dict[str, int]:
    """How many consultation meetings the inspected organisation held in the range, as 座谈会."""
    held = _held().filter(organisation=inspection.inspected_id, opens_on__lte=end)
    if start is not None:
        held = held.filter(opens_on__gte=start)
    count = held.count()
    return {MeetingKind.SYMPOSIUM.value: count} if count else {}
