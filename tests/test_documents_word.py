"""The Word house style every generated document shares (rectify.documents): full-width Chinese
punctuation, 28 characters and 22 lines to the page, headings kept with what follows, the signature
kept with the body's last lines. Checked in the XML; LibreOffice is a tool for looking at pages, not a
test dependency."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from rectify.documents import (
    CHARACTER_SPACING,
    LINE_PITCH,
    full_width,
    official_document,
    official_heading,
    official_paragraph,
    signature,
)

# (source, as written in a Word document)
PUNCTUATION = [
    ("部门,加强", "部门，加强"),
    ("部门 , 加强;完成", "部门，加强；完成"),
    ("是否完成?是!", "是否完成？是！"),
    ("联系电话:020-12345678", "联系电话：020-12345678"),
    ("“当下改”,长久立", "“当下改”，长久立"),
    ("使用GDP(国内生产总值)核算", "使用GDP（国内生产总值）核算"),
    ("措施(1)加强", "措施（1）加强"),
    ("(一)关于政策", "（一）关于政策"),
    ("2025-03-20,召开会议", "2025-03-20，召开会议"),
    # Numbers, times, ratios, Latin text and addresses stay as they are.
    ("完成率3.5%,其中3,500元", "完成率3.5%，其中3,500元"),
    ("10:30召开会议,比例1:2", "10:30召开会议，比例1:2"),
    ("Windows (x64), ok", "Windows (x64), ok"),
    ("e.g., ISO 9001: 2015", "e.g., ISO 9001: 2015"),
    ("网址:https://www.gz.gov.cn/a?b=1,c", "网址：https://www.gz.gov.cn/a?b=1,c"),
    ("见https://a.gov.cn/x,详见附件", "见https://a.gov.cn/x，详见附件"),
    ("邮箱:jubao@example.gov.cn。", "邮箱：jubao@example.gov.cn。"),
    ("Windows (x64),中文", "Windows (x64)，中文"),
    ("", ""),
]


@pytest.mark.parametrize(("source", "written"), PUNCTUATION)
def test_full_width_punctuation_among_chinese_only(source: str, written: str) -> None:
    assert full_width(source) == written
    assert full_width(written) == written  # once is enough: it changes nothing the second time


def test_every_paragraph_gets_full_width_punctuation() -> None:
    document = official_document()
    official_paragraph(document, "结合行业发展变化,优化完善体制机制(试行)。")
    assert document.paragraphs[-1].text == "结合行业发展变化，优化完善体制机制（试行）。"


def saved(document):
    output = BytesIO()
    document.save(output)
    return Document(BytesIO(output.getvalue()))


def test_22_lines_of_28_characters() -> None:
    document = saved(official_document())
    section = document.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert abs(22 * LINE_PITCH - (section.page_height - section.top_margin - section.bottom_margin)) < Pt(1)
    # 28 characters of 三号 set 0.3 pt closer fill the 156 mm line, and 29 do not.
    normal = document.styles["Normal"]
    spacing = normal.element.rPr.find(qn("w:spacing"))
    assert int(spacing.get(qn("w:val"))) == CHARACTER_SPACING == -6
    pitch = normal.font.size.pt + CHARACTER_SPACING / 20
    width = (section.page_width - section.left_margin - section.right_margin) / Pt(1)
    assert abs(width - Mm(156) / Pt(1)) < 0.1
    assert 28 * pitch <= width < 29 * pitch
    # The run properties keep the schema's order (Word refuses a file that does not).
    tags = [child.tag.split("}")[1] for child in normal.element.rPr]
    assert tags.index("spacing") < tags.index("sz") < tags.index("lang")
    # No automatic gap between Chinese and figures or Latin letters to push a line past 28.
    paragraph = normal.element.pPr
    assert [paragraph.find(qn(f"w:{tag}")).get(qn("w:val")) for tag in ("autoSpaceDE", "autoSpaceDN")] == [
        "0",
        "0",
    ]


def test_headings_keep_with_what_follows_and_the_signature_with_the_last_lines() -> None:
    document = official_document()
    heading = official_heading(document, "一、督办事由")
    official_paragraph(document, "整改进度滞后。")
    last = official_paragraph(document, "请于2026年3月16日前将落实情况书面答复甲局。")
    issuer, day = signature(document, [("甲局", 4), ("2026年3月2日", 4.5)])
    assert heading.paragraph_format.keep_with_next and heading.paragraph_format.keep_together
    assert last.paragraph_format.keep_with_next and last.paragraph_format.widow_control
    assert issuer.paragraph_format.keep_with_next and not day.paragraph_format.keep_with_next
    assert issuer.paragraph_format.space_before == LINE_PITCH and not day.paragraph_format.space_before
    assert issuer.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert (issuer.paragraph_format.right_indent, day.paragraph_format.right_indent) == (Pt(64), Pt(72))
    # Nothing to sign: nothing written, the last paragraph left as it was.
    assert signature(document, [("", 2)]) == []
