"""scripts/document_fidelity.py's reading of rendered pages, on pdftotext and pdffonts output written
here (the check itself needs LibreOffice and poppler; this suite needs neither)."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "document_fidelity.py"
spec = importlib.util.spec_from_file_location("document_fidelity", SCRIPT)
fidelity = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = fidelity  # its dataclasses look their module up
spec.loader.exec_module(fidelity)

FULL = "整" * 28  # a full line of body text
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _bbox(pages: list[list[tuple[str, float, float, float]]]) -> str:
    """pdftotext -bbox-layout's XHTML for pages of lines (text, left, top, right)."""
    body = []
    for lines in pages:
        body.append('<page width="595" height="842"><flow><block>')
        for text, left, top, right in lines:
            words = "".join(
                f'<word xMin="{left}" yMin="{top}" xMax="{right}" yMax="{top + 16}">{word}</word>'
                for word in text.split(" ")
            )
            body.append(f'<line xMin="{left}" yMin="{top}" xMax="{right}" yMax="{top + 16}">{words}</line>')
        body.append("</block></flow></page>")
    return (
        '<!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml"><head><title></title></head>'
        f"<body><doc>{''.join(body)}</doc></body></html>"
    )


def _page(lines: list[str], number: int, *, top: float = 100) -> list[tuple]:
    """Lines 29 pt apart, a full line 448 pt wide, a shorter one in proportion; then the number."""
    rows = [(text, 79, top + 29 * i, 79 + 448 * min(len(text), 28) / 28) for i, text in enumerate(lines)]
    return [*rows, (f"— {number} —", 480, 780, 540)]


def test_pages_lines_and_characters_are_read_from_the_bbox_output():
    pages = fidelity.pages_from_bbox(_bbox([_page([FULL] * 22, 1), _page([FULL] * 5 + ["整改。"], 2)]))
    assert len(pages) == 2
    assert fidelity.lines_per_page(pages) == [22, 6]  # the page number is not a line of text
    assert fidelity.runs(fidelity.lines_per_page(pages)) == "22 6"
    assert fidelity.chars_summary(fidelity.full_line_chars(pages)) == "28"
    assert fidelity.flags(pages) == []


def test_cells_of_one_table_row_are_one_line():
    row = [("措施编号", 79, 100, 120), ("2.1", 130, 101, 150), ("2026-06-30", 160, 100.5, 230)]
    pages = fidelity.pages_from_bbox(_bbox([[*row, ("— 1 —", 480, 780, 540)]]))
    assert fidelity.lines_per_page(pages) == [1]


def test_a_page_holding_only_the_signature_is_flagged():
    last = _page(["广州市交通运输局巡察整改工作领导小组办公室", "2026年12月7日"], 2)
    pages = fidelity.pages_from_bbox(_bbox([_page([FULL] * 22, 1), last]))
    assert fidelity.flags(pages) == ["p2: only a signature/date"]


def test_a_heading_or_caption_alone_at_the_foot_of_a_page_is_flagged():
    for heading in ("三、超期及原因", "（二）分责任单位情况", "表 3 超期未完成的措施及原因"):
        pages = fidelity.pages_from_bbox(_bbox([_page([FULL] * 21 + [heading], 1), _page([FULL] * 3, 2)]))
        assert fidelity.flags(pages) == [f"p1: heading alone at the foot: {heading[:20]}"], heading
    # The same heading with its text after it on the page, or on the last page, is fine.
    kept = fidelity.pages_from_bbox(_bbox([_page([FULL] * 20 + ["三、超期及原因", FULL], 1)]))
    assert fidelity.flags(kept) == []


def test_a_page_without_a_number_is_flagged_and_excel_numbers_count():
    numbered = [("整改台账", 79, 100, 200), ("第 1 页 共 2 页", 380, 560, 460)]
    bare = [("整改台账", 79, 100, 200)]
    pages = fidelity.pages_from_bbox(_bbox([numbered, bare]))
    assert fidelity.flags(pages) == ["p2: no page number"]


def test_fonts_asked_are_those_of_the_text_and_its_styles_not_the_unused_ones():
    document = (
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:rPr>'
        '<w:rFonts w:ascii="仿宋_GB2312" w:eastAsia="仿宋_GB2312"/></w:rPr></w:r></w:p></w:body></w:document>'
    )
    styles = (
        f'<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:eastAsia="宋体"/>'
        "</w:rPr></w:rPrDefault></w:docDefaults>"
        '<w:style w:styleId="Normal"><w:rPr><w:rFonts w:ascii="仿宋_GB2312"/></w:rPr></w:style>'
        '<w:style w:styleId="Heading1"><w:basedOn w:val="Base"/></w:style>'
        '<w:style w:styleId="Base"><w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr></w:style>'
        '<w:style w:styleId="MacroText"><w:rPr><w:rFonts w:ascii="Courier"/></w:rPr></w:style></w:styles>'
    )
    asked = fidelity.docx_fonts({"word/document.xml": document.encode(), "word/styles.xml": styles.encode()})
    assert asked == {"仿宋_GB2312", "宋体", "黑体"}


def test_embedded_fonts_lose_their_subset_prefix():
    output = (
        "name                                 type              encoding         emb sub uni object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- ---------\n"
        "BAAAAA+NotoSansCJKjp-Regular         CID TrueType      Identity-H       yes yes yes     10  0\n"
        "CAAAAA+DejaVuSans                    TrueType          WinAnsi          yes yes yes     12  0\n"
    )
    assert fidelity.fonts_embedded(output) == {"NotoSansCJKjp-Regular", "DejaVuSans"}
