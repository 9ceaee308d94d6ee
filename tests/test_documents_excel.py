"""The Excel half of rectify.documents, read back from the saved file: rows as tall as their wrapped
text (a merged problem's text spread over its rows), the print setup every export shares, and no
Calibri anywhere in the package."""

import zipfile
from io import BytesIO

from openpyxl import load_workbook

from rectify.documents import (
    EXCEL_LINE_HEIGHT,
    PAGE_FOOTER,
    new_workbook,
    note_row,
    row_height,
    text_lines,
    text_width,
    write_table,
)


def _saved(book) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_text_width_counts_chinese_as_one_and_ascii_as_half():
    assert text_width("整改") == 2
    assert text_width("2025-06-30") == 5
    assert text_width("措施1：") == 3.5


def test_lines_of_a_wrapped_cell():
    assert text_lines(None, 10) == 1 and text_lines(42, 10) == 1 and text_lines("", 10) == 1
    assert text_lines("整改", 10) == 1
    # 40 Chinese characters are 80 columns; a 20-wide column holds about 17 of them.
    assert text_lines("整" * 40, 20) == 5
    assert text_lines("第一行\n第二行\n第三行", 30) == 3  # the text's own line breaks count


def test_rows_are_as_tall_as_their_text_and_a_merged_text_spreads_over_its_block():
    book = new_workbook()
    sheet = book.active
    long_problem = "问题表现" * 30  # 120 characters: 240 columns, in a 20-wide column about 14 lines
    rows = [
        ["1", long_problem, "措施一"],
        [None, None, "措施二"],
        ["2", "短问题", "措施" * 40],  # the measure's own text: 160 columns in 30, about 6 lines
    ]
    last = write_table(
        sheet, ["序号", "问题表现", "整改措施"], rows, [6, 20, 30], merged_columns=[0, 1], blocks=[(0, 2)]
    )
    assert last == 4
    read = load_workbook(BytesIO(_saved(book))).active
    heights = {row: read.row_dimensions[row].height for row in (2, 3, 4)}
    block = text_lines(long_problem, 20)
    # The problem's lines are shared by its two measure rows, evenly.
    assert heights[2] == row_height(block - block // 2) and heights[3] == row_height(block // 2)
    assert heights[4] == row_height(text_lines("措施" * 40, 30))
    assert heights[4] > 5 * EXCEL_LINE_HEIGHT


def test_every_export_prints_the_same_way():
    book = new_workbook()
    wide = book.active
    write_table(wide, ["时间", "记录", "原始变更"], [["2025-06-30", "记录" * 20, "变更"]], [18, 60, 50])
    narrow = book.create_sheet("状态")
    write_table(narrow, ["状态", "措施数"], [["推进中", 3]], [16, 10])
    content = _saved(book)
    read = load_workbook(BytesIO(content))
    wide, narrow = read.worksheets
    assert wide.page_setup.orientation == "landscape" and narrow.page_setup.orientation == "portrait"
    for sheet in (wide, narrow):
        assert sheet.print_title_rows == "$1:$1"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.oddFooter.center.text == PAGE_FOOTER
        assert sheet.oddFooter.center.font.startswith("宋体")
    with zipfile.ZipFile(BytesIO(content)) as package:
        styles = package.read("xl/styles.xml").decode()
    assert "Calibri" not in styles and "宋体" in styles


def test_a_note_row_is_merged_wrapped_and_tall_enough():
    book = new_workbook()
    sheet = book.active
    write_table(sheet, ["指标", "上次", "本次", "增减"], [], [24, 10, 10, 10])
    text = "本次为该巡察的首次调度，没有可比较的上次调度。" * 3
    note_row(sheet, 3, text, 4, 54)
    read = load_workbook(BytesIO(_saved(book))).active
    assert "A3:D3" in {str(cells) for cells in read.merged_cells.ranges}
    assert read["A3"].alignment.wrap_text
    assert read.row_dimensions[3].height == row_height(text_lines(text, 54)) > EXCEL_LINE_HEIGHT
