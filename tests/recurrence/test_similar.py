"""Similar problems of a problem (举一反三): across inspections and organisations, only what the
user may see; on the problem page (loaded on its own) and through the API."""

import pytest
from django.test import Client

from rectify.ledger.models import Problem
from rectify.notices.importer import import_notice
from rectify.recurrence.services import similar_problems

from ..api.test_api import token_for
from .conftest import second_round_notice


@pytest.fixture
def rounds(world, ledger):
    """Bureau A's first round (ledger), its second round, and bureau B's round (ledger.other)."""
    second = import_notice(second_round_notice(), organisation=world.orgs["a"], user=world.alice)
    return ledger.inspection, second, ledger.other


def problem(inspection, number: int) -> Problem:
    return Problem.objects.get(inspection=inspection, number=number)


def test_similar_problems_come_from_other_inspections_the_user_may_see(world, rounds):
    first, second, other = rounds
    found = similar_problems(problem(second, 1), user=world.alice)
    assert [s.problem for s in found] == [problem(first, 2)]  # bureau B's copy is not Alice's to see
    assert any("非法营运车辆" in term for term in found[0].terms)
    assert found[0].explanation.startswith("共同关键词：")
    # The city supervisor sees both bureaus: B's identical problem too, never one of the same inspection.
    found = similar_problems(problem(second, 1), user=world.sam)
    assert {s.problem for s in found} == {problem(first, 2), problem(other, 2)}
    assert all(s.problem.inspection != second for s in found)
    assert similar_problems(problem(second, 1), user=world.sam, limit=1)[0].score == max(
        s.score for s in found
    )


def test_a_unit_sees_similar_problems_only_among_its_own_measures(world, rounds):
    first, second, _ = rounds
    # Bob (liaison of A1) sees problems 1 and 3 of the first round, not problem 2 (A2's).
    assert similar_problems(problem(second, 1), user=world.bob) == []
    assert [s.problem for s in similar_problems(problem(second, 2), user=world.bob)] == [problem(first, 3)]


def test_the_problem_page_loads_the_section_on_its_own(world, rounds):
    first, second, _ = rounds
    client = Client()
    client.force_login(world.alice)
    page = client.get(f"/problems/{problem(second, 1).pk}/").content.decode()
    assert (
        "相似问题（举一反三）" in page
        and f'hx-get="/recurrence/problems/{problem(second, 1).pk}/similar/"' in page
    )
    fragment = client.get(
        f"/recurrence/problems/{problem(second, 1).pk}/similar/", headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert f'href="/problems/{problem(first, 2).pk}/"' in html and "共同关键词：打击非法营运车辆" in html
    # Without htmx the same URL is a page of its own.
    full = client.get(f"/recurrence/problems/{problem(second, 1).pk}/similar/").content.decode()
    assert "<html" in full and "相似问题（举一反三）" in full
    empty = client.get(
        f"/recurrence/problems/{problem(second, 4).pk}/similar/", headers={"HX-Request": "true"}
    )
    assert "没有找到与该问题相似的问题" in empty.content.decode()


def test_the_section_refuses_problems_the_user_may_not_see(world, rounds):
    _, second, _ = rounds
    client = Client()
    client.force_login(world.charlie)
    assert client.get(f"/recurrence/problems/{problem(second, 1).pk}/similar/").status_code == 404
    anonymous = Client().get(f"/recurrence/problems/{problem(second, 1).pk}/similar/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_api_similar_problems(world, rounds):
    first, second, other = rounds
    client = Client()
    sam = token_for(client, "sam")
    response = client.get(f"/api/v1/problems/{problem(second, 1).pk}/similar", headers=sam)
    assert response.status_code == 200
    data = response.json()
    assert {row["id"] for row in data} == {problem(first, 2).pk, problem(other, 2).pk}
    row = data[0]
    assert set(row) == {"id", "inspection", "number", "title", "score", "terms", "explanation"}
    assert row["number"] == 2 and row["inspection"]["id"] in {first.pk, other.pk}
    assert 0 < row["score"] <= 1 and row["explanation"] == "共同关键词：" + "、".join(row["terms"])
    limited = client.get(f"/api/v1/problems/{problem(second, 1).pk}/similar?limit=1", headers=sam).json()
    assert len(limited) == 1


def test_api_refuses_invisible_problems_and_limits_over_20(world, rounds):
    _, second, _ = rounds
    client = Client()
    charlie = token_for(client, "charlie")
    response = client.get(f"/api/v1/problems/{problem(second, 1).pk}/similar", headers=charlie)
    assert response.status_code == 404 and "无权查看" in response.json()["detail"]
    alice = token_for(client, "alice")
    response = client.get(f"/api/v1/problems/{problem(second, 1).pk}/similar?limit=21", headers=alice)
    assert response.status_code == 422 and "limit" in response.json()["detail"]
    assert client.get(f"/api/v1/problems/{problem(second, 1).pk}/similar").status_code == 401
