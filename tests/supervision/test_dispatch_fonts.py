"""The dispatch report's workbook is in the office fonts (宋体 cells, 黑体 headers), read back."""

from io import BytesIO

from openpyxl import load_workbook

from rectify.supervision import dispatch_render

from ..ledger_excel.test_fonts import assert_office_fonts
from .test_dispatch import _two_dispatches, lived  # noqa: F401 (fixture)


def test_every_sheet_of_the_dispatch_workbook_is_in_office_fonts(world, lived):  # noqa: F811
    book = load_workbook(BytesIO(dispatch_render.xlsx_bytes(_two_dispatches(world, lived))))
    for name in ("总体", "按方面", "按单位", "按领导"):
        assert_office_fonts(book[name], header_row=1)
    assert book["变化"]["A1"].font.name == "黑体"
