"""整改文书 from the ledger: the work plan with its three lists, the situation report to the inspection
body (due two months after the feedback), the interim report as of any day, each read back by the
notice parser with the same problems and measures."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
import pytest
from django.utils import timezone

from rectify.ledger.models import Measure, Mechanism
from rectify.notices.parser import parse, parse_bytes
from rectify.reports import render, services
from rectify.reports.generate import add_months, situation_due


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),
        (date(2025, 6, 15), 2, date(2025, 8, 15)),
        (date(2025, 11, 30), 2, date(2026, 1, 30)),
    ],
)
def test_two_calendar_months_later_is_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_the_work_plan_names_the_round_and_lists_problems_tasks_and_duties(world, ledger):
    ledger.inspection.round_name = "十二届市委第六轮"
    ledger.inspection.save()
    document = services.create_draft(world.alice, ledger.inspection.pk, "work_plan")
    assert document.title == "中共甲局党组关于落实十二届市委第六轮巡察反馈意见的整改工作方案"
    assert document.due_date is None and document.version == 1 and document.state == "draft"
    text = render.text(document)
    for part in ("一、总体要求", "二、组织领导", "三、整改任务", "四、工作要求"):
        assert part in text
    assert "牵头领导：李瑞" in text and "责任单位：甲局执法支队" in text
    assert "李瑞" in text.split("二、组织领导")[1].split("三、")[0]  # the leading group from the roles
    word = docx.Document(io.BytesIO(render.docx_bytes(document)))
    assert [len(table.rows) for table in word.tables] == [4, 6, 6]  # header + 3 problems, + 5 measures
    assert [cell.text for cell in word.tables[2].rows[0].cells][:4] == [
        "编号",
        "整改措施",
        "牵头领导",
        "责任单位",
    ]
    header = word.tables[0].rows[0]._tr
    assert header.xpath("./w:trPr/w:tblHeader")  # repeats on every page
    assert len(word.sections) == 4
    assert word.sections[3].page_width > word.sections[3].page_height  # 责任清单: six columns, landscape


def test_the_situation_report_is_due_two_months_after_the_feedback_and_says_what_the_ledger_says(
    world, ledger
):
    inspection = ledger.inspection
    inspection.feedback_date = date(2025, 1, 31)
    inspection.save()
    Measure.objects.filter(pk=ledger.measures[(1, 1)].pk).update(status="signed_off")
    Measure.objects.filter(pk=ledger.measures[(2, 1)].pk).update(
        status="in_progress", deadline=timezone.localdate() - timedelta(days=3)
    )
    Mechanism.objects.create(inspection=inspection, title="《执法规范》", kind="made")
    document = services.create_draft(world.alice, inspection.pk, "situation")
    assert document.due_date == date(2025, 3, 31) == situation_due(inspection)
    assert document.title == "中共甲局党组关于市委第一巡察组巡察整改情况的报告"
    assert document.content["addressee"] == "市委第一巡察组、市委巡察办："
    text = render.text(document)
    assert "巡察反馈共3个问题、5项措施，已完成1项，正在推进4项（其中超期1项）" in text
    assert "目前已完成整改。" in text and "目前尚未完成，正在加快推进。" in text
    assert "共制定制度1项、修订制度0项" in text
    assert "四、问责情况" in text and "暂未作出问责处理" in text


@pytest.mark.parametrize("kind", ["situation", "interim"])
def test_the_report_reads_back_through_the_notice_reader_with_the_same_problems_and_measures(
    world, ledger, kind
):
    from rectify.progress.models import ProgressReport

    measure = ledger.measures[(1, 2)]
    ProgressReport.objects.create(
        measure=measure,
        period_start=timezone.localdate().replace(day=1),
        period_label="本月",
        text="已组织执法培训2期，培训120人次",
        author=world.bob,
        state="accepted",
        reviewed_at=timezone.now(),
        reviewer=world.alice,
    )
    on = timezone.localdate() if kind == "interim" else None
    document = services.create_draft(world.alice, ledger.inspection.pk, kind, on=on)
    written = services.notice_document(document)
    assert "整改进展：已组织执法培训2期" in render.text(document)
    for read in (
        parse(render.text(document)),
        parse_bytes(render.docx_bytes(document), "report.docx"),
    ):
        assert read.title == written.title and read.date == written.date
        assert [p.title for p in read.problems] == [p.title for p in written.problems]
        assert [[m.text for m in p.measures] for p in read.problems] == [
            [m.text for m in p.measures] for p in written.problems
        ]
        assert len(read.problems) == 3 and read.measure_count == 5
