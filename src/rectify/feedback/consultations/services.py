"""Public consultations on rules (公开征求意见) and consultation meetings (征求意见座谈会), as actions.

Online consultation:

    draft ─publish─▶ open ─close─▶ closed ─publish summary─▶ published
    (office edits)   (the portal takes     (the office decides       (the portal shows the summary and
                      comments while        each comment and          each comment's gist with its
                      opens_on ≤ today ≤    drafts the summary)       decision and reason; nothing
                      closes_on)                                      changes again)

Meeting (座谈会, e.g. with industry associations): recorded by the office, never announced for
comments on the portal: draft ─close─▶ closed ─publish summary─▶ published; the comments heard are
entered by the office once the meeting has taken place.

The office (整改办) of the consultation's organisation acts; its leaders and supervisors read.
Every move locks the consultation's row and checks the state the user saw; refusals are Chinese
messages with the status the web and the API answer (404 unseen, 403 not yours, 409 wrong state,
400 bad input). Commenters' names and contacts are encrypted at rest, masked for staff, shown in
full to the office only on request (each view audited), and never shown on the portal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Required, TypedDict, Unpack

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit
from rectify.ledger.models import Mechanism
from rectify.org.access import CHANGE, VIEW, Access, organisations_under_office
from rectify.org.models import Organisation, User

from .. import services
from ..models import Channel
from ..services import plain_text
from .models import Consultation, ConsultationComment

Kind = Consultation.Kind
Status = Consultation.Status
Decision = ConsultationComment.Decision

MAX_TITLE = 255
MAX_DRAFT = 100_000
MAX_PLACE = 255
MAX_PARTICIPANTS = 5_000
MAX_COMMENT = 5_000
MAX_NAME = 64
MAX_CONTACT = 128
MAX_ENTERPRISE = 255
MAX_REASON = 2_000
MAX_SUMMARY = 20_000
GIST_LENGTH = 200

# Channels by which the office may enter a comment it received (the portal's come by themselves).
RECORDED_CHANNELS = (Channel.VISIT, Channel.ASSOCIATION, Channel.LETTER, Channel.EMAIL, Channel.PHONE)
PUBLIC_STATUSES = (Status.OPEN, Status.CLOSED, Status.PUBLISHED)
OFFICE_ONLY = "只有整改办可以办理征求意见。"
DECISIONS = (Decision.ADOPTED, Decision.PARTLY, Decision.NOT_ADOPTED)
DECISION_INVALID = "采纳情况应为采纳、部分采纳或未采纳。"


# ------------------------------------------------------------------ who sees and does what


# What a consultation's row and page show with it.
CONSULTATION_RELATIONS = ("organisation", "mechanism", "created_by")


def get_consultation(user: User, consultation_id: int) -> Consultation:
    return (
        Consultation.objects.restrict(user, VIEW)
        .select_related(*CONSULTATION_RELATIONS)
        .get_or_not_found("征求意见不存在，或您无权查看。", pk=consultation_id)
    )


def may_manage(user: User, consultation: Consultation) -> bool:
    return Access.of(user).is_office_for(consultation.organisation)


def may_create(user: User) -> bool:
    access = Access.of(user)
    return access.is_superuser or "office" in access.roles


def organisations_for(user: User) -> QuerySet[Organisation]:
    """Organisations for which the user may put a rule out for comment: where the user is the office."""
    return organisations_under_office(user)


def mechanisms_for(user: User) -> QuerySet[Mechanism]:
    """The rules the user's office may put out for comment."""
    return mechanisms_visible(user, CHANGE)


def mechanisms_visible(user: User, action: str = VIEW) -> QuerySet[Mechanism]:
    return (
        Mechanism.objects.restrict(user, action)
        .select_related("inspection__inspected")
        .order_by("inspection_id", "id")
    )


def may_manage_mechanism(user: User, mechanism: Mechanism) -> bool:
    return Access.of(user).is_office_for(mechanism.inspection.inspected)


def office_only() -> AccessDenied:
    return AccessDenied(OFFICE_ONLY)


def _office(user: User, consultation: Consultation) -> None:
    if not may_manage(user, consultation):
        raise AccessDenied(f"只有“{consultation.organisation.name}”的整改办可以办理该征求意见。")


def _managed(user: User, consultation_id: int) -> Consultation:
    """The consultation, for its office to act on."""
    consultation = get_consultation(user, consultation_id)
    _office(user, consultation)
    return consultation


def _locked(consultation_id: int) -> Consultation:
    # OF self: the consultation's row only, not its organisation's, which rows referring to it need.
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=consultation_id)
    )


def _locked_for_change(consultation: Consultation, expected_status: str | None) -> Consultation:
    """The consultation locked for a change (inside transaction.atomic()): refused once its summary is
    published, or when the page showed another state."""
    locked = _locked(consultation.pk)
    _refuse_published(locked)
    _expect(locked, expected_status)
    return locked


def _expect(consultation: Consultation, expected_status: str | None) -> None:
    """Refuse a move made on a page that showed another state (someone acted meanwhile)."""
    if expected_status and consultation.status != expected_status:
        raise StaleEdit(f"该征求意见已变为“{consultation.get_status_display()}”，请刷新页面后再操作。")


def _refuse_published(consultation: Consultation) -> None:
    if consultation.status == Status.PUBLISHED:
        raise StaleEdit("采纳情况已公布，不能再修改；如需更正，请另行发布更正说明。")


def today_here() -> date:
    """Today in Asia/Shanghai (the project's time zone), which decides whether comments are taken."""
    return timezone.localdate()


# ------------------------------------------------------------------ the text a person typed


def clean_text(value, label: str, *, limit: int, required: bool = False) -> str:
    """Trimmed text with normalised line ends; refused when required and empty, or too long. Staff
    text (a draft rule, a reason) is kept as typed: pages escape it."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise InvalidInput(f"请填写{label}。")
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字（现为 {len(text)} 字）。")
    return text


@dataclass(frozen=True)
class ConsultationFields:
    """What the office types for a consultation. A meeting takes place on one day (opens_on)."""

    kind: str
    title: str
    draft_text: str
    opens_on: date | None
    closes_on: date | None
    meeting_place: str = ""
    participants: str = ""


def _checked(fields: ConsultationFields) -> dict:
    if fields.kind not in Kind.values:
        raise InvalidInput("征求意见方式应为“网上公开征求意见”或“征求意见座谈会”。")
    values = {
        "kind": fields.kind,
        "title": clean_text(fields.title, "标题", limit=MAX_TITLE, required=True),
        "draft_text": clean_text(fields.draft_text, "征求意见稿", limit=MAX_DRAFT, required=True),
    }
    if fields.kind == Kind.MEETING:
        if fields.opens_on is None:
            raise InvalidInput("请填写座谈会日期。")
        values.update(
            opens_on=fields.opens_on,
            closes_on=fields.opens_on,
            meeting_place=clean_text(fields.meeting_place, "座谈地点", limit=MAX_PLACE, required=True),
            participants=clean_text(fields.participants, "参加单位", limit=MAX_PARTICIPANTS, required=True),
        )
        return values
    if fields.opens_on is None or fields.closes_on is None:
        raise InvalidInput("请填写征求意见的开始日期和截止日期。")
    if fields.closes_on < fields.opens_on:
        raise InvalidInput("截止日期不能早于开始日期。")
    values.update(opens_on=fields.opens_on, closes_on=fields.closes_on, meeting_place="", participants="")
    return values


# ------------------------------------------------------------------ creating and editing


def create_consultation(
    user: User,
    fields: ConsultationFields,
    *,
    mechanism_id: int | None = None,
    organisation_id: int | None = None,
) -> Consultation:
    """The office creates a consultation (a draft) on one of its rules, or standalone for one of its
    organisations. On a rule, the organisation is the rule's inspected organisation."""
    if mechanism_id:
        mechanism = (
            Mechanism.objects.restrict(user)
            .select_related("inspection__inspected")
            .filter(pk=mechanism_id)
            .first()
        )
        if mechanism is None:
            raise NotFound("长效机制不存在，或您无权查看。")
        organisation = mechanism.inspection.inspected
    else:
        mechanism = None
        if not organisation_id:
            raise InvalidInput("请选择征求意见的组织，或选择所涉的长效机制。")
        organisation = organisations_for(user).filter(pk=organisation_id).first()
        if organisation is None:
            raise AccessDenied("只能为您担任整改办的组织发起征求意见。")
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有“{organisation.name}”的整改办可以就其制度公开征求意见。")
    values = _checked(fields)
    return Consultation.objects.create(
        organisation=organisation, mechanism=mechanism, created_by=user, status=Status.DRAFT, **values
    )


def update_consultation(
    user: User, consultation_id: int, fields: ConsultationFields, *, expected_status: str | None = None
) -> Consultation:
    """The office edits a draft. Once out for comment the text stays as the commenters read it."""
    consultation = _managed(user, consultation_id)
    values = _checked(fields)
    with transaction.atomic():
        locked = _locked_for_change(consultation, expected_status)
        if locked.status != Status.DRAFT:
            raise StaleEdit(f"该征求意见已{_state_phrase(locked)}，征求意见稿不能再修改。")
        if locked.kind != values["kind"] and locked.comments.exists():
            raise InvalidInput("已登记座谈意见，不能改变征求意见方式。")
        _save(locked, values)
    return get_consultation(user, consultation.pk)


def _save(consultation: Consultation, changes: dict) -> None:
    """Set and save the changed fields only (the row is locked by the caller's transaction)."""
    for name, value in changes.items():
        setattr(consultation, name, value)
    consultation.save(update_fields=[*changes])


def _state_phrase(consultation: Consultation) -> str:
    return {
        Status.OPEN: "公开征求意见",
        Status.CLOSED: "截止",
        Status.PUBLISHED: "公布采纳情况",
    }.get(consultation.status, "发布")


# ------------------------------------------------------------------ the moves


def open_consultation(
    user: User, consultation_id: int, *, expected_status: str | None = Status.DRAFT, today: date | None = None
) -> Consultation:
    """The office publishes an online consultation on the portal (draft → open)."""
    consultation = _managed(user, consultation_id)
    today = today or today_here()
    with transaction.atomic():
        locked = _locked_for_change(consultation, expected_status)
        if locked.kind != Kind.ONLINE:
            raise InvalidInput("座谈会不在门户上公开征求意见；座谈结束后登记意见并公布采纳情况。")
        if locked.status != Status.DRAFT:
            raise StaleEdit(f"该征求意见已{_state_phrase(locked)}。")
        if locked.closes_on < today:
            raise InvalidInput(f"截止日期（{date_label(locked.closes_on)}）已过，请修改征求意见期后再发布。")
        locked.status = Status.OPEN
        locked.save(update_fields=["status"])
    return get_consultation(user, consultation.pk)


def close_consultation(
    user: User, consultation_id: int, *, expected_status: str | None = None, today: date | None = None
) -> Consultation:
    """The comment period is over (online: after its closing date; meeting: once it took place): the
    office starts deciding on the comments."""
    consultation = _managed(user, consultation_id)
    today = today or today_here()
    with transaction.atomic():
        locked = _locked_for_change(consultation, expected_status)
        expected = Status.OPEN if locked.kind == Kind.ONLINE else Status.DRAFT
        if locked.status != expected:
            if locked.status == Status.DRAFT:
                raise StaleEdit("该征求意见尚未发布，不能截止。")
            raise StaleEdit(f"该征求意见已{_state_phrase(locked)}。")
        if locked.kind == Kind.ONLINE and today <= locked.closes_on:
            raise InvalidInput(f"征求意见期至 {date_label(locked.closes_on)}，期满后才能结束征求意见。")
        if locked.kind == Kind.MEETING and today < locked.opens_on:
            raise InvalidInput(f"座谈会定于 {date_label(locked.opens_on)} 召开，召开后才能结束意见登记。")
        locked.status = Status.CLOSED
        locked.save(update_fields=["status"])
    return get_consultation(user, consultation.pk)


def accepts_public_comments(consultation: Consultation, today: date | None = None) -> bool:
    """Whether the portal takes comments on it today (Asia/Shanghai)."""
    today = today or today_here()
    return (
        consultation.kind == Kind.ONLINE
        and consultation.status == Status.OPEN
        and consultation.opens_on <= today <= consultation.closes_on
    )


def public_phase(consultation: Consultation, today: date | None = None) -> str:
    """What the portal says of it: upcoming, open, closed (summary in preparation) or published."""
    today = today or today_here()
    if consultation.status == Status.PUBLISHED:
        return "published"
    if consultation.status == Status.OPEN and today < consultation.opens_on:
        return "upcoming"
    if accepts_public_comments(consultation, today):
        return "open"
    return "closed"


PHASE_LABELS = {
    "upcoming": "即将开始",
    "open": "征求意见中",
    "closed": "征求意见已截止",
    "published": "采纳情况已公布",
}


# ------------------------------------------------------------------ comments


class Comment(TypedDict, total=False):
    """A comment as its author gives it: the text, and (all optional) who sent it."""

    content: Required[str]
    name: str
    contact: str
    enterprise: str


def _checked_comment(*, content: str, name: str = "", contact: str = "", enterprise: str = "") -> dict:
    """A comment as plain text (markup and control characters removed, as for any feedback), sized;
    the contact a phone number or an e-mail address, checked as feedback's are."""
    return {
        "content": clean_text(plain_text(content), "意见内容", limit=MAX_COMMENT, required=True),
        "sender_name": clean_text(plain_text(name), "姓名", limit=MAX_NAME),
        "sender_contact": clean_contact(contact),
        "enterprise": clean_text(plain_text(enterprise), "企业或协会名称", limit=MAX_ENTERPRISE),
    }


def clean_contact(value: str | None) -> str:
    """A commenter's contact: an e-mail address or a telephone number, in feedback's stored forms."""
    text = clean_text(plain_text(value), "联系方式", limit=MAX_CONTACT)
    if not text:
        return ""
    return services.clean_email(text) if "@" in text else services.clean_phone(text)


def masked_contact(contact: str) -> str:
    """138****1234 or z***@example.com, as staff lists show contacts."""
    return services.mask_email(contact) if "@" in contact else services.mask_phone(contact)


def reveal_contact(user: User, comment_id: int) -> tuple[str, str]:
    """A commenter's name and contact in full, for the office only; each view is written to the
    audit trail (who saw which comment's contact, when)."""
    comment = get_comment(user, comment_id)
    _office(user, comment.consultation)
    services.log_contacts_viewed(user, comment)
    return comment.sender_name, comment.sender_contact


def check_accepts_comments(consultation: Consultation, today: date | None = None) -> None:
    """InvalidInput, in words for the visitor, unless the portal takes comments on it today."""
    if accepts_public_comments(consultation, today):
        return
    if public_phase(consultation, today) == "upcoming":
        raise InvalidInput(f"征求意见将于 {date_label(consultation.opens_on)} 开始，届时欢迎提出意见。")
    raise InvalidInput("征求意见已截止，不再接收意见。感谢您的关注。")


def check_public_comment(**comment: Unpack[Comment]) -> None:
    """Refuse a comment that could not be saved, before the visitor's allowance is counted."""
    _checked_comment(**comment)


def submit_public_comment(
    consultation_id: int, *, today: date | None = None, **comment: Unpack[Comment]
) -> ConsultationComment:
    """A comment from the portal, while the consultation takes comments. The caller has already
    refused abuse (feedback.abuse: rate limit, honeypot); markup is stripped and sizes checked here."""
    values = _checked_comment(**comment)
    with transaction.atomic():
        consultation = (
            Consultation.objects.select_for_update()
            .filter(pk=consultation_id, status__in=PUBLIC_STATUSES, kind=Kind.ONLINE)
            .first()
        )
        if consultation is None:
            raise NotFound("该征求意见不存在或尚未公开。")
        check_accepts_comments(consultation, today)
        return ConsultationComment.objects.create(consultation=consultation, channel=Channel.PORTAL, **values)


def record_comment(
    user: User, consultation_id: int, *, channel: str, today: date | None = None, **comment: Unpack[Comment]
) -> ConsultationComment:
    """The office enters a comment heard at the meeting, or received by letter, e-mail or phone."""
    consultation = _managed(user, consultation_id)
    if channel not in RECORDED_CHANNELS:
        labels = "、".join(Channel(value).label for value in RECORDED_CHANNELS)
        raise InvalidInput(f"意见来源应为{labels}之一。")
    values = _checked_comment(**comment)
    if channel == Channel.ASSOCIATION and not values["enterprise"]:
        raise InvalidInput("行业协会转达的意见，请填写协会名称。")
    today = today or today_here()
    with transaction.atomic():
        locked = _locked(consultation.pk)
        _refuse_published(locked)
        if locked.kind == Kind.MEETING:
            if today < locked.opens_on:
                raise InvalidInput(f"座谈会定于 {date_label(locked.opens_on)} 召开，召开后再登记座谈意见。")
        elif locked.status == Status.DRAFT:
            raise InvalidInput("征求意见尚未发布，不能登记意见。")
        return ConsultationComment.objects.create(
            consultation=locked, channel=channel, created_by=user, **values
        )


def comments_of(consultation: Consultation) -> QuerySet[ConsultationComment]:
    return consultation.comments.select_related("decided_by", "created_by").order_by("created_at", "id")


def get_comment(user: User, comment_id: int) -> ConsultationComment:
    """A comment on a consultation the user may see."""
    comment = (
        ConsultationComment.objects.filter(
            consultation__in=Consultation.objects.restrict(user, VIEW).values("pk")
        )
        .select_related("consultation__organisation", "consultation__mechanism", "consultation__created_by")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise NotFound("意见不存在，或您无权查看。")
    return comment


def comment_number(comment: ConsultationComment) -> int:
    """The comment's number within its consultation (1, 2, …), as the pages list them."""
    return (
        ConsultationComment.objects.filter(consultation_id=comment.consultation_id)
        .filter(Q(created_at__lt=comment.created_at) | Q(created_at=comment.created_at, id__lt=comment.pk))
        .count()
        + 1
    )


def decide_comment(user: User, comment_id: int, *, decision: str, reason: str = "") -> ConsultationComment:
    """The office records whether a comment is adopted; partly or not adopted needs the reason."""
    comment = get_comment(user, comment_id)
    _office(user, comment.consultation)
    if decision not in DECISIONS:
        raise InvalidInput(DECISION_INVALID)
    reason = clean_text(reason, "理由", limit=MAX_REASON, required=decision != Decision.ADOPTED)
    with transaction.atomic():
        consultation = _locked(comment.consultation_id)
        _refuse_published(consultation)
        if consultation.status != Status.CLOSED:
            raise StaleEdit("征求意见结束后才能研究采纳情况。")
        locked = ConsultationComment.objects.select_for_update().get(pk=comment.pk)
        locked.decision = decision
        locked.reason = reason
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["decision", "reason", "decided_by", "decided_at"])
    return locked


# ------------------------------------------------------------------ the summary (意见采纳情况)


def decision_counts(consultation: Consultation) -> dict[str, int]:
    counts = Counter(consultation.comments.values_list("decision", flat=True))
    return {value: counts.get(value, 0) for value in Decision.values}


def drafted_summary(consultation: Consultation) -> str:
    """A first draft of 意见采纳情况 from the decisions: the counts, then the reasons of what was not
    (fully) adopted. The office edits it before publishing."""
    comments = list(comments_of(consultation))
    if consultation.kind == Kind.MEETING:
        opening = (
            f"{date_label(consultation.opens_on)}，我们在{consultation.meeting_place}召开征求意见座谈会，"
            f"就{quoted(_bare_title(consultation))}听取{_participants_phrase(consultation)}的意见建议。"
        )
    else:
        opening = (
            f"{date_label(consultation.opens_on)}至{date_label(consultation.closes_on)}，"
            f"我们就{quoted(_bare_title(consultation))}向社会公开征求意见。"
        )
    if not comments:
        return opening + "征求意见期间未收到意见建议。感谢社会各界的关注和支持。"
    counts = Counter(comment.decision for comment in comments)
    parts = [f"采纳 {counts[Decision.ADOPTED]} 条"]
    if counts[Decision.PARTLY]:
        parts.append(f"部分采纳 {counts[Decision.PARTLY]} 条")
    parts.append(f"未采纳 {counts[Decision.NOT_ADOPTED]} 条")
    if counts[Decision.PENDING]:
        parts.append(f"尚在研究 {counts[Decision.PENDING]} 条")
    lines = [opening + f"共收到意见建议 {len(comments)} 条，经认真研究，" + "，".join(parts) + "。"]
    explained = [c for c in comments if c.decision in (Decision.PARTLY, Decision.NOT_ADOPTED)]
    if explained:
        lines.append("部分采纳和未采纳意见的理由如下：")
        for number, comment in enumerate(explained, start=1):
            lines.append(
                f"{number}. 关于“{comment_gist(comment.content, 60)}”的意见"
                f"（{comment.get_decision_display()}）：{comment.reason}"
            )
    lines.append("感谢社会各界对我们工作的关心和支持。")
    return "\n".join(lines)


def _bare_title(consultation: Consultation) -> str:
    return (consultation.mechanism.title if consultation.mechanism_id else consultation.title).strip("《》")


def quoted(title: str) -> str:
    """A rule's title in book-title marks, once: 《广州市停车场条例》."""
    return f"《{title.strip('《》')}》"


def _participants_phrase(consultation: Consultation) -> str:
    lines = consultation.participants.replace("、", "\n").splitlines()
    names = [name.strip() for name in lines if name.strip()]
    if not names:
        return "有关单位"
    return "、".join(names[:3]) + ("等单位" if len(names) > 3 else "")


def comment_gist(text: str, limit: int = GIST_LENGTH) -> str:
    """The comment as the portal shows it: its opening words, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def save_summary(
    user: User, consultation_id: int, summary: str, *, expected_status: str | None = None
) -> Consultation:
    """The office saves its wording of 意见采纳情况 (not yet public)."""
    return _write_summary(user, consultation_id, summary, expected_status, publish=False)


def publish_summary(
    user: User, consultation_id: int, summary: str, *, expected_status: str | None = None
) -> Consultation:
    """The office publishes 意见采纳情况 on the portal, once every comment has its decision. A
    published summary never changes again."""
    return _write_summary(user, consultation_id, summary, expected_status, publish=True)


def _write_summary(
    user: User, consultation_id: int, summary: str, expected_status: str | None, *, publish: bool
) -> Consultation:
    consultation = _managed(user, consultation_id)
    summary = clean_text(summary, "采纳情况说明", limit=MAX_SUMMARY, required=True)
    with transaction.atomic():
        locked = _locked_for_change(consultation, expected_status)
        if locked.status != Status.CLOSED:
            raise StaleEdit(f"征求意见结束后才能{'公布' if publish else '撰写'}采纳情况。")
        changes: dict = {"summary": summary}
        if publish:
            pending = locked.comments.filter(decision=Decision.PENDING).count()
            if pending:
                raise InvalidInput(f"还有 {pending} 条意见未研究采纳情况，请逐条研究后再公布。")
            changes.update(status=Status.PUBLISHED, summary_published_at=timezone.now())
        _save(locked, changes)
    return get_consultation(user, consultation.pk)


def visible_consultations(
    user: User,
    *,
    mechanism: Mechanism | int | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> QuerySet[Consultation]:
    """The consultations the user may see, newest first, with their comment counts: those on one
    rule, in one status, of one kind, when each is given (the staff list and the API)."""
    records = (
        Consultation.objects.restrict(user, VIEW)
        .select_related(*CONSULTATION_RELATIONS)
        .filter_given(mechanism=mechanism, status=status, kind=kind)
        .order_by("-opens_on", "-id")
    )
    return with_counts(records)


def with_counts(records: QuerySet[Consultation]) -> QuerySet[Consultation]:
    """Each consultation with its number of comments and of comments still undecided (one query)."""
    return records.annotate(
        comment_count=Count("comments"),
        pending_count=Count("comments", filter=Q(comments__decision=Decision.PENDING)),
    )


# ------------------------------------------------------------------ the portal


def public_consultations(today: date | None = None) -> QuerySet[Consultation]:
    """What the portal lists: online consultations once published, meetings once their summary is;
    those taking comments first (closing soonest first), then upcoming, then the rest, newest first."""
    today = today or today_here()
    return (
        Consultation.objects.filter(
            Q(kind=Kind.ONLINE, status__in=PUBLIC_STATUSES) | Q(kind=Kind.MEETING, status=Status.PUBLISHED)
        )
        .select_related("organisation", "mechanism")
        .annotate(
            phase_rank=Case(
                When(status=Status.OPEN, opens_on__lte=today, closes_on__gte=today, then=Value(0)),
                When(status=Status.OPEN, opens_on__gt=today, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            comment_count=Count("comments"),
        )
        .order_by("phase_rank", Case(When(phase_rank=0, then="closes_on")), "-closes_on", "-id")
    )


def get_public(consultation_id: int) -> Consultation:
    consultation = public_consultations().filter(pk=consultation_id).first()
    if consultation is None:
        raise NotFound("该征求意见不存在或尚未公开。")
    return consultation


def public_comments(consultation: Consultation) -> list[dict]:
    """Each comment as the portal shows it once the summary is out: its gist, where it came from,
    the decision and the reason. Never the name, contact or enterprise of whoever wrote it."""
    if consultation.status != Status.PUBLISHED:
        return []
    fields = ("content", "channel", "decision", "reason")
    comments_in_order = consultation.comments.only(*fields).order_by("created_at", "id")
    return [
        {
            "number": number,
            "gist": comment_gist(comment.content),
            "channel": comment.get_channel_display(),
            "decision": comment.decision,
            "decision_label": comment.get_decision_display(),
            "reason": comment.reason,
        }
        for number, comment in enumerate(comments_in_order, start=1)
    ]
