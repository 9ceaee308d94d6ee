"""The 时间节点 column of the Excel ledger: written by progress ("2026-03-31 完成制度起草（已完成）；…"),
read back by the ledger's import through ledger.extensions, so an exported ledger imports with the same
time nodes (open: a node is done only with evidence, which a spreadsheet does not carry)."""

from datetime import date

from rectify.ledger import excel_import
from rectify.ledger.models import Measure
from rectify.progress import ledger_excel, milestones

from .conftest import read
from .test_roundtrip import empty_bureau  # noqa: F401 (a fixture)


def nodes(inspection) -> list:
    return [
        (m.problem.number, m.order, [(n.due_on, n.deliverable) for n in m.milestones.order_by("due_on")])
        for m in Measure.objects.filter(problem__inspection=inspection, milestones__isnull=False)
        .distinct()
        .select_related("problem")
        .order_by("problem__number", "order")
    ]


def plan_nodes(lived, world):
    """Measure 3.1 (deadline 2026-03-31, a report with evidence): one node done, one open; 1.2 one open."""
    third = lived.measures[(3, 1)]
    first = milestones.add_milestone(
        world.alice, third.pk, due_on=date(2025, 3, 31), deliverable="制定压缩方案"
    )
    milestones.add_milestone(world.alice, third.pk, due_on=date(2025, 12, 31), deliverable="审批时限压缩三成")
    milestones.add_milestone(
        world.alice, lived.measures[(1, 2)].pk, due_on=date(2025, 9, 30), deliverable="完成全员培训"
    )
    report = third.reports.get()
    milestones.complete_milestone(world.bob, first.pk, report_id=report.pk)


def test_the_ledger_and_the_task_list_carry_the_nodes_in_one_cell(lived, world):
    plan_nodes(lived, world)
    for key in ("all", "tasks"):
        sheet = read(ledger_excel.export_ledger(world.alice, lived.inspection.pk, key)[0])
        headers = [cell.value for cell in sheet[3]]
        column = headers.index("时间节点")
        cells = [row[column].value for row in sheet.iter_rows(min_row=4)]
        assert "2025-03-31 制定压缩方案（已完成）；2025-12-31 审批时限压缩三成" in cells
        assert "2025-09-30 完成全员培训" in cells
    problems = read(ledger_excel.export_ledger(world.alice, lived.inspection.pk, "problems")[0])
    assert "时间节点" not in [cell.value for cell in problems[3]]


def test_export_then_import_gives_the_same_nodes_all_open_with_a_warning(lived, world, empty_bureau):  # noqa: F811
    plan_nodes(lived, world)
    bureau, office, _ = empty_bureau
    content, name = ledger_excel.export_ledger(world.alice, lived.inspection.pk, "all")
    plan = excel_import.prepare(office, bureau, content)
    column = next(c for c in plan.as_dict()["columns"] if c["header"] == "时间节点")
    assert column["field"] == "时间节点"
    assert any("“制定压缩方案”在表中为已完成，导入后为未完成" in warning.message for warning in plan.warnings)
    copy = excel_import.import_ledger(office, bureau, content, source_name=name)
    assert nodes(copy) == nodes(lived.inspection)
    assert not Measure.objects.filter(problem__inspection=copy, milestones__state="done").exists()


def test_a_wrong_node_is_an_error_on_its_row_and_nothing_is_written(lived, world, empty_bureau):  # noqa: F811
    from io import BytesIO

    from openpyxl import load_workbook

    plan_nodes(lived, world)
    bureau, office, _ = empty_bureau
    content, _ = ledger_excel.export_ledger(world.alice, lived.inspection.pk, "all")
    book = load_workbook(BytesIO(content))
    sheet = book.active
    column = [cell.value for cell in sheet[3]].index("时间节点") + 1
    sheet.cell(row=5, column=column, value="2026-09-30 完成全员培训")  # after 1.2's deadline
    buffer = BytesIO()
    book.save(buffer)
    plan = excel_import.prepare(office, bureau, buffer.getvalue())
    assert any(error.row == 5 and "晚于整改时限（2025-12-31）" in error.message for error in plan.errors), (
        plan.errors
    )
