"""`rectify tick` on a generated province (the benchmark's data at a tiny size): the warnings, told a
batch of measures at a time, reach exactly the people the per-measure rule names (written out here as it
was before the batching), the command's counts are the rows it wrote, and a second run writes and
sends nothing."""

from __future__ import annotations

import io
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from rectify.demo.synthetic import generate
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.models import Role, User
from rectify.supervision.deadlines import policies, policy_for, with_warning_level
from rectify.supervision.models import DigestLog, MeasureAlert, Notification, WarningLevel, WarningPolicy
from rectify.supervision.services import members

from ..demo.test_synthetic import TINY


def people_of(measure: Measure, level: int, party_head_id: int | None) -> set[int]:
    """The people told of a measure's warning, one query per role as the tick asked them before."""
    unit_paths = list(
        MeasureUnit.objects.filter(measure=measure, role=MeasureUnit.Role.RESPONSIBLE).values_list(
            "unit__path", flat=True
        )
    )
    people = set(members(Role.LIAISON, unit_paths))
    if level >= WarningLevel.YELLOW and measure.lead_leader_id:
        people.add(measure.lead_leader)
    if level >= WarningLevel.RED:
        people |= set(members(Role.UNIT_HEAD, unit_paths))
        people |= set(User.objects.filter(pk=party_head_id, is_active=True))
    if level >= WarningLevel.ESCALATED:
        people |= set(members(Role.SUPERVISOR, measure.problem.inspection.inspected.ancestor_paths))
    return {user.pk for user in people if user.is_active}


def tick() -> str:
    out = StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def test_the_tick_on_a_province_tells_each_warning_to_its_people_once(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    generate(TINY, stream=io.StringIO())
    inspected = Measure.objects.values_list("problem__inspection__inspected", flat=True).first()
    # A Party head for one organisation, and an inactive liaison, so both rules are exercised.
    head = User.objects.create_user("party-head", email="head@example.org")
    WarningPolicy.objects.create(organisation_id=inspected, party_head=head)
    liaison = User.objects.filter(memberships__role=Role.LIAISON).order_by("pk").first()
    User.objects.filter(pk=liaison.pk).update(is_active=False)

    output = tick()

    today = timezone.localdate()
    known = policies()
    warned = list(
        with_warning_level(Measure.objects.filter(status__in=OPEN_STATUSES), today)
        .filter(warning_due__isnull=False, warning_level__gt=WarningLevel.NONE)
        .select_related("problem__inspection__inspected", "lead_leader")
    )
    assert len(warned) > 50
    alerts = {alert.measure_id: alert for alert in MeasureAlert.objects.all()}
    expected = set()
    for measure in warned:
        alert = alerts[measure.pk]
        assert (alert.deadline, alert.level) == (measure.warning_due, measure.warning_level)
        node = "milestone:" if measure.next_milestone_due is not None else ""
        key = f"warning:{measure.warning_level}:measure:{measure.pk}:{node}{measure.warning_due.isoformat()}"
        party_head_id = policy_for(measure.problem.inspection.inspected_id, known).party_head_id
        expected |= {(pk, key) for pk in people_of(measure, measure.warning_level, party_head_id)}
    told = set(
        Notification.objects.filter(kind__startswith="warning_").values_list("recipient_id", "fact_key")
    )
    assert told == expected
    # The links, built from one reverse() per run, are the measures' and items' pages.
    for notification in Notification.objects.order_by("?")[:100]:
        if notification.kind.startswith("warning_"):  # warning:<level>:measure:<pk>:...
            pk, view = notification.fact_key.split(":")[3], "ledger:measure-detail"
        else:  # feedback:<pk>:...
            pk, view = notification.fact_key.split(":")[1], "feedback:detail"
        assert notification.url == reverse(view, args=[int(pk)])
    assert Notification.objects.filter(recipient=head).exists()
    assert not Notification.objects.filter(recipient=liaison).exists()
    warnings_raised = len(warned)
    assert f"新发预警 {warnings_raised} 项，新增通知 {Notification.objects.count()} 条" in output
    assert Notification.objects.filter(kind__startswith="feedback_").exists()
    digests, sent = DigestLog.objects.count(), len(mail.outbox)
    assert f"每日汇总：已发送 {digests} 份" in output and digests > 0
    assert not Notification.objects.filter(digested_on__isnull=True).exists()

    rows = Notification.objects.count()
    again = tick()
    assert "新发预警 0 项，新增通知 0 条" in again
    assert "没有待推送的通知" in again
    assert Notification.objects.count() == rows
    assert (DigestLog.objects.count(), len(mail.outbox)) == (digests, sent)
