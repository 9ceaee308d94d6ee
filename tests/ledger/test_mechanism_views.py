"""The long-term mechanism pages (长效机制), through the full stack, for every role."""

import re
from datetime import date

import pytest
from django.test import Client

from rectify.ledger.models import Mechanism, Problem
from rectify.ledger.services import save_mechanism


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def problem(inspection, number: int) -> Problem:
    return Problem.objects.get(inspection=inspection, number=number)


@pytest.fixture
def mechanisms(ledger, world):
    """A's: an issued rule answering problems 1 and 2, a draft answering problem 2, and B's own rule."""
    issued = save_mechanism(
        world.alice,
        inspection_id=ledger.inspection.pk,
        title="《甲局行政执法规范》",
        kind="made",
        status="issued",
        issued_on=date(2025, 4, 1),
        document_number="甲发〔2025〕3号",
        problem_ids=[problem(ledger.inspection, 1).pk, problem(ledger.inspection, 2).pk],
    )
    draft = save_mechanism(
        world.alice,
        inspection_id=ledger.inspection.pk,
        title="《甲局营运车辆监管办法》",
        kind="revised",
        status="drafting",
        problem_ids=[problem(ledger.inspection, 2).pk],
    )
    other = save_mechanism(
        world.charlie,
        inspection_id=ledger.other.pk,
        title="《乙局审批时限规定》",
        kind="made",
        status="in_review",
        problem_ids=[problem(ledger.other, 3).pk],
    )
    return {"issued": issued, "draft": draft, "other": other}


def form_data(**changes) -> dict:
    data = {
        "title": "《甲局审批服务规范》",
        "kind": "made",
        "status": "in_review",
        "issued_on": "",
        "document_number": "",
        "problems": [],
    }
    data.update(changes)
    return data


# ------------------------------------------------------------------ who sees which


def test_office_sees_its_mechanisms_with_counts_problems_and_the_add_button(mechanisms, ledger):
    response = signed_in("alice").get("/mechanisms/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "《甲局行政执法规范》" in page and "《甲局营运车辆监管办法》" in page
    assert "《乙局审批时限规定》" not in page
    assert "甲发〔2025〕3号" in page and "2025年4月1日" in page
    assert "已印发" in page and "起草中" in page and "修订" in page
    assert f'href="/problems/{problem(ledger.inspection, 1).pk}/"' in page
    counts = {label: n for _, label, n in response.context["counts"]["by_status"]}
    assert counts == {"起草中": 1, "审议中": 0, "已印发": 1}
    assert response.context["counts"]["total"] == 2
    assert f"/inspections/{ledger.inspection.pk}/mechanisms/new/" in page
    assert f"/mechanisms/{mechanisms['issued'].pk}/edit/" in page


def test_outsider_sees_none_of_bureau_as_mechanisms(mechanisms, ledger):
    client = signed_in("charlie")
    page = client.get("/mechanisms/").content.decode()
    assert "《乙局审批时限规定》" in page
    assert "甲局" not in page.split("<main", 1)[1]
    response = client.get("/mechanisms/", {"inspection": ledger.inspection.pk})
    assert response.status_code == 400 and "无权查看" in response.content.decode()
    assert "《甲局行政执法规范》" not in response.content.decode()
    assert client.get(f"/inspections/{ledger.inspection.pk}/mechanisms/").status_code == 404


def test_filter_by_inspection_and_the_per_inspection_page(mechanisms, ledger):
    client = signed_in("sam")  # the city supervisor sees both bureaus
    everything = client.get("/mechanisms/").content.decode()
    assert "《甲局行政执法规范》" in everything and "《乙局审批时限规定》" in everything
    filtered = client.get("/mechanisms/", {"inspection": ledger.other.pk}).content.decode()
    assert "《乙局审批时限规定》" in filtered and "《甲局行政执法规范》" not in filtered
    per_inspection = client.get(f"/inspections/{ledger.inspection.pk}/mechanisms/")
    page = per_inspection.content.decode()
    assert per_inspection.status_code == 200
    assert "《甲局行政执法规范》" in page and "《乙局审批时限规定》" not in page
    assert 'aria-current="page">长效机制' in page  # breadcrumbs back to the inspection
    assert "登记长效机制" not in page and "/edit/" not in page  # supervisors read only


def test_unit_sees_the_mechanisms_of_its_problems_and_only_its_problems_in_them(mechanisms, ledger):
    page = signed_in("bob").get("/mechanisms/").content.decode()  # A1: problems 1 and 3
    assert "《甲局行政执法规范》" in page  # answers problem 1
    assert "《甲局营运车辆监管办法》" not in page  # answers only problem 2 (A2's)
    assert "执法不规范的整改" in page
    assert "非法营运打击不力的整改" not in page  # problem 2 of the same rule is A2's
    assert "登记长效机制" not in page and "修改" not in page


def test_list_queries_do_not_grow_with_mechanisms(mechanisms, ledger, world, django_assert_num_queries):
    client = signed_in("alice")
    client.get("/mechanisms/")  # warm the session and content types

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/mechanisms/").status_code == 200
        return len(queries)

    before = count()
    ids = list(Problem.objects.filter(inspection=ledger.inspection).values_list("pk", flat=True))
    for n in range(6):
        save_mechanism(
            world.alice,
            inspection_id=ledger.inspection.pk,
            title=f"制度{n}",
            kind="made",
            status="drafting",
            problem_ids=ids,
        )
    assert count() == before


# ------------------------------------------------------------------ the office adds and edits


def test_office_adds_a_mechanism(ledger):
    client = signed_in("alice")
    url = f"/inspections/{ledger.inspection.pk}/mechanisms/new/"
    page = client.get(url).content.decode()
    assert "登记长效机制" in page and "执法不规范的整改" in page and 'type="checkbox"' in page
    p1, p3 = problem(ledger.inspection, 1), problem(ledger.inspection, 3)
    response = client.post(
        url,
        form_data(
            status="issued",
            issued_on="2025-05-20",
            document_number="甲办〔2025〕8号",
            problems=[p1.pk, p3.pk],
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{ledger.inspection.pk}/mechanisms/"
    mechanism = Mechanism.objects.get()
    assert mechanism.title == "《甲局审批服务规范》" and mechanism.issued_on == date(2025, 5, 20)
    assert set(mechanism.problems.all()) == {p1, p3}
    page = client.get(response["Location"]).content.decode()
    assert "已登记长效机制" in page and "甲办〔2025〕8号" in page


def test_office_edits_a_mechanism(mechanisms, ledger):
    client = signed_in("alice")
    draft = mechanisms["draft"]
    page = client.get(f"/mechanisms/{draft.pk}/edit/").content.decode()
    assert 'value="《甲局营运车辆监管办法》"' in page
    p2 = problem(ledger.inspection, 2)
    assert re.search(rf'value="{p2.pk}"[^>]*checked', page)
    assert not re.search(rf'value="{problem(ledger.inspection, 1).pk}"[^>]*checked', page)
    response = client.post(
        f"/mechanisms/{draft.pk}/edit/",
        form_data(
            title="《甲局营运车辆监管办法（修订）》",
            kind="revised",
            status="issued",
            issued_on="2025-06-01",
            problems=[p2.pk],
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.issued_on == date(2025, 6, 1)
    assert draft.title == "《甲局营运车辆监管办法（修订）》"
    assert Mechanism.objects.count() == 3


# ------------------------------------------------------------------ others are refused


@pytest.mark.parametrize("name", ["larry", "vera", "sam", "hana"])
def test_others_cannot_add_or_edit_and_nothing_changes(mechanisms, ledger, name):
    client = signed_in(name)
    issued = mechanisms["issued"]
    new_url = f"/inspections/{ledger.inspection.pk}/mechanisms/new/"
    assert client.get(new_url).status_code == 403
    response = client.post(new_url, form_data())
    assert response.status_code == 403 and "只有整改办" in response.content.decode()
    response = client.post(f"/mechanisms/{issued.pk}/edit/", form_data(title="改名"))
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.title == "《甲局行政执法规范》" and Mechanism.objects.count() == 3


def test_outsider_office_gets_404_and_nothing_changes(mechanisms, ledger):
    client = signed_in("charlie")
    assert client.post(f"/inspections/{ledger.inspection.pk}/mechanisms/new/", form_data()).status_code == 404
    assert client.post(f"/mechanisms/{mechanisms['issued'].pk}/edit/", form_data()).status_code == 404
    assert Mechanism.objects.count() == 3


def test_a_unit_that_sees_the_mechanism_still_cannot_edit_it(mechanisms):
    response = signed_in("bob").post(f"/mechanisms/{mechanisms['issued'].pk}/edit/", form_data())
    assert response.status_code == 403
    assert Mechanism.objects.get(pk=mechanisms["issued"].pk).title == "《甲局行政执法规范》"


def test_lists_are_read_only_pages(ledger):
    assert signed_in("alice").post("/mechanisms/").status_code == 405


# ------------------------------------------------------------------ bad input, refused in Chinese


def test_issued_without_a_date_is_refused_and_the_input_kept(ledger):
    client = signed_in("alice")
    p1 = problem(ledger.inspection, 1)
    response = client.post(
        f"/inspections/{ledger.inspection.pk}/mechanisms/new/",
        form_data(status="issued", document_number="甲办〔2025〕9号", problems=[p1.pk]),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and "已印发的制度必须填写印发日期" in page
    assert 'value="《甲局审批服务规范》"' in page and 'value="甲办〔2025〕9号"' in page
    assert re.search(rf'name="problems" value="{p1.pk}"[^>]*checked', page)
    assert re.search(r'name="status" value="issued"[^>]*checked', page)
    assert not Mechanism.objects.exists()


def test_problems_of_another_inspection_are_refused(ledger):
    response = signed_in("alice").post(
        f"/inspections/{ledger.inspection.pk}/mechanisms/new/",
        form_data(problems=[problem(ledger.inspection, 1).pk, problem(ledger.other, 1).pk]),
    )
    assert response.status_code == 400 and "所选问题不属于本次巡察" in response.content.decode()
    assert not Mechanism.objects.exists()


def test_empty_title_is_refused(mechanisms):
    draft = mechanisms["draft"]
    response = signed_in("alice").post(f"/mechanisms/{draft.pk}/edit/", form_data(title="   "))
    assert response.status_code == 400 and "请填写制度名称" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "《甲局营运车辆监管办法》"


def test_a_malformed_date_is_refused_in_chinese(ledger):
    response = signed_in("alice").post(
        f"/inspections/{ledger.inspection.pk}/mechanisms/new/",
        form_data(status="issued", issued_on="2025-13-45"),
    )
    assert response.status_code == 400 and "印发日期格式不正确" in response.content.decode()
    assert not Mechanism.objects.exists()
