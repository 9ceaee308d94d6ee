"""Warnings, notifications and the daily digest: what the tick does, safe to run twice or at once.

- run_warnings moves each measure's announced level up in a transaction that locks its alert row
  first, and notifies only of the levels it moved; a new deadline starts the ladder again.
- notify stores one notification per person per fact (a unique key), so a fact is told once.
- send_digests sends each person one digest a day: the day's DigestLog row is created first and
  only the process that created it sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.constants import OnConflict
from django.urls import reverse
from django.utils import timezone

from rectify.documents import date_label
from rectify.ledger.choices import OPEN_STATUSES
from rectify.ledger.models import Measure, MeasureUnit
from rectify.org.access import VIEW
from rectify.org.models import Membership, Role, User

from . import channels
from .deadlines import Policy, due_words, policies, policy_for, stuck_signoffs, warned, with_warning_level
from .models import DigestLog, MeasureAlert, Notification, NotificationPreference, WarningLevel

LEVEL_WORDS = {
    WarningLevel.GREEN: "绿色预警",
    WarningLevel.YELLOW: "黄色预警",
    WarningLevel.RED: "红色预警",
    WarningLevel.ESCALATED: "红色预警（已升级）",
}


# ------------------------------------------------------------------ notifications


@dataclass(frozen=True)
class Fact:
    """Something to tell some people once: the pair (recipient, fact_key) is unique."""

    users: Iterable[User | None]
    kind: str
    fact_key: str
    title: str
    body: str = ""
    url: str = ""


# Facts looked up and inserted together: a query of a few hundred keys, well under SQLite's variable limit.
FACT_BATCH = 200


def pk_links(viewname: str) -> Callable[[int], str]:
    """reverse(viewname, args=[pk]) for a view taking one <int:pk>, reversed once: reverse() costs
    about 70 µs, and the tick links hundreds of thousands of notifications."""
    marker = "987654321"
    before, after = reverse(viewname, args=[int(marker)]).split(marker)
    return lambda pk: f"{before}{pk}{after}"


def notify(
    users: Iterable[User], *, kind: str, fact_key: str, title: str, body: str = "", url: str = ""
) -> int:
    """Tell each user once about a fact; users already told are skipped by the unique key."""
    return notify_all([Fact(users, kind, fact_key, title, body, url)])


def notify_all(facts: Iterable[Fact]) -> int:
    """Tell each fact's active users once, FACT_BATCH facts at a time: a query for who was told
    already and an insert per batch, not per fact (the tick tells thousands). Returns how many were told."""
    sent = 0
    facts = list(facts)
    for start in range(0, len(facts), FACT_BATCH):
        wanted: dict[tuple[int, str], Fact] = {}
        for fact in facts[start : start + FACT_BATCH]:
            active = dict.fromkeys(user.pk for user in fact.users if user is not None and user.is_active)
            for pk in active:
                wanted.setdefault((pk, fact.fact_key), fact)
        if not wanted:
            continue
        told = set(
            Notification.objects.filter(
                fact_key__in={key for _, key in wanted}, recipient_id__in={pk for pk, _ in wanted}
            )
            .order_by()
            .values_list("recipient_id", "fact_key")
        )
        # Built only for those not told yet: a daily run finds most facts told already.
        created_at = Notification._meta.get_field("created_at").get_db_prep_value(timezone.now(), connection)
        new = [
            (pk, fact.kind, key, fact.title[:200], fact.body, fact.url[:300], created_at)
            for (pk, key), fact in wanted.items()
            if (pk, key) not in told
        ]
        _insert_notifications(new)
        sent += len(new)
    return sent


NOTIFICATION_COLUMNS = ("recipient_id", "kind", "fact_key", "title", "body", "url", "created_at")
# Rows per insert statement on SQLite: 3,500 parameters, well under its limit of 32,766.
INSERTED_ROWS = 500


def _insert_notifications(rows: list[tuple]) -> None:
    """Insert notification rows (NOTIFICATION_COLUMNS), each skipped when its (fact_key, recipient)
    exists: a concurrent run may have told them first. Plain rows through the cursor, not
    bulk_create, which spent most of the first tick preparing each object's fields (a province's
    tick writes some 345,000): on PostgreSQL one statement of seven arrays (UNNEST), on SQLite
    statements of INSERTED_ROWS rows each."""
    if not rows:
        return
    ops = connection.ops
    fields = [Notification._meta.get_field(column.removesuffix("_id")) for column in NOTIFICATION_COLUMNS]
    head = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(Notification._meta.db_table)}"
        f" ({', '.join(map(ops.quote_name, NOTIFICATION_COLUMNS))})"
    )
    tail = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in fields)
            cursor.execute(
                f"{head} SELECT * FROM UNNEST({arrays}) {tail}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        row = f"({', '.join(['%s'] * len(NOTIFICATION_COLUMNS))})"
        for first in range(0, len(rows), INSERTED_ROWS):
            chunk = rows[first : first + INSERTED_ROWS]
            sql = f"{head} VALUES {', '.join([row] * len(chunk))} {tail}"
            cursor.execute(sql.rstrip(), [value for values in chunk for value in values])


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


class Audience:
    """Who hears of the warnings of some measures, read in three queries for all of them: their
    responsible units' liaisons and heads, the supervisors above their inspected organisations and the
    active Party heads named (the measures loaded with problem__inspection__inspected and lead_leader)."""

    ROLES = (Role.LIAISON, Role.UNIT_HEAD, Role.SUPERVISOR)

    def __init__(self, measures: list[Measure], party_head_ids: Iterable[int | None]) -> None:
        self.unit_paths: dict[int, list[str]] = {}
        for measure_id, path in MeasureUnit.objects.filter(
            measure__in=[measure.pk for measure in measures], role=MeasureUnit.Role.RESPONSIBLE
        ).values_list("measure_id", "unit__path"):
            self.unit_paths.setdefault(measure_id, []).append(path)
        paths = {path for unit_paths in self.unit_paths.values() for path in unit_paths}
        paths |= {
            path for measure in measures for path in measure.problem.inspection.inspected.ancestor_paths
        }
        self.members: dict[tuple[str, str], list[User]] = {}
        for membership in Membership.objects.filter(
            role__in=self.ROLES, organisation__path__in=paths, user__is_active=True
        ).select_related("user", "organisation"):
            self.members.setdefault((membership.role, membership.organisation.path), []).append(
                membership.user
            )
        self.party_heads = User.objects.filter(is_active=True).in_bulk({pk for pk in party_head_ids if pk})

    def _holding(self, role: str, paths: Iterable[str]) -> set[User]:
        return {user for path in paths for user in self.members.get((role, path), [])}

    def recipients(self, measure: Measure, level: int, party_head_id: int | None) -> set[User]:
        """Green: the responsible units' liaisons; yellow adds the lead leader; red adds the units'
        heads and the organisation's Party head; escalated adds the supervisors above it."""
        unit_paths = self.unit_paths.get(measure.pk, [])
        people = self._holding(Role.LIAISON, unit_paths)
        if level >= WarningLevel.YELLOW and measure.lead_leader_id:
            people.add(measure.lead_leader)
        if level >= WarningLevel.RED:
            people |= self._holding(Role.UNIT_HEAD, unit_paths)
            if party_head_id in self.party_heads:
                people.add(self.party_heads[party_head_id])
        if level >= WarningLevel.ESCALATED:
            people |= self._holding(Role.SUPERVISOR, measure.problem.inspection.inspected.ancestor_paths)
        return people


def recipients(measure: Measure, level: int, party_head_id: int | None) -> set[User]:
    """The people told of the measure's warning at `level` (Audience.recipients)."""
    return Audience([measure], [party_head_id]).recipients(measure, level, party_head_id)


# ------------------------------------------------------------------ the warning ladder


@dataclass(frozen=True)
class TickResult:
    warnings_raised: int
    notifications: int


# Measures claimed and announced in one transaction: its write lock is held for about a second.
WARNING_BATCH = 500


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
            for pk, due in candidates.exclude(Exists(MeasureAlert.objects.filter(measure=OuterRef("pk"))))
            .values_list("pk", "warning_due")
            .iterator()
        ],
        ignore_conflicts=True,
    )
    warned_now = candidates.filter(warning_level__gt=WarningLevel.NONE)
    levels = list(warned_now.values_list("pk", "warning_due", "warning_level"))
    link = pk_links("ledger:measure-detail")
    raised = sent = 0
    for start in range(0, len(levels), WARNING_BATCH):
        batch_raised, batch_sent = _raise(
            warned_now, levels[start : start + WARNING_BATCH], known, today, link
        )
        raised += batch_raised
        sent += batch_sent
    return TickResult(warnings_raised=raised, notifications=sent)


@transaction.atomic
def _raise(
    warned_now: QuerySet[Measure],
    levels: list[tuple[int, date, int]],
    known: dict[int, Policy],
    today: date,
    link: Callable[[int], str],
) -> tuple[int, int]:
    """Move the announced levels of these measures ((pk, due date, level) of `warned_now`) up and tell
    their people, in one transaction: the alert rows are locked first (SQLite: the whole database), so a
    tick running at once waits and then finds the levels raised; each step is raised and told once.
    Returns (warnings raised, notifications)."""
    # Locked in id order, so that two ticks locking the same rows cannot deadlock (PostgreSQL).
    alerts = {
        alert.measure_id: alert
        for alert in MeasureAlert.objects.select_for_update()
        .filter(measure_id__in=[pk for pk, _, _ in levels])
        .order_by("pk")
    }
    # The rows to move, grouped by what they become: a handful of updates, the new due date set only
    # where the ladder starts again (Django's bulk_update builds a CASE per row: seconds per batch).
    moves: dict[tuple[date | None, int], list[int]] = {}
    rising: list[int] = []
    for pk, due, level in levels:
        alert = alerts.get(pk)
        if alert is None:
            continue  # the measure was deleted meanwhile
        # A new due date: the ladder starts again.
        restart = alert.deadline != due
        if level <= (WarningLevel.NONE if restart else alert.level):
            continue
        moves.setdefault((due if restart else None, level), []).append(alert.pk)
        rising.append(pk)
    now = timezone.now()
    for (due, level), pks in moves.items():
        MeasureAlert.objects.filter(pk__in=pks).update(
            level=level, changed_at=now, **({"deadline": due} if due else {})
        )
    if not rising:
        return 0, 0
    # What the messages say, read only for the measures whose level rose (most do not, day after day).
    measures = list(
        warned_now.filter(pk__in=rising).select_related("problem__inspection__inspected", "lead_leader")
    )
    heads = {
        measure.pk: policy_for(measure.problem.inspection.inspected_id, known).party_head_id
        for measure in measures
    }
    audience = Audience(measures, heads.values())
    facts = [
        _warning(measure, audience.recipients(measure, measure.warning_level, heads[measure.pk]), today, link)
        for measure in measures
    ]
    return len(rising), notify_all(facts)


def _warning(measure: Measure, people: set[User], today: date, link: Callable[[int], str]) -> Fact:
    """What the people of the level are told: “【红色预警】措施 3.1 的时间节点“完成制度起草”已于…到期，
    超期 N 天”."""
    level = measure.warning_level
    word = LEVEL_WORDS[WarningLevel(level)]
    due = measure.warning_due
    days = (due - today).days
    timing = (
        f"将于{date_label(due)}到期（还有 {days} 天）"
        if days >= 0
        else (f"已于{date_label(due)}到期，超期 {-days} 天")
    )
    node = "milestone:" if measure.next_milestone_due is not None else ""
    return Fact(
        people,
        kind=f"warning_{WarningLevel(level).name.lower()}",
        fact_key=f"warning:{level}:measure:{measure.pk}:{node}{due.isoformat()}",
        title=f"【{word}】{due_words(measure)}{timing}",
        body=measure.text[:120],
        url=link(measure.pk),
    )


def remind_stuck_signoffs(today: date | None = None) -> int:
    """Tell whoever must decide a sign-off that has waited too long at their level (once per level)."""
    from rectify.progress.services import may_decide

    # "Now" is the end of the day being ticked, so `rectify tick --date` judges that day.
    now = timezone.make_aware(datetime.combine(today or timezone.localdate(), time.max))
    facts = []
    for signoff in stuck_signoffs(now):
        measure = signoff.measure
        facts.append(
            Fact(
                [user for user in _possible_deciders(measure) if may_decide(user, signoff)],
                kind="signoff_stuck",
                fact_key=f"signoff-stuck:{signoff.pk}:{signoff.level}",
                title=f"【销号待审批】措施 {measure.problem.number}.{measure.order} 的销号申请"
                f"在“{signoff.get_level_display()}”环节滞留",
                url=reverse("progress:signoff-queue"),
            )
        )
    return notify_all(facts)


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
    # Plain rows, not model objects: the digest needs only the texts, and the office's runs to thousands.
    pending = list(
        Notification.objects.filter(recipient=user, digested_on__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", "title", "body", named=True)
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


def _deliver_digest(user: User, log: DigestLog, pending: list[channels.Item], today: date) -> None:
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
    # By their ids, not all the user's unsent ones: a concurrent tick may have told them more since.
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
