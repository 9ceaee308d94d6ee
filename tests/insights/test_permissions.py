"""Who sees which numbers on the dashboard. The decision per role:

- office, leader, supervisor: every measure of their organisation and the organisations below it;
- a responsible unit's head and liaison: their own unit's measures only (what they see in the
  ledger: those their unit, or a unit under it, is responsible for or supports);
- anyone else: refused (403); an inspection one may not see is not found (404), never counted.
"""

from __future__ import annotations

import pytest

from rectify.insights import services

from . import direct
from .conftest import signed_in


@pytest.mark.parametrize(
    ("username", "measures"),
    [("alice", 5), ("larry", 5), ("vera", 5), ("sam", 5), ("hana", 4), ("bob", 4), ("lisa", 2)],
)
def test_each_role_counts_what_it_may_see_of_bureau_a(world, lived, username, measures):
    user = world.people[username]
    board = services.dashboard(user, lived.inspection.pk)
    assert board.totals.measures == measures
    direct.assert_matches(board, direct.count(user, lived.inspection))


def test_a_liaison_sees_only_the_numbers_of_his_unit(world, lived):
    board = services.dashboard(world.bob, lived.inspection.pk)
    mine = {lived.measures[key].pk for key in [(1, 1), (1, 2), (3, 1), (3, 2)]}
    assert {m.pk for m in direct.count(world.bob, lived.inspection)["measures"]} == mine
    assert [row.name for row in board.by_unit] == ["甲局执法支队"]  # A2's own measure 2.1 is not his
    assert board.totals.overdue == 1 and board.totals.escalated == 0  # 2.1 (escalated) is A2's
    assert [row.name for row in board.by_area] == ["关于执法方面", "关于服务方面"]
    assert board.by_area[0].problems == 1  # problem 2 (A2's) is not even listed
    assert (board.indicators.total, board.indicators.short) == (3, 1)

    lisa = services.dashboard(world.lisa, lived.inspection.pk)
    assert lisa.totals.measures == 2 and lisa.indicators.total == 1  # 2.1, and 3.1 which A2 supports
    # A liaison's own dashboard across inspections is the same: bureau B's inspection is not there.
    assert [row.id for row in services.dashboard(world.bob).by_inspection] == [lived.inspection.pk]


def test_bureau_b_sees_none_of_bureau_a(world, lived):
    board = services.dashboard(world.charlie)
    assert [row.id for row in board.by_inspection] == [lived.other.pk]
    assert board.totals.measures == 5 and board.totals.signed_off == 0 and board.indicators.total == 0
    # Bureau B's five measures, not yet given to its units, are the bureau's own, none started.
    assert board.timeline == [] and [row.name for row in board.behind] == ["乙局"]
    client = signed_in(world.charlie)
    response = client.get(f"/dashboard/inspections/{lived.inspection.pk}/")
    assert response.status_code == 404 and "无权查看" in response.content.decode()
    page = client.get("/dashboard/").content.decode()
    # Both bureaus' inspections bear the same title: tell them apart by their ids.
    assert f'<option value="{lived.other.pk}">' in page and f'value="{lived.inspection.pk}"' not in page
    assert f"inspection={lived.inspection.pk}" not in page and "甲局" not in page
    api = client.get(f"/api/v1/stats?inspection={lived.inspection.pk}")
    assert api.status_code == 404 and "无权查看" in api.json()["detail"]


def test_someone_without_a_role_is_refused(world, lived):
    client = signed_in(world.nobody)
    response = client.get("/dashboard/")
    assert response.status_code == 403 and "数据看板" in response.content.decode()
    assert client.get(f"/dashboard/inspections/{lived.inspection.pk}/").status_code == 403
    api = client.get("/api/v1/stats")
    assert api.status_code == 403 and "数据看板" in api.json()["detail"]
    assert "数据看板" not in client.get("/inspections/").content.decode()  # no menu entry either


def test_signed_out_visitors_are_sent_to_sign_in(lived):
    from django.test import Client

    response = Client().get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Client().get("/api/v1/stats").status_code == 401


def test_every_role_has_the_menu_entry(world, lived):
    for username in ("alice", "larry", "vera", "bob"):
        page = signed_in(world.people[username]).get("/inspections/").content.decode()
        assert 'href="/dashboard/"' in page, username
