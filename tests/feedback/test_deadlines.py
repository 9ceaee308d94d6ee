"""Reply deadlines feed supervision: notices when a reply is due within three working days and
when it is overdue, told once; the warnings page lists them; the daily tick runs them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from rectify.feedback.models import FeedbackItem
from rectify.feedback.services import register_item, route_item, run_reply_warnings
from rectify.supervision.models import Notification, WorkCalendarDay
from rectify.supervision.tasks import run_daily_warnings


@pytest.fixture
def dated(world):
    """Items of bureau A received on Monday 3 March 2025: due 24 March (15 working days)."""

    def make(content: str, routed_to: str | None = None) -> FeedbackItem:
        item = register_item(
            world.alice,
            organisation=world.orgs["a"],
            channel="letter",
            kind="opinion",
            content=content,
            received_at=timezone.make_aware(datetime(2025, 3, 3, 9, 0)),
        )
        if routed_to:
            item = route_item(world.alice, item, unit=world.orgs[routed_to], version=item.version)
        return item

    return make


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_due_soon_then_overdue_each_told_once(world, dated):
    item = dated("路灯不亮", routed_to="a1")
    assert item.due_date == date(2025, 3, 24)
    assert run_reply_warnings(date(2025, 3, 18)) == 0  # four working days before: not yet
    sent = run_reply_warnings(date(2025, 3, 19))  # Wednesday: due within 3 working days
    assert sent == 3 and _told("feedback_due") == {"alice", "hana", "bob"}
    assert run_reply_warnings(date(2025, 3, 19)) == 0
    assert run_reply_warnings(date(2025, 3, 21)) == 0  # still the same fact
    assert run_reply_warnings(date(2025, 3, 24)) == 0  # due today is not overdue
    assert run_reply_warnings(date(2025, 3, 25)) == 3
    assert _told("feedback_overdue") == {"alice", "hana", "bob"}
    assert run_reply_warnings(date(2025, 3, 26)) == 0
    note = Notification.objects.get(recipient=world.bob, kind="feedback_overdue")
    assert item.code in note.title and "已超过答复期限" in note.title and note.url == f"/feedback/{item.pk}/"


def test_the_window_counts_working_days_over_a_weekend_and_a_holiday(world, dated):
    dated("来信")  # not routed: only the office hears
    WorkCalendarDay.objects.create(date=date(2025, 3, 21), is_workday=False, note="假日")
    # From Monday 17 March, three working days are 18, 19, 20; from Tuesday 18 they are 19, 20, 24.
    assert run_reply_warnings(date(2025, 3, 17)) == 0
    assert run_reply_warnings(date(2025, 3, 18)) == 1
    assert _told("feedback_due") == {"alice"}


def test_finished_items_are_not_warned(world, dated):
    from rectify.feedback.services import close_item

    item = dated("重复来信")
    close_item(world.alice, item, reason="out_of_scope", note="不属于本单位")
    assert run_reply_warnings(date(2025, 3, 30)) == 0


def test_the_daily_tick_runs_the_feedback_warnings(world, dated):
    dated("来信", routed_to="a2")
    result = run_daily_warnings.call("2025-03-25")
    assert result["feedback_reminders"] == 2  # the office and A2's liaison
    assert result["notifications"] >= 2
    assert _told("feedback_overdue") == {"alice", "lisa"}


def test_the_warnings_page_lists_replies_due_and_overdue_to_those_who_see_them(
    client, world, dated, time_machine
):
    time_machine.move_to(datetime(2025, 3, 25, 10, 0))
    late = dated("路面塌陷", routed_to="a1")
    client.force_login(world.bob)
    page = client.get("/warnings/").content.decode()
    assert "意见诉求答复期限" in page and late.code in page and "超期 1 天" in page
    client.force_login(world.lisa)
    assert late.code not in client.get("/warnings/").content.decode()
