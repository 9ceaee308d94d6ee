"""Warnings, notifications and the daily digest: what the tick does, safe to run twice or at once.

- run_warnings moves each measure's announced level up with a conditional update and notifies only
  when its own update changed the row; a new deadline starts the ladder again.
- notify stores one notification per person per fact (a unique key), so a fact is told once.
- send_digests sends each person one digest a day: the day's DigestLog row is created first and
  only the process that created it sends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from rectify.documents import date_label
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.access import VIEW
from rectify.org.models import Membership, Role, User

from . import channels
from .deadlines import due_words, policies, policy_for, stuck_signoffs, warned, with_warning_level
from .models import DigestLog, MeasureAlert, Notification, NotificationPreference, WarningLevel

LEVEL_WORDS = {
    WarningLevel.GREEN: "绿色预警",
    WarningLevel.YELLOW: "黄色预警",
    WarningLevel.RED: "红色预警",
    WarningLevel.ESCALATED: "红色预警（已升级）",
}


# ------------------------------------------------------------------ notifications


def notify(
    users: Iterable[User], *, kind: str, fact_key: str, title: str, body: str = "", url: str = ""
) -> int:
    """Tell each user once about a fact; users already told are skipped by the unique key."""
    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    if not recipients:
        return 0
    told = set(
        Notification.objects.filter(recipient_id__in=recipients, fact_key=fact_key).values_list(
            "recipient_id", flat=True
        )
    )
    new = [
        Notification(
            recipient_id=pk, kind=kind, fact_key=fact_key, title=title[:200], body=body, url=url[:300]
        )
        for pk in recipients
        if pk not in told
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent tick may have told them first
    return len(new)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


# ------------------------------------------------------------------ who hears of a measure


def members(role: str, organisation_paths: Iterable[str]) -> QuerySet[User]:
    """Active users holding `role` in exactly those organisations."""
    user_ids = Membership.objects.filter(role=role, organisation__path__in=list(organisation_paths)).values(
        "user_id"
    )
    return User.objects.filter(pk__in=user_ids, is_active=True)


def recipients(measure: Measure, level: int, party_head_id: int | None) -> set[User]:
    """Green: the responsible units' liaisons; yellow adds the lead leader; red adds the units'
    heads and the organisation's Party head; escalated adds the supervisors above it."""
    unit_paths = list(
        MeasureUnit.objects.filter(measure=measure, role=MeasureUnit.Role.RESPONSIBLE).values_list(
            "unit__path", flat=True
        )
    )
    people: set[User] = set(members(Role.LIAISON, unit_paths))
    if level >= WarningLevel.YELLOW and measure.lead_leader_id:
        people.add(measure.lead_leader)
    if level >= WarningLevel.RED:
        people |= set(members(Role.UNIT_HEAD, unit_paths))
        if party_head_id:
            people |= set(User.objects.filter(pk=party_head_id, is_active=True))
    if level >= WarningLevel.ESCALATED:
        people |= set(members(Role.SUPERVISOR, measure.problem.inspection.inspected.ancestor_paths))
    return people


# ------------------------------------------------------------------ the warning ladder


@dataclass(frozen=True)
class TickResult:
    warnings_raised: int
    notifications: int


def run_warnings(today: date | None = None) -> TickResult:
    """Raise each measure's warning to the level its due date has reached, announcing each step once.
    The due date is the next open time node's, else the deadline (deadlines.with_warning_level); a new
    due date (a node done, a deadline extended) starts the ladder again."""
    today = today or timezone.localdate()
    known = policies()
    candidates = with_warning_level(Measure.objects.filter(status__in=OPEN_STATUSES), today).filter(
        warning_due__isnull=False
    )
    MeasureAlert.objects.bulk_create(
        [
            MeasureAlert(measure_id=pk, deadline=due)
            for pk, due in candidates.values_list("pk", "warning_due")
        ],
        ignore_conflicts=True,
    )
    announced = {
        row[0]: row[1:] for row in MeasureAlert.objects.values_list("measure_id", "deadline", "level")
    }
    measures = candidates.filter(warning_level__gt=WarningLevel.NONE).select_related(
        "problem__inspection__inspected", "lead_leader"
    )
    raised = sent = 0
    for measure in measures:
        due = measure.warning_due
        old_due, old_level = announced.get(measure.pk, (due, WarningLevel.NONE))
        if old_due != due:
            # A new due date: the ladder starts again (only if nobody reset it meanwhile).
            MeasureAlert.objects.filter(measure_id=measure.pk, deadline=old_due, level=old_level).update(
                deadline=due, level=WarningLevel.NONE
            )
            old_level = WarningLevel.NONE
        if measure.warning_level <= old_level:
            continue
        changed = MeasureAlert.objects.filter(measure_id=measure.pk, deadline=due, level=old_level).update(
            level=measure.warning_level, changed_at=timezone.now()
        )
        if changed != 1:
            continue  # another process announced it first
        raised += 1
        sent += _announce(
            measure, measure.warning_level, policy_for(measure.problem.inspection.inspected_id, known), today
        )
    return TickResult(warnings_raised=raised, notifications=sent)


def _announce(measure: Measure, level: int, policy, today: date) -> int:
    """Tell the people of the level: “【红色预警】措施 3.1 的时间节点“完成制度起草”已于…到期，超期 N 天”."""
    word = LEVEL_WORDS[WarningLevel(level)]
    due = measure.warning_due
    days = (due - today).days
    timing = (
        f"将于{date_label(due)}到期（还有 {days} 天）"
        if days >= 0
        else (f"已于{date_label(due)}到期，超期 {-days} 天")
    )
    node = "milestone:" if measure.next_milestone_due is not None else ""
    return notify(
        recipients(measure, level, policy.party_head_id),
        kind=f"warning_{WarningLevel(level).name.lower()}",
        fact_key=f"warning:{level}:measure:{measure.pk}:{node}{due.isoformat()}",
        title=f"【{word}】{due_words(measure)}{timing}",
        body=measure.text[:120],
        url=reverse("ledger:measure-detail", args=[measure.pk]),
    )


def remind_stuck_signoffs(today: date | None = None) -> int:
    """Tell whoever must decide a sign-off that has waited too long at their level (once per level)."""
    from rectify.progress.services import may_decide

    sent = 0
    # "Now" is the end of the day being ticked, so `rectify tick --date` judges that day.
    now = timezone.make_aware(datetime.combine(today or timezone.localdate(), time.max))
    for signoff in stuck_signoffs(now):
        measure = signoff.measure
        deciders = [user for user in _possible_deciders(measure) if may_decide(user, signoff)]
        sent += notify(
            deciders,
            kind="signoff_stuck",
            fact_key=f"signoff-stuck:{signoff.pk}:{signoff.level}",
            title=f"【销号待审批】措施 {measure.problem.number}.{measure.order} 的销号申请"
            f"在“{signoff.get_level_display()}”环节滞留",
            url=reverse("progress:signoff-queue"),
        )
    return sent


def _possible_deciders(measure: Measure) -> set[User]:
    inspected = measure.problem.inspection.inspected
    people = set(members(Role.OFFICE, inspected.ancestor_paths))
    unit_paths = list(measure.unit_links.filter(role="responsible").values_list("unit__path", flat=True))
    people |= set(members(Role.UNIT_HEAD, unit_paths))
    if measure.lead_leader_id:
        people.add(measure.lead_leader)
    return people


# ------------------------------------------------------------------ the daily digest


def users_with_pending_digest() -> QuerySet[User]:
    """Active users with notifications not yet sent in a digest."""
    pending = Notification.objects.filter(digested_on__isnull=True).values("recipient_id")
    return User.objects.filter(pk__in=pending, is_active=True)


def send_digest(user: User, today: date | None = None) -> bool:
    """Send the user's digest for `today` once: the DigestLog row is claimed first, and a second
    run (or a concurrent one) that finds it does nothing. The digest goes out once the claim is
    committed: a claim that an outer transaction rolls back sends nothing."""
    today = today or timezone.localdate()
    pending = list(
        Notification.objects.filter(recipient=user, digested_on__isnull=True).order_by("created_at", "id")
    )
    if not pending:
        return False
    try:
        with transaction.atomic():
            log = DigestLog.objects.create(user=user, day=today, items=len(pending))
    except IntegrityError:
        return False  # today's digest already went (or is going) out
    transaction.on_commit(lambda: _deliver_digest(user, log, pending, today))
    return True


def _deliver_digest(user: User, log: DigestLog, pending: list[Notification], today: date) -> None:
    """E-mail and robots for a claimed digest; the notifications count as sent only once the e-mail
    went (a failing mail server raises, and they wait for the next digest)."""
    preference = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)
    subject, body = channels.digest_text(pending, date_label(today))
    used = []
    if preference.email and channels.send_email(user.email, subject, body):
        used.append("email")
    if preference.wecom_webhook and channels.post_webhook(
        preference.wecom_webhook, channels.wecom_payload(subject, pending)
    ):
        used.append("wecom")
    if preference.dingtalk_webhook and channels.post_webhook(
        preference.dingtalk_webhook, channels.dingtalk_payload(subject, pending)
    ):
        used.append("dingtalk")
    Notification.objects.filter(pk__in=[item.pk for item in pending], digested_on__isnull=True).update(
        digested_on=today
    )
    DigestLog.objects.filter(pk=log.pk).update(channels=",".join(used))


def warning_list(user: User, today: date | None = None) -> QuerySet[Measure]:
    """Measures the user may see that carry a warning now, worst first."""
    return (
        warned(Measure.objects.restrict(user, VIEW), today)
        .select_related("problem__inspection", "problem__area", "lead_leader")
        .prefetch_related("unit_links__unit")
        .order_by("-warning_level", "warning_due", "problem__number", "order")
    )
