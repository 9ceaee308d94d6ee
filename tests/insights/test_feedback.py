"""The dashboard's feedback panel (意见诉求): the figures of feedback.stats for the user and the
inspection, the number still to be answered at the top, and links into the feedback list that show
the same number of items."""

from __future__ import annotations

from rectify.feedback.models import FeedbackItem
from rectify.insights import services
from rectify.org.access import VIEW

from .conftest import signed_in


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_one_inspection_counts_its_own_feedback(world, feedback):
    panel = services.dashboard(world.alice, feedback.inspection.pk).feedback
    figures = panel.figures
    assert (figures.total, figures.open, figures.overdue, figures.replied) == (2, 1, 1, 1)
    assert {row.value: row.count for row in panel.by_channel if row.count} == {"phone": 1, "letter": 1}
    assert {row.value: row.count for row in panel.by_kind} == {"opinion": 1, "demand": 1}
    # The feedback list has no inspection filter: no link could show these; the statistics page can.
    assert all(row.url == "" for row in [*panel.by_channel, *panel.by_kind, *panel.by_status])
    assert (
        panel.overdue_url == "" and panel.stats_url == f"/feedback/stats/?inspection={feedback.inspection.pk}"
    )


def test_all_inspections_link_into_the_feedback_list(world, feedback):
    board = services.dashboard(world.alice)
    panel = board.feedback
    mine = FeedbackItem.objects.restrict(world.alice, VIEW)
    assert panel.figures.total == mine.count() == 3
    assert {row.value: row.count for row in panel.by_status} == {
        status: mine.filter(status=status).count()
        for status, _ in FeedbackItem._meta.get_field("status").choices
    }
    client = signed_in(world.alice)
    for row in [*panel.by_channel, *panel.by_kind, *panel.by_status]:
        assert listed(client, row.url) == row.count, row.url
    assert listed(client, panel.overdue_url) == panel.figures.overdue == 1

    page = client.get("/dashboard/").content.decode()
    assert 'data-stat="feedback_open"' in page and "其中超期 1 件" in page
    assert 'data-table="feedback-channels"' in page and 'id="chart-feedback_channels"' in page


def test_each_sees_only_the_feedback_it_may(world, feedback):
    assert services.dashboard(world.charlie).feedback.figures.total == 1  # bureau B's own
    assert services.dashboard(world.bob).feedback.figures.total == 1  # routed to his unit
    assert services.dashboard(world.lisa).feedback.figures.overdue == 1
    page = signed_in(world.charlie).get("/dashboard/").content.decode()
    assert "执法程序" not in page
