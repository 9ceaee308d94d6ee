"""One dispatch report over two inspections of one organisation (合并调度): the figures of both, a title
naming both rounds, each listed measure saying its inspection, a row per inspection; refused across
organisations; the single-inspection dispatch as it was."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from docx import Document as WordDocument
from openpyxl import load_workbook

from rectify.errors import InvalidInput, NotFound
from rectify.ledger.choices import MeasureStatus
from rectify.ledger.models import Inspection, Measure
from rectify.notices.importer import import_notice
from rectify.supervision import dispatch, dispatch_render
from rectify.supervision.models import DispatchReport

from ..conftest import small_notice

TODAY = timezone.localdate()
START = TODAY - timedelta(days=30)
TITLE = "关于十二届市委第六轮巡察和2024年审计反馈问题整改情况的调度报告"


@pytest.fixture
def both(world, ledger):
    """Bureau A's patrol (the `ledger` fixture, 5 measures) and its 2024 audit (5 more); one measure of
    each overdue, the patrol's 1.1 signed off."""
    audit = import_notice(
        small_notice("中共甲局党组关于审计整改进展情况的通报"), organisation=world.orgs["a"], user=world.alice
    )
    Inspection.objects.filter(pk=ledger.inspection.pk).update(round_name="十二届市委第六轮")
    Inspection.objects.filter(pk=audit.pk).update(title="2024年审计", kind="audit")
    late = TODAY - timedelta(days=5)
    for inspection in (ledger.inspection, audit):
        Measure.objects.filter(problem__inspection=inspection, problem__number=2).update(
            status=MeasureStatus.IN_PROGRESS, deadline=late
        )
    Measure.objects.filter(pk=ledger.measures[1, 1].pk).update(status=MeasureStatus.SIGNED_OFF)
    return [Inspection.objects.get(pk=ledger.inspection.pk), Inspection.objects.get(pk=audit.pk)]


def ids(inspections) -> list[int]:
    return [inspection.pk for inspection in inspections]


def test_the_figures_cover_both_and_each_item_names_its_inspection(world, both):
    report = dispatch.build_dispatch(world.alice, ids(both), START, TODAY)
    assert set(report.inspections.values_list("pk", flat=True)) == set(ids(both))
    assert report.inspection_id == both[0].pk
    data = report.data
    assert data["covers"] == "十二届市委第六轮巡察和2024年审计"
    assert data["totals"]["measures"] == 10 and data["totals"]["problems"] == 6
    assert data["totals"]["overdue"] == 2 and data["totals"]["signed_off"] == 1
    assert [(row["name"], row["total"], row["overdue"]) for row in data["by_inspection"]] == [
        ("十二届市委第六轮巡察", 5, 1),
        ("2024年审计", 5, 1),
    ]
    assert sorted(item["inspection"] for item in data["late"]) == ["2024年审计", "十二届市委第六轮巡察"]
    assert {item["label"] for item in data["late"]} == {"2.1"}  # the same number in each: hence the name
    assert any(row["name"].startswith("2024年审计：") for row in data["by_area"])
    assert dispatch_render.title_of(data) == TITLE


def test_the_single_inspection_dispatch_stays_as_it_was(world, both):
    single = dispatch.build_dispatch(world.alice, both[0].pk, START, TODAY)
    assert list(single.inspections.all()) == [both[0]]
    assert "covers" not in single.data and "by_inspection" not in single.data
    assert single.data["totals"]["measures"] == 5
    assert dispatch_render.title_of(single.data) == f"关于{both[0].title}整改工作调度情况的报告"


def test_each_compares_with_the_previous_dispatch_of_the_same_inspections(world, both):
    first = dispatch.build_dispatch(world.alice, ids(both), START, TODAY)
    single = dispatch.build_dispatch(world.alice, both[0].pk, START, TODAY)
    assert single.data["comparison"] is None  # the combined one is not the patrol's own previous one
    again = dispatch.build_dispatch(world.alice, list(reversed(ids(both))), START, TODAY)
    assert again.data["comparison"]["previous"]["id"] == first.pk
    assert dispatch.readable_dispatches(world.alice, both[1].pk).count() == 2  # both combined ones


def test_refused_across_organisations_and_for_a_foreign_inspection(world, ledger, both):
    with pytest.raises(InvalidInput, match="同一被巡察单位"):
        dispatch.build_dispatch(world.sam, [both[0].pk, ledger.other.pk], START, TODAY)
    with pytest.raises(NotFound):
        dispatch.build_dispatch(world.alice, [both[0].pk, ledger.other.pk], START, TODAY)
    assert not DispatchReport.objects.exists()


def test_the_docx_and_xlsx_name_both(world, both):
    report = dispatch.build_dispatch(world.alice, ids(both), START, TODAY)
    word = WordDocument(BytesIO(dispatch_render.docx_bytes(report)))
    texts = [paragraph.text for paragraph in word.paragraphs]
    assert texts[0].replace("\n", "") == TITLE
    assert "（一）分巡察情况" in texts and "（四）分牵头领导情况" in texts
    assert dispatch_render.FIRST_COMBINED in texts
    assert any("十二届市委第六轮巡察和2024年审计反馈问题6个" in text for text in texts)
    by_inspection = next(table for table in word.tables if table.rows[0].cells[0].text == "巡察")
    assert [row.cells[0].text for row in by_inspection.rows[1:]] == ["十二届市委第六轮巡察", "2024年审计"]
    late = next(table for table in word.tables if table.rows[0].cells[-1].text == "超期原因（最新进展）")
    assert late.rows[0].cells[1].text == "所属巡察"
    assert {row.cells[1].text for row in late.rows[1:]} == {"十二届市委第六轮巡察", "2024年审计"}

    book = load_workbook(BytesIO(dispatch_render.xlsx_bytes(report)))
    assert book.sheetnames == ["总体", "按巡察", "按方面", "按单位", "按领导", "超期事项", "变化"]


def test_the_api_builds_and_lists_a_dispatch_over_both(world, both):
    client = Client()
    client.force_login(world.alice)
    body = {"inspections": ids(both), "start": START.isoformat(), "end": TODAY.isoformat()}
    built = client.post("/api/v1/dispatch-reports", body, content_type="application/json")
    assert built.status_code == 201
    assert built.json()["inspection_ids"] == ids(both)
    docx = client.post("/api/v1/dispatch-reports?format=docx", body, content_type="application/json")
    assert docx.status_code == 201
    assert WordDocument(BytesIO(docx.content)).paragraphs[0].text.replace("\n", "") == TITLE
    listed = client.get("/api/v1/dispatch-reports", {"inspection": both[1].pk}).json()
    assert listed["count"] == 2 and all(item["inspection_ids"] == ids(both) for item in listed["items"])

    client.force_login(world.sam)
    across = {**body, "inspections": [both[0].pk, _bureau_b(world)]}
    refused = client.post("/api/v1/dispatch-reports", across, content_type="application/json")
    assert refused.status_code == 400 and "同一被巡察单位" in refused.json()["detail"]


def _bureau_b(world) -> int:
    return Inspection.objects.get(inspected=world.orgs["b"]).pk


def test_the_pages_build_and_show_a_dispatch_over_both(world, both):
    client = Client()
    client.force_login(world.alice)
    form = client.get("/dispatch/new/", {"inspection": ids(both)})
    assert form.status_code == 200
    page = form.content.decode()
    assert page.count('type="checkbox" name="inspection"') == 2 and page.count("checked") == 2
    posted = client.post(
        "/dispatch/new/", {"inspection": ids(both), "start": START.isoformat(), "end": TODAY.isoformat()}
    )
    assert posted.status_code == 302
    detail = client.get(posted["Location"])
    assert detail.status_code == 200 and TITLE in detail.content.decode()
    listing = client.get("/dispatch/", {"inspection": both[1].pk}).content.decode()
    assert "合并调度：十二届市委第六轮巡察和2024年审计" in listing
