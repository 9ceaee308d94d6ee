"""Supervision orders (督办单), as actions: issue, answer, escalate when the answer is overdue.

- The office of the inspected organisation (or above it) or a supervisor over it issues an order
  to a unit about measures that unit is responsible for or supports. Each issuing organisation
  numbers its orders per year (督办〔2026〕1号, 2号 …): the issuer's row is locked while the next
  serial is taken, so two orders issued at once never share a number.
- The unit's head or liaison (of the unit or a unit above it) answers, once.
- `escalate_overdue_orders` (run by the daily tick) marks an order whose answer is overdue by more
  than the issuer's `order_escalate_days` with a conditional update, and only the process whose
  update changed the row tells the supervisors above the issuer and the unit's head.

Every action checks who may take it, writes in one transaction, and refuses with a Chinese message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import BooleanField, Case, Max, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from rectify.documents import date_label
from rectify.errors import AccessDenied, InvalidInput, NotFound, RectifyError, filled
from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.access import VIEW, Access, path_q
from rectify.org.models import (
    SUPERVISING_KINDS,
    UNIT_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

from .deadlines import policies, policy_for
from .models import ISSUER_ROLES, OrderState, SupervisionOrder
from .services import notify

MAX_TEXT = 5000


class AlreadyAnswered(RectifyError):
    """The order was answered (by someone else, or earlier): an order is answered once."""

    status = 409


def order_number(year: int, serial: int) -> str:
    return f"督办〔{year}〕{serial}号"


def measure_label(measure: Measure) -> str:
    return f"措施 {measure.problem.number}.{measure.order}"


def order_url(order: SupervisionOrder) -> str:
    return reverse("orders:detail", args=[order.pk])


def _notify(people: Iterable[User], order: SupervisionOrder, event: str, *, title: str, body: str) -> None:
    """Tell `people` of an event of the order (issued, answered, escalated): once each, linking to it."""
    notify(
        people,
        kind=f"order_{event}",
        fact_key=f"order-{event}:{order.pk}",
        title=title,
        body=body,
        url=order_url(order),
    )


# ------------------------------------------------------------------ who sees and does what


def order_queryset(user: User, today: date | None = None) -> QuerySet[SupervisionOrder]:
    """Visible orders with what a list row shows, and `is_overdue` (an unanswered order past its due date)."""
    today = today or timezone.localdate()
    return (
        SupervisionOrder.objects.restrict(user, VIEW)
        .annotate(
            is_overdue=Case(
                When(state=OrderState.ISSUED, answer_due__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("issuer", "unit", "issued_by", "answered_by")
    )


def get_order(user: User, order_id: int, today: date | None = None) -> SupervisionOrder:
    try:
        return order_queryset(user, today).prefetch_related("measures__problem").get(pk=order_id)
    except SupervisionOrder.DoesNotExist:
        raise NotFound("督办单不存在，或您无权查看。") from None


@dataclass(frozen=True)
class OrderFilter:
    state: str | None = None
    overdue: bool | None = None
    unit: int | None = None


def filter_orders(user: User, filters: OrderFilter, today: date | None = None) -> QuerySet[SupervisionOrder]:
    today = today or timezone.localdate()
    orders = order_queryset(user, today)
    if filters.state:
        orders = orders.filter(state=filters.state)
    if filters.overdue is True:
        orders = orders.filter(state=OrderState.ISSUED, answer_due__lt=today)
    elif filters.overdue is False:
        orders = orders.exclude(state=OrderState.ISSUED, answer_due__lt=today)
    if filters.unit:
        unit_path = Organisation.objects.filter(pk=filters.unit).values_list("path", flat=True).first() or "-"
        orders = orders.filter(unit__path__startswith=unit_path)
    return orders.order_by("-issued_at", "-id")


def may_issue_any(user: User) -> bool:
    """Whether the user holds a role that issues orders at all (to show the 签发 button)."""
    access = Access.of(user)
    return access.is_superuser or bool(access.paths(ISSUER_ROLES))


def issuable_measures(user: User) -> QuerySet[Measure]:
    """Measures the user may see and issue orders about (as office of, or supervisor over, the
    inspected organisation)."""
    access = Access.of(user)
    visible = Measure.objects.restrict(user, VIEW)
    if access.is_superuser:
        return visible
    condition = path_q("problem__inspection__inspected__path", access.paths(ISSUER_ROLES))
    return visible.filter(condition) if condition is not None else visible.none()


def issuable_units(user: User) -> QuerySet[Organisation]:
    """Units responsible for or supporting a measure the user may issue an order about."""
    return (
        Organisation.objects.filter(measure_links__measure__in=issuable_measures(user).values("pk"))
        .distinct()
        .order_by("path")
    )


def issuer_for(user: User, measures: Iterable[Measure]) -> Organisation | None:
    """The body that issues the user's order about these measures (督办机关), in whose name the order
    is titled and signed and to which the answer goes. The nearest organisation in which the user is
    office or supervisor over every measure's inspected organisation; a supervisor there issues in
    the name of the supervising body (纪检监察组, 巡察办) he or she serves (see `supervising_body`)."""
    inspected = {measure.problem.inspection.inspected for measure in measures}
    access = Access.of(user)
    paths = [path for path in access.paths(ISSUER_ROLES) if all(o.path.startswith(path) for o in inspected)]
    if paths:
        nearest = max(paths, key=len)
        authority = Organisation.objects.get(path=nearest)
        if nearest in access.paths([Role.OFFICE]):
            return authority  # the office issues in the organisation's own name
        return supervising_body(user, authority)
    if access.is_superuser and len(inspected) == 1:
        return next(iter(inspected))
    return None


def supervising_body(user: User, authority: Organisation) -> Organisation:
    """The body in whose name a supervisor over `authority` issues orders: `authority` itself when it
    is a supervising body (a 巡察办); else the supervising body at or around it the user is a member of;
    else the 纪检监察组 stationed in it (its only child of that kind); else `authority`."""
    if authority.kind in SUPERVISING_KINDS:
        return authority
    bodies = Organisation.objects.filter(kind__in=SUPERVISING_KINDS)
    near = [*authority.ancestor_paths]
    own = (
        bodies.filter(memberships__user=user)
        .filter(Q(parent=authority) | Q(path__in=near))
        .order_by("-path")
        .first()
    )
    if own is not None:
        return own
    stationed = list(bodies.filter(parent=authority, kind=OrganisationKind.DISCIPLINE)[:2])
    return stationed[0] if len(stationed) == 1 else authority


def may_answer(user: User, order: SupervisionOrder) -> bool:
    """The head or liaison of the unit the order was sent to (or of a unit above it)."""
    access = Access.of(user)
    return access.is_superuser or any(order.unit.path.startswith(path) for path in access.unit_paths)


def _members(roles: Iterable[str], paths: Iterable[str]) -> QuerySet[User]:
    """Active users holding one of `roles` in exactly those organisations."""
    user_ids = Membership.objects.filter(role__in=list(roles), organisation__path__in=list(paths)).values(
        "user_id"
    )
    return User.objects.filter(pk__in=user_ids, is_active=True)


def unit_people(unit: Organisation, roles: Iterable[str] = UNIT_ROLES) -> QuerySet[User]:
    """Those who act for the unit: its head and liaison, or those of a unit above it."""
    return _members(roles, unit.ancestor_paths)


# ------------------------------------------------------------------ issue


def _text(value: str | None, label: str) -> str:
    value = filled(value, label)
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{label}不能超过 {MAX_TEXT} 字。")
    return value


def issue_order(
    user: User,
    *,
    unit_id: int | None,
    measure_ids: Iterable[int],
    reason: str,
    demanded_action: str,
    answer_due: date | None,
) -> SupervisionOrder:
    """The office or a supervisor issues an order to a unit about some of its measures. Numbered
    in the issuer's sequence for the year, the unit's people are told, all in one transaction."""
    if not may_issue_any(user):
        raise AccessDenied("只有被巡察组织的整改办或其上级纪检监察机构、巡察机构可以签发督办单。")
    ids = sorted({int(pk) for pk in measure_ids})
    if not ids:
        raise InvalidInput("请至少选择一项督办事项（整改措施）。")
    reason = _text(reason, "督办事由")
    demanded_action = _text(demanded_action, "督办要求")
    measures = list(
        Measure.objects.restrict(user, VIEW)
        .filter(pk__in=ids)
        .select_related("problem__inspection__inspected")
        .order_by("problem__inspection_id", "problem__number", "order")
    )
    if len(measures) != len(ids):
        raise NotFound("整改措施不存在，或您无权查看。")
    issuer = issuer_for(user, measures)
    if issuer is None:
        raise AccessDenied("只有被巡察组织的整改办或其上级纪检监察机构、巡察机构可以就这些措施签发督办单。")
    unit = Organisation.objects.filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        raise InvalidInput("请选择被督办单位。")
    linked = set(
        MeasureUnit.objects.filter(unit=unit, measure_id__in=ids).values_list("measure_id", flat=True)
    )
    strangers = [f"{m.problem.number}.{m.order}" for m in measures if m.pk not in linked]
    if strangers:
        raise InvalidInput(f"{unit.name}不是措施 {'、'.join(strangers)} 的责任单位或配合单位，不能就此督办。")
    today = timezone.localdate()
    if answer_due is None:
        raise InvalidInput("请填写答复期限。")
    if answer_due < today:
        raise InvalidInput("答复期限不能早于今天。")

    with transaction.atomic():
        # Serialise numbering per issuer: whoever holds the issuer's row takes the next serial. FOR NO KEY
        # UPDATE, so that rows referring to the organisation are still written meanwhile.
        Organisation.objects.select_for_update(no_key=True).filter(pk=issuer.pk).first()
        year = today.year
        last = SupervisionOrder.objects.filter(issuer=issuer, year=year).aggregate(last=Max("serial"))["last"]
        serial = (last or 0) + 1
        order = SupervisionOrder.objects.create(
            issuer=issuer,
            year=year,
            serial=serial,
            number=order_number(year, serial),
            issued_by=user,
            unit=unit,
            reason=reason,
            demanded_action=demanded_action,
            answer_due=answer_due,
        )
        order.measures.set(measures)
        labels = "、".join(measure_label(measure) for measure in measures)
        _notify(
            unit_people(unit),
            order,
            "issued",
            title=f"【督办】{issuer.name}{order.number}：请于{date_label(answer_due)}前答复",
            body=f"督办事项：{labels}。督办事由：{reason[:100]}",
        )
    return order


# ------------------------------------------------------------------ answer


def answer_order(user: User, order_id: int, *, answer: str) -> SupervisionOrder:
    """The unit's head or liaison answers the order, once; the issuer is told."""
    order = get_order(user, order_id)
    if not may_answer(user, order):
        raise AccessDenied("只有被督办单位的负责人或联络员可以答复督办单。")
    if order.state != OrderState.ISSUED:
        raise AlreadyAnswered("该督办单已经答复，不能重复答复。")
    answer = _text(answer, "答复内容")
    with transaction.atomic():
        locked = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
        if locked.state != OrderState.ISSUED:
            raise AlreadyAnswered("该督办单已经答复，不能重复答复。")
        locked.state = OrderState.ANSWERED
        locked.answer = answer
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        _notify(
            [order.issued_by],
            order,
            "answered",
            title=f"【督办答复】{order.unit.name}已答复{order.number}",
            body=answer[:120],
        )
    return get_order(user, order.pk)


# ------------------------------------------------------------------ escalation (the daily tick)


def escalate_overdue_orders(today: date | None = None) -> int:
    """Escalate each unanswered order overdue by more than its issuer's `order_escalate_days`, once:
    `escalated_at` is set only if still empty (and the order still unanswered), and only the process
    whose update changed the row tells the supervisors above the issuer and the unit's head.
    Returns the number of orders escalated by this call."""
    today = today or timezone.localdate()
    known = policies()
    candidates = SupervisionOrder.objects.filter(
        state=OrderState.ISSUED, escalated_at__isnull=True, answer_due__lt=today
    ).select_related("issuer", "unit")
    escalated = 0
    for order in candidates:
        # A supervising body stationed in an organisation follows that organisation's policy.
        stationed = order.issuer.kind in SUPERVISING_KINDS and order.issuer.parent_id
        policy = known.get(order.issuer_id) or policy_for(
            order.issuer.parent_id if stationed else order.issuer_id, known
        )
        days = policy.order_escalate_days
        if order.answer_due >= today - timedelta(days=days):
            continue
        changed = SupervisionOrder.objects.filter(
            pk=order.pk, state=OrderState.ISSUED, escalated_at__isnull=True
        ).update(escalated_at=timezone.now())
        if changed != 1:
            continue  # answered meanwhile, or another process escalated it first
        escalated += 1
        late = (today - order.answer_due).days
        people = set(_members([Role.SUPERVISOR], order.issuer.ancestor_paths))
        people |= set(unit_people(order.unit, [Role.UNIT_HEAD]))
        _notify(
            people,
            order,
            "escalated",
            title=f"【督办逾期】{order.unit.name}逾期 {late} 天未答复{order.issuer.name}{order.number}",
            body=f"答复期限为{date_label(order.answer_due)}，至今未答复，已升级提醒。",
        )
    return escalated
