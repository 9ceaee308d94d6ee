"""Business rules of public feedback (事事有回音): intake, routing, replies, closing, deadlines and
privacy. The portal, the staff pages, the API, the hotline import and the tick all call these."""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict, Unpack

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, Model, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.html import strip_tags

from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput, StaleEdit
from rectify.ledger.models import Inspection, Measure, Problem
from rectify.ledger.services import UNSET
from rectify.org.access import VIEW, Access, is_office, path_q
from rectify.org.models import (
    UNIT_ROLES,
    Membership,
    Organisation,
    Role,
    User,
    units_within,
)
from rectify.security.models import Kind as SecurityKind
from rectify.security.services import record as record_security_event
from rectify.supervision.models import WarningPolicy
from rectify.supervision.services import Fact, notify_all, pk_links
from rectify.supervision.warning_helpers import days_left, days_text
from rectify.supervision.workdays import add_workdays

from . import tallies
from .models import (
    OPEN_STATUSES,
    Channel,
    CloseReason,
    FeedbackItem,
    FeedbackKind,
    FeedbackReply,
    FeedbackStatus,
    HotlineBatch,
    QrCode,
    reply_overdue_q,
)

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ tracking codes

# No 0/O, 1/I: a code read aloud over the phone or copied from paper cannot be misread.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4  # 12 symbols of 5 bits: 60 random bits, shown as ABCD-EFGH-JKMN


def new_tracking_code() -> str:
    """A random tracking code, grouped for reading aloud, e.g. "K7QD-9XTM-F3HB"."""
    return "-".join(
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS)
    )


def normalise_code(code: str) -> str | None:
    """The stored form of a code as a person typed it (any case, spaces or dashes); None if it
    cannot be a code at all."""
    symbols = re.sub(r"[\s\-_—–－]+", "", unicodedata.normalize("NFKC", code or "")).upper()
    if len(symbols) != CODE_GROUPS * CODE_GROUP_LENGTH or any(c not in CODE_ALPHABET for c in symbols):
        return None
    return "-".join(symbols[i : i + CODE_GROUP_LENGTH] for i in range(0, len(symbols), CODE_GROUP_LENGTH))


def find_by_code(code: str) -> FeedbackItem | None:
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return FeedbackItem.objects.select_related("organisation").filter(code=normalised).first()


# ------------------------------------------------------------------ deadlines

DEFAULT_REPLY_WORKDAYS: int = WarningPolicy._meta.get_field("feedback_reply_workdays").default


def reply_workdays(organisation: Organisation) -> int:
    """The reply period of the organisation's policy, or of its nearest ancestor that has one."""
    days = (
        WarningPolicy.objects.filter(organisation__path__in=organisation.ancestor_paths)
        .order_by("-organisation__path")
        .values_list("feedback_reply_workdays", flat=True)
        .first()
    )
    return days or DEFAULT_REPLY_WORKDAYS


def due_date_for(organisation: Organisation, received: date) -> date:
    return add_workdays(received, reply_workdays(organisation))


# ------------------------------------------------------------------ input checks

MAX_CONTENT = 2000
MAX_NAME = 64
MAX_PHONE = 32
MAX_EMAIL = 254
MAX_ENTERPRISE = 255
MAX_ASSOCIATION = 255
MAX_EXTERNAL_REF = 64

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:(?:-|转|ext\.?)(\d{1,6}))?$", re.IGNORECASE)

# GB 32100-2015: 18 symbols from 31 (no I, O, Z, S, V), the last a check symbol mod 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def plain_text(value: str | None) -> str:
    """What a person typed, as plain text: markup and control characters removed, line ends
    unified, outer spaces trimmed. Chinese punctuation and full-width forms stay as typed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", strip_tags(text)).strip()


def _folded(value: str | None) -> str:
    """A number, address or code as typed on a Chinese keyboard: full-width forms folded
    (１３８ → 138, ＠ → @), so that it checks and stores like one typed in ASCII."""
    return unicodedata.normalize("NFKC", value or "")


def sized_text(value: str | None, limit: int, label: str, *, missing: str = "") -> str:
    """The text as `plain_text`, refused when longer than `limit`, or empty when `missing` (the
    refusal of an empty text) is given."""
    text = plain_text(value)
    if len(text) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 个字（现为 {len(text)} 个字）。")
    if missing and not text:
        raise InvalidInput(missing)
    return text


def clean_content(value: str | None) -> str:
    return sized_text(value, MAX_CONTENT, "内容", missing="请填写内容。")


def clean_phone(value: str | None) -> str:
    """A mainland mobile number (13812341234) or a landline with its area code (020-12345678)."""
    raw = sized_text(_folded(value), MAX_PHONE, "联系电话")
    if not raw:
        return ""
    compact = re.sub(r"[\s()（）]", "", raw)
    compact = re.sub(r"^(?:\+86|0086)-?", "", compact)
    digits = compact.replace("-", "")
    if _MOBILE.match(digits):
        return digits
    if "-" not in compact and digits.startswith("0"):
        # Without a dash the area code is known by its start: 010 and 02x have three digits.
        area_length = 3 if re.match(r"^0(?:10|2\d)", digits) else 4
        compact = f"{digits[:area_length]}-{digits[area_length:]}"
    landline = _LANDLINE.match(compact)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    raise InvalidInput("联系电话格式不正确：请填写 11 位手机号，或带区号的固定电话（如 020-12345678）。")


def clean_email(value: str | None) -> str:
    email = sized_text(_folded(value), MAX_EMAIL, "电子邮箱")
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("电子邮箱格式不正确，如 zhang@example.com。") from None
    return email.lower()


def credit_code_check_symbol(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def clean_credit_code(value: str | None) -> str:
    code = re.sub(r"[\s\-]", "", plain_text(_folded(value))).upper()
    if not code:
        return ""
    if len(code) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in code):
        raise InvalidInput("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。")
    if credit_code_check_symbol(code[:17]) != code[17]:
        raise InvalidInput("统一社会信用代码的校验位不正确，请核对后重新填写。")
    return code


def clean_kind(kind: str) -> str:
    if kind not in FeedbackKind.values:
        raise InvalidInput("类别无效，应为“意见建议”或“企业诉求”。")
    return kind


def _links(
    organisation: Organisation,
    inspection: Inspection | None,
    problem: Problem | None,
    measure: Measure | None,
) -> tuple[Inspection | None, Problem | None, Measure | None]:
    """The inspection, problem and measure the item is about, consistent with each other and all of
    the organisation (or an organisation under it)."""
    if measure is not None:
        if problem is not None and measure.problem_id != problem.pk:
            raise InvalidInput("所选整改措施不属于所选问题。")
        problem = measure.problem
    if problem is not None:
        if inspection is not None and problem.inspection_id != inspection.pk:
            raise InvalidInput("所选问题不属于所选巡察。")
        inspection = problem.inspection
    if inspection is not None and not inspection.inspected.is_within(organisation):
        label = "整改措施" if measure is not None else "问题" if problem is not None else "巡察"
        raise InvalidInput(f"所选{label}不属于{organisation.name}。")
    return inspection, problem, measure


def _create(**fields) -> FeedbackItem:
    """Save a new item under a fresh tracking code (a collision of 60 random bits is retried)."""
    external_ref = fields.get("external_ref", "")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                item = FeedbackItem.objects.create(code=new_tracking_code(), **fields)
                tallies.items_changed(item.organisation_id)
                return item
        except IntegrityError:
            # Registered at the same moment by someone else, or (almost never) the code was taken.
            if (
                external_ref
                and FeedbackItem.objects.filter(
                    organisation=fields["organisation"], channel=fields["channel"], external_ref=external_ref
                ).exists()
            ):
                raise InvalidInput(f"外部编号“{external_ref}”已登记过，不能重复登记。") from None
    raise RuntimeError("could not draw an unused tracking code")


class Sender(TypedDict, total=False):
    """Who sent an item, as they gave it (all optional)."""

    name: str
    phone: str
    email: str
    enterprise: str
    credit_code: str
    consent_to_contact: bool


def sender_of(given: Mapping[str, Any]) -> Sender:
    """The sender's details among what a form or an API request gave, to pass on as `**sender`."""
    return {key: given[key] for key in Sender.__annotations__}


def _sender(
    *,
    name: str = "",
    phone: str = "",
    email: str = "",
    enterprise: str = "",
    credit_code: str = "",
    consent_to_contact: bool = False,
) -> dict:
    return {
        "sender_name": sized_text(name, MAX_NAME, "姓名"),
        "sender_phone": clean_phone(phone),
        "sender_email": clean_email(email),
        "enterprise": sized_text(enterprise, MAX_ENTERPRISE, "企业名称"),
        "credit_code": clean_credit_code(credit_code),
        "consent_to_contact": bool(consent_to_contact),
    }


def _intake(
    organisation: Organisation,
    *,
    channel: str,
    received_at: datetime,
    kind: str,
    content: str,
    sender: Sender,
    inspection: Inspection | None,
    problem: Problem | None,
    measure: Measure | None,
    **extra,
) -> FeedbackItem:
    """Check what was sent, by whom and about what, all before anything is saved; then save the item,
    its reply due counted from the day it was received."""
    fields = {"kind": clean_kind(kind), "content": clean_content(content), **_sender(**sender)}
    inspection, problem, measure = _links(organisation, inspection, problem, measure)
    return _create(
        organisation=organisation,
        channel=channel,
        inspection=inspection,
        problem=problem,
        measure=measure,
        received_at=received_at,
        due_date=due_date_for(organisation, timezone.localdate(received_at)),
        **fields,
        **extra,
    )


# ------------------------------------------------------------------ intake


def submit_public(
    *,
    organisation: Organisation,
    kind: str,
    content: str,
    inspection: Inspection | None = None,
    problem: Problem | None = None,
    measure: Measure | None = None,
    qr: QrCode | None = None,
    **sender: Unpack[Sender],
) -> FeedbackItem:
    """An opinion or demand left on the portal. Everything is checked before anything is saved; the
    returned item's `code` is what the sender keeps."""
    if qr is not None:
        if qr.organisation_id != organisation.pk or not qr.active:
            raise InvalidInput("该二维码已停用或不属于本单位，请直接在网上留言。")
        problem = problem or qr.problem
        measure = measure or qr.measure
    return _intake(
        organisation,
        channel=Channel.PORTAL,
        received_at=timezone.now(),
        kind=kind,
        content=content,
        sender=sender,
        inspection=inspection,
        problem=problem,
        measure=measure,
        qr=qr,
    )


STAFF_CHANNELS = (
    Channel.PHONE,
    Channel.EMAIL,
    Channel.LETTER,
    Channel.VISIT,
    Channel.ASSOCIATION,
    Channel.HOTLINE,
)


def register_item(
    user: User,
    *,
    organisation: Organisation,
    channel: str,
    kind: str,
    content: str,
    received_at: datetime | None = None,
    inspection: Inspection | None = None,
    problem: Problem | None = None,
    measure: Measure | None = None,
    association: str = "",
    external_ref: str = "",
    hotline_batch: HotlineBatch | None = None,
    **sender: Unpack[Sender],
) -> FeedbackItem:
    """An item the office registers for something that came by phone, e-mail, letter, visit, an
    association or the 12345 hotline. The deadline runs from the day it was received; an external
    reference (a 12345 work order number) is registered once per channel (the database refuses a
    second, and _create says so)."""
    if not Access.of(user).is_office_for(organisation):
        raise AccessDenied(f"只有{organisation.name}的整改办可以登记意见诉求。")
    if channel not in STAFF_CHANNELS:
        raise InvalidInput("来源渠道无效，应为来电、电子邮件、来信、来访走访、行业协会转达或12345热线。")
    association = sized_text(association, MAX_ASSOCIATION, "行业协会名称")
    if channel == Channel.ASSOCIATION and not association:
        raise InvalidInput("行业协会转达的诉求须填写转达的行业协会名称。")
    external_ref = sized_text(external_ref, MAX_EXTERNAL_REF, "外部编号")
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > now:
        raise InvalidInput("收到时间不能晚于现在。")
    return _intake(
        organisation,
        channel=channel,
        received_at=received_at,
        kind=kind,
        content=content,
        sender=sender,
        inspection=inspection,
        problem=problem,
        measure=measure,
        association=association,
        external_ref=external_ref,
        hotline_batch=hotline_batch,
        created_by=user,
    )


# ------------------------------------------------------------------ who sees what


# What an item's row and page show. The problem and measure come in their own queries: joining
# them as well makes PostgreSQL spend longer planning the list than running it.
ITEM_RELATIONS = ("organisation", "unit", "qr", "inspection")
ITEM_LINKS = ("problem", "measure__problem")
ITEM_NOT_FOUND = "意见诉求不存在，或您无权查看。"


def get_item(user: User, item_id: int) -> FeedbackItem:
    return (
        FeedbackItem.objects.restrict(user, VIEW)
        .select_related(*ITEM_RELATIONS)
        .prefetch_related(*ITEM_LINKS)
        .get_or_not_found(ITEM_NOT_FOUND, pk=item_id)
    )


def acts_for_unit(user: User, item: FeedbackItem) -> bool:
    """The head or a liaison of the unit the item is routed to (or of a unit above it)."""
    if item.unit_id is None:
        return False
    access = Access.of(user)
    return access.is_superuser or any(access.has_role(role, item.unit) for role in UNIT_ROLES)


def _require_office(user: User, item: FeedbackItem, doing: str) -> None:
    if not is_office(user, item.organisation):
        raise AccessDenied(f"只有{item.organisation.name}的整改办可以{doing}。")


def _locked(user: User, item: FeedbackItem | int) -> FeedbackItem:
    """The item, locked for the rest of the transaction, if the user may see it."""
    pk = item if isinstance(item, int) else item.pk
    return (
        FeedbackItem.objects.restrict(user, VIEW)
        .select_for_update(of=("self",))
        .select_related("organisation", "unit")
        .get_or_not_found(ITEM_NOT_FOUND, pk=pk)
    )


def _check_version(item: FeedbackItem, version: int | None) -> None:
    if version is not None and item.version != version:
        unit = f"，承办单位为{item.unit.name}" if item.unit_id else ""
        raise StaleEdit(
            f"该意见诉求已被他人处理（您看到的是第 {version} 版，当前为第 {item.version} 版：状态为"
            f"“{item.get_status_display()}”{unit}），本次操作未保存。请刷新后在最新状态上重新操作。"
        )


def _require_status(item: FeedbackItem, allowed: tuple[str, ...], doing: str) -> None:
    if item.status not in allowed:
        raise InvalidInput(f"该意见诉求当前状态为“{item.get_status_display()}”，不能{doing}。")


def _office_move(
    user: User,
    item: FeedbackItem,
    version: int | None,
    allowed: tuple[str, ...],
    *,
    office_doing: str,
    doing: str,
) -> FeedbackItem:
    """The item locked for a move of its office (inside the move's transaction): refused unless the
    user is that office, the page showed the current version and the item's status allows it."""
    item = _locked(user, item)
    _require_office(user, item, office_doing)
    _check_version(item, version)
    _require_status(item, allowed, doing)
    return item


def require_allowed(user: User, item: FeedbackItem, action: str, *, office_doing: str, doing: str) -> None:
    """Refuse an action that `allowed_actions` does not offer (a page for it asked for), as the move
    itself would: only the item's office may take it, or its status does not allow it."""
    if action not in allowed_actions(user, item):
        _require_office(user, item, office_doing)
        _require_status(item, (), doing)  # the office's, so its status is what forbids it


def _returned(reply: FeedbackReply, user: User, reason: str) -> None:
    """Send a reply back, no longer to be used, for the reason the timeline and the unit read."""
    reply.status = FeedbackReply.Status.RETURNED
    reply.return_reason = reason
    reply.decided_by, reply.decided_at = user, timezone.now()
    reply.save()


def _notify(people: list[User], item: FeedbackItem, *, kind: str, fact: str, title: str, body: str) -> int:
    """Tell `people` of a fact about the item (once: `fact` names it among the item's), linking to
    the item's page. Returns how many were told."""
    link = pk_links("feedback:detail")
    return notify_all([_fact(people, item, kind=kind, fact=fact, title=title, body=body, link=link)])


def _fact(
    people: list[User],
    item: FeedbackItem,
    *,
    kind: str,
    fact: str,
    title: str,
    body: str,
    link: Callable[[int], str],
) -> Fact:
    """A fact about the item, linking to its page (`link`: pk_links of feedback:detail)."""
    return Fact(
        people,
        kind=kind,
        fact_key=f"feedback:{item.pk}:{fact}",
        title=title,
        body=body,
        url=link(item.pk),
    )


def _changed(item: FeedbackItem, *fields: str) -> None:
    """Save a person's change: the version moves on, and the audit trail records it."""
    item.version += 1
    item.save(update_fields=[*fields, "version"])
    tallies.items_changed(item.organisation_id)


# ------------------------------------------------------------------ routing


def routable_units(organisation: Organisation) -> QuerySet[Organisation]:
    """The units an item of the organisation can be routed to: the organisation's own units (the rule
    measures follow too), other than the organisation itself, whose office routes it."""
    return units_within(organisation).exclude(pk=organisation.pk)


def _unit_people(roles: tuple[str, ...], paths: list[str]) -> dict[str, list[User]]:
    """{organisation path: active users holding one of the roles there}, in one query."""
    people: dict[str, list[User]] = {}
    for membership in Membership.objects.filter(
        role__in=roles, organisation__path__in=paths, user__is_active=True
    ).select_related("user", "organisation"):
        people.setdefault(membership.organisation.path, []).append(membership.user)
    return people


@transaction.atomic
def route_item(
    user: User,
    item: FeedbackItem,
    *,
    unit: Organisation,
    problem: Problem | None = UNSET,
    measure: Measure | None = UNSET,
    version: int,
) -> FeedbackItem:
    """Route (分办) the item to a unit, or re-route it while it is not finished, and link it to the
    problem or measure it concerns (UNSET keeps the current link, None removes it)."""
    item = _office_move(
        user,
        item,
        version,
        (FeedbackStatus.RECEIVED, FeedbackStatus.ROUTED),
        office_doing="分办意见诉求",
        doing="分办或改派",
    )
    if unit is None or not routable_units(item.organisation).filter(pk=unit.pk).exists():
        raise InvalidInput(f"承办单位须为{item.organisation.name}的下属单位。")
    problem = item.problem if problem is UNSET else problem
    measure = item.measure if measure is UNSET else measure
    if measure is not None and problem is None:
        problem = measure.problem
    inspection, problem, measure = _links(
        item.organisation, None if problem else item.inspection, problem, measure
    )
    before = (item.unit_id, item.problem_id, item.measure_id, item.inspection_id, item.status)
    rerouted = item.unit_id is not None and item.unit_id != unit.pk
    item.unit, item.problem, item.measure, item.inspection = unit, problem, measure, inspection
    item.status = FeedbackStatus.ROUTED
    if before == (item.unit_id, item.problem_id, item.measure_id, item.inspection_id, item.status):
        return item  # nothing changed: others' edits must not turn stale for it
    if before[0] != unit.pk:
        item.routed_by, item.routed_at = user, timezone.now()
    _changed(item, "unit", "problem", "measure", "inspection", "status", "routed_by", "routed_at")
    if rerouted:
        # The former unit's unfinished draft is not the new unit's to send.
        for draft in item.replies.filter(status=FeedbackReply.Status.DRAFT):
            _returned(draft, user, f"已改派至{unit.name}办理，此稿不再使用。")
    if before[0] != unit.pk:
        _notify(
            _unit_people(tuple(UNIT_ROLES), [unit.path]).get(unit.path, []),
            item,
            kind="feedback_routed",
            fact=f"routed:{unit.pk}:{item.version}",
            title=f"意见诉求 {item.code} 已交{unit.display_name}办理，请于{date_label(item.due_date)}前答复",
            body=item.content[:200],
        )
    return item


# ------------------------------------------------------------------ replies

MAX_REPLY = 5000
MAX_REASON = 1000


def reply_in_progress(item: FeedbackItem) -> FeedbackReply | None:
    return item.replies.filter(
        status__in=[FeedbackReply.Status.DRAFT, FeedbackReply.Status.SUBMITTED]
    ).first()


@transaction.atomic
def save_reply(
    user: User, item: FeedbackItem, *, text: str, submit: bool = False, version: int | None = None
) -> FeedbackReply:
    """The unit drafts (or edits its draft of) the reply, and submits it for the office's review."""
    item = _locked(user, item)
    if not acts_for_unit(user, item):
        raise AccessDenied("只有承办单位的负责人或联络员可以拟写答复。")
    _check_version(item, version)
    _require_status(item, (FeedbackStatus.ROUTED,), "拟写答复")
    text = sized_text(text, MAX_REPLY, "答复内容", missing="请填写答复内容。")
    reply = reply_in_progress(item) or FeedbackReply(item=item, drafted_by=user)
    reply.text = text
    if submit:
        reply.status = FeedbackReply.Status.SUBMITTED
        reply.submitted_at = timezone.now()
    reply.save()
    if submit:
        item.status = FeedbackStatus.REPLY_PENDING
        _changed(item, "status")
        _notify(
            _offices_of([item]).get(item.pk, []),
            item,
            kind="feedback_reply_submitted",
            fact=f"reply:{reply.pk}:submitted",
            title=f"意见诉求 {item.code} 的答复已由{item.unit.display_name}提交，请审核",
            body=text[:200],
        )
    return reply


@dataclass
class ReplyApproval:
    """What approving a reply did. The e-mail goes once the approval is committed (never for one
    that rolled back); until then `email_pending` is true, afterwards `emailed` or `email_error` say
    how it went. Outside an outer transaction (a request) that happens before approve_reply returns."""

    reply: FeedbackReply
    email_pending: bool = False
    emailed: bool = False
    email_error: str = ""  # why the e-mail could not be sent ("" when it went or was not asked for)

    @property
    def message(self) -> str:
        if self.emailed:
            return "答复已审核发布，并已通过电子邮件告知来信人。"
        if self.email_error:
            return f"答复已审核发布，但电子邮件未能发出（{self.email_error}），请通过其他方式告知来信人。"
        if self.email_pending:
            return "答复已审核发布，电子邮件将在保存完成后发给来信人。"
        return "答复已审核发布，来信人可凭查询码查看。"


def approve_reply(user: User, item: FeedbackItem, *, version: int | None = None) -> ReplyApproval:
    """The office approves the submitted reply: it is published to the sender (by tracking code,
    and by e-mail when the sender gave an address and agreed to be contacted). A mail failure does
    not undo the approval."""
    with transaction.atomic():
        item = _office_move(
            user, item, version, (FeedbackStatus.REPLY_PENDING,), office_doing="审核答复", doing="审核答复"
        )
        reply = item.replies.select_for_update().get(status=FeedbackReply.Status.SUBMITTED)
        now = timezone.now()
        reply.status = FeedbackReply.Status.APPROVED
        reply.decided_by, reply.decided_at = user, now
        reply.save()
        item.status, item.closed_at, item.close_reason, item.closed_by = (
            FeedbackStatus.REPLIED,
            now,
            CloseReason.REPLIED,
            user,
        )
        _changed(item, "status", "closed_at", "close_reason", "closed_by")
    approval = ReplyApproval(reply)
    if item.sender_email and item.consent_to_contact:
        approval.email_pending = True
        transaction.on_commit(lambda: _email_reply(item, approval))
    return approval


def _email_reply(item: FeedbackItem, approval: ReplyApproval) -> None:
    """Send the committed approval's reply to the sender and record when it went."""
    approval.email_pending = False
    reply = approval.reply
    try:
        send_mail(*reply_email(item, reply), settings.DEFAULT_FROM_EMAIL, [item.sender_email])
    except Exception as error:  # any transport failure: the reply stands, the office is told
        log.warning("feedback %s: reply e-mail failed: %s", item.pk, error)
        approval.email_error = type(error).__name__
        return
    reply.emailed_at = timezone.now()
    reply.save(update_fields=["emailed_at"])
    approval.emailed = True


def reply_email(item: FeedbackItem, reply: FeedbackReply) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail that carries an approved reply to the sender."""
    site = settings.RECTIFY_SITE_URL.rstrip("/")
    subject = f"【{item.organisation.name}】您反映的{item.get_kind_display()}已答复（查询码 {item.code}）"
    body = (
        f"您好！\n\n您于{date_label(timezone.localdate(item.received_at))}反映的{item.get_kind_display()}"
        f"（查询码 {item.code}），答复如下：\n\n{reply.text}\n\n"
        f"您也可以在 {site}/portal/feedback/ 输入查询码查看。\n\n{item.organisation.name}\n"
    )
    return subject, body


@transaction.atomic
def return_reply(user: User, item: FeedbackItem, *, reason: str, version: int | None = None) -> FeedbackReply:
    """The office returns the submitted reply with a reason; the unit writes a new one."""
    item = _office_move(
        user, item, version, (FeedbackStatus.REPLY_PENDING,), office_doing="退回答复", doing="退回答复"
    )
    reason = sized_text(reason, MAX_REASON, "退回理由", missing="退回答复须写明理由。")
    reply = item.replies.select_for_update().get(status=FeedbackReply.Status.SUBMITTED)
    _returned(reply, user, reason)
    item.status = FeedbackStatus.ROUTED
    _changed(item, "status")
    _notify(
        _unit_people(tuple(UNIT_ROLES), [item.unit.path]).get(item.unit.path, []),
        item,
        kind="feedback_reply_returned",
        fact=f"reply:{reply.pk}:returned",
        title=f"意见诉求 {item.code} 的答复被退回，请重新拟写",
        body=reason[:200],
    )
    return reply


# ------------------------------------------------------------------ closing without a reply


@transaction.atomic
def close_item(
    user: User,
    item: FeedbackItem,
    *,
    reason: str,
    note: str,
    duplicate_of: FeedbackItem | None = None,
    version: int | None = None,
) -> FeedbackItem:
    """Close an open item without a reply, for a recorded reason: a duplicate (naming the original),
    not in scope, or anonymous and unanswerable (only when no contact was left at all)."""
    item = _office_move(user, item, version, OPEN_STATUSES, office_doing="办结意见诉求", doing="办结")
    if reason not in (CloseReason.DUPLICATE, CloseReason.OUT_OF_SCOPE, CloseReason.UNANSWERABLE):
        raise InvalidInput(
            "办结理由无效，应为重复反映、不属于受理范围或匿名且无法答复；有答复的请走答复审核。"
        )
    note = sized_text(note, MAX_REASON, "办结说明", missing="请填写办结说明。")
    if reason == CloseReason.DUPLICATE:
        if duplicate_of is None:
            raise InvalidInput("重复反映须指明与哪一件意见诉求重复。")
        if duplicate_of.pk == item.pk:
            raise InvalidInput("不能标记为与自身重复。")
        if duplicate_of.organisation_id != item.organisation_id:
            raise InvalidInput("重复的原件须是本单位受理的意见诉求。")
    else:
        duplicate_of = None
    if reason == CloseReason.UNANSWERABLE and (item.sender_phone or item.sender_email):
        raise InvalidInput("来信人留有联系方式，不能以“匿名且无法答复”办结，请答复来信人。")
    for unfinished in item.replies.filter(
        status__in=[FeedbackReply.Status.DRAFT, FeedbackReply.Status.SUBMITTED]
    ):
        _returned(unfinished, user, f"事项已办结（{CloseReason(reason).label}），此稿不再使用。")
    item.status = FeedbackStatus.CLOSED
    item.close_reason, item.close_note, item.duplicate_of = reason, note, duplicate_of
    item.closed_at, item.closed_by = timezone.now(), user
    _changed(item, "status", "close_reason", "close_note", "duplicate_of", "closed_at", "closed_by")
    return item


# ------------------------------------------------------------------ privacy


def mask_phone(phone: str) -> str:
    """138****1234; a landline keeps its area code and last four digits (020-****5678)."""
    if not phone:
        return ""
    if "-" in phone:
        area, number, *extension = phone.split("-")
        return "-".join([area, "*" * (len(number) - 4) + number[-4:], *extension])
    if len(phone) <= 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_email(email: str) -> str:
    """z***@example.com."""
    if not email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_name(name: str) -> str:
    """张* / 张**: the surname stays, the rest is hidden."""
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    return name[0] + "*" * (len(name) - 1)


def masked_contacts(item: FeedbackItem) -> dict[str, str]:
    return {
        "name": mask_name(item.sender_name),
        "phone": mask_phone(item.sender_phone),
        "email": mask_email(item.sender_email),
    }


def has_contact(item: FeedbackItem) -> bool:
    return bool(item.sender_phone or item.sender_email)


def log_contacts_viewed(user: User, record: Model) -> None:
    """Write to the audit trail that the user saw the full contacts of a sender (an item, or a
    consultation comment): who saw whose, when."""
    LogEntry.objects.log_create(
        record,
        action=LogEntry.Action.ACCESS,
        force_log=True,
        actor=user,
        changes={"完整联系方式": ["", "查看"]},
        additional_data={**record.get_additional_data(), "contacts_viewed": True},
    )
    # An item has its organisation; a consultation comment, its consultation's.
    organisation = getattr(record, "organisation", None) or record.consultation.organisation
    record_security_event(
        SecurityKind.PERSONAL_DATA,
        user=user,
        organisation=organisation,
        detail={"record": record._meta.label_lower, "id": record.pk, "name": str(record)[:60]},
    )


def reveal_contacts(user: User, item: FeedbackItem) -> dict[str, str | bool]:
    """The sender's contacts in full, for the office only; each view is written to the audit trail
    (who saw which item, when)."""
    item = get_item(user, item.pk)
    _require_office(user, item, "查看完整联系方式")
    log_contacts_viewed(user, item)
    return {
        "name": item.sender_name,
        "phone": item.sender_phone,
        "email": item.sender_email,
        "consent_to_contact": item.consent_to_contact,
    }


def record_contact_export(user: User, *, organisation: Organisation, rows: int, reason: str) -> None:
    """The audit entry of an export that carried contacts: who, when, how many rows, why."""
    LogEntry.objects.log_create(
        organisation,
        action=LogEntry.Action.ACCESS,
        force_log=True,
        actor=user,
        changes={"导出意见诉求（含联系方式）": ["", f"{rows} 条；理由：{reason}"]},
        additional_data={
            "org_path": organisation.path,
            "feedback_export": {"rows": rows, "reason": reason, "with_contacts": True},
        },
    )
    record_security_event(
        SecurityKind.PERSONAL_DATA,
        user=user,
        organisation=organisation,
        detail={"export": "feedback", "rows": rows, "reason": reason[:200]},
    )


# ------------------------------------------------------------------ reply deadlines

DUE_SOON_WORKDAYS = 3


def due_soon_limit(today: date) -> date:
    """Replies due on or before this day are announced as due soon."""
    return add_workdays(today, DUE_SOON_WORKDAYS)


def reply_deadline_items(user: User, today: date) -> QuerySet[FeedbackItem]:
    """Open items the user may see whose reply is due within three working days or overdue,
    earliest deadline first (the warnings page)."""
    return (
        FeedbackItem.objects.restrict(user, VIEW)
        .filter(status__in=OPEN_STATUSES, due_date__lte=due_soon_limit(today))
        .select_related("organisation", "unit")
        .order_by("due_date", "id")
    )


def _offices_of(items: list[FeedbackItem]) -> dict[int, list[User]]:
    """{item id: the office people of its organisation, or of the nearest organisation above it
    that has an office}, in one query for all the items."""
    paths = {path for item in items for path in item.organisation.ancestor_paths}
    offices = _unit_people((Role.OFFICE,), sorted(paths))
    found = {}
    for item in items:
        nearest = next(
            (offices[path] for path in reversed(item.organisation.ancestor_paths) if path in offices), []
        )
        found[item.pk] = nearest
    return found


def reply_warning_rows(user: User, today: date, limit: int) -> list[FeedbackItem]:
    """The warnings page's section (registered with supervision): the first `limit` items of
    `reply_deadline_items`, each with its days left."""
    rows = list(reply_deadline_items(user, today)[:limit])
    for item in rows:
        item.days = days_left(item.due_date, today)
        item.days_text = days_text(item.days)
    return rows


def run_reply_warnings(today: date | None = None) -> int:
    """Tell the routed unit's head and liaisons, and the office, of each reply due within three
    working days and of each overdue one. A fact is told once (a second run sends nothing new).
    Returns how many notifications were sent."""
    today = today or timezone.localdate()
    items = list(
        FeedbackItem.objects.filter(status__in=OPEN_STATUSES, due_date__lte=due_soon_limit(today))
        .select_related("organisation", "unit")
        .order_by("due_date", "id")
    )
    if not items:
        return 0
    offices = _offices_of(items)
    units = _unit_people(tuple(UNIT_ROLES), sorted({item.unit.path for item in items if item.unit_id}))
    link = pk_links("feedback:detail")
    facts = []
    for item in items:
        overdue = item.due_date < today
        people = offices[item.pk] + (units.get(item.unit.path, []) if item.unit_id else [])
        state = "已超过答复期限" if overdue else "答复期限将至"
        facts.append(
            _fact(
                people,
                item,
                kind="feedback_overdue" if overdue else "feedback_due",
                fact=f"{'overdue' if overdue else 'due'}:{item.due_date.isoformat()}",
                title=f"意见诉求 {item.code} {state}（{date_label(item.due_date)}）",
                body=(f"承办单位：{item.unit.name}。" if item.unit_id else "尚未分办。") + item.content[:150],
                link=link,
            )
        )
    return notify_all(facts)


# ------------------------------------------------------------------ the staff list

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class FeedbackFilter:
    """The filters of the staff list, shared by the page, the export and the API."""

    status: str | None = None
    channel: str | None = None
    kind: str | None = None
    unit: int | None = None
    overdue: bool | None = None
    qr: int | None = None
    inspection: int | None = None
    q: str = ""


def with_overdue(items: QuerySet[FeedbackItem], today: date) -> QuerySet[FeedbackItem]:
    """Annotate `is_overdue`: open and past its reply date on the day asked, never stored."""
    return items.annotate(
        is_overdue=Case(
            When(reply_overdue_q(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def filter_items(user: User, filters: FeedbackFilter, today: date | None = None) -> QuerySet[FeedbackItem]:
    """The items the user may see that match the filters, newest first, with what a row shows
    loaded in the same query."""
    today = today or timezone.localdate()
    items = with_overdue(FeedbackItem.objects.restrict(user, VIEW), today).select_related(*ITEM_RELATIONS)
    items = items.filter_given(
        status=filters.status,
        channel=filters.channel,
        kind=filters.kind,
        qr_id=filters.qr,
        inspection_id=filters.inspection,
    )
    if filters.unit:
        unit_path = Organisation.objects.filter(pk=filters.unit).values_list("path", flat=True).first() or "-"
        items = items.filter(unit__path__startswith=unit_path)
    if filters.overdue is True:
        items = items.filter(reply_overdue_q(today))
    elif filters.overdue is False:
        items = items.exclude(reply_overdue_q(today))
    text = filters.q.strip()
    if text:
        code = normalise_code(text)
        if code:
            items = items.filter(code=code)
        else:
            for term in text.split():
                items = items.filter(
                    Q(content__icontains=term)
                    | Q(enterprise__icontains=term)
                    | Q(association__icontains=term)
                    | Q(external_ref=term)
                )
    return items.order_by("-received_at", "-id")


def to_reply(user: User, today: date | None = None) -> QuerySet[FeedbackItem]:
    """Items routed to the user's units that wait for their reply (待答复), earliest deadline first."""
    units = path_q("unit__path", Access.of(user).unit_paths)
    if units is None:
        return FeedbackItem.objects.none()
    return (
        with_overdue(
            FeedbackItem.objects.filter(units, status=FeedbackStatus.ROUTED), today or timezone.localdate()
        )
        .select_related("organisation", "unit", "qr")
        .order_by("due_date", "id")
    )


# ------------------------------------------------------------------ what a person may do with an item


def allowed_actions(user: User, item: FeedbackItem) -> frozenset[str]:
    """The actions the item's state and the user's roles allow, for the page to offer only those."""
    office = is_office(user, item.organisation)
    actions = set()
    if office:
        actions.add("reveal")
        if item.status in (FeedbackStatus.RECEIVED, FeedbackStatus.ROUTED):
            actions.add("route")
        if item.status == FeedbackStatus.REPLY_PENDING:
            actions |= {"approve", "return"}
        if item.status in OPEN_STATUSES:
            actions.add("close")
    if item.status == FeedbackStatus.ROUTED and acts_for_unit(user, item):
        actions.add("reply")
    return frozenset(actions)


def replies_for(user: User, item: FeedbackItem) -> list[FeedbackReply]:
    """The item's replies this user may read: a draft not yet submitted is the unit's own."""
    replies = item.replies.select_related("drafted_by", "decided_by").order_by("drafted_at", "id")
    if not acts_for_unit(user, item):
        replies = replies.exclude(status=FeedbackReply.Status.DRAFT)
    return list(replies)


# ------------------------------------------------------------------ the item's timeline


@dataclass(frozen=True)
class TimelineEntry:
    timestamp: datetime
    actor: str
    text: str


def item_timeline(item: FeedbackItem, limit: int = 200) -> list[TimelineEntry]:
    """What happened to the item, oldest first, from the audit trail of the item and its replies:
    receipt, routing and re-routing, replies drafted, submitted, returned and approved, views of the
    contacts, closing. A fixed number of queries, whatever the length."""
    entries = list(
        LogEntry.objects.filter(additional_data__feedback_id=item.pk)
        .select_related("actor", "content_type")
        .order_by("timestamp", "id")[:limit]
    )
    unit_ids = {
        value
        for entry in entries
        for value in entry.changes_dict.get("unit", [])
        if value not in (None, "None", "")
    }
    unit_names = (
        dict(Organisation.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    )
    timeline = []
    for entry in entries:
        text = _describe(entry, item, {str(pk): name for pk, name in unit_names.items()})
        if text:
            actor = (
                entry.actor.display_name
                if entry.actor
                else (
                    "来信人"
                    if entry.action == LogEntry.Action.CREATE and item.channel == Channel.PORTAL
                    else "系统"
                )
            )
            timeline.append(TimelineEntry(entry.timestamp, actor, text))
    return timeline


def _describe(entry: LogEntry, item: FeedbackItem, unit_names: dict[str, str]) -> str:
    changes = entry.changes_dict
    model = entry.content_type.model
    if entry.action == LogEntry.Action.ACCESS:
        return "查看了来信人的完整联系方式"
    if model == "feedbackitem":
        if entry.action == LogEntry.Action.CREATE:
            return "在网上留言" if item.channel == Channel.PORTAL else f"登记{item.get_channel_display()}"
        status = changes.get("status", [None, None])[1]
        unit = changes.get("unit", [None, None])
        if status == FeedbackStatus.CLOSED:
            reason = changes.get("close_reason", ["", ""])[1]
            label = CloseReason(reason).label if reason in CloseReason.values else "办结"
            return f"不予答复办结（{label}）：{changes.get('close_note', ['', ''])[1]}"
        if unit[1] not in (None, "None", ""):
            name = unit_names.get(str(unit[1]), "（已删除的单位）")
            return f"{'改派' if unit[0] not in (None, 'None', '') else '分办'}至{name}"
        if {"problem", "measure"} & set(changes) and not status:
            return "调整了关联的问题或措施"
        return ""  # status moves of the reply flow are told by the reply's own entries
    if model == "feedbackreply":
        if entry.action == LogEntry.Action.CREATE:
            submitted = changes.get("status", [None, None])[1] == FeedbackReply.Status.SUBMITTED
            return "拟写并提交答复" if submitted else "拟写答复草稿"
        status = changes.get("status", [None, None])[1]
        if status == FeedbackReply.Status.SUBMITTED:
            return "提交答复，待整改办审核"
        if status == FeedbackReply.Status.APPROVED:
            return "审核通过答复，答复已发布"
        if status == FeedbackReply.Status.RETURNED:
            return f"退回答复：{changes.get('return_reason', ['', ''])[1]}"
        if "emailed_at" in changes:
            return "答复已通过电子邮件发送给来信人"
        if "text" in changes:
            return "修改答复草稿"
    return ""
