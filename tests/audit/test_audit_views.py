"""The audit trail page (审计日志): who may read it, which part of it, its filters and its display."""

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.ledger.models import Mechanism, Problem
from rectify.ledger.services import save_mechanism, update_measure_assignment


def signed_in(username: str) -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def trail(ledger, world):
    """The imports' entries of both bureaus, plus: Alice records a rule in A and then issues it and
    hands measure 1.1 to unit A2; Charlie records a rule in B."""
    problem = Problem.objects.get(inspection=ledger.inspection, number=1)
    with set_actor(world.alice):
        rule = save_mechanism(
            world.alice,
            inspection_id=ledger.inspection.pk,
            title="《甲局执法规范》",
            kind="made",
            status="drafting",
            problem_ids=[problem.pk],
        )
        save_mechanism(
            world.alice,
            mechanism_id=rule.pk,
            inspection_id=ledger.inspection.pk,
            title="《甲局执法规范》",
            kind="made",
            status="issued",
            issued_on=timezone.localdate(),
            problem_ids=[problem.pk],
        )
        update_measure_assignment(
            world.alice, ledger.measures[(1, 1)].pk, version=1, units=[world.orgs["a2"]], lead_leader=None
        )
    with set_actor(world.charlie):
        save_mechanism(
            world.charlie,
            inspection_id=ledger.other.pk,
            title="《乙局审批规定》",
            kind="revised",
            status="drafting",
        )
    return rule


def bureaus(response, world) -> set[str]:
    """The bureaus whose trail the page shows (entries of their units count as theirs)."""
    found = set()
    for row in response.context["rows"]:
        path = row.entry.additional_data["org_path"]
        found |= {name for name in ("a", "b") if path.startswith(world.orgs[name].path)}
        assert (
            path.startswith((world.orgs["a"].path, world.orgs["b"].path)) or path == world.orgs["city"].path
        )
    return found


# ------------------------------------------------------------------ who reads which part


def test_supervisor_of_a_reads_as_entries_only(trail, world):
    response = signed_in("vera").get("/audit/")
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>审计日志</h1>" in page
    assert "《甲局执法规范》" in page and "《乙局审批规定》" not in page
    assert bureaus(response, world) == {"a"}


def test_outsider_office_reads_only_bureau_bs_entries(trail, world):
    response = signed_in("charlie").get("/audit/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "《乙局审批规定》" in page and "《甲局执法规范》" not in page
    assert bureaus(response, world) == {"b"}
    actors = {str(person) for person in response.context["form"].fields["actor"].queryset}
    assert actors == {"查理"}  # the people in B's trail, not every account


def test_city_supervisor_reads_both(trail, world):
    response = signed_in("sam").get("/audit/")
    assert bureaus(response, world) == {"a", "b"}


@pytest.mark.parametrize("name", ["bob", "hana", "larry", "nobody"])
def test_others_are_refused_in_chinese(trail, name):
    response = signed_in(name).get("/audit/")
    assert response.status_code == 403
    assert "只有纪检监察组、巡察办和整改办可以查阅审计日志" in response.content.decode()


def test_navigation_shows_the_link_only_to_readers(trail):
    assert 'href="/audit/"' in signed_in("vera").get("/audit/").content.decode()
    assert 'href="/audit/"' not in signed_in("bob").get("/mechanisms/").content.decode()


def test_the_page_is_read_only(trail):
    client = signed_in("alice")
    before = LogEntry.objects.count()
    assert client.post("/audit/", {"model": "ledger.mechanism"}).status_code == 405
    page = client.get("/audit/").content.decode()
    assert 'method="post"' not in page.split("<main", 1)[1].split("</main>")[0]
    assert LogEntry.objects.count() == before


# ------------------------------------------------------------------ filters


def test_filter_by_kind_and_object(trail):
    client = signed_in("alice")
    response = client.get("/audit/", {"model": "ledger.mechanism"})
    assert {row.object_type for row in response.context["rows"]} == {"长效机制"}
    response = client.get("/audit/", {"model": "ledger.mechanism", "object_id": trail.pk})
    assert response.context["page"].paginator.count == 3  # created, problems linked, issued
    response = client.get("/audit/", {"model": "ledger.mechanism", "object_id": trail.pk + 1000})
    assert response.context["page"].paginator.count == 0 and "没有符合条件的记录" in response.content.decode()


def test_object_number_without_a_kind_is_refused(trail):
    response = signed_in("alice").get("/audit/", {"object_id": trail.pk})
    page = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in page and "须同时指定对象类型" in page
    assert f'value="{trail.pk}"' in page  # what the user typed stays


def test_filter_by_measure_actor_time_and_keyword(trail, ledger, world):
    client = signed_in("alice")
    measure = ledger.measures[(1, 1)]
    # By the number every page calls it by (措施 1.1), alone or with its inspection.
    for query in ({"measure_number": "1.1"}, {"measure_number": "1．1", "inspection": ledger.inspection.pk}):
        by_measure = client.get("/audit/", query).context["rows"]
        assert by_measure and all(row.entry.additional_data["measure_id"] == measure.pk for row in by_measure)
        assert all(row.measure == measure for row in by_measure)
    page = client.get("/audit/", {"measure_number": "1.1"}).content.decode()
    assert f'href="/measures/{measure.pk}/">措施 1.1</a>' in page

    by_alice = client.get("/audit/", {"actor": world.alice.pk}).context["rows"]
    assert by_alice and {row.actor for row in by_alice} == {"艾丽"}
    everything = client.get("/audit/").context["page"].paginator.count
    assert len(by_alice) < everything  # the imports were recorded without a signed-in actor

    today = timezone.localdate()
    assert client.get("/audit/", {"since": today.isoformat()}).context["page"].paginator.count == everything
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.get("/audit/", {"since": tomorrow}).context["page"].paginator.count == 0
    yesterday = (today - timedelta(days=1)).isoformat()
    assert client.get("/audit/", {"until": yesterday}).context["page"].paginator.count == 0
    assert client.get("/audit/", {"until": today.isoformat()}).context["page"].paginator.count == everything

    keyword = client.get("/audit/", {"q": "执法规范"}).context["rows"]
    assert keyword and {row.object_repr for row in keyword} == {"制定《甲局执法规范》"}


def test_bad_filters_are_refused_in_chinese(trail, world):
    client = signed_in("alice")
    response = client.get("/audit/", {"since": "2025-05-02", "until": "2025-05-01"})
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()
    response = client.get("/audit/", {"measure_number": "abc"})
    assert (
        response.status_code == 400
        and "格式不正确，应为“问题序号.措施序号”，如 10.1" in response.content.decode()
    )
    response = client.get("/audit/", {"measure_number": "9.9"})
    assert response.status_code == 400 and "未找到措施 9.9" in response.content.decode()
    response = client.get("/audit/", {"actor": world.sam.pk})  # not in A's trail
    assert response.status_code == 400 and "所选操作人不在可查阅的记录中" in response.content.decode()


# ------------------------------------------------------------------ what an entry shows


def test_entries_read_as_sentences_with_the_raw_change_one_click_away(trail, world):
    response = signed_in("vera").get("/audit/", {"model": "ledger.mechanism"})
    page = response.content.decode()
    rows = response.context["rows"]
    issued = next(row for row in rows if any(change.field == "状态" for change in row.changes))
    assert issued.actor == "艾丽" and issued.object_type == "长效机制"
    assert issued.sentence.startswith("修改长效机制“制定《甲局执法规范》”：将状态由起草中改为已印发")
    status = next(change for change in issued.changes if change.field == "状态")
    assert (status.before, status.after) == ("起草中", "已印发")
    assert "艾丽 修改长效机制“制定《甲局执法规范》”：将状态由起草中改为已印发" in page
    assert "<summary>原始变更" in page
    linked = next(row for row in rows if any(change.field == "对应问题" for change in row.changes))
    assert linked.sentence.endswith("：增加对应问题“1. 执法不规范的整改”")
    assert linked.changes[0].before == "增加" and "1. 执法不规范的整改" in linked.changes[0].after
    for word in ("True", "False", "None", "已删除"):
        assert word not in page.split("<main", 1)[1], word


def test_unit_assignments_read_by_name(trail, world, ledger):
    response = signed_in("alice").get("/audit/", {"model": "ledger.measureunit", "q": "甲局法规处"})
    rows = response.context["rows"]
    created = next(row for row in rows if row.action == "创建")
    assert created.sentence in {"增加责任单位：甲局法规处", "增加配合单位：甲局法规处"}
    assert created.measure is not None  # the 所属措施 column names it by its number


def test_pages_of_fifty(trail, ledger, world):
    for n in range(50):
        Mechanism.objects.create(inspection=ledger.inspection, title=f"制度{n}")
    client = signed_in("alice")
    first = client.get("/audit/")
    total = first.context["page"].paginator.count
    assert total > 50 and len(first.context["rows"]) == 50
    page = first.content.decode()
    assert "第 1 页，共 2 页" in page and 'href="?page=2"' in page
    second = client.get("/audit/", {"page": 2, "model": "ledger.mechanism"})
    assert second.status_code == 200
    filtered = client.get("/audit/", {"model": "ledger.mechanism"}).content.decode()
    assert 'href="?model=ledger.mechanism&amp;page=2"' in filtered


def test_queries_do_not_grow_with_entries(trail, ledger, world):
    client = signed_in("alice")
    client.get("/audit/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/audit/").status_code == 200
        return len(queries)

    before = count()
    with set_actor(world.alice):
        for n in range(10):
            update_measure_assignment(  # foreign keys (the leader) and plain fields change
                world.alice,
                ledger.measures[(3, 2)].pk,
                version=1 + n,
                lead_leader=None if n % 2 == 0 else world.larry,
                outside_units=f"某区人民政府（第 {n + 1} 次）",
            )
    response = client.get("/audit/")
    leaders = [c for row in response.context["rows"] for c in row.changes if c.field == "牵头领导"]
    assert ("李瑞", "（空）") in {(c.before, c.after) for c in leaders}
    assert count() == before
