"""The ledger's compact view (紧凑视图), through the full stack: remembered per user on the server, the
columns the user chooses, 超期天数 from the one overdue rule, measures grouped under their problem, and
the 预警 column only when a measure carries a warning. Bad input changes nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.test import Client

from rectify.ledger.models import LedgerView, Measure
from rectify.ledger.services import ledger_view, save_ledger_view
from rectify.org.models import User

TODAY = date(2025, 9, 1)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def table_of(response):
    assert response.status_code == 200
    tables = BeautifulSoup(response.content.decode(), "html.parser").select("table.ledger-table")
    assert len(tables) == 1
    return tables[0]


def headings(table) -> list[str]:
    return [th.get_text().strip() for th in table.select("thead th")]


def cell(row, label: str) -> str:
    return row.select(f"td[data-label='{label}']")[0].get_text().strip()


@pytest.fixture
def dated(ledger):
    """On TODAY: 2.1 is 2 days past its deadline (red), 3.1 40 days past it (escalated) but 3.2 of
    the same problem is signed off past its deadline (not overdue), 1.1 and 1.2 are weeks ahead."""
    deadlines = {
        (1, 1): TODAY + timedelta(days=60),
        (1, 2): TODAY + timedelta(days=90),
        (2, 1): TODAY - timedelta(days=2),
        (3, 1): TODAY - timedelta(days=40),
        (3, 2): TODAY - timedelta(days=10),
    }
    for key, deadline in deadlines.items():
        Measure.objects.filter(pk=ledger.measures[key].pk).update(deadline=deadline)
    Measure.objects.filter(pk=ledger.measures[(3, 2)].pk).update(status="signed_off")
    with time_machine.travel(date(2025, 9, 1), tick=False):
        yield ledger


def test_a_user_who_never_chose_sees_the_standard_ledger(dated):
    table = table_of(signed_in("alice").get("/measures/"))
    assert "ledger-compact" not in table["class"]
    assert headings(table)[:2] == ["问题", "整改措施"]
    assert not LedgerView.objects.exists()
    assert ledger_view(User.objects.get(username="alice")).compact is False


def test_the_compact_view_groups_measures_under_their_problem_with_days_overdue(dated):
    client = signed_in("alice")
    response = client.post(
        "/measures/view/",
        {
            "compact": "1",
            "columns": ["deadline", "days_overdue", "status"],
            "next": "/measures/?status=in_progress",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/measures/?status=in_progress"
    table = table_of(client.get(f"/measures/?inspection={dated.inspection.pk}"))
    assert "ledger-compact" in table["class"]
    # Only the chosen columns, after the measure; no 预警 column chosen, so none.
    assert headings(table) == ["整改措施", "整改时限", "超期天数", "状态"]
    rows = table.select("tbody tr")
    groups = [row.get_text().split()[1] for row in rows if "group-row" in row.get("class", [])]
    # Each problem stated once, above its measures (3 problems, 5 measures).
    assert groups == ["1", "2", "3"]
    assert len(rows) == 8
    measures = {
        re.search(r"措施 (\d\.\d)", row.get_text()).group(1): row
        for row in rows
        if "group-row" not in row.get("class", [])
    }
    assert cell(measures["2.1"], "超期天数") == "2 天"
    assert cell(measures["3.1"], "超期天数") == "40 天"
    # Signed off past its deadline: not overdue (the one rule), so no days.
    assert cell(measures["3.2"], "超期天数") == "—"
    assert cell(measures["1.1"], "超期天数") == "—"
    assert "row-overdue" in measures["3.1"]["class"]
    # The problem's row spans the measure and every chosen column.
    first_group = rows[0].select("th")[0]
    assert first_group.get("colspan") == "4" and "执法不规范的整改" in first_group.get_text()


def test_the_choice_is_remembered_on_the_server_per_user(dated):
    signed_in("alice").post("/measures/view/", {"compact": "1", "columns": ["leader", "warning"]})
    # Another browser of the same user: the same view; another user: the standard one.
    table = table_of(signed_in("alice").get("/measures/"))
    assert "ledger-compact" in table["class"]
    assert headings(table) == ["整改措施", "牵头领导", "预警"]
    assert "ledger-compact" not in table_of(signed_in("larry").get("/measures/"))["class"]
    # Back to the standard view: the columns are kept for the next time.
    signed_in("alice").post("/measures/view/", {"compact": "0", "columns": ["leader", "warning"]})
    saved = LedgerView.objects.get(user__username="alice")
    assert saved.compact is False and saved.columns == ["leader", "warning"]


def test_the_warning_column_shows_only_when_a_listed_measure_carries_a_warning(dated):
    client = signed_in("alice")
    client.post("/measures/view/", {"compact": "1", "columns": ["warning", "status"]})
    assert "预警" in headings(table_of(client.get("/measures/")))
    # Filtered to signed-off measures: nothing is warned, so the column does not take room.
    quiet = table_of(client.get("/measures/?status=signed_off"))
    assert headings(quiet) == ["整改措施", "状态"]
    assert quiet.select("tr.group-row th")[0].get("colspan") == "2"
    client.post("/measures/view/", {"compact": "0"})
    assert "预警" not in headings(table_of(client.get("/measures/?status=signed_off")))
    assert "预警" in headings(table_of(client.get("/measures/")))


def test_an_unknown_column_is_refused_and_nothing_changes(dated):
    alice = User.objects.get(username="alice")
    save_ledger_view(alice, compact=True, columns=["status"])
    response = signed_in("alice").post("/measures/view/", {"compact": "0", "columns": ["status", "salary"]})
    assert response.status_code == 400
    assert "所选的列“salary”不存在" in response.content.decode()
    saved = LedgerView.objects.get(user=alice)
    assert saved.compact is True and saved.columns == ["status"]
    assert signed_in("alice").post("/measures/view/", {"columns": ["status"]}).status_code == 400
    assert LedgerView.objects.get(user=alice).compact is True


def test_it_returns_only_to_the_ledger(dated):
    client = signed_in("alice")
    for elsewhere in ("https://example.com/measures/?q=1", "//example.com/", "/admin/"):
        response = client.post("/measures/view/", {"compact": "1", "next": elsewhere})
        assert response.status_code == 302 and response["Location"] == "/measures/"


def test_it_needs_a_login_and_a_post(dated):
    assert Client().post("/measures/view/", {"compact": "1"}).status_code == 302
    assert signed_in("alice").get("/measures/view/").status_code == 405
    assert not LedgerView.objects.exists()


def test_a_liaison_keeps_its_own_compact_view_of_its_own_measures(dated):
    client = signed_in("lisa")
    client.post("/measures/view/", {"compact": "1", "columns": ["responsible"]})
    table = table_of(client.get("/measures/"))
    # Lisa's unit answers for 2.1 and supports 3.1: two problems, two measures, nothing else.
    assert [row.get("class") for row in table.select("tbody tr")] == [
        ["group-row"],
        ["row-overdue"],
        ["group-row"],
        ["row-overdue"],
    ]
