"""A supervision order as a Word document in the official style (after GB/T 9704-2012).

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; 22 lines of 三号 (16 pt) 仿宋_GB2312
to the page; the title in 方正小标宋简体 二号 (22 pt) centred, the order's number under it and a red
rule; the addressee flush left; headings 一、二、… in 黑体; the issuer and the date right-aligned;
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
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph

from rectify.documents import (
    CHAR,
    ER_HAO,
    HEADING_FONT,
    LINE_PITCH,
    TITLE_FONT,
    add_paragraph_property,
    chinese_numeral,
    date_label,
    official_document,
    official_paragraph,
)

from .models import SupervisionOrder

RED = RGBColor(0xE6, 0x00, 0x12)


def _heading(document, text: str) -> Paragraph:
    return official_paragraph(document, text, font=HEADING_FONT)


def _red_rule(paragraph: Paragraph) -> None:
    """The red separator line under the number (版头中的分隔线), as the paragraph's bottom border."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in {"w:val": "single", "w:sz": "12", "w:space": "8", "w:color": str(RED)}.items():
        bottom.set(qn(key), value)
    borders.append(bottom)
    add_paragraph_property(paragraph, borders)


def title_of(order: SupervisionOrder) -> str:
    return f"{order.issuer.name}整改督办单"


def build_order_docx(order: SupervisionOrder) -> bytes:
    """The order as .docx bytes. The order's issuer, unit and measures (with their problems) are read."""
    document = official_document()
    properties = document.core_properties
    properties.title = f"{order.number} {title_of(order)}"
    properties.author = order.issuer.name
    properties.subject = "督办单"
    properties.language = "zh-CN"

    official_paragraph(
        document, title_of(order), font=TITLE_FONT, size=ER_HAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    number = official_paragraph(document, order.number, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    number.paragraph_format.space_before = LINE_PITCH
    _red_rule(number)
    addressee = official_paragraph(
        document, f"{order.unit.name}：", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False
    )
    addressee.paragraph_format.space_before = LINE_PITCH

    _heading(document, "一、督办事由")
    for line in _lines(order.reason):
        official_paragraph(document, line)
    _heading(document, "二、督办事项")
    measures = sorted(
        order.measures.all(), key=lambda m: (m.problem.inspection_id, m.problem.number, m.order)
    )
    for index, measure in enumerate(measures, start=1):
        official_paragraph(
            document,
            f"（{chinese_numeral(index)}）问题{measure.problem.number}“{measure.problem.title}”"
            f"第{measure.order}项措施：{measure.text}",
        )
    _heading(document, "三、督办要求")
    for line in _lines(order.demanded_action):
        official_paragraph(document, line)
    _heading(document, "四、答复期限")
    official_paragraph(
        document,
        f"请于{date_label(order.answer_due)}前将落实情况书面答复{order.issuer.name}。逾期未答复的，将按规定升级督办。",
    )

    signer = official_paragraph(document, order.issuer.name, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    signer.paragraph_format.space_before = LINE_PITCH * 2
    signer.paragraph_format.right_indent = CHAR * 4
    issued_on = timezone.localdate(order.issued_at)
    dated = official_paragraph(document, date_label(issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    dated.paragraph_format.right_indent = CHAR * 4

    output = BytesIO()
    document.save(output)
    return output.getvalue()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()] or [""]
