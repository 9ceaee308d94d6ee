"""The 举一反三 page (flags waiting, side by side, shared terms marked) and the flags' API."""

import pytest
from django.test import Client

from rectify.ledger.models import Problem
from rectify.org.models import User
from rectify.recurrence.models import FlagStatus, RecurrenceFlag

from ..api.test_api import token_for


def flag_of(inspection, number: int) -> RecurrenceFlag:
    return RecurrenceFlag.objects.get(problem__inspection=inspection, problem__number=number)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_office_sees_the_waiting_flags_side_by_side_with_terms_marked(world, second_round):
    Problem.objects.filter(inspection=second_round, number=1).update(
        title="南站<script>alert(1)</script>非法营运车辆反弹"
    )
    client = signed_in(world.alice)
    page = client.get("/recurrence/").content.decode()
    assert "举一反三：可能反弹或共性问题" in page and "共 <strong>2</strong> 条" in page
    assert "新导入的问题" in page and "已销号的相似问题" in page
    assert "<mark>打击非法营运车辆</mark>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for number in (1, 2):  # one form per flag, each with its own field names
        assert f'name="flag-{flag_of(second_round, number).pk}-decision"' in page
    # The navigation counts the flags waiting for this office.
    assert 'href="/recurrence/"' in page and 'aria-label="2 条待确认"' in page


def test_the_office_confirms_on_the_page(world, second_round):
    flag = flag_of(second_round, 1)
    client = signed_in(world.alice)
    prefix = f"flag-{flag.pk}"
    response = client.post(
        f"/recurrence/{flag.pk}/",
        {
            f"{prefix}-decision": "confirm",
            f"{prefix}-kind": "relapse",
            f"{prefix}-note": "南站黑车又回来了。",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/recurrence/"
    flag.refresh_from_db()
    assert (flag.status, flag.kind, flag.note, flag.decided_by) == (
        "confirmed",
        "relapse",
        "南站黑车又回来了。",
        world.alice,
    )
    page = client.get("/recurrence/").content.decode()
    assert "已确认为“问题反弹”" in page and "共 <strong>1</strong> 条" in page
    confirmed = client.get("/recurrence/?status=confirmed").content.decode()
    assert "问题反弹" in confirmed and "南站黑车又回来了。" in confirmed


def test_bad_input_keeps_what_was_typed_and_changes_nothing(world, second_round):
    flag = flag_of(second_round, 1)
    prefix = f"flag-{flag.pk}"
    response = signed_in(world.alice).post(
        f"/recurrence/{flag.pk}/", {f"{prefix}-decision": "confirm", f"{prefix}-note": "这段说明要保留"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择认定为" in page and "这段说明要保留" in page
    response = signed_in(world.alice).post(f"/recurrence/{flag.pk}/", {f"{prefix}-decision": "maybe"})
    assert response.status_code == 400
    assert RecurrenceFlag.objects.get(pk=flag.pk).status == FlagStatus.PENDING


def test_others_may_not_decide_and_outsiders_do_not_see(world, second_round):
    flag = flag_of(second_round, 1)
    prefix = f"flag-{flag.pk}"
    vera = signed_in(world.vera)
    assert "共 <strong>2</strong> 条" in vera.get("/recurrence/").content.decode()
    assert f'name="{prefix}-decision"' not in vera.get("/recurrence/").content.decode()
    response = vera.post(f"/recurrence/{flag.pk}/", {f"{prefix}-decision": "dismiss"})
    assert response.status_code == 403 and "只有该问题所属组织的整改办" in response.content.decode()
    charlie = signed_in(world.charlie)
    assert charlie.get(f"/recurrence/{flag.pk}/").status_code == 404
    assert charlie.post(f"/recurrence/{flag.pk}/", {f"{prefix}-decision": "dismiss"}).status_code == 404
    assert "共 <strong>0</strong> 条" in charlie.get("/recurrence/").content.decode()
    assert RecurrenceFlag.objects.get(pk=flag.pk).status == FlagStatus.PENDING


def test_a_decided_flag_says_so_instead_of_deciding_twice(world, second_round):
    flag = flag_of(second_round, 2)
    prefix = f"flag-{flag.pk}"
    client = signed_in(world.alice)
    client.post(f"/recurrence/{flag.pk}/", {f"{prefix}-decision": "dismiss", f"{prefix}-note": "不同事项"})
    response = client.post(f"/recurrence/{flag.pk}/", {f"{prefix}-decision": "dismiss"})
    assert response.status_code == 409 and "已由艾丽处理" in response.content.decode()


def test_an_unknown_status_filter_is_refused(world, second_round):
    response = signed_in(world.alice).get("/recurrence/?status=bogus")
    assert response.status_code == 400 and "状态只能是" in response.content.decode()


@pytest.fixture
def api(second_round):
    return Client(enforce_csrf_checks=True)


def test_api_lists_and_decides_flags(world, second_round, api):
    alice = token_for(api, "alice")
    data = api.get("/api/v1/recurrence-flags?status=pending", headers=alice).json()
    assert data["count"] == 2
    item = next(row for row in data["items"] if row["problem"]["number"] == 1)
    assert item["earlier"]["number"] == 2 and item["status_label"] == "待确认"
    assert item["explanation"].startswith("共同关键词：")
    url = f"/api/v1/recurrence-flags/{item['id']}/decision"
    missing_note = api.post(
        url, {"decision": "confirm", "kind": "common"}, content_type="application/json", headers=alice
    )
    assert missing_note.status_code == 400 and "说明" in missing_note.json()["detail"]
    vera = token_for(api, "vera")
    assert (
        api.post(url, {"decision": "dismiss"}, content_type="application/json", headers=vera).status_code
        == 403
    )
    charlie = token_for(api, "charlie")
    assert (
        api.post(url, {"decision": "dismiss"}, content_type="application/json", headers=charlie).status_code
        == 404
    )
    done = api.post(
        url,
        {"decision": "confirm", "kind": "common", "note": "各轮巡察都指出，属共性问题。"},
        content_type="application/json",
        headers=alice,
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["kind_label"], done.json()["decided_by"]) == (
        "confirmed",
        "共性问题",
        "艾丽",
    )
    again = api.post(url, {"decision": "dismiss"}, content_type="application/json", headers=alice)
    assert again.status_code == 409
    assert api.get("/api/v1/recurrence-flags?status=confirmed", headers=alice).json()["count"] == 1
    assert api.get("/api/v1/recurrence-flags", headers=charlie).json()["count"] == 0


def test_the_admin_lists_flags_read_only(world, second_round):
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="Root-pass-2025"))
    flag = flag_of(second_round, 1)
    assert "举一反三提示" in client.get("/admin/recurrence/recurrenceflag/").content.decode()
    assert client.get(f"/admin/recurrence/recurrenceflag/{flag.pk}/change/").status_code == 200
    assert client.get("/admin/recurrence/recurrenceflag/add/").status_code == 403
