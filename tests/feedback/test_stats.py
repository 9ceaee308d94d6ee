"""Statistics from the summary rows or aggregate queries, within what the user may see."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from rectify.feedback import tallies
from rectify.feedback.models import FeedbackItem, QrCode
from rectify.feedback.services import approve_reply, register_item, route_item, save_reply, submit_public
from rectify.feedback.stats import feedback_figures


def test_figures(world, fb, django_assert_max_num_queries):
    qr = QrCode.objects.create(
        organisation=world.orgs["a"], token="s1", label="围挡公示牌", created_by=world.alice
    )
    submit_public(organisation=world.orgs["a"], kind="opinion", content="扫码反映", qr=qr)
    approve_reply(world.alice, fb.pending)
    # A reply approved late: received long ago, due date passed before the approval.
    late = register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel="letter",
        kind="demand",
        content="来信",
        received_at=timezone.make_aware(datetime(2025, 3, 3, 9, 0)),  # Monday; due 24 March
    )
    late = route_item(world.alice, late, unit=world.orgs["a2"], version=late.version)
    save_reply(world.lisa, late, text="答复", submit=True)
    approve_reply(world.alice, late)
    FeedbackItem.objects.filter(pk=late.pk).update(closed_at=timezone.make_aware(datetime(2025, 3, 26, 9, 0)))
    FeedbackItem.objects.filter(pk=fb.routed.pk).update(due_date=date.today() - timedelta(days=1))
    tallies.refresh()  # the updates above move time past the services that keep the summary rows

    # From the summary rows: three sums, and the items of organisations without rows counted directly.
    with django_assert_max_num_queries(7):
        figures = feedback_figures(world.alice, on=date.today())
    assert figures.total == 6
    assert (figures.open, figures.overdue, figures.replied, figures.replied_on_time) == (4, 1, 2, 1)
    assert figures.on_time_rate == 0.5 and figures.on_time_percent == 50.0
    assert (
        figures.by_channel["portal"] == 4
        and figures.by_channel["phone"] == 1
        and figures.by_channel["letter"] == 1
    )
    assert figures.by_kind == {"opinion": 4, "demand": 2}
    assert figures.by_status == {"received": 2, "routed": 2, "reply_pending": 0, "replied": 2, "closed": 0}
    assert figures.by_unit == {"甲局执法支队": 2, "甲局法规处": 2}
    assert figures.by_qr == {"围挡公示牌": 1}
    # Today's approval took 0 working days, the late one 17 (3 → 26 March): 8.5 on average.
    assert figures.average_reply_workdays == 8.5
    assert ("网上留言", 4) in figures.channel_rows

    unit_view = feedback_figures(world.bob, on=date.today())
    assert unit_view.total == 2 and unit_view.by_unit == {"甲局执法支队": 2}
    assert feedback_figures(world.nobody, on=date.today()).total == 0
    assert feedback_figures(world.charlie, on=date.today()).total == 1
    scoped = feedback_figures(world.sam, organisation=world.orgs["b"], on=date.today())
    assert scoped.total == 1 and scoped.on_time_rate is None and scoped.average_reply_workdays is None


def test_figures_by_inspection(world, ledger, fb):
    problem = ledger.measures[(1, 1)].problem
    submit_public(organisation=world.orgs["a"], kind="opinion", content="关于执法", problem=problem)
    figures = feedback_figures(world.alice, inspection=ledger.inspection, on=date.today())
    assert figures.total == 1
