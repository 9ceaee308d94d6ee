"""The ledger pages, through the full stack, for every role."""

import pytest
from django.test import Client

from rectify.ledger.models import Measure

from ..conftest import PASSWORD


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_pages_need_a_login(ledger):
    response = Client().get("/inspections/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_is_chinese_and_wrong_password_says_so(world):
    client = Client()
    page = client.get("/login/").content.decode()
    assert "登录巡察整改督办平台" in page and 'lang="zh-CN"' in page
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()


def test_login_locks_out_after_repeated_failures(world):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429 and "锁定" in response.content.decode()


def test_office_sees_inspection_with_counts_and_problems(ledger):
    page = signed_in("alice").get(f"/inspections/{ledger.inspection.pk}/").content.decode()
    for text in (
        "市委第一巡察组常规巡察",
        "关于执法方面",
        "执法不规范的整改",
        "审批时限过长的整改",
        "未启动",
    ):
        assert text in page
    assert "导入通报" in page  # the office's navigation


def test_outsider_gets_404_for_another_organisations_pages(ledger):
    client = signed_in("charlie")
    assert client.get(f"/inspections/{ledger.inspection.pk}/").status_code == 404
    problem = ledger.measures[(1, 1)].problem
    assert client.get(f"/problems/{problem.pk}/").status_code == 404
    assert client.get(f"/measures/{ledger.measures[(1, 1)].pk}/").status_code == 404


def test_unit_liaison_sees_only_its_measures_in_the_ledger(ledger):
    page = signed_in("lisa").get("/measures/").content.decode()
    assert "共 <strong>2</strong> 条整改措施" in page
    assert "打击非法营运车辆" in page and "规范执法程序" not in page
    assert "导入通报" not in page


def test_ledger_filters_and_htmx_partial(ledger):
    client = signed_in("alice")
    page = client.get("/measures/", {"q": "审批"}).content.decode()
    assert "共 <strong>2</strong> 条整改措施" in page
    partial = client.get("/measures/", {"overdue": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="ledger-results"') and "<html" not in partial


def test_ledger_page_queries_do_not_grow_with_rows(ledger, django_assert_max_num_queries):
    client = signed_in("alice")
    with django_assert_max_num_queries(18):
        assert client.get("/measures/").status_code == 200


def test_problem_page_lists_measures(ledger):
    problem = ledger.measures[(3, 1)].problem
    page = signed_in("bob").get(f"/problems/{problem.pk}/").content.decode()
    assert "压缩审批时限" in page and "推行网上办理" in page
    assert "调整分工" not in page  # only the office edits


def test_office_edits_a_measure_and_sees_it_in_the_history(ledger, world):
    client = signed_in("alice")
    measure = ledger.measures[(1, 1)]
    form = {
        "version": 1,
        "lead_leader": world.larry.pk,
        "responsible_unit": world.orgs["a2"].pk,
        "units": [world.orgs["a2"].pk],
        "deadline": "2025-09-30",
        "category": "deadline",
    }
    response = client.post(f"/measures/{measure.pk}/edit/", form)
    assert response.status_code == 302
    page = client.get(f"/measures/{measure.pk}/").content.decode()
    assert "已保存" in page and "第 2 版" in page and "变更记录" in page and "艾丽" in page


def test_stale_edit_shows_the_conflict_and_keeps_what_the_user_typed(ledger, world):
    client = signed_in("alice")
    measure = ledger.measures[(1, 1)]
    Measure.objects.filter(pk=measure.pk).update(version=2)  # someone else saved first
    form = {
        "version": 1,
        "responsible_unit": world.orgs["a2"].pk,
        "units": [world.orgs["a2"].pk],
        "deadline": "2025-11-11",
        "category": "immediate",
    }
    response = client.post(f"/measures/{measure.pk}/edit/", form)
    page = response.content.decode()
    assert response.status_code == 409
    assert "保存冲突" in page and "已被他人修改" in page
    assert 'value="2025-11-11"' in page  # the user's input is still there
    assert 'name="version" value="2"' in page  # saving again applies on top of the current version
    measure.refresh_from_db()
    assert measure.deadline is None and measure.version == 2


@pytest.mark.parametrize("name", ["larry", "bob", "vera"])
def test_non_office_users_cannot_open_the_edit_page(ledger, name):
    response = signed_in(name).get(f"/measures/{ledger.measures[(1, 1)].pk}/edit/")
    assert response.status_code == 403 and "只有整改办" in response.content.decode()


def test_web_import_previews_then_imports(world):
    from rectify.ledger.models import Inspection

    from ..conftest import GUANGZHOU

    client = signed_in("alice")
    with GUANGZHOU.open("rb") as notice:
        preview = client.post("/notices/import/", {"organisation": world.orgs["a"].pk, "file": notice})
    page = preview.content.decode()
    assert preview.status_code == 200 and "17 个问题" in page and "36 条整改措施" in page
    assert not Inspection.objects.exists()
    token = preview.context["token"]
    response = client.post("/notices/import/", {"organisation": world.orgs["a"].pk, "token": token})
    assert response.status_code == 302
    assert Inspection.objects.get().problems.count() == 17
    # The notice names no units: the office is told each measure is the bureau's until it assigns them.
    page = client.get(response.url).content.decode()
    assert "通报未列明责任单位，各项措施暂以甲局为主责单位，请逐项调整分工。" in page


def test_web_import_refuses_a_file_that_is_not_a_notice(world, tmp_path):
    from rectify.ledger.models import Inspection

    bad = tmp_path / "photo.docx"
    bad.write_bytes(b"PK\x03\x04 this zip is broken")
    with bad.open("rb") as f:
        response = signed_in("alice").post(
            "/notices/import/", {"organisation": world.orgs["a"].pk, "file": f}
        )
    assert response.status_code == 400 and 'class="field-error"' in response.content.decode()
    assert not Inspection.objects.exists()


def test_web_import_is_for_the_office(world):
    assert signed_in("bob").get("/notices/import/").status_code == 403


def test_error_pages_are_chinese(world):
    client = signed_in("alice")
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()


def test_pages_load_nothing_from_outside_the_machine(ledger):
    import re

    client = signed_in("alice")
    problem = ledger.measures[(1, 1)].problem
    for url in (
        "/login/",
        "/inspections/",
        f"/inspections/{ledger.inspection.pk}/",
        "/measures/",
        f"/problems/{problem.pk}/",
        "/notices/import/",
        "/api/v1/docs",
        "/admin/",
    ):
        page = client.get(url).content.decode()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), url


def test_office_sets_the_report_period_and_others_cannot(ledger):
    url = f"/inspections/{ledger.inspection.pk}/report-period/"
    assert signed_in("bob").post(url, {"report_period": "quarterly"}).status_code == 403
    assert signed_in("charlie").post(url, {"report_period": "quarterly"}).status_code == 404
    assert signed_in("alice").post(url, {"report_period": "yearly"}).status_code == 400
    ledger.inspection.refresh_from_db()
    assert ledger.inspection.report_period == "monthly"
    response = signed_in("alice").post(url, {"report_period": "quarterly"})
    assert response.status_code == 302
    ledger.inspection.refresh_from_db()
    assert ledger.inspection.report_period == "quarterly"
    page = signed_in("alice").get(f"/inspections/{ledger.inspection.pk}/").content.decode()
    assert "每季度" in page and 'name="report_period"' in page
    assert (
        'name="report_period"'
        not in signed_in("larry").get(f"/inspections/{ledger.inspection.pk}/").content.decode()
    )
