"""延期 as a procedure: a measure's deadline, once set, moves only when the responsible unit (its
liaison or head) or the office asks with a reason and the office agrees (and, where the organisation's
policy says so, the measure's lead leader after it). Approval moves the deadline
through the ledger (ledger.services.move_deadline); the warnings are computed from the deadline, so they
follow the approved date. Views, the API and commands all call these functions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit, filled
from rectify.ledger import services as ledger_services
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import DeadlineChange, Measure
from rectify.org.access import VIEW, Access, is_office, path_q
from rectify.org.models import Role, User
from rectify.progress.services import is_responsible

from .models import DeadlineExtension, ExtensionState, WarningPolicy
from .services import members, notify

APPROVE = "approve"
REFUSE = "refuse"
DECISIONS = {APPROVE: "同意", REFUSE: "不同意"}
WAITING = (ExtensionState.PENDING, ExtensionState.LEADER_PENDING)

ONE_PENDING = "该措施已有一份待审批的延期申请，请等待审批结束后再提出新的申请。"


def may_request(user: User, measure: Measure) -> bool:
    """The measure's responsible unit (liaison or unit head) or the office may ask for more time."""
    return is_office(user, measure.problem.inspection.inspected) or is_responsible(user, measure)


def may_decide(user: User, extension: DeadlineExtension) -> bool:
    """Who decides a waiting request at its stage: the office of the inspected organisation (or above
    it) first; the measure's lead leader at the leader's stage."""
    if extension.state == ExtensionState.PENDING:
        return is_office(user, extension.measure.problem.inspection.inspected)
    if extension.state == ExtensionState.LEADER_PENDING:
        return user.pk == extension.measure.lead_leader_id
    return False


def needs_leader(measure: Measure) -> bool:
    """Whether the office's approval goes on to the measure's lead leader: the inspected organisation's
    policy says so (延期须经牵头领导审批) and the measure has one.
    Without a lead leader the office decides."""
    return measure.lead_leader_id is not None and (
        WarningPolicy.objects.filter(
            organisation_id=measure.problem.inspection.inspected_id, extension_needs_leader=True
        ).exists()
    )


def awaiting(user: User) -> QuerySet[DeadlineExtension]:
    """The requests waiting for this user's decision: those at the leader's stage of the measures the
    user leads, and those at the office's stage where the user is the office. Oldest first."""
    access = Access.of(user)
    office = path_q("measure__problem__inspection__inspected__path", access.paths([Role.OFFICE]))
    mine = Q(state=ExtensionState.LEADER_PENDING, measure__lead_leader=user)
    if office is not None:
        mine |= Q(state=ExtensionState.PENDING) & office
    return (
        DeadlineExtension.objects.restrict(user, VIEW)
        .filter(mine)
        .select_related("measure__problem", "requested_by", "office_by")
        .order_by("requested_at", "id")
    )


def extensions_of(user: User, measure_id: int) -> QuerySet[DeadlineExtension]:
    """The measure's extension requests, newest first, if the user may see the measure (NotFound else)."""
    measure = ledger_services.get_measure(user, measure_id)
    return measure_extensions(measure)


def measure_extensions(measure: Measure) -> QuerySet[DeadlineExtension]:
    return DeadlineExtension.objects.filter(measure=measure).select_related(
        "requested_by", "decided_by", "office_by"
    )


@transaction.atomic
def request_extension(
    user: User, measure_id: int, new_deadline: date | None, reason: str
) -> DeadlineExtension:
    """Ask to move the measure's deadline to `new_deadline`, with a reason. Refused: without a reason,
    to a date not later than the current deadline, for a measure without a deadline or no longer open,
    and while another request waits (409)."""
    measure = ledger_services.get_measure(user, measure_id)  # NotFound when the user may not see it
    if not may_request(user, measure):
        raise AccessDenied("只有该措施的责任单位（联络员、单位负责人）或整改办可以申请延期。")
    measure = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("problem__inspection__inspected")
        .get(pk=measure.pk)
    )
    reason = filled(reason, "延期理由")
    if measure.deadline is None:
        raise InvalidInput("该措施尚未确定整改时限，无需申请延期，请整改办直接填写整改时限。")
    if measure.status not in OPEN_STATUSES:
        raise InvalidInput(f"该措施{measure.get_status_display()}，不能申请延期。")
    if new_deadline is None:
        raise InvalidInput("请填写申请延至的日期。")
    if new_deadline <= measure.deadline:
        raise InvalidInput(
            f"申请延至的日期应晚于现整改时限（{measure.deadline.isoformat()}），本次申请未提交。"
        )
    if DeadlineExtension.objects.filter(measure=measure, state__in=WAITING).exists():
        raise StaleEdit(ONE_PENDING)
    try:
        with transaction.atomic():
            extension = DeadlineExtension.objects.create(
                measure=measure,
                old_deadline=measure.deadline,
                new_deadline=new_deadline,
                reason=reason,
                requested_by=user,
            )
    except IntegrityError:  # another request saved at the same moment
        raise StaleEdit(ONE_PENDING) from None
    office = members(Role.OFFICE, [measure.problem.inspection.inspected.path]).exclude(pk=user.pk)
    _tell(extension, "requested", list(office), "申请延期，待整改办审批")
    return extension


@transaction.atomic
def decide_extension(user: User, extension_id: int, decision: str, comment: str = "") -> DeadlineExtension:
    """The office agrees or refuses (with a comment). Where the organisation's policy asks for the lead
    leader, the office's agreement passes the request on to the measure's lead leader, who agrees (the
    deadline moves to the date asked) or refuses with a reason; otherwise the office's agreement moves it.
    A request already decided, or one whose measure's deadline changed since it was asked, is refused
    (409). Each step tells those who wait on it (notifications)."""
    try:
        extension = (
            DeadlineExtension.objects.restrict(user, VIEW)
            .select_related("measure__problem__inspection__inspected", "measure__lead_leader")
            .get(pk=extension_id)
        )
    except DeadlineExtension.DoesNotExist:
        raise NotFound("延期申请不存在，或您无权查看。") from None
    if extension.state == ExtensionState.LEADER_PENDING and not may_decide(user, extension):
        leader = extension.measure.lead_leader
        raise AccessDenied(
            f"整改办已同意该延期申请，按本单位规定须由牵头领导{leader.display_name if leader else ''}审批，"
            "您无权审批。"
        )
    if extension.state != ExtensionState.LEADER_PENDING and not is_office(
        user, extension.measure.problem.inspection.inspected
    ):
        raise AccessDenied("只有整改办可以审批延期申请。")
    if decision not in DECISIONS:
        raise InvalidInput("审批结果无效，应为“同意”或“不同意”。")
    comment = (comment or "").strip()
    if decision == REFUSE and not comment:
        raise InvalidInput("不同意延期的，请填写审批意见，说明理由。")
    extension = (
        DeadlineExtension.objects.select_for_update(of=("self",))
        .select_related("measure__problem__inspection", "requested_by")
        .get(pk=extension.pk)
    )
    if extension.state not in WAITING:
        raise StaleEdit(f"该延期申请已审批（{extension.get_state_display()}），不能重复审批。")
    if decision == APPROVE and extension.measure.deadline != extension.old_deadline:
        raise StaleEdit(
            "申请提出后该措施的整改时限已有变动，本申请不能再同意；请申请人按现整改时限重新申请。"
        )
    now = timezone.now()
    if extension.state == ExtensionState.PENDING and decision == APPROVE and needs_leader(extension.measure):
        extension.state = ExtensionState.LEADER_PENDING
        extension.office_by, extension.office_at, extension.office_comment = user, now, comment
        extension.save()
        _tell(extension, "leader", [extension.measure.lead_leader], "延期申请待您审批")
        return extension
    extension.state = ExtensionState.APPROVED if decision == APPROVE else ExtensionState.REFUSED
    extension.decided_by = user
    extension.decided_at = now
    extension.comment = comment
    extension.save()
    if decision == APPROVE:
        ledger_services.move_deadline(
            extension.measure_id,
            extension.new_deadline,
            kind=DeadlineChange.Kind.EXTENSION,
            reason=extension.reason,
            by=user,
        )
    told = [extension.requested_by, extension.office_by]
    _tell(extension, "decided", told, f"延期申请{extension.get_state_display()}")
    return extension


def extended_measure_ids(measure_ids: Collection[int]) -> set[int]:
    """The measures among these whose deadline an approved extension moved (for the public notice,
    which says “经批准延期至…”)."""
    return set(
        DeadlineExtension.objects.filter(measure_id__in=measure_ids, state=ExtensionState.APPROVED)
        .values_list("measure_id", flat=True)
        .distinct()
    )


def _tell(extension: DeadlineExtension, event: str, people: list, title: str) -> None:
    """Notify `people` (once each) of a step of the request, linking to the measure's 延期 section."""
    measure = extension.measure
    label = f"措施 {measure.problem.number}.{measure.order}"
    body = (
        f"{label}申请将整改时限由{date_label(extension.old_deadline)}延至{date_label(extension.new_deadline)}，"
        f"理由：{extension.reason}"
    )
    if extension.comment:
        body += f"；审批意见：{extension.comment}"
    notify(
        people,
        kind=f"extension_{event}",
        fact_key=f"extension-{event}:{extension.pk}",
        title=f"{label}{title}",
        body=body,
        url=reverse("ledger:measure-detail", args=[measure.pk]) + "#extensions",
    )
