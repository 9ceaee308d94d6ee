"""What the public side of feedback may reach: the organisations a visitor may write to, what a
portal link or a QR code says the message is about, and what a sender sees of an item with its
tracking code. Used by the portal pages and the public API alike.

A link may name only inspections whose notice is published (so nobody reads an unpublished ledger
by trying numbers); a QR code may name anything of its organisation, since the office printed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from rectify.errors import InvalidInput, NotFound
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.notices.models import PublicationState
from rectify.org.models import Organisation

from .models import FeedbackItem, FeedbackReply, FeedbackStatus, QrCode

LINK_NOT_FOUND = "链接中的巡察、问题或整改措施不存在或尚未公开。"
QR_NOT_FOUND = "该二维码无效。"
QR_INACTIVE = "该二维码已停用。"


def public_inspections() -> QuerySet[Inspection]:
    """Inspections with a published notice: a portal link may name these and their problems."""
    return Inspection.objects.filter(publications__state=PublicationState.PUBLISHED).distinct()


def public_organisations() -> QuerySet[Organisation]:
    """Who a visitor may write to without a link: organisations that have published a notice or
    have been inspected."""
    return (
        Organisation.objects.filter(
            Q(notice_publications__state=PublicationState.PUBLISHED) | Q(inspections__isnull=False)
        )
        .distinct()
        .order_by("path")
    )


@dataclass(frozen=True)
class Subject:
    """What a message is about, as the link or the QR code it came through says."""

    organisation: Organisation | None = None
    inspection: Inspection | None = None
    problem: Problem | None = None
    measure: Measure | None = None
    qr: QrCode | None = None

    @property
    def site(self) -> str:
        if self.qr is None:
            return ""
        return self.qr.site or ("" if self.qr.problem_id or self.qr.measure_id else self.qr.label)

    @property
    def problem_is_fixed(self) -> bool:
        """A measure or a QR code names what it is about; the visitor does not choose a problem."""
        return self.measure is not None or self.qr is not None

    def rows(self) -> list[tuple[str, str]]:
        """The subject in words, for the form and the confirmation."""
        rows: list[tuple[str, str]] = []
        if self.organisation is not None:
            rows.append(("受理单位", self.organisation.name))
        if self.site:
            rows.append(("地点", self.site))
        if self.inspection is not None:
            rows.append(("巡察", self.inspection.title))
        if self.problem is not None and self.problem_is_fixed:
            rows.append(("问题", problem_label(self.problem)))
        if self.measure is not None:
            rows.append(("整改措施", self.measure.text))
        return rows


def inspection_contact(inspection: Inspection | None) -> dict:
    """The telephone numbers and e-mail addresses the inspection's notice gives for opinions."""
    contact = (inspection.contact if inspection is not None else None) or {}
    return {"phones": contact.get("phones") or [], "emails": contact.get("emails") or []}


def problem_label(problem: Problem) -> str:
    return f"问题{problem.number}：{problem.title}"


def _number(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(LINK_NOT_FOUND) from None
    if number < 1:
        raise NotFound(LINK_NOT_FOUND)
    return number


def subject_from_link(
    *,
    organisation: str | None = None,
    inspection: str | None = None,
    problem: str | None = None,
    measure: str | None = None,
) -> Subject:
    """The subject a portal link names (`?org=&inspection=&problem=&measure=`, all optional).
    NotFound for anything unknown, unpublished or contradicting the rest of the link."""
    ids = {
        "organisation": _number(organisation),
        "inspection": _number(inspection),
        "problem": _number(problem),
        "measure": _number(measure),
    }
    found_measure = found_problem = found_inspection = None
    inspections = public_inspections()
    if ids["measure"]:
        found_measure = (
            Measure.objects.select_related("problem__inspection__inspected")
            .filter(pk=ids["measure"], problem__inspection__in=inspections)
            .first()
        )
        if found_measure is None:
            raise NotFound(LINK_NOT_FOUND)
        found_problem = found_measure.problem
    if ids["problem"]:
        if found_problem is None:
            found_problem = (
                Problem.objects.select_related("inspection__inspected")
                .filter(pk=ids["problem"], inspection__in=inspections)
                .first()
            )
        if found_problem is None or found_problem.pk != ids["problem"]:
            raise NotFound(LINK_NOT_FOUND)
    if found_problem is not None:
        found_inspection = found_problem.inspection
    if ids["inspection"]:
        if found_inspection is None:
            found_inspection = inspections.select_related("inspected").filter(pk=ids["inspection"]).first()
        if found_inspection is None or found_inspection.pk != ids["inspection"]:
            raise NotFound(LINK_NOT_FOUND)
    found_organisation = found_inspection.inspected if found_inspection is not None else None
    if ids["organisation"]:
        if found_organisation is None:
            found_organisation = public_organisations().filter(pk=ids["organisation"]).first()
        if found_organisation is None or found_organisation.pk != ids["organisation"]:
            raise NotFound("链接中的受理单位不存在。")
    return Subject(
        organisation=found_organisation,
        inspection=found_inspection,
        problem=found_problem,
        measure=found_measure,
    )


def active_qr(token: str) -> QrCode:
    """The active QR code carrying `token`; NotFound (saying which) if unknown or switched off."""
    qr = (
        QrCode.objects.select_related("organisation", "problem__inspection", "measure__problem__inspection")
        .filter(token=token)
        .first()
    )
    if qr is None:
        raise NotFound(QR_NOT_FOUND)
    if not qr.active:
        raise NotFound(QR_INACTIVE)
    return qr


def subject_of_qr(qr: QrCode) -> Subject:
    problem = qr.measure.problem if qr.measure is not None else qr.problem
    return Subject(
        organisation=qr.organisation,
        inspection=problem.inspection if problem is not None else None,
        problem=problem,
        measure=qr.measure,
        qr=qr,
    )


def record_scan(qr: QrCode) -> None:
    """Count one scan in the database (no lost updates between processes)."""
    QrCode.objects.filter(pk=qr.pk).update(scan_count=F("scan_count") + 1)


def subject_for_api(*, organisation: int | None, problem: int | None, qr: str | None) -> Subject:
    """The subject of an API submission: the QR code's, else the (published) problem's, else the
    organisation named. InvalidInput when none is named or they disagree."""
    if qr:
        try:
            subject = subject_of_qr(active_qr(qr))
        except NotFound as error:
            raise InvalidInput(f"qr：{error.message}") from None
        if problem and (subject.problem is None or subject.problem.pk != problem):
            raise InvalidInput("problem：与二维码关联的问题不一致。")
    elif problem:
        try:
            subject = subject_from_link(problem=str(problem))
        except NotFound:
            raise InvalidInput("problem：该问题不存在或尚未公开。") from None
    elif organisation:
        found = public_organisations().filter(pk=organisation).first()
        if found is None:
            raise InvalidInput("organisation：受理单位不存在。")
        return Subject(organisation=found)
    else:
        raise InvalidInput("请指明受理单位（organisation）、问题（problem）或二维码（qr）。")
    if organisation and subject.organisation.pk != organisation:
        raise InvalidInput("organisation：与问题或二维码所属的单位不一致。")
    return subject


CONSENT_NEEDED = "留下电话或电子邮箱时，请勾选同意联系；如不希望被联系，请删去电话和电子邮箱。"
CONTACT_NEEDED = "勾选同意联系时，请至少留下电话或电子邮箱；如不需要联系，请取消勾选。"


def consent_problem(*, has_contact: bool, consent: bool) -> str:
    """Why the contact details and the consent do not go together ("" when they do): a phone
    number or an e-mail address is kept only with the sender's consent to be contacted (the reply
    is e-mailed too), and consent without a way to be contacted is a mistake worth pointing out."""
    if has_contact and not consent:
        return CONSENT_NEEDED
    if consent and not has_contact:
        return CONTACT_NEEDED
    return ""


# ------------------------------------------------------------------ what a sender sees

STATUS_WORDS = {
    FeedbackStatus.RECEIVED: "已受理",
    FeedbackStatus.ROUTED: "办理中",
    FeedbackStatus.REPLY_PENDING: "办理中",  # a reply awaiting approval is not an answer yet
    FeedbackStatus.REPLIED: "已答复",
    FeedbackStatus.CLOSED: "已办结",
}
STATUS_EXPLANATIONS = {
    FeedbackStatus.RECEIVED: "已收到您的留言，正在分送承办单位。",
    FeedbackStatus.ROUTED: "承办单位正在研究办理。",
    FeedbackStatus.REPLY_PENDING: "承办单位正在研究办理。",
    FeedbackStatus.REPLIED: "答复已审核发布，见下方。",
    FeedbackStatus.CLOSED: "本件已办结，未单独答复，原因见下方。",
}


@dataclass(frozen=True)
class PublicView:
    """What anyone holding the tracking code may read: the message as sent and, once answered, the unit
    that answered; never names, contacts, the unit's staff, drafts, return reasons or internal notes,
    nor the unit while it is still working on the answer."""

    code: str
    organisation: str
    kind: str
    kind_label: str
    received_on: date
    due_date: date
    status: str
    status_label: str
    status_explanation: str
    close_reason_label: str
    reply_text: str
    replied_on: date | None
    content: str  # the message as the sender sent it
    unit: str  # the unit that answered, by name, once its reply is published; "" before


def public_view(item: FeedbackItem) -> PublicView:
    reply = (
        FeedbackReply.objects.filter(item=item, status=FeedbackReply.Status.APPROVED)
        .only("text", "decided_at")
        .first()
    )
    return PublicView(
        code=item.code,
        organisation=item.organisation.name,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        received_on=timezone.localdate(item.received_at),
        due_date=item.due_date,
        status=item.status,
        status_label=STATUS_WORDS[item.status],
        status_explanation=STATUS_EXPLANATIONS[item.status],
        close_reason_label=item.get_close_reason_display() if item.status == FeedbackStatus.CLOSED else "",
        reply_text=reply.text if reply else "",
        replied_on=timezone.localdate(reply.decided_at) if reply and reply.decided_at else None,
        content=item.content,
        unit=item.unit.name if reply and item.unit_id else "",
    )
