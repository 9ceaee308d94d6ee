"""The Word and Excel helpers every document we produce uses: the public notice (notices.render), the
supervision order (supervision.order_docx), the dispatch report (supervision.dispatch_render) and the
Excel ledgers. One place for the page, the fonts, the tables and the download.

Word, in the official style after GB/T 9704-2012 《党政机关公文格式》: A4; margins 37 mm top, 35 mm
bottom, 28 mm left, 26 mm right; 22 lines of 28 characters of 三号 (16 pt) 仿宋_GB2312 to the page (a
line pitch of 28.95 pt, exact); the title in 方正小标宋简体 二号 centred; headings 一、 in 黑体 and (一)
in 楷体_GB2312; page numbers “— 1 —” in 宋体 四号, odd pages right and even pages left, one character in.
Chinese text takes full-width punctuation (`full_width`: ，；：（）？！ for the half-width marks copied from
a source); headings keep with what follows; the issuer and the date keep with the body's last lines
(`signature`), never alone on a page.

Fonts are named in every slot of each run (ASCII, other Latin and East Asian), and the document's font
table gives each official font a common alternative (w:altName): 宋体 for 方正小标宋简体, 仿宋 for
仿宋_GB2312, 楷体 for 楷体_GB2312, so a computer without the official fonts shows the nearest.

Excel: `new_workbook` (宋体 by default), `excel_font`, `write_table` (a bold, tinted 黑体 header row, thin
borders, wrapped 宋体 cells, dates as dates, text kept as text, each row as tall as its wrapped text)
and, for a sheet of its own, filters, a frozen header and `print_setup`: A4 (landscape when the table is
wide) fitted to the width, the header row on every printed page, “第 N 页 共 M 页” at the foot in 宋体.
openpyxl does not size rows to their text, and Excel and LibreOffice do so only when a cell is edited:
`text_lines` estimates the lines a wrapped cell takes from its text and its column's width.
openpyxl is imported only when a workbook is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from datetime import date, datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph
from lxml import etree

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(content: bytes | str, name: str, content_type: str, *, private: bool = True) -> HttpResponse:
    """A download under `name` (a Chinese name goes in `filename*`, RFC 5987), never sniffed into
    something else by the browser; a private one (the default) is never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    if private:
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ Word

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"  # page numbers
FALLBACKS = {
    TITLE_FONT: "宋体",
    BODY_FONT: "仿宋",
    HEADING_FONT: "SimHei",
    SUBHEADING_FONT: "楷体",
    NUMBER_FONT: "SimSun",
}

ER_HAO = Pt(22)  # 二号
SAN_HAO = Pt(16)  # 三号
SI_HAO = Pt(14)  # 四号
LINE_PITCH = Twips(579)  # 225 mm of type area / 22 lines ≈ 28.95 pt
CHAR = SAN_HAO  # one character of body text, for indents
# 28 characters to the line: 156 mm / 28 = 15.79 pt a character, a little less than a 三号 glyph (16 pt),
# so every character is set 0.3 pt closer (w:spacing, in twentieths of a point) — 15.7 pt a character,
# 28 to the line and never 29 (see page_setup for why not a character grid).
CHARACTER_SPACING = -6

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TYPE_WIDTH = PAGE_WIDTH - MARGINS["left"] - MARGINS["right"]  # 156 mm


def set_font(run, name: str, size, *, bold: bool = False, color=None) -> None:
    """Name the font in every slot of the run, East Asian included (python-docx sets only Latin)."""
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    fonts.set(qn("w:hint"), "eastAsia")


def official_paragraph(
    document,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size=SAN_HAO,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    bold: bool = False,
) -> Paragraph:
    """A paragraph at the page's exact line pitch, no space around it, first line indented two
    characters unless `indent` is False; `text`, if any, as one run in `font`."""
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing = LINE_PITCH  # exact
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = CHAR * 2 if indent else Pt(0)
    if text:
        official_run(paragraph, text, font, size, bold=bold)
    return paragraph


TITLE_CHARS_PER_LINE = 20  # 二号 characters across the type area


def text_width(text: str) -> float:
    """Width in characters of the type: a Chinese character or full-width mark one, ASCII (the digits
    of a date) half. From the length of its UTF-8 (three bytes for those, one for ASCII), which takes
    no loop in Python: the Excel exports measure every cell with it."""
    return (len(text.encode()) + len(text)) / 4


def off_grid(paragraph: Paragraph) -> None:
    """Keep a title's lines at the line pitch: on the grid, LibreOffice gives a 二号 line two."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    add_paragraph_property(paragraph, snap)


def official_run(paragraph: Paragraph, text: str, font: str = BODY_FONT, size=SAN_HAO, *, bold: bool = False):
    """`text` added to the paragraph with full-width Chinese punctuation (`full_width`), in `font`."""
    run = paragraph.add_run(full_width(text))
    set_font(run, font, size, bold=bold)
    return run


def official_heading(document, text: str, *, font: str = HEADING_FONT, bold: bool = False) -> Paragraph:
    """A heading (一、 in 黑体, （一） in 楷体…) kept on the page of the paragraph that follows it and
    never broken across two pages."""
    paragraph = official_paragraph(document, text, font=font, bold=bold)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.keep_together = True
    return paragraph


def signature(document, lines: list[tuple[str, float]], *, space_before=LINE_PITCH) -> list[Paragraph]:
    """The issuer and the date (each a text and its right indent in characters), right-aligned under
    the body with `space_before` above them, and kept with the body's last lines: the paragraph
    before them keeps with them (its last two lines at least, widow control), so a signature never
    stands alone on the last page."""
    lines = [(text, indent) for text, indent in lines if text]
    if not lines:
        return []
    if document.paragraphs:
        last = document.paragraphs[-1].paragraph_format
        last.keep_with_next = True
        last.widow_control = True
    paragraphs = []
    for index, (text, indent) in enumerate(lines):
        paragraph = official_paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        fmt = paragraph.paragraph_format
        fmt.right_indent = Pt(CHAR.pt * indent)
        if index == 0:
            fmt.space_before = space_before
        if index < len(lines) - 1:
            fmt.keep_with_next = True
        paragraphs.append(paragraph)
    return paragraphs


def signature_indents(issuer: str, day: str) -> tuple[float, float]:
    """Right indents (in characters) of the issuer and the date, as GB/T 9704 sets an unsealed
    signature: the issuer two characters from the right, the date under it starting two characters
    further right; a date longer than that sits two from the right and pushes the issuer left."""
    issuer_width, day_width = text_width(issuer), text_width(day)
    if not issuer:
        return 0.0, 2.0
    overhang = day_width + 2 - issuer_width
    if overhang > 0:
        return 2.0 + overhang, 2.0
    return 2.0, 2.0 - overhang


def page_number(paragraph: Paragraph) -> None:
    """“— N —” with N a PAGE field Word and LibreOffice fill in."""
    set_font(paragraph.add_run("— "), NUMBER_FONT, SI_HAO)
    for kind, text in (
        ("begin", None),
        ("instr", " PAGE "),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        set_font(run, NUMBER_FONT, SI_HAO)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.add_text(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    set_font(paragraph.add_run(" —"), NUMBER_FONT, SI_HAO)


def official_page(section) -> None:
    """A4 portrait with the official margins."""
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]


def page_setup(document) -> None:
    """A4, the official margins, a grid of 22 lines to the page, and page numbers: odd pages right,
    even pages left, one character in.

    28 characters a line come from the body's character spacing (CHARACTER_SPACING), not from a
    character grid (w:type="linesAndChars" w:charSpace="-849", as Word templates set it): LibreOffice
    gives a 16 pt glyph two cells of a 15.79 pt grid, 14 characters a line (rendered and counted);
    with the spacing Word and LibreOffice both set 28.
    """
    section = document.sections[0]
    official_page(section)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(21)  # the number sits about 7 mm below the type area
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))
    # Page numbers: odd pages right (one character in), even pages left.
    document.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = SI_HAO
    page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = SI_HAO
    page_number(even)


# The children of a run's properties (w:rPr) that come after w:spacing, in the order the schema fixes.
RUN_PROPERTIES_AFTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)


def default_font(document, size=SAN_HAO) -> None:
    """Body text defaults to 仿宋_GB2312 (三号 unless `size` says otherwise) in Chinese; the document's
    East Asian default is 宋体; every character is set CHARACTER_SPACING closer (28 to the line)."""
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = size
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), BODY_FONT)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    language = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        normal.element.get_or_add_rPr().append(language)
    language.set(qn("w:eastAsia"), "zh-CN")
    spacing = normal.element.get_or_add_rPr().find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        normal.element.get_or_add_rPr().insert_element_before(spacing, *RUN_PROPERTIES_AFTER_SPACING)
    spacing.set(qn("w:val"), str(CHARACTER_SPACING))
    # No gap added between Chinese and Latin letters or digits ("2026年", "问题17个"), which Word adds by
    # default and which pushes a line with figures off the 28-character line. (LibreOffice, rendering
    # with substitute fonts where 仿宋_GB2312 is missing, still shows one.)
    paragraph_defaults = normal.element.get_or_add_pPr()
    for tag in ("autoSpaceDE", "autoSpaceDN"):
        element = paragraph_defaults.find(qn(f"w:{tag}"))
        if element is None:
            element = OxmlElement(f"w:{tag}")
            later = PARAGRAPH_PROPERTIES[PARAGRAPH_PROPERTIES.index(tag) + 1 :]
            paragraph_defaults.insert_element_before(element, *(f"w:{name}" for name in later))
        element.set(qn("w:val"), "0")
    # Anything without a font of its own falls back to 宋体 for Chinese (not the theme's font).
    for defaults in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts"):
        defaults.attrib.pop(qn("w:eastAsiaTheme"), None)
        defaults.set(qn("w:eastAsia"), "宋体")


def font_table(document) -> None:
    """Declare the official fonts with a Chinese character set and a common alternative name."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    known = {font.get(qn("w:name")): font for font in root.findall(qn("w:font"))}
    for name, alternative in FALLBACKS.items():
        font = known.get(name)
        if font is None:
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
        for child in list(font):
            font.remove(child)
        for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", "auto")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def official_document():
    """An empty Word document in the official style: fonts, font table, page and page numbers."""
    document = Document()
    default_font(document)
    font_table(document)
    page_setup(document)
    return document


# The children of a paragraph's properties (w:pPr) in the order the schema fixes; Word insists on it.
PARAGRAPH_PROPERTIES = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def add_paragraph_property(paragraph: Paragraph, element) -> None:
    """Put a paragraph property python-docx has no API for (a border, snapToGrid) in its place."""
    name = etree.QName(element).localname
    later = PARAGRAPH_PROPERTIES[PARAGRAPH_PROPERTIES.index(name) + 1 :]
    paragraph._p.get_or_add_pPr().insert_element_before(element, *(f"w:{tag}" for tag in later))


CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (1 to 99; larger numbers are written in digits): the
    numbers of headings 一、 and （一）."""
    if n < 1 or n > 99:
        return str(n)
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else CHINESE_NUMERALS[tens - 1]) + "十"
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")


# Chinese text: CJK ideographs, the CJK and full-width punctuation, Chinese quotes, dashes and ellipses.
_CHINESE = re.compile("[\u2014\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60]")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
# Left as they are: web and e-mail addresses, and marks between two digits (3,500 · 10:30 · 1:2).
_NOT_URL = "\\s\\u3000-\\u303f\\u4e00-\\u9fff\\uff01-\\uff60"
_UNTOUCHED = re.compile(
    f"(?:https?|ftp)://[^{_NOT_URL}]*[^{_NOT_URL},;:?!()]|www\\.[\\w.-]+|[\\w.+-]+@[\\w.-]+"
)
_MARK = re.compile(r" *([,;:?!]) *")


# Beside a bracket, only Chinese words count (not a full-width mark, which this may have just written).
_CHINESE_WORD = re.compile("[\u2018-\u201d\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff]")


def _chinese(char: str, pattern: re.Pattern = _CHINESE) -> bool:
    return bool(char) and bool(pattern.match(char))


def full_width(text: str) -> str:
    """Chinese text with full-width punctuation: the half-width ，；：？！ and （） copied from a source
    become full-width where they sit among Chinese characters (a Chinese character or full-width mark
    next to them, the spaces around them dropped; a bracket pair when either side of it or what it
    holds is Chinese). Latin text, numbers (3,500 · 10:30 · 3.5), dates, web and e-mail addresses
    stay as they are. Used for every paragraph of every Word document, and for the notice."""
    if not any(mark in text for mark in _HALF_TO_FULL):
        return text
    out: list[str] = []
    position = 0
    for kept in _UNTOUCHED.finditer(text):
        out.append(_full_width_span(text[position : kept.start()]))
        out.append(kept.group())
        position = kept.end()
    out.append(_full_width_span(text[position:]))
    return "".join(out)


def _full_width_span(text: str) -> str:
    chars = list(text)
    # Brackets first, pair by pair (innermost first): full-width when what they hold or either side is
    # Chinese; a bracket without its pair when the character beside it is.
    opened: list[int] = []
    pairs: list[tuple[int, int]] = []
    for index, char in enumerate(chars):
        if char == "(":
            opened.append(index)
        elif char == ")" and opened:
            pairs.append((opened.pop(), index))
    paired = {index for pair in pairs for index in pair}
    for start, end in pairs:
        inside = "".join(chars[start + 1 : end])
        before = text[:start].rstrip()[-1:]
        after = text[end + 1 :].lstrip()[:1]
        if _CHINESE_WORD.search(inside) or _chinese(before, _CHINESE_WORD) or _chinese(after, _CHINESE_WORD):
            chars[start], chars[end] = "（", "）"
    for index, char in enumerate(chars):
        if char in "()" and index not in paired:
            neighbour = text[index - 1 : index] if char == ")" else text[index + 1 : index + 2]
            if _chinese(neighbour, _CHINESE_WORD):
                chars[index] = _HALF_TO_FULL[char]
    text = "".join(chars)

    def mark(found: re.Match) -> str:
        before = text[: found.start()][-1:]
        after = text[found.end() :][:1]
        if before.isdigit() and after.isdigit() and found.group() == found.group(1):
            return found.group()  # 3,500 · 10:30 · 1:2
        if _chinese(before) or _chinese(after):
            return _HALF_TO_FULL[found.group(1)]
        return found.group()

    return _MARK.sub(mark, text)


def date_label(day: date) -> str:
    """2025年3月20日: a date as documents write it (in Arabic numerals, as GB/T 9704 dates a signature)."""
    return f"{day.year}年{day.month}月{day.day}日"


def repeat_header_row(row) -> None:
    """Repeat the table's row at the top of every printed page."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def shade_cell(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


# ------------------------------------------------------------------ Excel

HEADER_FILL = "E8ECF2"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The fonts of an office's Excel ledger: 宋体 in the cells, 黑体 for the title and the header row (as the
# Word documents set their headings), named with the GB2312 character set so that Excel takes them as
# Chinese fonts. Every workbook we write starts from new_workbook, whose default font is 宋体.
EXCEL_BODY_FONT = "宋体"
EXCEL_HEADING_FONT = "黑体"
EXCEL_SIZE = 11
EXCEL_TITLE_SIZE = 16
GB2312_CHARSET = 134


def excel_font(name: str = EXCEL_BODY_FONT, *, size: float = EXCEL_SIZE, bold: bool = False):
    """An openpyxl Font in one of the office fonts."""
    from openpyxl.styles import Font

    return Font(name=name, size=size, bold=bold, charset=GB2312_CHARSET, family=3)


def new_workbook():
    """An empty workbook whose default font, the one of every cell without a style of its own, is 宋体
    (openpyxl's is Calibri): the Normal style, and the first font every unstyled cell points at."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList

    book = Workbook()
    body = excel_font()
    book._fonts = IndexedList([body])  # what Workbook() does with its DEFAULT_FONT
    book._named_styles["Normal"].font = body
    return book


def column_widths(sheet, widths: list[int]) -> None:
    """Column widths in Excel characters, from column A."""
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _table_border():
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="B7BDC6")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


TABLE_CELL_STYLE = "表格正文"


def table_cell_style(book, name: str = TABLE_CELL_STYLE, **style) -> str:
    """The name of a cell style of the workbook (thin borders, wrapped text at the top, and `style`:
    font, fill…), added the first time. A cell takes a named style without openpyxl hashing a border
    and an alignment again for every cell, which took most of the time of a 5,000-row ledger."""
    from openpyxl.styles import Alignment, NamedStyle

    if name not in book.named_styles:
        wrap = Alignment(wrap_text=True, vertical="top")
        book.add_named_style(
            NamedStyle(name, **{"font": excel_font(), "border": _table_border(), "alignment": wrap, **style})
        )
    return name


# Points a line of 11-point text takes: 14.25 in 宋体 (Excel's own row height), about 16 in the CJK fonts
# that stand in for it where 宋体 is missing (LibreOffice on Linux, WPS): rows a little roomy, never cut.
EXCEL_LINE_HEIGHT = 16.0
EXCEL_ROW_PADDING = 3.0  # points above and below the text of a wrapped cell
EXCEL_MAX_ROW_HEIGHT = 409.0  # points: the tallest row Excel allows
PORTRAIT_WIDTH = 90  # characters of column width an A4 portrait page holds at 宋体 11; wider prints landscape
PAGE_FOOTER = "第 &P 页 共 &N 页"  # Excel's codes: this page, the pages of the sheet
FOOTER_FONT = f"{EXCEL_BODY_FONT},Regular"


def text_lines(value, width: float) -> int:
    """Lines a wrapped cell `width` characters wide takes for `value` (its own line breaks kept); a
    number or a date takes one."""
    if not isinstance(value, str) or not value:
        return 1
    usable = max((width - 1.0) * 0.9, 1.0)  # the cell's padding; a wrap at a word's end wastes some
    # A column holds two ASCII characters' width per Chinese character: a character is two columns.
    return sum(max(1, math.ceil(2 * text_width(line) / usable)) for line in value.split("\n"))


def row_height(lines: int) -> float:
    """The height (points) of a row of `lines` lines of 宋体 11."""
    return min(lines * EXCEL_LINE_HEIGHT + EXCEL_ROW_PADDING, EXCEL_MAX_ROW_HEIGHT)


def set_row_heights(sheet, first_row: int, lines: list[int]) -> None:
    """Rows from `first_row` as tall as their lines; a row of one line keeps the default height."""
    for offset, count in enumerate(lines):
        if count > 1:
            sheet.row_dimensions[first_row + offset].height = row_height(count)


def print_setup(sheet, *, title_rows: tuple[int, int], width: float) -> None:
    """How the sheet prints: A4, landscape when `width` (characters of columns) is more than a
    portrait page holds, fitted to the page's width and as many pages long as it takes, centred,
    `title_rows` (first, last) repeated at the top of every page, “第 N 页 共 M 页” at the foot."""
    sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # no limit: as many pages as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4  # inches
    footer = sheet.oddFooter.center
    footer.text = PAGE_FOOTER
    footer.font = FOOTER_FONT
    footer.size = 10


def note_row(sheet, row: int, text: str, columns: int, width: float) -> None:
    """A sentence across the first `columns` columns (`width` characters together) of `row`: merged,
    wrapped and as tall as it takes, so that it prints whole."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    cell = sheet.cell(row=row, column=1, value=text)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if columns > 1:
        sheet.merge_cells(f"A{row}:{get_column_letter(columns)}{row}")
    set_row_heights(sheet, row, [text_lines(text, width)])


def write_table(
    sheet,
    headers: list[str],
    rows: list[list],
    widths: list[int],
    *,
    first_row: int = 1,
    own_sheet: bool = True,
    merged_columns: Collection[int] = (),
    blocks: Iterable[tuple[int, int]] = (),
) -> int:
    """Write the header and rows from `first_row`; returns the last row written. A string that is an
    ISO date becomes a date. Each row is as tall as its longest wrapped text; `blocks` (first row's
    index in `rows`, number of rows) are groups of rows over which the caller merges the
    `merged_columns` (indexes), whose text the rows of the block share. With `own_sheet`, the table
    is the sheet's: column widths, a frozen and filtered header, and print_setup."""
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    header_font = excel_font(EXCEL_HEADING_FONT, bold=True)
    border = _table_border()
    cell_style = table_cell_style(sheet.parent)
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=first_row, column=column, value=header)
        cell.font = header_font
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    blocks = list(blocks)
    merged = set(merged_columns) if blocks else set()
    lines = [max(text_lines(header, width) for header, width in zip(headers, widths, strict=False))]
    shared: list[int] = []  # lines the merged columns need, on each row
    row_number = first_row
    for row in rows:
        row_number += 1
        row_lines = shared_lines = 1
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and ISO_DATE.fullmatch(value):
                value = date.fromisoformat(value)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text someone typed stays text: "=HYPERLINK(…)" is no formula
                needed = text_lines(value, widths[column - 1])
                if column - 1 in merged:
                    shared_lines = max(shared_lines, needed)
                else:
                    row_lines = max(row_lines, needed)
            cell.style = cell_style
            if isinstance(value, float):
                cell.number_format = "0.0"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
        lines.append(row_lines)
        shared.append(shared_lines)
    alone = set(range(len(rows)))  # rows in no block: their merged columns count as any other
    for start, count in blocks:
        # The merged text spreads over the block's rows: the rows grow, evenly, only if it needs more.
        alone.difference_update(range(start, start + count))
        body = lines[1 + start : 1 + start + count]
        extra = shared[start] - sum(body)
        if extra > 0:
            each, rest = divmod(extra, count)
            lines[1 + start : 1 + start + count] = [n + each + (i < rest) for i, n in enumerate(body)]
    for index in alone:
        lines[1 + index] = max(lines[1 + index], shared[index])
    set_row_heights(sheet, first_row, lines)
    if own_sheet:
        column_widths(sheet, widths)
        sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1)
        last = get_column_letter(len(headers))
        sheet.auto_filter.ref = f"A{first_row}:{last}{max(row_number, first_row)}"
        print_setup(sheet, title_rows=(first_row, first_row), width=sum(widths))
    return row_number
