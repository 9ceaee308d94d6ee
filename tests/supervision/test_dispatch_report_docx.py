"""The dispatch report in Word is a 报告 an office sends: the title broken between words, the addressee,
三号 仿宋 on the page's grid, headings kept with what follows, numbers without spaces round them, date
cells that do not wrap, and the office and the date kept with the last lines; read back from the file."""

import re
from io import BytesIO

from django.utils import timezone
from docx import Document as WordDocument
from docx.oxml.ns import qn

from rectify.documents import BODY_FONT, LINE_PITCH, SAN_HAO, date_label
from rectify.supervision import dispatch_render

from .test_dispatch import _two_dispatches, lived  # noqa: F401 (fixture)

GUANGZHOU = "关于市委第七巡察组优化营商环境促进民营经济发展壮大专项巡察整改工作调度情况的报告"


def test_a_long_title_breaks_between_words():
    lines = dispatch_render.title_lines(GUANGZHOU, "市委第七巡察组")
    assert lines == [
        "关于市委第七巡察组优化营商环境",
        "促进民营经济发展壮大",
        "专项巡察整改工作调度情况的报告",
    ]
    assert all(len(line) <= dispatch_render.TITLE_CHARS for line in lines)
    assert dispatch_render.title_lines("关于甲局专项巡察整改工作调度情况的报告") == [
        "关于甲局专项巡察整改工作调度情况的报告"
    ]


def test_the_dispatch_docx_is_a_report(world, lived):  # noqa: F811
    stored = _two_dispatches(world, lived)
    word = WordDocument(BytesIO(dispatch_render.docx_bytes(stored)))
    paragraphs = [paragraph for paragraph in word.paragraphs if paragraph.text]
    texts = [paragraph.text for paragraph in paragraphs]
    inspected = lived.inspection.inspected.name
    # Title, period, then the addressee: the inspected organisation's 党组, from the data.
    assert texts[2] == f"中共{inspected}党组："
    # The office and the date close it, kept with the note before them.
    day = date_label(timezone.localtime(stored.created_at).date())
    assert texts[-2:] == [f"{inspected}巡察整改工作领导小组办公室", day]
    assert paragraphs[-3].paragraph_format.keep_with_next and paragraphs[-2].paragraph_format.keep_with_next
    # Headings are kept with what follows; the body is 三号 仿宋 at the page's line pitch.
    for heading in ("一、总体进展", "（一）分方面情况"):
        assert paragraphs[texts.index(heading)].paragraph_format.keep_with_next, heading
    body = next(paragraph for paragraph in paragraphs if paragraph.text.startswith("截至"))
    assert body.paragraph_format.line_spacing == LINE_PITCH
    assert (body.runs[0].font.name, body.runs[0].font.size) == (BODY_FONT, SAN_HAO)
    # No spaces round numbers in the Chinese text.
    spaced = re.compile(r"[\u4e00-\u9fff（] \d|\d [\u4e00-\u9fff）]")
    assert [text for text in texts if spaced.search(text)] == []
    # Page numbers outside: odd pages right, even pages left.
    assert word.settings.odd_and_even_pages_header_footer
    # Date cells keep the date on one line.
    late = next(table for table in word.tables if table.rows[0].cells[-1].text == "超期原因（最新进展）")
    column = [cell.text for cell in late.rows[0].cells].index("整改时限")
    cell = late.rows[1].cells[column]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell.text)
    assert cell._tc.tcPr.find(qn("w:noWrap")) is not None
