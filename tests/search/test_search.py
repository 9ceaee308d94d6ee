"""The search service on the real database (SQLite FTS5, or PostgreSQL when DATABASE_URL says so):
matching Chinese phrases, ranking, filters, permissions, and an index that follows every change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.errors import InvalidInput, NotFound
from rectify.feedback.models import Channel
from rectify.feedback.services import register_item, route_item
from rectify.ledger.models import Area, Inspection, Measure, Problem
from rectify.ledger.services import save_mechanism
from rectify.notices.importer import import_notice
from rectify.org.models import Membership, Role, User
from rectify.progress.models import ProgressReport
from rectify.search.indexing import reindex
from rectify.search.models import SearchEntry
from rectify.search.services import parse_types, search
from rectify.supervision import orders
from tests.conftest import PASSWORD, small_notice


def found(user, q: str, **options) -> list[tuple[str, str]]:
    """(kind, object label) of the hits, best first."""
    return [(hit.kind, hit.heading) for hit in search(user, q, **options).hits]


def problem(inspection: Inspection, number: int, title: str, description: str = "") -> Problem:
    area = inspection.areas.first()
    return Problem.objects.create(
        inspection=inspection, area=area, number=number, title=title, description=description
    )


# ------------------------------------------------------------------ matching


def test_the_issue_example_finds_both_phrasings_but_not_scattered_characters(ledger, world):
    target = problem(ledger.inspection, 10, "南站周边整治", "持续打击非法营运，维护客运秩序。")
    vehicles = Measure.objects.create(
        problem=target, order=1, text="查处非法营运车辆。", responsible_unit=world.orgs["a1"]
    )
    scattered = problem(ledger.inspection, 11, "客运整治", "非法拉客和违规营运并存。")

    hits = search(world.alice, "非法营运")
    keys = {(hit.kind, hit.object.pk) for hit in hits.hits}
    assert ("problem", target.pk) in keys
    assert ("measure", vehicles.pk) in keys
    assert ("problem", scattered.pk) not in keys
    # The fixture's own problem 2 (非法营运打击不力) and measure 2.1 (打击非法营运车辆) too.
    assert ("problem", ledger.measures[(2, 1)].problem_id) in keys
    assert ("measure", ledger.measures[(2, 1)].pk) in keys
    assert hits.total == len(hits.hits) == 4


def test_a_single_character_matches_every_occurrence_and_says_so(ledger, world):
    problem(ledger.inspection, 10, "经营", "")
    results = search(world.alice, "营")
    assert results.single_character
    titles = {hit.title for hit in results.hits}
    assert {"经营", "非法营运打击不力的整改", "打击非法营运车辆。"} <= titles


def test_numbers_and_latin_words_match_whole_words_in_any_width(ledger, world):
    problem(ledger.inspection, 10, "G107国道沿线治超", "12345热线反映的问题")
    problem(ledger.inspection, 11, "其他", "工单123456")
    assert found(world.alice, "ｇ１０７") == [("problem", "问题 10")]
    assert found(world.alice, "12345") == [("problem", "问题 10")]
    assert found(world.alice, "G107国道") == [("problem", "问题 10")]


def test_every_word_must_appear(ledger, world):
    assert sorted(found(world.alice, "审批 时限")) == [("measure", "措施 3.1"), ("problem", "问题 3")]
    assert found(world.alice, "审批 营运") == []


# ------------------------------------------------------------------ ranking


def test_a_title_hit_ranks_above_a_body_hit(ledger, world):
    in_body = problem(ledger.inspection, 10, "道路运输管理", "出租车" + "，巡游出租车、网约出租车" * 3)
    in_title = problem(ledger.inspection, 11, "出租车服务质量不高", "乘客投诉较多。")
    ids = [hit.object.pk for hit in search(world.alice, "出租车", types={"problem"}).hits]
    assert ids == [in_title.pk, in_body.pk]


def test_the_exact_phrase_ranks_above_scattered_words(ledger, world):
    scattered = problem(
        ledger.inspection, 10, "甲", "非法营运问题突出，" + "其他情况说明。" * 5 + "车辆管理薄弱。"
    )
    exact = problem(ledger.inspection, 11, "乙", "重点整治非法营运车辆。")
    results = search(world.alice, "非法营运 车辆", types={"problem"})
    assert [hit.object.pk for hit in results.hits] == [exact.pk, scattered.pk]
    assert all(isinstance(hit.score, float) for hit in results.hits)


# ------------------------------------------------------------------ filters


def test_the_type_filter_keeps_the_counts_of_every_type(ledger, world):
    results = search(world.alice, "非法营运", types={"measure"})
    assert [hit.kind for hit in results.hits] == ["measure"]
    assert results.counts["problem"] == 1 and results.counts["measure"] == 1
    assert results.total == 1
    facets = {facet.kind: (facet.count, facet.selected) for facet in results.facets}
    assert facets["measure"] == (1, True) and facets["problem"] == (1, False)


def test_unknown_types_are_refused_with_the_valid_ones(world):
    with pytest.raises(InvalidInput, match="未知的类型：bogus。可选：problem（问题）"):
        parse_types("measure,bogus")
    with pytest.raises(InvalidInput, match="未知的类型"):
        search(world.alice, "非法营运", types={"bogus"})
    assert parse_types("measure, problem") == {"measure", "problem"}
    assert parse_types(["measure", "report"]) == {"measure", "report"}
    assert parse_types("") is None


def test_the_inspection_filter(ledger, world):
    both = {hit.object.pk for hit in search(world.sam, "非法营运", types={"problem"}).hits}
    assert len(both) == 2
    only_b = search(world.sam, "非法营运", inspection_id=ledger.other.pk)
    assert {hit.inspection_id for hit in only_b.hits} == {ledger.other.pk}
    assert only_b.hits[0].inspection_title == ledger.other.title
    assert only_b.total == 2


def test_an_inspection_the_user_may_not_see_is_not_found(ledger, world):
    with pytest.raises(NotFound, match="巡察不存在，或您无权查看"):
        search(world.alice, "非法营运", inspection_id=ledger.other.pk)


def test_paging(ledger, world):
    for number in range(10, 15):
        problem(ledger.inspection, number, f"营运问题{number}")
    first = search(world.alice, "营运", types={"problem"}, limit=2)
    second = search(world.alice, "营运", types={"problem"}, limit=2, offset=2)
    assert first.total == second.total == 6
    assert first.has_next and len(first.hits) == len(second.hits) == 2
    assert not {hit.object.pk for hit in first.hits} & {hit.object.pk for hit in second.hits}
    with pytest.raises(InvalidInput, match="每页条数"):
        search(world.alice, "营运", limit=0)
    with pytest.raises(InvalidInput, match="起始位置"):
        search(world.alice, "营运", offset=-1)


# ------------------------------------------------------------------ permissions


def test_a_liaison_finds_only_the_measures_of_the_unit(ledger, world):
    # Measure 2.1 (打击非法营运车辆) is A2's: Lisa finds it, Bob of A1 neither it nor its problem.
    assert found(world.bob, "非法营运") == []
    assert search(world.bob, "非法营运").total == 0
    assert sorted(found(world.lisa, "非法营运")) == [("measure", "措施 2.1"), ("problem", "问题 2")]
    assert sorted(found(world.bob, "审批时限")) == [("measure", "措施 3.1"), ("problem", "问题 3")]


def test_another_bureau_finds_nothing_of_bureau_a(ledger, world):
    problem(ledger.inspection, 10, "甲局独有的出租车问题")
    assert found(world.alice, "出租车") == [("problem", "问题 10")]
    assert found(world.charlie, "出租车") == []
    assert {hit.inspection_id for hit in search(world.charlie, "非法营运").hits} == {ledger.other.pk}
    assert search(world.charlie, "出租车").counts == dict.fromkeys(search(world.charlie, "x").counts, 0)


def test_someone_without_a_role_or_not_signed_in_finds_nothing(ledger, world):
    from django.contrib.auth.models import AnonymousUser

    assert search(world.nobody, "非法营运").total == 0
    assert search(AnonymousUser(), "非法营运").hits == []


def test_a_city_supervisor_finds_both_bureaus(ledger, world):
    assert search(world.sam, "非法营运").total == 4


# ------------------------------------------------------------------ reports, orders, mechanisms, feedback


def test_progress_reports_are_found_by_those_who_see_the_measure(ledger, world):
    measure = ledger.measures[(2, 1)]
    report = ProgressReport.objects.create(
        measure=measure,
        period_start=date(2025, 3, 1),
        period_label="2025年3月",
        text="本月查处非法营运车辆42台。",
        stage="集中整治",
        author=world.lisa,
    )
    hits = search(world.lisa, "查处", types={"report"}).hits
    assert [(hit.object, hit.heading) for hit in hits] == [(report, "措施 2.1 · 2025年3月进展")]
    assert hits[0].url == f"/measures/{measure.pk}/#report-{report.pk}"
    assert search(world.bob, "查处").total == 0
    assert search(world.charlie, "查处").total == 0


def test_supervision_orders_are_found_by_issuer_and_unit_only(ledger, world):
    order = orders.issue_order(
        world.alice,
        unit_id=world.orgs["a1"].pk,
        measure_ids=[ledger.measures[(1, 1)].pk],
        reason="执法记录仪使用不规范，群众多次投诉。",
        demanded_action="立即整改并报送整改情况。",
        answer_due=timezone.localdate() + timedelta(days=7),
    )
    for user in (world.alice, world.bob, world.hana, world.sam):
        hits = search(user, "执法记录仪").hits
        assert [(hit.kind, hit.object.pk) for hit in hits] == [("order", order.pk)], user.username
    assert hits[0].heading == f"{order.number} · 甲局执法支队"
    assert hits[0].inspection_id == ledger.inspection.pk  # filed under the inspection of its measures
    assert search(world.lisa, "执法记录仪").total == 0
    assert search(world.charlie, "执法记录仪").total == 0
    assert search(world.alice, order.number).hits[0].object == order
    orders.answer_order(world.bob, order.pk, answer="已组织全员培训记录仪使用规范。")
    assert search(world.alice, "全员培训").hits[0].object == order


def test_mechanisms_follow_their_edits(ledger, world):
    mechanism = save_mechanism(
        world.alice,
        inspection_id=ledger.inspection.pk,
        title="《网约车管理办法》",
        kind="made",
        status="drafting",
        problem_ids=[ledger.measures[(2, 1)].problem_id],
    )
    assert found(world.alice, "网约车") == [("mechanism", "制定 · 起草中")]
    assert found(world.lisa, "网约车") == [("mechanism", "制定 · 起草中")]  # A2 answers problem 2
    assert found(world.bob, "网约车") == []
    save_mechanism(
        world.alice,
        inspection_id=ledger.inspection.pk,
        title="《巡游出租汽车管理办法》",
        kind="revised",
        status="drafting",
        mechanism_id=mechanism.pk,
    )
    assert found(world.alice, "网约车") == []
    assert found(world.alice, "出租汽车") == [("mechanism", "修订 · 起草中")]


def test_feedback_is_found_by_staff_who_see_it_and_never_by_sender_contacts(ledger, world):
    item = register_item(
        world.alice,
        organisation=world.orgs["a"],
        channel=Channel.PHONE,
        kind="opinion",
        content="火车站附近黑车拉客严重。",
        name="张三",
        phone="13800138000",
        email="zhangsan@example.com",
        external_ref="RX-2025-7",
    )
    hits = search(world.alice, "黑车").hits
    assert [(hit.kind, hit.object.pk) for hit in hits] == [("feedback", item.pk)]
    assert hits[0].url == f"/feedback/{item.pk}/"
    assert [hit.object for hit in search(world.alice, "RX-2025-7").hits] == [item]
    for contact in ("13800138000", "张三", "zhangsan"):
        assert search(world.alice, contact).total == 0
    entry = SearchEntry.objects.get(kind="feedback", object_id=item.pk)
    assert "13800138000" not in entry.title + entry.body + entry.title_tokens + entry.body_tokens
    assert search(world.bob, "黑车").total == 0
    assert search(world.charlie, "黑车").total == 0
    route_item(world.alice, item, unit=world.orgs["a1"], version=item.version)
    assert search(world.bob, "黑车").total == 1


@pytest.fixture
def everyone(world) -> list[User]:
    """The world's people, someone who sees one bureau whole and works in a unit of the other, a
    superuser and the city's office."""
    mixed = User.objects.create_user("mixed", password=PASSWORD, full_name="兼职")
    Membership.objects.create(user=mixed, organisation=world.orgs["b"], role=Role.OFFICE)
    Membership.objects.create(user=mixed, organisation=world.orgs["a2"], role=Role.LIAISON)
    root = User.objects.create_superuser("root", password=PASSWORD, full_name="管理员")
    # The office at the top of the only tree: every kind is seen without a check.
    city_office = User.objects.create_user("city-office", password=PASSWORD, full_name="市整改办")
    Membership.objects.create(user=city_office, organisation=world.orgs["city"], role=Role.OFFICE)
    return [*world.people.values(), mixed, root, city_office]


def test_each_entry_is_checked_as_each_kind_lists_what_the_user_may_see(ledger, world, everyone):
    """The search checks a ledger record by its entry's inspection against the inspections the user
    sees whole, then by its id among what their units reach, and anything else by its id (EXISTS on
    SQLite); it used to list every visible id of every kind. Both select the same entries for
    everyone, also for someone with both kinds of role and for a superuser."""
    from django.db.models import Q

    from rectify.search.kinds import KINDS
    from rectify.search.services import _visible_entries

    orders.issue_order(
        world.alice,
        unit_id=world.orgs["a1"].pk,
        measure_ids=[ledger.measures[(1, 1)].pk],
        reason="执法记录仪使用不规范。",
        demanded_action="立即整改。",
        answer_due=timezone.localdate() + timedelta(days=7),
    )
    register_item(
        world.alice, organisation=world.orgs["a"], channel=Channel.PHONE, kind="opinion", content="黑车"
    )
    ProgressReport.objects.create(
        measure=ledger.measures[(2, 1)],
        period_start=date(2025, 3, 1),
        period_label="2025年3月",
        text="查处非法营运车辆。",
        author=world.lisa,
    )
    seen = set()
    for user in everyone:
        listed = Q()
        for key, kind in KINDS.items():
            listed |= Q(kind=key, object_id__in=kind.visible(user).values("pk"))
        expected = set(SearchEntry.objects.filter(listed).values_list("pk", flat=True))
        assert set(_visible_entries(user).values_list("pk", flat=True)) == expected, user.username
        seen.add(len(expected))
    assert len(seen) > 3  # people who see all, part or nothing


def test_a_page_is_the_ranking_of_the_visible_hits_whether_or_not_every_hit_is_visible(
    ledger, world, everyone
):
    """When a user may see every hit of the kinds asked for, the page is ranked without the
    visibility check; it must be the page the ranking of the visible hits gives, for everyone."""
    from rectify.search.backends import backend
    from rectify.search.services import _visible_entries
    from rectify.search.text import parse_query

    register_item(
        world.alice, organisation=world.orgs["a"], channel=Channel.PHONE, kind="opinion", content="执法"
    )
    for user in everyone:
        for q, types in (
            ("执法", None),
            ("执法", {"measure"}),
            ("营", None),
            ("非法营运", {"problem", "feedback"}),
        ):
            entries = _visible_entries(user)
            if entries is None:
                continue
            if types:
                entries = entries.filter(kind__in=types)
            expected = [
                (entry.kind, entry.object_id, float(entry.relevance))
                for entry in backend().ranked(entries, parse_query(q))[:3]
            ]
            hits = search(user, q, types=types, limit=3).hits
            assert [(hit.kind, hit.object.pk, hit.score) for hit in hits] == expected, (user.username, q)


# ------------------------------------------------------------------ the index follows changes


def test_edits_and_deletes_reach_the_index_at_once(ledger, world):
    target = problem(ledger.inspection, 10, "出租车服务质量不高")
    assert found(world.alice, "出租车") == [("problem", "问题 10")]
    target.title = "网约车合规化率低"
    target.save()
    assert found(world.alice, "出租车") == []
    assert found(world.alice, "网约车") == [("problem", "问题 10")]
    target.delete()
    assert found(world.alice, "网约车") == []
    assert not SearchEntry.objects.filter(kind="problem", object_id=target.pk).exists()


def test_a_save_that_touches_no_indexed_field_leaves_the_index_alone(ledger, world):
    measure = ledger.measures[(1, 1)]
    measure.status = "in_progress"
    with CaptureQueriesContext(connection) as queries:
        measure.save(update_fields=["status"])
    assert queries.captured_queries
    assert not [query for query in queries.captured_queries if "search_searchentry" in query["sql"]]
    measure.text = "规范执法程序，统一文书格式。"
    with CaptureQueriesContext(connection) as queries:
        measure.save(update_fields=["text"])
    assert [query for query in queries.captured_queries if "search_searchentry" in query["sql"]]
    assert found(world.alice, "文书格式") == [("measure", "措施 1.1")]


def test_deleting_an_inspection_empties_its_entries(ledger, world):
    ledger.other.delete()
    assert not SearchEntry.objects.filter(inspection_id=ledger.other.pk).exists()
    assert search(world.charlie, "非法营运").total == 0


def test_an_imported_notice_is_searchable_at_once(world):
    notice = small_notice()
    notice.areas[0].problems[1].measures[0].text = "严厉打击网约车非法营运。"
    inspection = import_notice(notice, organisation=world.orgs["a"], user=world.alice)
    hits = search(world.alice, "网约车")
    assert [(hit.kind, hit.heading) for hit in hits.hits] == [("measure", "措施 2.1")]
    assert hits.hits[0].inspection_id == inspection.pk


def test_reindex_repairs_writes_that_bypassed_the_signals(ledger, world):
    Problem.objects.filter(pk=ledger.measures[(1, 1)].problem_id).update(title="执法车辆管理混乱")
    assert found(world.alice, "执法车辆") == []
    assert reindex(ledger.inspection) > 0
    assert found(world.alice, "执法车辆") == [("problem", "问题 1")]


def test_the_reindex_command_rebuilds_everything(ledger, world, capsys):
    SearchEntry.objects.all().delete()
    assert search(world.alice, "非法营运").total == 0
    call_command("reindex")
    assert "已重建检索索引（全部内容）：" in capsys.readouterr().out
    assert search(world.alice, "非法营运").total == 2
    assert search(world.charlie, "非法营运").total == 2
    entries = SearchEntry.objects.count()
    call_command("reindex")  # again: nothing is duplicated
    assert SearchEntry.objects.count() == entries


def test_the_reindex_command_for_one_inspection(ledger, world, capsys):
    SearchEntry.objects.all().delete()
    call_command("reindex", inspection=ledger.other.pk)
    assert f"巡察 {ledger.other.pk}" in capsys.readouterr().out
    assert search(world.charlie, "非法营运").total == 2
    assert search(world.alice, "非法营运").total == 0
    with pytest.raises(CommandError, match="巡察 999999 不存在"):
        call_command("reindex", inspection=999999)


def test_stale_entries_of_an_inspection_are_dropped_by_its_reindex(ledger, world):
    area = Area.objects.create(inspection=ledger.inspection, order=9, title="其他方面")
    gone = Problem.objects.create(inspection=ledger.inspection, area=area, number=99, title="临时问题")
    Problem.objects.filter(pk=gone.pk)._raw_delete(Problem.objects.db)  # no signal, entry left behind
    assert SearchEntry.objects.filter(kind="problem", object_id=gone.pk).exists()
    reindex(ledger.inspection.pk)
    assert not SearchEntry.objects.filter(kind="problem", object_id=gone.pk).exists()
