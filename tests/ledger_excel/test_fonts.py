"""The Excel files we write are in the fonts an office uses, read back from the downloaded file: 宋体 in
the cells (and as the workbook's default, for any cell a person types into), 黑体 for the title and the
header row, as the Word documents set their headings."""

from django.test import Client
from django.urls import reverse

from .conftest import read


def assert_office_fonts(ws, header_row: int, title_cell: str | None = None) -> None:
    """The header row in bold 黑体, every other written cell and an empty one in 宋体."""
    from openpyxl.utils import get_column_letter

    for cell in ws[header_row]:
        if cell.value is not None:
            assert (cell.font.name, cell.font.bold) == ("黑体", True), cell.coordinate
    body = [cell for row in ws.iter_rows(min_row=header_row + 1) for cell in row if cell.value is not None]
    assert body
    for cell in body:
        assert cell.font.name in ("宋体", "黑体"), (cell.coordinate, cell.font.name)
    assert sum(cell.font.name == "宋体" for cell in body) > len(body) / 2
    beyond = ws[f"{get_column_letter(ws.max_column + 2)}{ws.max_row + 2}"]
    assert beyond.font.name == "宋体"  # what a person types into the file later
    assert ws.parent._named_styles["Normal"].font.name == "宋体"
    if title_cell:
        assert (ws[title_cell].font.name, ws[title_cell].font.size) == ("黑体", 16)


def test_the_excel_ledger_is_in_office_fonts(lived, world):
    client = Client()
    client.force_login(world.alice)
    response = client.get(reverse("ledger_excel:export", args=[lived.inspection.pk]))
    assert response.status_code == 200
    ws = read(response.content)
    assert_office_fonts(ws, header_row=3, title_cell="A1")
    assert ws["A2"].font.name == "宋体"
