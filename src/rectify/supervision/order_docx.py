"""A supervision order as a Word document in the official style (after GB/T 9704-2012).

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 三号 (16 pt) 仿宋_GB2312
to the page; the title in 方正小标宋简体 二号 (22 pt) centred, the order's number under it and a red
rule; the addressee flush left; headings 一、二、… in 黑体; the issuer and the date right-aligned;
page numbers “— 1 —” in 宋体 四号, odd pages right and even pages left.

Fonts are named in every slot of each run (ASCII, other Latin and East Asian), and the document's
font table gives each official font a common alternative (w:altName): 宋体 for 方正小标宋简体, 仿宋
for 仿宋_GB2312, so a computer without the official fonts shows the nearest ones.
"""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from lxml import etree

from .models import SupervisionOrder
from .services import day_label

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
NUMBER_FONT = "宋体"  # page numbers
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei", NUMBER_FONT: "SimSun"}

ER_HAO = Pt(22)  # 二号
SAN_HAO = Pt(16)  # 三号
SI_HAO = Pt(14)  # 四号
LINE_PITCH = Twips(579)  # 225 mm of type area / 22 lines ≈ 28.95 pt
CHAR = SAN_HAO  # one character of body text, for indents

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
RED = RGBColor(0xE6, 0x00, 0x12)

CHINESE_NUMERALS = "一二三四五六七八九十"
# What follows w:pBdr in a paragraph's properties (the schema fixes the order; Word insists on it).
_AFTER_BORDER = (
    "shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId "
    "cnfStyle rPr sectPr pPrChange"
)
PPR_AFTER_BORDER = tuple(f"w:{tag}" for tag in _AFTER_BORDER.split())


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (enough for a list of measures)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = ("" if tens == 1 else CHINESE_NUMERALS[tens - 1]) + "十"
    return head + (CHINESE_NUMERALS[ones - 1] if ones else "")


def set_font(run, name: str, size, *, bold: bool = False, color: RGBColor | None = None) -> None:
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


def _paragraph(
    document,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size=SAN_HAO,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    bold: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing = LINE_PITCH  # exact
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = CHAR * 2 if indent else Pt(0)
    if text:
        set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def _heading(document, text: str) -> Paragraph:
    return _paragraph(document, text, font=HEADING_FONT)


def _red_rule(paragraph: Paragraph) -> None:
    """The red separator line under the number (版头中的分隔线), as the paragraph's bottom border."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in {"w:val": "single", "w:sz": "12", "w:space": "8", "w:color": str(RED)}.items():
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *PPR_AFTER_BORDER)


def _page_number(paragraph: Paragraph) -> None:
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


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
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
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = SI_HAO
    _page_number(even)


def _default_font(document) -> None:
    """Body text defaults to 仿宋_GB2312 三号 in Chinese; the document's East Asian default is 宋体."""
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = SAN_HAO
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
    # Anything without a font of its own falls back to 宋体 for Chinese (not the theme's font).
    for defaults in document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts"):
        defaults.attrib.pop(qn("w:eastAsiaTheme"), None)
        defaults.set(qn("w:eastAsia"), "宋体")


def _font_table(document) -> None:
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


def title_of(order: SupervisionOrder) -> str:
    return f"{order.issuer.name}整改督办单"


def build_order_docx(order: SupervisionOrder) -> bytes:
    """The order as .docx bytes. The order's issuer, unit and measures (with their problems) are read."""
    document = Document()
    _default_font(document)
    _font_table(document)
    _page_setup(document)
    properties = document.core_properties
    properties.title = f"{order.number} {title_of(order)}"
    properties.author = order.issuer.name
    properties.subject = "督办单"
    properties.language = "zh-CN"

    _paragraph(
        document, title_of(order), font=TITLE_FONT, size=ER_HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    number = _paragraph(document, order.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    number.paragraph_format.space_before = LINE_PITCH
    _red_rule(number)
    addressee = _paragraph(document, f"{order.unit.name}：", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    addressee.paragraph_format.space_before = LINE_PITCH

    _heading(document, "一、督办事由")
    for line in _lines(order.reason):
        _paragraph(document, line)
    _heading(document, "二、督办事项")
    measures = sorted(
        order.measures.all(), key=lambda m: (m.problem.inspection_id, m.problem.number, m.order)
    )
    for index, measure in enumerate(measures, start=1):
        _paragraph(
            document,
            f"（{chinese_numeral(index)}）问题{measure.problem.number}“{measure.problem.title}”"
            f"第{measure.order}项措施：{measure.text}",
        )
    _heading(document, "三、督办要求")
    for line in _lines(order.demanded_action):
        _paragraph(document, line)
    _heading(document, "四、答复期限")
    _paragraph(
        document,
        f"请于{day_label(order.answer_due)}前将落实情况书面答复{order.issuer.name}。逾期未答复的，将按规定升级督办。",
    )

    signer = _paragraph(document, order.issuer.name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    signer.paragraph_format.space_before = LINE_PITCH * 2
    signer.paragraph_format.right_indent = CHAR * 4
    issued_on = timezone.localdate(order.issued_at)
    dated = _paragraph(document, day_label(issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    dated.paragraph_format.right_indent = CHAR * 4

    output = BytesIO()
    document.save(output)
    return output.getvalue()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()] or [""]
