"""A rectification document as the Word file (GB/T 9704 house style, through notices.render and
rectify.documents), an HTML fragment for its page and plain text, all from the stored content only.

The body is the notice's renderer with the addressee (主送) under the title; a work plan's lists follow
as 附件1–3, each on a new page (landscape when the table is wide), a Word table whose header row
repeats on every page."""

from __future__ import annotations

import html
from io import BytesIO

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from rectify.documents import (
    BODY_FONT,
    ER_HAO,
    HEADER_FILL,
    HEADING_FONT,
    MARGINS,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TITLE_FONT,
    full_width,
    off_grid,
    official_paragraph,
    repeat_header_row,
    set_font,
    shade_cell,
    text_width,
)
from rectify.notices.render import docx_document, render_html, render_text

from .models import RectificationDocument
from .services import notice_document

# A table with more columns than this is set on a landscape page.
PORTRAIT_COLUMNS = 4
TABLE_SIZE = Pt(10.5)  # 五号
TABLE_LINE = Pt(15)
# A column whose longest text is at most this many characters (a number such as 16.1, a date, 限期整改)
# is set exactly that wide, on one line; the longer columns share what is left.
SHORT_COLUMN = 8
CELL_MARGINS = Pt(12)  # Word's default left and right cell margins together (0.19 cm each), rounded up
# Room a short column keeps beyond its characters: the gaps a word processor draws between Chinese and
# figures, and figures wider than half a character in some fonts.
SHORT_SLACK = 3


def text(document: RectificationDocument) -> str:
    """The document as plain text (what the notice parser reads back), its lists after it."""
    body = render_text(notice_document(document), addressee=document.content.get("addressee", ""))
    for number, table in enumerate(document.content.get("attachments") or [], start=1):
        lines = [f"附件{number}", table["title"], "\t".join(table["headers"])]
        lines += ["\t".join(row) for row in table["rows"]]
        body += "\n" + "\n\n".join(lines) + "\n"
    return body


def html_fragment(document: RectificationDocument) -> str:
    """The body as the notice's HTML (escaped there), its lists as captioned tables."""
    parts = [render_html(notice_document(document), addressee=document.content.get("addressee", ""))]
    for number, table in enumerate(document.content.get("attachments") or [], start=1):
        head = "".join(f'<th scope="col">{html.escape(cell)}</th>' for cell in table["headers"])
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>"
            for row in table["rows"]
        )
        parts.append(
            f'<div class="table-scroll"><table class="table">'
            f"<caption>附件{number}　{html.escape(table['title'])}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    return "\n".join(parts)


def docx_bytes(document: RectificationDocument) -> bytes:
    word = docx_document(
        notice_document(document),
        subject=document.get_kind_display(),
        addressee=document.content.get("addressee", ""),
    )
    for number, table in enumerate(document.content.get("attachments") or [], start=1):
        _attachment(word, number, table)
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _attachment(word, number: int, table: dict) -> None:
    """附件N on a new page (landscape for a wide table): its label, its title, the table."""
    section = word.add_section(WD_SECTION.NEW_PAGE)
    wide = len(table["headers"]) > PORTRAIT_COLUMNS
    section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_HEIGHT, PAGE_WIDTH) if wide else (PAGE_WIDTH, PAGE_HEIGHT)
    if wide:  # the binding edge stays where it was: the top margin becomes the left one
        section.left_margin, section.right_margin = MARGINS["top"], MARGINS["bottom"]
        section.top_margin, section.bottom_margin = MARGINS["left"], MARGINS["right"]
    else:
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    official_paragraph(word, f"附件{number}", font=HEADING_FONT, indent=False)
    title = official_paragraph(word, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    set_font(title.add_run(table["title"]), TITLE_FONT, ER_HAO)
    off_grid(title)
    title.paragraph_format.space_after = Pt(12)
    title.paragraph_format.keep_with_next = True
    width = section.page_width - section.left_margin - section.right_margin
    grid = word.add_table(rows=1, cols=len(table["headers"]))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _widths(table, width)
    for column, column_width in zip(grid.columns, widths, strict=True):
        column.width = column_width
    repeat_header_row(grid.rows[0])
    for index, header in enumerate(table["headers"]):
        cell = grid.rows[0].cells[index]
        cell.width = widths[index]
        _cell(cell, header, HEADING_FONT, WD_ALIGN_PARAGRAPH.CENTER)
        shade_cell(cell, HEADER_FILL)
    for row in table["rows"]:
        cells = grid.add_row().cells
        for index, value in enumerate(row):
            cells[index].width = widths[index]
            _cell(cells[index], value, BODY_FONT, None)


def _widths(table: dict, width: int) -> list[int]:
    """Short columns exactly as wide as their longest text (so 16.1 or 2026年3月26日 never breaks);
    the others share the rest of the line by the length of their longest text, up to 40 characters."""
    wants = [
        max([text_width(header), *(text_width(row[index]) for row in table["rows"])])
        for index, header in enumerate(table["headers"])
    ]
    fixed = {
        index: int((want + SHORT_SLACK) * TABLE_SIZE + CELL_MARGINS)
        for index, want in enumerate(wants)
        if want <= SHORT_COLUMN
    }
    rest = width - sum(fixed.values())
    shares = {index: min(want, 40.0) for index, want in enumerate(wants) if index not in fixed}
    if not shares or rest <= 0:  # every column short, or too many of them: share the line
        total = sum(wants) or len(wants)
        return [int(width * (want or 1) / total) for want in wants]
    total = sum(shares.values())
    return [fixed.get(index) or int(rest * shares[index] / total) for index in range(len(wants))]


def _cell(cell, value: str, font: str, align) -> None:
    paragraph = cell.paragraphs[0]
    off_grid(paragraph)
    paragraph.paragraph_format.line_spacing = TABLE_LINE
    paragraph.paragraph_format.first_line_indent = Pt(0)
    if align is not None:
        paragraph.alignment = align
    set_font(paragraph.add_run(full_width(value)), font, TABLE_SIZE)


def file_name(document: RectificationDocument, suffix: str) -> str:
    return f"{document.title}（第{document.version}版）.{suffix}"
