"""我牵头的: a lead leader's home lists the measures that leader leads, with deadline, warning and status,
and the dashboard counts those measures only (the same figures through the page and the API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rectify.insights import services
from rectify.ledger.filters import MeasureFilterSet
from rectify.ledger.models import Measure
from rectify.org.models import Membership, Role, User

from ..api.test_api import token_for
from ..conftest import PASSWORD


@pytest.fixture
def leaders(world, ledger):
    """Lena, a second leader of bureau A, leads measure 2.1; Larry leads the other four. Measure 1.1 is
    overdue by ten days."""
    lena = User.objects.create_user("lena", password=PASSWORD, full_name="林娜")
    Membership.objects.create(user=lena, organisation=world.orgs["a"], role=Role.LEADER)
    Measure.objects.filter(pk=ledger.measures[(2, 1)].pk).update(lead_leader=lena)
    overdue = timezone.localdate() - timedelta(days=10)
    Measure.objects.filter(pk=ledger.measures[(1, 1)].pk).update(deadline=overdue)
    return lena


def test_a_lead_leader_lands_on_the_measures_he_leads(client, world, ledger, leaders):
    client.force_login(world.larry)
    home = client.get("/")
    assert home.status_code == 302 and home.url == "/dashboard/leading/"
    page = client.get(home.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "我牵头的整改措施" in html and 'aria-current="page">我牵头的</a>' in html
    assert "共 <strong>4</strong> 条整改措施" in html
    measure_links = {f"/measures/{m.pk}/" for key, m in ledger.measures.items() if key != (2, 1)}
    assert all(link in html for link in measure_links)
    assert f"/measures/{ledger.measures[(2, 1)].pk}/" not in html
    assert 'data-panel="feedback"' not in html and 'data-panel="leaders"' not in html
    assert "李瑞同志牵头的整改措施" in html


def test_the_leaders_board_counts_what_the_ledger_lists_for_him(world, ledger, leaders):
    board = services.dashboard(world.larry, led_only=True)
    ledger_rows = MeasureFilterSet({"leader": world.larry.pk}, user=world.larry).qs
    assert board.totals.measures == ledger_rows.count() == 4
    assert board.totals.overdue == 1 and board.totals.red == 1
    assert board.totals.problems == 2  # problems 1 and 3; problem 2's only measure is Lena's
    assert board.feedback is None and board.led_by == "李瑞"
    assert f"leader={world.larry.pk}" in board.totals.measures_url
    assert "mine=1" in board.totals.red_url
    lena_board = services.dashboard(leaders, led_only=True)
    assert (lena_board.totals.measures, lena_board.totals.problems) == (1, 1)


def test_the_nearest_deadline_comes_first_with_its_warning(client, world, ledger, leaders):
    client.force_login(world.larry)
    html = client.get("/dashboard/leading/").content.decode()
    first_row = html.index("<tbody>")
    overdue_link = html.index(f"/measures/{ledger.measures[(1, 1)].pk}/")
    others = [html.index(f"/measures/{ledger.measures[key].pk}/") for key in [(1, 2), (3, 1), (3, 2)]]
    assert first_row < overdue_link < min(others)
    assert "row-overdue" in html


def test_the_api_gives_the_leaders_own_figures(client, world, ledger, leaders):
    larry = token_for(client, "larry")
    data = client.get("/api/v1/stats", {"led": "true"}, headers=larry).json()
    assert data["led_by"] == "李瑞" and data["totals"]["measures"] == 4 and data["feedback"] is None
    everything = client.get("/api/v1/stats", headers=larry).json()
    assert everything["totals"]["measures"] == 5 and everything["led_by"] == ""


def test_others_keep_their_home_and_are_told_why_not_here(client, world, ledger, leaders):
    client.force_login(world.alice)
    assert client.get("/").url == "/inspections/"
    page = client.get("/")
    assert page.status_code == 302
    refused = client.get("/dashboard/leading/")
    assert refused.status_code == 403 and "面向领导小组成员" in refused.content.decode()
    assert "我牵头的" not in client.get("/inspections/").content.decode()
    alice = token_for(client, "alice")
    api = client.get("/api/v1/stats", {"led": "true"}, headers=alice)
    assert api.status_code == 403 and "面向领导小组成员" in api.json()["detail"]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")
