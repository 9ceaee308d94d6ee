"""The demo's public feedback and consultations, lived through the real services by the people who
would act: opinions and enterprise demands from every channel (the portal, QR codes on the road-works
permit boards, phone, e-mail, letters, visits, industry associations forwarding their members'
demands, and a 12345 hotline export imported with the importer), in every state from 待分办 to
已办结; and three consultations on the inspection's rules: one open on the portal, one closed with its
意见采纳情况 published, and one 征求意见座谈会 with the industry associations.

The messages are the labelled demo set (data/demo_feedback.json: each with the problem it truly
concerns, also used to measure the routing suggestions); the hotline orders among them arrive in the
sample export (data/hotline-12345-sample.xlsx); replies, notes and consultations are in
data/demo_texts.json. Deterministic for a given `today` (tracking codes and QR tokens aside).
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
from auditlog.context import set_actor
from django.utils import timezone

from rectify.ledger.models import Inspection, Measure, MeasureUnit, Mechanism, Problem
from rectify.org.models import Membership, Organisation, Role, User

from . import services
from .consultations import services as consultations
from .consultations.services import ConsultationFields
from .hotline import services as hotline
from .models import (
    Channel,
    CloseReason,
    Consultation,
    ConsultationComment,
    FeedbackItem,
    FeedbackReply,
    HotlineBatch,
    QrCode,
)
from .qr import services as qr

DATA = Path(__file__).resolve().parent / "data"
DEMO_FEEDBACK = DATA / "demo_feedback.json"
DEMO_TEXTS = DATA / "demo_texts.json"
HOTLINE_SAMPLE = DATA / "hotline-12345-sample.xlsx"

# What becomes of each message of the demo set (by its place in demo_feedback.json):
#   received 待分办 · routed 办理中 · overdue 办理中 past its reply date · submitted 答复待审核 ·
#   returned 办理中 after the office returned the reply · redrafting the same, with a new draft ·
#   replied 已答复 on time · late 已答复 after the reply date · duplicate / out_of_scope /
#   unanswerable 已办结 without a reply, for the reason recorded.
FATES = [
    "replied", "routed", "submitted", "replied", "late", "replied", "overdue", "received", "submitted",
    "redrafting", "routed", "overdue", "submitted", "received", "replied", "routed", "replied", "returned",
    "replied", "submitted", "replied", "replied", "unanswerable", "routed", "received", "duplicate", "late",
    "replied", "submitted", "overdue", "replied", "received", "out_of_scope", "routed", "submitted",
    "returned", "replied", "late", "routed", "received", "replied", "submitted", "out_of_scope", "routed",
    "received",
]  # fmt: skip
# How many days before `today` a message of each fate arrived (hotline orders keep their export's dates).
DAYS_AGO = {
    "received": 2, "routed": 6, "overdue": 32, "submitted": 9, "returned": 14, "redrafting": 16,
    "replied": 35, "late": 70, "duplicate": 12, "out_of_scope": 11, "unanswerable": 8,
}  # fmt: skip
DUPLICATES = {25: 26}  # the message at 25 repeats the one at 26
CLOSING = ("duplicate", "out_of_scope", "unanswerable")
ROAD_WORKS = 13  # the problem whose measure puts QR codes on the permit boards


def build_feedback_demo(
    inspection: Inspection, bureau: Organisation, users: dict[str, User], today: date
) -> None:
    """Fill the demo's feedback and consultations (see the module's docstring)."""
    office = users["office"]
    messages = json.loads(DEMO_FEEDBACK.read_text())["items"]
    texts = json.loads(DEMO_TEXTS.read_text())
    problems = {problem.number: problem for problem in inspection.problems.all()}
    codes = _qr_codes(inspection, bureau, office, texts["qr_sites"])
    batch = _import_hotline(office, bureau, today)
    by_ref = {item.external_ref: item for item in batch.items.all()}
    items: list[FeedbackItem] = []
    for index, data in enumerate(messages):
        if data["channel"] == Channel.HOTLINE:
            items.append(by_ref[data["external_ref"]])
        else:
            code = codes[0] if data.get("qr") else None
            items.append(_intake(office, bureau, data, problems, code, _arrival(today, FATES[index], index)))
    life = Life(users, texts, today)
    for index, data in enumerate(messages):
        original = items[DUPLICATES[index]] if index in DUPLICATES else None
        life.reach(items[index], FATES[index], problems[data["problem"]], index, original)
    for offset, message in enumerate(texts["qr_messages"]):
        index = len(messages) + offset
        data = {"kind": "opinion", "content": message["content"]}
        item = _intake(
            office,
            bureau,
            data,
            problems,
            codes[offset % len(codes)],
            _arrival(today, message["fate"], index),
        )
        life.reach(item, message["fate"], problems[ROAD_WORKS], index, None)
    _consultations(inspection, office, texts["consultations"], today)


# ------------------------------------------------------------------ intake


def _arrival(today: date, fate: str, index: int) -> datetime:
    """When a message of this fate came: its days ago, at a working hour that varies by message."""
    day = today - timedelta(days=DAYS_AGO[fate])
    return timezone.make_aware(datetime.combine(day, time(8, 30)) + timedelta(minutes=37 * (index % 13)))


def _intake(office, bureau, data: dict, problems, code: QrCode | None, received: datetime) -> FeedbackItem:
    """A message as it arrived: left on the portal (or through a QR code) by the sender, otherwise
    registered by the office."""
    sender = {
        "name": data.get("name", ""),
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
        "enterprise": data.get("enterprise", ""),
        "credit_code": data.get("credit_code", ""),
        "consent_to_contact": bool(data.get("consent")) and bool(data.get("phone") or data.get("email")),
    }
    if data.get("channel", Channel.PORTAL) == Channel.PORTAL:
        item = services.submit_public(
            organisation=bureau,
            kind=data["kind"],
            content=data["content"],
            inspection=None if code else problems[data["problem"]].inspection,
            qr=code,
            **sender,
        )
        # Put the message at the day it was left, as the demo's other records are (demo.life).
        FeedbackItem.objects.filter(pk=item.pk).update(
            received_at=received, due_date=services.due_date_for(bureau, timezone.localdate(received))
        )
        return FeedbackItem.objects.get(pk=item.pk)
    with set_actor(office):
        return services.register_item(
            office,
            organisation=bureau,
            channel=data["channel"],
            kind=data["kind"],
            content=data["content"],
            received_at=received,
            association=data.get("association", ""),
            **sender,
        )


def _import_hotline(office: User, bureau: Organisation, today: date) -> HotlineBatch:
    """The hotline's sample export, its dates moved so that the newest order came three days ago,
    imported as the office would (the export repeats one order: it is skipped)."""
    book = openpyxl.load_workbook(HOTLINE_SAMPLE)
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row if isinstance(cell.value, date)]
    newest = max(cell.value for cell in cells if isinstance(cell.value, datetime)).date()
    shift = (today - timedelta(days=3)) - newest
    for cell in cells:
        cell.value = cell.value + shift
    buffer = io.BytesIO()
    book.save(buffer)
    with set_actor(office):
        return hotline.import_workbook(
            office, bureau, buffer.getvalue(), f"12345工单导出-{today:%Y%m%d}.xlsx"
        )


def _qr_codes(inspection: Inspection, bureau: Organisation, office: User, sites: list[dict]) -> list[QrCode]:
    """Codes on the permit boards of two sites, tied to the road-works measure that asks for them."""
    measure = (
        Measure.objects.filter(
            problem__inspection=inspection, problem__number=ROAD_WORKS, text__contains="二维码"
        )
        .order_by("order")
        .first()
    )
    with set_actor(office):
        return [
            qr.create_qr(office, organisation=bureau, label=site["label"], site=site["site"], measure=measure)
            for site in sites
        ]


# ------------------------------------------------------------------ handling


class Life:
    """Takes an item to its fate through the services, each step by the person who takes it."""

    def __init__(self, users: dict[str, User], texts: dict, today: date):
        self.office = users["office"]
        self.texts = texts
        self.today = today

    def reach(
        self, item: FeedbackItem, fate: str, problem: Problem, index: int, original: FeedbackItem | None
    ) -> None:
        if fate == "received":
            return
        if fate in CLOSING:
            self.act(
                self.office,
                services.close_item,
                item,
                reason=CloseReason(fate),
                note=self.close_note(fate, index, original),
                duplicate_of=original,
            )
            _backdate(item, closed_at=item.received_at + timedelta(days=3))
            return
        unit = _responsible_unit(problem)
        self.act(
            self.office, services.route_item, item, unit=unit, problem=problem, version=_fresh(item).version
        )
        _backdate(item, routed_at=item.received_at + timedelta(hours=20))
        if fate in ("routed", "overdue"):
            return
        liaison = _liaison(unit)
        reply = self.texts["replies"][str(problem.number)]
        if fate in ("returned", "redrafting"):
            self.act(liaison, services.save_reply, item, text=self.texts["weak_reply"], submit=True)
            self.act(self.office, services.return_reply, item, reason=self.texts["return_reason"])
            if fate == "redrafting":
                self.act(liaison, services.save_reply, item, text=reply, submit=False)
            return
        self.act(liaison, services.save_reply, item, text=reply, submit=True)
        if fate == "submitted":
            return
        self.act(self.office, services.approve_reply, item)
        self.answered(item, late=fate == "late")

    def act(self, user: User, action, item: FeedbackItem, **kwargs):
        with set_actor(user):  # the audit trail names who acted, as it does for a web request
            return action(user, _fresh(item), **kwargs)

    def answered(self, item: FeedbackItem, *, late: bool) -> None:
        """Date the approval: a few days after the message came, or a week after its reply date."""
        item = _fresh(item)
        received = timezone.localdate(item.received_at)
        day = min(item.due_date + timedelta(days=7) if late else received + timedelta(days=4), self.today)
        moment = timezone.make_aware(datetime.combine(day, time(16, 0)))
        _backdate(item, closed_at=moment)
        FeedbackReply.objects.filter(item=item, status=FeedbackReply.Status.APPROVED).update(
            decided_at=moment
        )

    def close_note(self, fate: str, index: int, original: FeedbackItem | None) -> str:
        note = self.texts["close_notes"][fate]
        if isinstance(note, dict):
            return note[str(index)]
        return note.format(code=original.code) if original is not None else note


def _responsible_unit(problem: Problem) -> Organisation:
    link = (
        MeasureUnit.objects.filter(measure__problem=problem, role=MeasureUnit.Role.RESPONSIBLE)
        .select_related("unit")
        .order_by("measure__order", "id")
        .first()
    )
    return link.unit


def _liaison(unit: Organisation) -> User:
    return Membership.objects.filter(organisation=unit, role=Role.LIAISON).order_by("id").first().user


def _fresh(item: FeedbackItem) -> FeedbackItem:
    return FeedbackItem.objects.select_related("organisation", "unit").get(pk=item.pk)


def _backdate(item: FeedbackItem, **moments) -> None:
    """Put a step at the day it speaks of, as the demo's reports are (demo.life)."""
    FeedbackItem.objects.filter(pk=item.pk).update(**moments)


# ------------------------------------------------------------------ consultations


def _consultations(inspection: Inspection, office: User, texts: dict, today: date) -> None:
    """One open on the portal, one closed with its summary published, one meeting recorded."""
    mechanisms = {mechanism.title: mechanism for mechanism in Mechanism.objects.filter(inspection=inspection)}
    with set_actor(office):
        opens = today - timedelta(days=10)
        parking = _create(office, mechanisms, texts["open"], opens, today + timedelta(days=20))
        consultations.open_consultation(office, parking.pk, today=opens)
        for day, comment in enumerate(texts["open"]["comments"], start=1):
            _comment(office, parking, comment, opens + timedelta(days=day))

        opens, closes = today - timedelta(days=470), today - timedelta(days=440)
        relief = _create(office, mechanisms, texts["published"], opens, closes)
        consultations.open_consultation(office, relief.pk, today=opens)
        received = [
            _comment(office, relief, comment, opens + timedelta(days=3 * number + 2))
            for number, comment in enumerate(texts["published"]["comments"])
        ]
        consultations.close_consultation(office, relief.pk, today=closes + timedelta(days=1))
        _decide_and_publish(
            office, relief, received, texts["published"]["comments"], on=closes + timedelta(days=18)
        )

        held = today - timedelta(days=25)
        meeting = _create(office, mechanisms, texts["meeting"], held, held)
        heard = [_comment(office, meeting, comment, held) for comment in texts["meeting"]["comments"]]
        consultations.close_consultation(office, meeting.pk, today=held)
        _decide_and_publish(
            office, meeting, heard, texts["meeting"]["comments"], on=held + timedelta(days=12)
        )


def _create(office: User, mechanisms: dict, text: dict, opens_on: date, closes_on: date):
    fields = ConsultationFields(
        kind=text["kind"],
        title=text["title"],
        draft_text="\n".join(text["draft"]),
        opens_on=opens_on,
        closes_on=closes_on,
        meeting_place=text.get("place", ""),
        participants="\n".join(text.get("participants", [])),
    )
    consultation = consultations.create_consultation(
        office, fields, mechanism_id=mechanisms[text["mechanism"]].pk
    )
    Consultation.objects.filter(pk=consultation.pk).update(
        created_at=_at(opens_on - timedelta(days=3), time(11, 0))
    )
    return consultation


def _comment(office: User, consultation, comment: dict, on: date):
    """A comment left on the portal by a visitor, or heard and entered by the office, dated the day
    it came."""
    sender = {"name": comment.get("name", ""), "contact": comment.get("contact", "")}
    if comment["channel"] == Channel.PORTAL:
        saved = consultations.submit_public_comment(
            consultation.pk, content=comment["content"], enterprise=comment["enterprise"], today=on, **sender
        )
    else:
        saved = consultations.record_comment(
            office,
            consultation.pk,
            content=comment["content"],
            channel=comment["channel"],
            enterprise=comment["enterprise"],
            today=on,
            **sender,
        )
    ConsultationComment.objects.filter(pk=saved.pk).update(created_at=_at(on, time(10, 0)))
    return saved


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _decide_and_publish(office: User, consultation, comments: list, texts: list[dict], *, on: date) -> None:
    """Each comment decided, and the drafted summary published, dated `on`."""
    for comment, text in zip(comments, texts, strict=True):
        consultations.decide_comment(office, comment.pk, decision=text["decision"], reason=text["reason"])
    summary = consultations.drafted_summary(consultations.get_consultation(office, consultation.pk))
    consultations.publish_summary(office, consultation.pk, summary)
    ConsultationComment.objects.filter(consultation=consultation).update(decided_at=_at(on, time(9, 30)))
    Consultation.objects.filter(pk=consultation.pk).update(summary_published_at=_at(on, time(15, 0)))
