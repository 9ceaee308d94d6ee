"""Bureau A's ledger (tests/conftest.py) with a life behind it: statuses across the range, deadlines
past and coming, reports and sign-offs at known moments, a relapse, and indicators."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day, hour: int = 10):
    """A moment of that day in Beijing time."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def months_ago(n: int):
    """The 10th of the month `n` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return today.replace(year=index // 12, month=index % 12 + 1, day=10)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lived(ledger, world):
    """1.1 signed off two months ago; 1.2 signed off, then reopened by a relapse, overdue by 5 days
    (red); 2.1 never started, overdue by 40 days (escalated); 3.1 long-term, carried on; 3.2 signed
    off this month (so problem 3 is rectified). Reports and sign-offs are dated; 1.1 has an indicator
    that met its target, 3.1 one short of it, 1.2 one with no value yet."""
    from rectify.ledger.models import Measure
    from rectify.progress.models import Indicator, Observation, ProgressReport, SignOff
    from rectify.supervision import tallies

    today = timezone.localdate()
    m = ledger.measures
    states = {
        (1, 1): ("signed_off", "deadline", today - timedelta(days=30)),
        (1, 2): ("reopened", "deadline", today - timedelta(days=5)),
        (2, 1): ("not_started", "immediate", today - timedelta(days=40)),
        (3, 1): ("ongoing", "long_term", None),
        (3, 2): ("signed_off", "deadline", today - timedelta(days=1)),
    }
    for key, (status, category, deadline) in states.items():
        Measure.objects.filter(pk=m[key].pk).update(status=status, category=category, deadline=deadline)

    def report(key, submitted, state="accepted", reviewed=None):
        made = ProgressReport.objects.create(
            measure=m[key],
            period_start=submitted.date().replace(day=1),
            period_label=f"{submitted:%Y年%m月}",
            text="进展情况。",
            state=state,
            author=world.bob,
            reviewer=world.alice if state != "submitted" else None,
            reviewed_at=reviewed if state != "submitted" else None,
            review_comment="请补充材料。" if state == "returned" else "",
        )
        ProgressReport.objects.filter(pk=made.pk).update(submitted_at=submitted)

    def signoff(key, closed, state="approved"):
        made = SignOff.objects.create(
            measure=m[key], requested_by=world.bob, state=state, level="", closed_at=closed
        )
        SignOff.objects.filter(pk=made.pk).update(requested_at=closed - timedelta(days=3))

    report((1, 1), at(months_ago(3)), reviewed=at(months_ago(3), 15))
    report((1, 1), at(months_ago(2)), reviewed=at(months_ago(2), 15))
    signoff((1, 1), at(months_ago(2), 16))
    report((1, 2), at(months_ago(4)), reviewed=at(months_ago(4), 15))
    signoff((1, 2), at(months_ago(4), 16))  # approved, then the relapse reopened 1.2
    report((1, 2), at(months_ago(1)), state="returned", reviewed=at(months_ago(1), 15))
    report((1, 2), at(months_ago(0)), state="submitted")
    for n in (2, 1, 0):
        report((3, 1), at(months_ago(n)), reviewed=at(months_ago(n), 11))
    report((3, 2), at(months_ago(1)), reviewed=at(months_ago(1), 15))
    signoff((3, 2), at(months_ago(0), 9), state="returned")
    signoff((3, 2), at(months_ago(0), 17))

    met = Indicator.objects.create(
        measure=m[(1, 1)], name="案件线上办理率", unit="%", baseline=Decimal(60), target=Decimal(90)
    )
    short = Indicator.objects.create(
        measure=m[(3, 1)],
        name="办理时限",
        unit="天",
        baseline=Decimal(20),
        target=Decimal(5),
        direction="decrease",
    )
    Indicator.objects.create(
        measure=m[(1, 2)], name="培训人次", unit="人次", baseline=Decimal(0), target=Decimal(100)
    )
    for indicator, values in ((met, [70, 95, 92]), (short, [15, 9, 8])):
        for n, value in enumerate(values):
            Observation.objects.create(
                indicator=indicator,
                observed_on=today - timedelta(days=60 - 30 * n),
                value=Decimal(value),
                recorded_by=world.alice,
            )
    # Written past the services, so the summary rows (which the dashboard reads) are counted again, as
    # the tick would.
    tallies.refresh()
    return ledger


@pytest.fixture
def feedback(lived, world):
    """Public feedback of both bureaus: in A, a phone call about the inspection routed to A1 and
    answered, a letter about the inspection routed to A2 and long past its reply date, an e-mail not
    about any inspection; in B, one enterprise demand."""
    from rectify.feedback import services as feedback

    now = timezone.now()
    answered = feedback.register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel="phone",
        kind="opinion",
        content="执法程序仍不规范。",
        inspection=lived.inspection,
        received_at=now - timedelta(days=3),
    )
    answered = feedback.route_item(world.alice, answered, unit=world.orgs["a1"], version=answered.version)
    feedback.save_reply(world.bob, answered, text="已整改，感谢监督。", submit=True, version=answered.version)
    answered.refresh_from_db()
    feedback.approve_reply(world.alice, answered, version=answered.version)
    late = feedback.register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel="letter",
        kind="demand",
        content="审批时限仍然过长。",
        enterprise="某运输公司",
        inspection=lived.inspection,
        received_at=now - timedelta(days=60),
    )
    feedback.route_item(world.alice, late, unit=world.orgs["a2"], version=late.version)
    feedback.register_item(
        world.alice, organisation=world.orgs["a"], channel="email", kind="opinion", content="建议公开进展。"
    )
    feedback.register_item(
        world.charlie, organisation=world.orgs["b"], channel="visit", kind="demand", content="乙局的诉求。"
    )
    return lived
