"""Exporting the lists and the combined ledger as .xlsx: layout, values, who sees what, queries."""

from datetime import date
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.errors import InvalidInput, NotFound
from rectify.ledger.models import Measure, MeasureUnit, Problem
from rectify.progress import ledger_excel

from .conftest import XLSX_TYPE, read, signed_in

ALL = ["序号", "问题类别", "问题表现", "整改措施", "责任领导", "责任单位", "配合单位", "整改时限", "延期情况"]
ALL += ["整改类型"]
ALL += ["整改进展", "完成情况", "佐证材料", "时间节点"]
ON = date(2025, 7, 15)


def export(user, inspection, list_key="all", on=ON):
    content, name = ledger_excel.export_ledger(user, inspection.pk, list_key, on=on)
    return read(content), name


def table(ws) -> list[list]:
    """The data rows under the header (row 3), merged cells read as their top-left value."""
    values = [[cell.value for cell in row] for row in ws.iter_rows(min_row=4)]
    for merged in ws.merged_cells.ranges:
        if merged.min_row < 4:
            continue
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                values[row - 4][column - 1] = ws.cell(merged.min_row, merged.min_col).value
    return values


def test_the_combined_ledger_has_the_common_layout(lived, world):
    ws, name = export(world.alice, lived.inspection)
    assert ws.title == "整改台账"
    assert ws["A1"].value == "甲局关于市委第一巡察组反馈问题整改台账"
    assert ws["A2"].value == (
        "巡察：市委第一巡察组常规巡察　巡察组：市委第一巡察组　类型：巡察　"
        "反馈日期：2024年6月1日　统计截至：2025年7月15日"
    )
    assert [cell.value for cell in ws[3]] == ALL
    assert {"A1:N1", "A2:N2"} <= {str(r) for r in ws.merged_cells.ranges}
    # Problem 1 and 3 have two measures each: 序号, 问题类别, 问题表现 merged over them.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A4:A5", "B4:B5", "C4:C5", "A7:A8", "B7:B8", "C7:C8"} <= merged
    assert not any(r.startswith(("D", "E", "F")) for r in merged)
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:N8"
    assert ws.print_title_rows == "$3:$3"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth) == (
        "landscape",
        9,
        1,
    )
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.column_dimensions["C"].width == 38 and ws.column_dimensions["D"].width == 44
    assert ws["D4"].alignment.wrap_text and ws["A3"].font.bold
    assert name == "市委第一巡察组常规巡察-整改台账-20250715.xlsx"


def test_the_combined_ledger_carries_progress_completion_and_evidence(lived, world):
    ws, _ = export(world.alice, lived.inspection)
    rows = table(ws)
    signed_at = timezone.localdate()
    assert rows[0] == [
        1,
        "关于执法方面",
        "执法不规范的整改\n部分执法人员程序意识不强。\n个别案件超期办理。",
        "规范执法程序。",
        "李瑞",
        "甲局执法支队",
        None,
        timezone.datetime(2025, 6, 30),
        None,  # 延期情况: the deadline never moved
        "立行立改",
        f"{signed_at.year}年{signed_at.month}月：已制定执法程序规范，并完成全员培训。",
        f"已销号（{signed_at.year}年{signed_at.month}月{signed_at.day}日）",
        "执法规范.pdf",
        None,  # no time nodes
    ]
    assert ws["H4"].number_format == "yyyy-mm-dd"
    assert rows[1][5:10] == [
        "甲局执法支队",
        "甲局执法支队一大队",
        timezone.datetime(2025, 12, 31),
        None,
        "限期整改",
    ]
    assert rows[1][11] == "未启动"
    assert rows[2][7] == rows[2][9] == "长期坚持"  # long-term with no date: the words, not a blank
    progress = rows[3][10]
    assert progress.startswith(
        f"{signed_at.year}年{signed_at.month}月：审批时限已压缩三成"
    ) and progress.endswith("…")
    assert len(progress) < 140  # a glimpse; the whole report is on the measure's page
    assert rows[3][11] == "推进中" and rows[3][12] == "压缩时限方案.pdf\n会议纪要.pdf"


def test_an_open_measure_past_its_deadline_says_so(lived, world):
    ws, _ = export(world.alice, lived.inspection, on=date(2026, 1, 5))
    rows = table(ws)
    assert rows[1][11] == "未启动（已超期）"  # 1.2 was due 2025-12-31
    assert rows[0][11].startswith("已销号")  # signed off: never overdue


@pytest.mark.parametrize(
    "key, label, headers",
    [
        (
            "problems",
            "问题清单",
            [
                "序号",
                "问题类别",
                "问题表现",
                "整改措施",
                "责任领导",
                "责任单位",
                "配合单位",
                "整改时限",
                "完成情况",
            ],
        ),
        (
            "tasks",
            "任务清单",
            [
                "序号",
                "问题类别",
                "问题表现",
                "整改措施",
                "责任单位",
                "整改时限",
                "延期情况",
                "整改类型",
                "整改进展",
                "完成情况",
                "佐证材料",
                "时间节点",
            ],
        ),
        (
            "responsibility",
            "责任清单",
            [
                "序号",
                "问题类别",
                "问题表现",
                "整改措施",
                "责任领导",
                "责任单位",
                "配合单位",
                "整改时限",
                "整改类型",
            ],
        ),
    ],
)
def test_each_list_has_its_columns_and_title(lived, world, key, label, headers):
    ws, name = export(world.alice, lived.inspection, key)
    assert ws.title == label and name.endswith(f"-{label}-20250715.xlsx")
    assert ws["A1"].value == f"甲局关于市委第一巡察组反馈问题整改{label}"
    assert [cell.value for cell in ws[3]] == headers
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")


def test_the_problem_list_has_one_row_per_problem(lived, world):
    ws, _ = export(world.alice, lived.inspection, "problems")
    rows = table(ws)
    assert [row[0] for row in rows] == [1, 2, 3]
    assert rows[0][3] == "1. 规范执法程序。\n2. 加强执法培训。"
    assert rows[0][5:8] == ["甲局执法支队", "甲局执法支队一大队", timezone.datetime(2025, 12, 31)]
    assert rows[0][8] == "整改中（1/2 项已完成）"
    assert rows[1][3] == "打击非法营运车辆。" and rows[1][7] == "长期坚持"
    assert not {str(r) for r in ws.merged_cells.ranges} - {"A1:I1", "A2:I2"}


def test_the_responsibility_list_puts_people_and_units_forward(lived, world):
    ws, _ = export(world.alice, lived.inspection, "responsibility")
    headers = [cell.value for cell in ws[3]]
    for column in ("责任领导", "责任单位", "配合单位"):
        cell = ws.cell(row=4, column=headers.index(column) + 1)
        assert cell.font.bold and cell.fill.fgColor.rgb.endswith("FFF4DC")
    assert not ws.cell(row=4, column=headers.index("整改措施") + 1).font.bold


def test_a_unit_exports_only_its_own_measures(lived, world):
    ws, _ = export(world.bob, lived.inspection)
    rows = table(ws)
    assert [(row[0], row[3]) for row in rows] == [
        (1, "规范执法程序。"),
        (1, "加强执法培训。"),
        (3, "压缩审批时限。"),
        (3, "推行网上办理。"),
    ]
    ws, _ = export(world.lisa, lived.inspection)  # A2: problem 2, and 3.1 as a supporting unit
    assert [(row[0], row[3]) for row in table(ws)] == [(2, "打击非法营运车辆。"), (3, "压缩审批时限。")]


@pytest.mark.parametrize("name", ["charlie", "nobody"])
def test_an_inspection_out_of_sight_is_not_found(lived, world, name):
    with pytest.raises(NotFound):
        export(world.people[name], lived.inspection)


def test_an_unknown_list_is_refused(lived, world):
    with pytest.raises(InvalidInput, match="responsibility"):
        export(world.alice, lived.inspection, "everything")


def test_queries_do_not_grow_with_the_ledger(lived, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ledger_excel.export_ledger(world.alice, lived.inspection.pk, "all", on=ON)
        return len(captured)

    before = queries()
    area = lived.inspection.areas.first()
    for number in range(10, 30):
        problem = Problem.objects.create(
            inspection=lived.inspection, area=area, number=number, title=f"问题{number}"
        )
        for order in (1, 2, 3):
            measure = Measure.objects.create(
                problem=problem,
                order=order,
                text=f"措施{order}",
                lead_leader=world.larry,
                responsible_unit=world.orgs["a2"],
            )
            MeasureUnit.objects.create(measure=measure, unit=world.orgs["a2"], role="responsible")
            MeasureUnit.objects.create(measure=measure, unit=world.orgs["a1"], role="supporting")
    assert queries() == before <= 9


def test_the_web_download_names_the_file_in_chinese(lived, world):
    response = signed_in("alice").get(f"/ledgers/inspections/{lived.inspection.pk}/ledger.xlsx?list=tasks")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    today = timezone.localdate()
    name = f"市委第一巡察组常规巡察-任务清单-{today:%Y%m%d}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert response["Cache-Control"] == "private, no-store"
    assert read(response.content).title == "任务清单"


def test_the_web_download_refuses_what_it_must(lived, world):
    url = f"/ledgers/inspections/{lived.inspection.pk}/ledger.xlsx"
    assert signed_in("charlie").get(url).status_code == 404
    response = signed_in("alice").get(url + "?list=nope")
    assert response.status_code == 400 and "problems" in response.content.decode()
    assert signed_in("alice").post(url).status_code == 405
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous.url


def test_the_inspection_page_offers_the_four_downloads(lived, world):
    for name in ("alice", "bob", "vera"):
        page = signed_in(name).get(f"/inspections/{lived.inspection.pk}/").content.decode()
        for key, label in (
            ("all", "整改台账"),
            ("problems", "问题清单"),
            ("tasks", "任务清单"),
            ("responsibility", "责任清单"),
        ):
            assert (
                f'href="/ledgers/inspections/{lived.inspection.pk}/ledger.xlsx?list={key}" '
                f"download>{label}</a>" in page
            )


def test_a_moved_deadline_is_said_in_the_extension_column(lived, world):
    """延期情况: each move of a deadline once set, as a sentence, the current date under 整改时限."""
    from rectify.supervision import deadline_extensions as extensions

    measure = lived.measures[(1, 2)]  # due 2025-12-31
    asked = extensions.request_extension(world.bob, measure.pk, date(2026, 3, 31), "需协调市级部门")
    extensions.decide_extension(world.alice, asked.pk, "approve")
    rows = table(export(world.alice, lived.inspection)[0])
    assert rows[1][7:9] == [timezone.datetime(2026, 3, 31), "经批准由2025-12-31延至2026-03-31"]
    assert rows[0][8] is None  # 1.1 never moved
    tasks = export(world.alice, lived.inspection, "tasks")[0]
    headers = [cell.value for cell in tasks[3]]
    assert table(tasks)[1][headers.index("延期情况")] == "经批准由2025-12-31延至2026-03-31"


def _reference_progress_and_evidence(measure: Measure) -> tuple[str, str]:
    """整改进展 and 佐证材料 as the export computed them before it read plain rows: every accepted
    report as a model, latest reviewed first, and each one's files."""
    from rectify.progress.models import ReportState

    reports = list(measure.reports.filter(state=ReportState.ACCEPTED).order_by("-reviewed_at", "-id"))
    progress = ""
    if reports:
        text = " ".join(reports[0].text.split())
        text = text[: ledger_excel.PROGRESS_CHARS] + "…" if len(text) > ledger_excel.PROGRESS_CHARS else text
        progress = f"{reports[0].period_label}：{text}"
    names = [item.original_name for report in reports for item in report.evidence.order_by("id")]
    return progress, "\n".join(dict.fromkeys(names))


def test_progress_and_evidence_are_those_of_the_accepted_reports_latest_first(lived, world):
    """Several accepted reports reviewed out of order, a returned one with files, a file name twice:
    the columns say what reading every report as a model said."""
    from datetime import timedelta

    from rectify.progress.models import Evidence, ProgressReport

    measure = lived.measures[(3, 1)]
    reviewed = timezone.now()

    def report(label: str, state: str, days: int, files: tuple[str, ...]) -> None:
        made = ProgressReport.objects.create(
            measure=measure,
            period_start=date(2025, 1, 1),
            period_label=label,
            text=f"{label}的进展。",
            state=state,
            author=world.bob,
            reviewer=world.alice,
            reviewed_at=reviewed - timedelta(days=days),
            review_comment="请补充。" if state == "returned" else "",
        )
        for name in files:
            Evidence.objects.create(
                report=made,
                file="evidence/x.pdf",
                original_name=name,
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by=world.bob,
            )

    report("2025年3月", "accepted", 30, ("会议纪要.pdf", "三月台账.pdf"))
    report("2025年5月", "returned", 1, ("退回的材料.pdf",))
    report("2025年9月", "accepted", -1, ("九月总结.pdf",))  # reviewed last, though created before others
    report("2025年4月", "accepted", 20, ())
    rows = table(export(world.alice, lived.inspection)[0])
    in_ledger_order = ("problem__area__order", "problem__number", "order")
    measures = Measure.objects.filter(problem__inspection=lived.inspection).order_by(*in_ledger_order)
    assert [tuple(row[10:13:2]) for row in rows] == [
        tuple(value or None for value in _reference_progress_and_evidence(m)) for m in measures
    ]
    assert rows[3][10].startswith("2025年9月") and rows[3][12].split("\n")[0] == "九月总结.pdf"
    assert "退回的材料.pdf" not in rows[3][12] and rows[3][12].count("会议纪要.pdf") == 1
