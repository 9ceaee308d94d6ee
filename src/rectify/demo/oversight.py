"""The demo's supervision: a warning policy, the day's warnings raised by the tick's own service,
an answered and an overdue supervision order, and two dispatches (the second compares with the
first), all through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from auditlog.context import set_actor

from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import Inspection, Measure
from rectify.org.models import Organisation, User
from rectify.supervision import orders
from rectify.supervision import services as supervision
from rectify.supervision.dispatch import build_dispatch
from rectify.supervision.models import SupervisionOrder, WarningPolicy


def oversee(inspection: Inspection, bureau: Organisation, users: dict[str, User], today: date) -> None:
    WarningPolicy.objects.create(organisation=bureau, party_head=users["secretary"])
    overdue = list(
        Measure.objects.filter(problem__inspection=inspection, status__in=OPEN_STATUSES, deadline__lt=today)
        .filter(unit_links__unit__code="gz-jtj-zfzd", unit_links__role="responsible")
        .order_by("deadline")
    )
    squad = Organisation.objects.get(code="gz-jtj-zfzd")
    if overdue:
        with set_actor(users["supervisor"]):
            answered = orders.issue_order(
                users["supervisor"],
                unit_id=squad.pk,
                measure_ids=[overdue[0].pk],
                reason="该项整改措施已超过整改时限，进展迟缓。",
                demanded_action="请于答复期限前报告超期原因、下一步措施和完成时间，并附佐证材料。",
                answer_due=today + timedelta(days=5),
            )
        with set_actor(users["unithead"]):
            orders.answer_order(
                users["unithead"],
                answered.pk,
                answer="已成立专班推进，计划本月底前完成并报送佐证材料；超期原因为跨部门协调周期较长。",
            )
    others = list(
        Measure.objects.filter(problem__inspection=inspection, status__in=OPEN_STATUSES, deadline__lt=today)
        .exclude(unit_links__unit__code="gz-jtj-zfzd")
        .select_related("problem")
        .order_by("deadline")[:1]
    )
    if others:
        measure = others[0]
        unit = measure.unit_links.filter(role="responsible").first().unit
        with set_actor(users["office"]):
            late = orders.issue_order(
                users["office"],
                unit_id=unit.pk,
                measure_ids=[measure.pk],
                reason="整改措施超期未完成，且本期未报送整改进展。",
                demanded_action="请立即报告整改进展和超期原因，明确完成时限。",
                answer_due=today,
            )
        # The order went out ten days ago and its answer is a week late: date it so, as it would be.
        SupervisionOrder.objects.filter(pk=late.pk).update(answer_due=today - timedelta(days=7))
    supervision.run_warnings(today)
    supervision.remind_stuck_signoffs(today)
    orders.escalate_overdue_orders(today)
    with set_actor(users["office"]):
        build_dispatch(users["office"], inspection.pk, today - timedelta(days=60), today - timedelta(days=30))
        build_dispatch(users["office"], inspection.pk, today - timedelta(days=30), today)
