"""A supervision order as a Word document in the official style (after GB/T 9704-2012).

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 三号 (16 pt) 仿宋_GB2312
to the page; the title in 方正小标宋简体 二号 (22 pt) centred, the order's number under it and a red
rule; the addressee flush left; headings 一、二、… in 黑体, kept with what follows; the issuer and the
date right-aligned a line under the body and kept with its last lines; a short order fits one page;
page numbers “— 1 —” in 宋体 四号, odd pages right and even pages left.

The page, fonts, font table and page numbers are the official style of `rectify.documents`, shared with
the public notice.
"""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph

from rectify.documents import (
    ER_HAO,
    LINE_PITCH,
    TITLE_CHARS_PER_LINE,
    TITLE_FONT,
    add_paragraph_property,
    chinese_numeral,
    date_label,
    full_width,
    off_grid,
    official_document,
    official_heading,
    official_paragraph,
    official_run,
    signature,
    text_width,
)

from .models import SupervisionOrder

RED = RGBColor(0xE6, 0x00, 0x12)


# The red rule: 1.5 pt (w:sz in eighths of a point), 8 pt under the number. The border adds its space
# and width under the number's line, which the space above the addressee gives back, so that the
# lines stay on the page's grid and 22 of them fit (else a one-page order pushes its date over).
RULE_WIDTH_EIGHTHS = 12
RULE_SPACE_PT = 8
RULE_HEIGHT = Pt(RULE_SPACE_PT + RULE_WIDTH_EIGHTHS / 8)


def _red_rule(paragraph: Paragraph) -> None:
    """The red separator line under the number (版头中的分隔线), as the paragraph's bottom border."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in {
        "w:val": "single",
        "w:sz": str(RULE_WIDTH_EIGHTHS),
        "w:space": str(RULE_SPACE_PT),
        "w:color": str(RED),
    }.items():
        bottom.set(qn(key), value)
    borders.append(bottom)
    add_paragraph_property(paragraph, borders)


def title_of(order: SupervisionOrder) -> str:
    return f"{order.issuer.name}整改督办单"


def title_lines(order: SupervisionOrder) -> list[str]:
    """The title in one line, or, longer than a line, the issuer over “整改督办单” (never broken
    inside a word)."""
    title = full_width(title_of(order))
    if text_width(title) <= TITLE_CHARS_PER_LINE:
        return [title]
    return [full_width(order.issuer.name), "整改督办单"]


def build_order_docx(order: SupervisionOrder) -> bytes:
    """The order as .docx bytes. The order's issuer, unit and measures (with their problems) are read."""
    document = official_document()
    properties = document.core_properties
    properties.title = f"{order.number} {title_of(order)}"
    properties.author = order.issuer.name
    properties.subject = "督办单"
    properties.language = "zh-CN"

    title = official_paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    for index, line in enumerate(title_lines(order)):
        run = official_run(title, "", TITLE_FONT, ER_HAO)
        if index:
            run.add_break()
        run.add_text(line)
    off_grid(title)  # a 二号 line takes one line of the page, not two
    number = official_paragraph(document, order.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    number.paragraph_format.space_before = LINE_PITCH
    _red_rule(number)
    addressee = official_paragraph(
        document, f"{order.unit.name}：", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False
    )
    addressee.paragraph_format.space_before = Emu(LINE_PITCH - RULE_HEIGHT)  # a line, less the rule

    official_heading(document, "一、督办事由")
    for line in _lines(order.reason):
        official_paragraph(document, line)
    official_heading(document, "二、督办事项")
    measures = sorted(
        order.measures.all(), key=lambda m: (m.problem.inspection_id, m.problem.number, m.order)
    )
    for index, measure in enumerate(measures, start=1):
        official_paragraph(
            document,
            f"（{chinese_numeral(index)}）问题{measure.problem.number}“{measure.problem.title}”"
            f"第{measure.order}项措施：{measure.text}",
        )
    official_heading(document, "三、督办要求")
    for line in _lines(order.demanded_action):
        official_paragraph(document, line)
    official_heading(document, "四、答复期限")
    official_paragraph(
        document,
        f"请于{date_label(order.answer_due)}前将落实情况书面答复{order.issuer.name}。逾期未答复的，将按规定升级督办。",
    )

    # The issuer and the date a line under the body, four characters from the right, kept with the
    # body's last lines.
    issued_on = timezone.localdate(order.issued_at)
    signature(document, [(order.issuer.name, 4), (date_label(issued_on), 4)])

    output = BytesIO()
    document.save(output)
    return output.getvalue()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()] or [""]
