"""延期 as a procedure: a measure's deadline, once set, moves only when the responsible unit (its
liaison or head) or the office asks with a reason and the office agrees. Approval moves the deadline
through the ledger (ledger.services.move_deadline); the warnings are computed from the deadline, so they
follow the approved date. Views, the API and commands all call these functions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput, NotFound, StaleEdit, filled
from rectify.ledger import services as ledger_services
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import DeadlineChange, Measure
from rectify.org.access import VIEW, is_office
from rectify.org.models import User
from rectify.progress.services import is_responsible

from .models import DeadlineExtension, ExtensionState

APPROVE = "approve"
REFUSE = "refuse"
DECISIONS = {APPROVE: "同意", REFUSE: "不同意"}

ONE_PENDING = "该措施已有一份待审批的延期申请，请等待整改办审批后再提出新的申请。"


def may_request(user: User, measure: Measure) -> bool:
    """The measure's responsible unit (liaison or unit head) or the office may ask for more time."""
    return is_office(user, measure.problem.inspection.inspected) or is_responsible(user, measure)


def may_decide(user: User, measure: Measure) -> bool:
    """The office of the inspected organisation (or above it) decides."""
    return is_office(user, measure.problem.inspection.inspected)


def extensions_of(user: User, measure_id: int) -> QuerySet[DeadlineExtension]:
    """The measure's extension requests, newest first, if the user may see the measure (NotFound else)."""
    measure = ledger_services.get_measure(user, measure_id)
    return measure_extensions(measure)


def measure_extensions(measure: Measure) -> QuerySet[DeadlineExtension]:
    return DeadlineExtension.objects.filter(measure=measure).select_related("requested_by", "decided_by")


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
        .select_related("problem__inspection")
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
    if DeadlineExtension.objects.filter(measure=measure, state=ExtensionState.PENDING).exists():
        raise StaleEdit(ONE_PENDING)
    try:
        with transaction.atomic():
            return DeadlineExtension.objects.create(
                measure=measure,
                old_deadline=measure.deadline,
                new_deadline=new_deadline,
                reason=reason,
                requested_by=user,
            )
    except IntegrityError:  # another request saved at the same moment
        raise StaleEdit(ONE_PENDING) from None


@transaction.atomic
def decide_extension(user: User, extension_id: int, decision: str, comment: str = "") -> DeadlineExtension:
    """The office agrees (the deadline moves to the date asked) or refuses (with a comment). A request
    already decided, or one whose measure's deadline changed since it was asked, is refused (409)."""
    try:
        extension = (
            DeadlineExtension.objects.restrict(user, VIEW)
            .select_related("measure__problem__inspection__inspected")
            .get(pk=extension_id)
        )
    except DeadlineExtension.DoesNotExist:
        raise NotFound("延期申请不存在，或您无权查看。") from None
    if not may_decide(user, extension.measure):
        raise AccessDenied("只有整改办可以审批延期申请。")
    if decision not in DECISIONS:
        raise InvalidInput("审批结果无效，应为“同意”或“不同意”。")
    comment = (comment or "").strip()
    if decision == REFUSE and not comment:
        raise InvalidInput("不同意延期的，请填写审批意见，说明理由。")
    extension = DeadlineExtension.objects.select_for_update().select_related("measure").get(pk=extension.pk)
    if extension.state != ExtensionState.PENDING:
        raise StaleEdit(f"该延期申请已审批（{extension.get_state_display()}），不能重复审批。")
    if decision == APPROVE and extension.measure.deadline != extension.old_deadline:
        raise StaleEdit(
            "申请提出后该措施的整改时限已有变动，本申请不能再同意；请申请人按现整改时限重新申请。"
        )
    extension.state = ExtensionState.APPROVED if decision == APPROVE else ExtensionState.REFUSED
    extension.decided_by = user
    extension.decided_at = timezone.now()
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
    return extension


def extended_measure_ids(measure_ids: Collection[int]) -> set[int]:
    """The measures among these whose deadline an approved extension moved (for the public notice,
    which says “经批准延期至…”)."""
    return set(
        DeadlineExtension.objects.filter(measure_id__in=measure_ids, state=ExtensionState.APPROVED)
        .values_list("measure_id", flat=True)
        .distinct()
    )


def approved_extension_exists(measure: Measure) -> bool:
    return DeadlineExtension.objects.filter(measure=measure, state=ExtensionState.APPROVED).exists()
