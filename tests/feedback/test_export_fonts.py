"""The feedback ledger export is in the office fonts (宋体 cells, 黑体 header), read back."""

from io import BytesIO

from openpyxl import load_workbook

from rectify.feedback.export import export_xlsx
from rectify.feedback.services import FeedbackFilter

from ..ledger_excel.test_fonts import assert_office_fonts


def test_the_feedback_export_is_in_office_fonts(world, fb):
    content, rows = export_xlsx(world.alice, FeedbackFilter())
    assert rows
    assert_office_fonts(load_workbook(BytesIO(content)).active, header_row=1)
