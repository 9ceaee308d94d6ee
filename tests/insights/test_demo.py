"""The dashboard of the demo (the Guangzhou Transport Bureau's inspection, lived through the real
services): for each role, per inspection and across inspections, every panel equals the count by
hand, and the links open the ledger on the number shown."""

from __future__ import annotations

import pytest

from rectify.insights import services
from rectify.ledger.models import Inspection
from rectify.ledger.services import summarise
from rectify.org.models import User

from ..conftest import PASSWORD
from ..demo_copy import demo as demo_copy
from . import direct
from .conftest import signed_in

USERS = ("office", "leader", "supervisor", "xcb", "unit", "unit2", "unithead")


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return demo_copy(PASSWORD)


def test_every_panel_equals_the_count_by_hand_for_every_role(demo):
    """One demo for all the roles (building it is the slow part)."""
    for username in USERS:
        user = User.objects.get(username=username)
        board = services.dashboard(user, demo.inspection.pk)
        direct.assert_matches(board, direct.count(user, demo.inspection))
        across = services.dashboard(User.objects.get(username=username))
        direct.assert_matches(across, direct.count(user))
        # The special inspection, the bureau's earlier round and, for the inspection office, the Water
        # Bureau's: each as the user may see it.
        shown = {row.id for row in across.by_inspection}
        assert demo.inspection.pk in shown
        assert shown == set(Inspection.objects.restrict(user).values_list("pk", flat=True))
        summary = summarise(user, demo.inspection)
        assert (board.totals.measures, board.totals.overdue, board.totals.rectified_problems) == (
            summary.measures,
            summary.overdue,
            summary.rectified_problems,
        )

    # The office sees the whole demo, with something in every panel.
    board = services.dashboard(User.objects.get(username="office"), demo.inspection.pk)
    totals = board.totals
    assert totals.measures == 36 and totals.problems == 17
    assert 0 < totals.signed_off < totals.measures and totals.overdue > 0
    assert all(row.count for row in board.warnings)  # green, yellow, red and escalated all occur
    assert len(board.by_area) == 4 and len(board.by_leader) == 4 and len(board.by_unit) >= 10
    assert board.timeline and board.timeline[-1].signed_off_cumulative == totals.signed_off
    assert (board.indicators.total, board.indicators.met, board.indicators.short) == (2, 1, 1)
    assert board.behind and board.behind[0].figures.overdue == max(
        row.figures.overdue for row in board.by_unit
    )


def test_every_link_opens_the_ledger_on_the_number_shown(demo):
    for username in ("office", "unit"):
        user = User.objects.get(username=username)
        client = signed_in(user)
        board = services.dashboard(user, demo.inspection.pk)
        assert direct.assert_links_show_the_same_counts(client, board) > 20
        assert direct.assert_links_show_the_same_counts(client, services.dashboard(user)) > 20
