"""The warning ladder with time moved: green 20 days before the deadline, yellow 10 days before, red
after it, escalated 15 days past it; each step told once to exactly the people services.recipients
names, a second tick a no-op, a new deadline a new ladder, two ticks at once no double warning."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from rectify.ledger.models import Measure
from rectify.org.access import Access
from rectify.org.models import Membership, Role, User
from rectify.supervision import deadline_extensions as extensions
from rectify.supervision.deadlines import warned, with_warning_level
from rectify.supervision.models import MeasureAlert, Notification, WarningLevel, WarningPolicy
from rectify.supervision.services import TickResult, recipients, run_warnings, unread_count
from rectify.supervision.warning_helpers import filtered_warnings, level_counts, nav_counts, warning_count

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEADLINE = date(2025, 7, 31)


def on(day: date):
    """Travel to 09:00 (Beijing time) of `day`, with the clock standing still."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI), tick=False)


def told(kind: str | None = None) -> set[str]:
    notifications = Notification.objects.all()
    if kind:
        notifications = notifications.filter(kind=kind)
    return set(notifications.values_list("recipient__username", flat=True))


@pytest.fixture
def measure(ledger):
    """Measure 1.1 (unit A1 responsible, Larry leads) due on DEADLINE; no other measure has one."""
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(deadline=DEADLINE)
    measure.refresh_from_db()
    return measure


def test_the_ladder_green_yellow_red_escalated_each_told_once(measure, world):
    steps = [
        (date(2025, 7, 10), None, set()),  # 21 days before: nothing yet
        (date(2025, 7, 11), "warning_green", {"bob"}),  # 20 days before
        (date(2025, 7, 20), None, set()),
        (date(2025, 7, 21), "warning_yellow", {"bob", "larry"}),  # 10 days before
        (date(2025, 7, 31), None, set()),  # due today: still yellow
        (date(2025, 8, 1), "warning_red", {"bob", "larry", "hana"}),  # one day over
        (date(2025, 8, 15), None, set()),  # 15 days over: not yet past the escalation
        (date(2025, 8, 16), "warning_escalated", {"bob", "larry", "hana", "vera", "sam"}),
        (date(2025, 12, 31), None, set()),
    ]
    for day, kind, people in steps:
        before = Notification.objects.count()
        with on(day):
            result = run_warnings()
            again = run_warnings()
        assert again == TickResult(0, 0), day  # the second tick of the day is a no-op
        if kind is None:
            assert result == TickResult(0, 0), day
            assert Notification.objects.count() == before, day
            continue
        assert result == TickResult(warnings_raised=1, notifications=len(people)), day
        assert told(kind) == people, day
        assert Notification.objects.count() == before + len(people), day
    alert = MeasureAlert.objects.get(measure=measure)
    assert (alert.deadline, alert.level) == (DEADLINE, WarningLevel.ESCALATED)
    # The office, the other unit's liaison and the outsider are never told; each person once per level.
    assert not told() & {"alice", "lisa", "charlie", "nobody"}
    assert Notification.objects.filter(recipient=world.bob).count() == 4


def test_messages_say_the_level_the_deadline_and_link_the_measure(measure, world):
    with on(date(2025, 7, 21)):
        run_warnings()
    note = Notification.objects.get(recipient=world.larry)
    assert note.title == "【黄色预警】措施 1.1将于2025年7月31日到期（还有 10 天）"
    assert note.url == f"/measures/{measure.pk}/" and note.read_at is None
    with on(date(2025, 8, 20)):
        run_warnings()
    escalated = Notification.objects.get(recipient=world.sam)
    assert escalated.title == "【红色预警（已升级）】措施 1.1已于2025年7月31日到期，超期 20 天"


def test_a_measure_found_late_is_told_once_at_its_level(measure):
    with on(date(2025, 9, 1)):
        assert run_warnings().warnings_raised == 1
    assert set(Notification.objects.values_list("kind", flat=True)) == {"warning_escalated"}
    assert told() == {"bob", "larry", "hana", "vera", "sam"}


def test_a_new_deadline_starts_the_ladder_again(measure, world):
    with on(date(2025, 8, 1)):
        run_warnings()
    assert told("warning_red") == {"bob", "larry", "hana"}
    with on(date(2025, 8, 1)):
        # The deadline moves only by an approved extension request (延期).
        asked = extensions.request_extension(world.bob, measure.pk, date(2025, 8, 20), "需协调联合执法")
        extensions.decide_extension(world.alice, asked.pk, "approve", "")
        result = run_warnings()  # 19 days ahead: green again, for the new deadline
    assert result == TickResult(1, 1)
    alert = MeasureAlert.objects.get(measure=measure)
    assert (alert.deadline, alert.level) == (date(2025, 8, 20), WarningLevel.GREEN)
    with on(date(2025, 8, 10)):
        assert run_warnings() == TickResult(1, 2)  # yellow for the new deadline: Bob and Larry again
    assert Notification.objects.filter(recipient=world.larry, kind="warning_yellow").count() == 1
    assert Notification.objects.filter(recipient=world.larry).count() == 2  # red (old) + yellow (new)
    assert Notification.objects.filter(fact_key__endswith="2025-08-20").count() == 3


def test_finished_measures_and_measures_without_deadline_are_not_warned(measure, ledger):
    other = ledger.measures[(3, 2)]
    Measure.objects.filter(pk=other.pk).update(deadline=DEADLINE, status="signed_off")
    with on(date(2025, 9, 1)):
        assert run_warnings().warnings_raised == 1  # only measure 1.1
        Measure.objects.filter(pk=measure.pk).update(status="signoff_requested")
        assert run_warnings() == TickResult(0, 0)
    assert not MeasureAlert.objects.filter(measure=other, level__gt=0).exists()


def test_the_organisations_policy_and_its_party_head(measure, world):
    pete = User.objects.create_user("pete", full_name="彭涛")
    Membership.objects.create(user=pete, organisation=world.orgs["a"], role=Role.LEADER)
    WarningPolicy.objects.create(
        organisation=world.orgs["a"], green_days=30, yellow_days=5, escalate_days=3, party_head=pete
    )
    expected = [
        (date(2025, 7, 1), WarningLevel.GREEN),  # 30 days before
        (date(2025, 7, 25), WarningLevel.GREEN),  # 6 days before: not yet yellow
        (date(2025, 7, 26), WarningLevel.YELLOW),
        (date(2025, 8, 1), WarningLevel.RED),  # one day over
        (date(2025, 8, 3), WarningLevel.RED),  # three days over
        (date(2025, 8, 4), WarningLevel.ESCALATED),  # more than three days over
    ]
    for day, level in expected:
        with on(day):
            run_warnings()
        assert MeasureAlert.objects.get(measure=measure).level == level, day
    assert told("warning_red") == {"bob", "larry", "hana", "pete"}
    assert "pete" not in told("warning_yellow")


@pytest.mark.parametrize(
    "level, people",
    [
        (WarningLevel.GREEN, {"lisa"}),
        (WarningLevel.YELLOW, {"lisa", "larry"}),
        (WarningLevel.RED, {"lisa", "larry"}),  # A2 has no head
        (WarningLevel.ESCALATED, {"lisa", "larry", "vera", "sam"}),
    ],
)
def test_recipients_per_level_are_the_responsible_units_not_the_supporting_ones(ledger, world, level, people):
    # Measure 2.1: A2 responsible. Measure 3.1: A1 responsible and A2 supporting, so Lisa is not told.
    measure = Measure.objects.select_related("problem__inspection__inspected").get(
        pk=ledger.measures[(2, 1)].pk
    )
    assert {user.username for user in recipients(measure, level, None)} == people
    supported = Measure.objects.select_related("problem__inspection__inspected").get(
        pk=ledger.measures[(3, 1)].pk
    )
    names = {user.username for user in recipients(supported, level, None)}
    assert "lisa" not in names and "bob" in names


def test_inactive_people_are_not_told(measure, world):
    User.objects.filter(pk=world.bob.pk).update(is_active=False)
    with on(date(2025, 7, 21)):
        run_warnings()
    assert told() == {"larry"}


def _expected_level(deadline: date, today: date, policy: WarningPolicy | None) -> int:
    """The ladder of DESIGN, written out in Python as a reference for the SQL of with_warning_level."""
    green, yellow, escalate = (
        (policy.green_days, policy.yellow_days, policy.escalate_days) if policy else (20, 10, 15)
    )
    if deadline < today - timedelta(days=escalate):
        return WarningLevel.ESCALATED
    if deadline < today:
        return WarningLevel.RED
    if deadline <= today + timedelta(days=yellow):
        return WarningLevel.YELLOW
    if deadline <= today + timedelta(days=green):
        return WarningLevel.GREEN
    return WarningLevel.NONE


def test_the_levels_follow_each_organisations_policy_and_the_badge_counts_them_all(ledger, world):
    """with_warning_level reads each organisation's policy by a join (or the defaults), and the 预警
    badge (nav_counts, warning_count) counts every warned measure, green included: the warnings
    page's 共 N 条, not a figure of its own."""
    policy = WarningPolicy.objects.create(
        organisation=world.orgs["a"], green_days=40, yellow_days=25, escalate_days=2
    )
    start = date(2025, 7, 1)
    for index, measure in enumerate(Measure.objects.order_by("pk")):
        Measure.objects.filter(pk=measure.pk).update(deadline=start + timedelta(days=7 * index))
    measures = list(Measure.objects.select_related("problem__inspection"))
    for offset in range(-10, 90, 3):
        today = start + timedelta(days=offset)
        levels = dict(with_warning_level(Measure.objects.all(), today).values_list("pk", "warning_level"))
        for measure in measures:
            own = policy if measure.problem.inspection.inspected_id == world.orgs["a"].pk else None
            assert levels[measure.pk] == _expected_level(measure.deadline, today, own), (offset, measure.pk)
        assert set(warned(Measure.objects.all(), today).values_list("pk", flat=True)) == {
            pk for pk, level in levels.items() if level > WarningLevel.NONE
        }
    with on(start + timedelta(days=20)):
        page_total = sum(level_counts(filtered_warnings(world.charlie)).values())
        assert warning_count(world.charlie) == page_total > 0
        assert nav_counts(world.charlie)[0] == page_total
        assert warning_count(world.nobody) == 0


def test_two_ticks_at_once_announce_each_level_once(transactional_db, ledger, world):
    first = date(2025, 9, 1)
    deadlines = {
        (1, 1): first + timedelta(days=20),  # green, then yellow
        (2, 1): first + timedelta(days=5),  # yellow, then red
        (3, 1): first - timedelta(days=3),  # red, then escalated
        (3, 2): first - timedelta(days=30),  # escalated, then nothing new
    }
    for key, deadline in deadlines.items():
        Measure.objects.filter(pk=ledger.measures[key].pk).update(deadline=deadline)

    def both_at_once(today: date) -> list[TickResult]:
        start = threading.Barrier(2)
        results: list[TickResult] = []

        def tick() -> None:
            try:
                start.wait()
                results.append(run_warnings(today))
            finally:
                connection.close()

        threads = [threading.Thread(target=tick) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(results) == 2
        return results

    results = both_at_once(first)
    assert sum(result.warnings_raised for result in results) == 4
    # green: Bob; yellow: Lisa, Larry; red: Bob, Larry, Hana; escalated: Bob, Larry, Hana, Vera, Sam
    assert Notification.objects.count() == sum(result.notifications for result in results) == 11

    results = both_at_once(first + timedelta(days=15))
    assert sum(result.warnings_raised for result in results) == 3
    # yellow 1.1: Bob, Larry; red 2.1: Lisa, Larry; escalated 3.1: Bob, Larry, Hana, Vera, Sam
    assert Notification.objects.count() == 11 + 9
    levels = dict(MeasureAlert.objects.values_list("measure_id", "level"))
    assert [levels[ledger.measures[key].pk] for key in deadlines] == [
        WarningLevel.YELLOW,
        WarningLevel.RED,
        WarningLevel.ESCALATED,
        WarningLevel.ESCALATED,
    ]
    # Nobody was told the same fact twice.
    assert Notification.objects.values("recipient", "fact_key").distinct().count() == 20


def test_the_navigation_counts_are_one_query(ledger, world, django_assert_num_queries):
    Measure.objects.filter(pk=ledger.measures[(1, 2)].pk).update(deadline=date(2025, 7, 25))
    Measure.objects.filter(pk=ledger.measures[(2, 1)].pk).update(deadline=date(2025, 6, 1))
    with on(date(2025, 7, 20)):
        run_warnings()
        for user in (world.alice, world.bob, world.lisa, world.charlie, world.sam):
            Access.of(user)  # read once per request by then
            expected = (warning_count(user), unread_count(user))
            with django_assert_num_queries(1):
                assert nav_counts(user) == expected
        assert nav_counts(world.bob) == (1, 1)  # 1.2 is yellow; 2.1 (escalated) is unit A2's
        assert nav_counts(world.sam) == (2, 1)  # both; told of 2.1's escalation only
