"""The renderer writes what the parser reads: text, HTML and Word round trips, the escapes, the
official layout of the Word file, and a property over generated notices.

Pure: no Django, no LibreOffice (scripts/render-notice-pages.sh is for looking at pages by hand).
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from rectify.notices.document import (
    ContactBlock,
    InspectionFacts,
    NoticeArea,
    NoticeDocument,
    NoticeMeasure,
    NoticeProblem,
    NoticeSection,
    NoticeSubsection,
)
from rectify.notices.parser import parse, parse_bytes, parse_file
from rectify.notices.render import (
    blocks,
    contact_text,
    measures_paragraph,
    punctuated,
    render_docx,
    render_html,
    render_text,
)

NOTICES = Path(__file__).resolve().parents[2] / "src/rectify/notices/data"
GUANGZHOU = NOTICES / "guangzhou-transport-2025.txt"
VARIANTS = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "notices").iterdir())


def carried(doc: NoticeDocument) -> dict:
    """What a rendered notice carries: everything but the portal's metadata and the problems' source
    text (the body as it stood in the notice read, not part of the data rendered)."""
    data = doc.to_dict()
    data.pop("meta")
    for area in data["areas"]:
        for problem in area["problems"]:
            problem.pop("source_text")
    return data


def via_text(doc: NoticeDocument) -> NoticeDocument:
    return parse(render_text(doc))


def via_docx(doc: NoticeDocument) -> NoticeDocument:
    return parse_bytes(render_docx(doc), "x.docx")


def via_html(doc: NoticeDocument) -> NoticeDocument:
    return parse_bytes(render_html(doc).encode(), "x.html")


@pytest.fixture(scope="module")
def guangzhou() -> NoticeDocument:
    return parse(GUANGZHOU.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def guangzhou_docx(guangzhou) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(guangzhou)))


# ------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("route", [via_text, via_docx, via_html], ids=["text", "docx", "html"])
def test_the_guangzhou_notice_round_trips(guangzhou, route) -> None:
    """It comes back as written, its punctuation full-width (the source's half-width ,: among
    Chinese text become ，：)."""
    again = route(guangzhou)
    guangzhou = punctuated(guangzhou)
    assert [area.title for area in again.areas] == [area.title for area in guangzhou.areas]
    assert [(p.number, p.title) for p in again.problems] == [(p.number, p.title) for p in guangzhou.problems]
    assert [[m.text for m in p.measures] for p in again.problems] == [
        [m.text for m in p.measures] for p in guangzhou.problems
    ]
    assert again.contact == guangzhou.contact
    assert again.contact.phones == ["020-38180385"] and again.contact.postcode == "510620"
    assert again.sections == guangzhou.sections
    assert again.inspection == guangzhou.inspection
    assert (again.title, again.issuer, again.date, again.opening) == (
        guangzhou.title,
        guangzhou.issuer,
        guangzhou.date,
        guangzhou.opening,
    )
    assert carried(again) == carried(guangzhou)


@pytest.mark.parametrize("path", VARIANTS, ids=[path.stem for path in VARIANTS])
@pytest.mark.parametrize("route", [via_text, via_docx], ids=["text", "docx"])
def test_every_house_style_round_trips(path, route) -> None:
    """Notices in other styles (no areas, parts as areas, no parts, inline headings…) come back the
    same, written in the one style the renderer knows."""
    doc = parse_file(path)
    assert carried(route(doc)) == carried(punctuated(doc))


def test_the_text_has_the_fixture_structure(guangzhou) -> None:
    text = render_text(guangzhou)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "中共广州市交通运输局党组关于巡察整改进展情况的通报"
    assert paragraphs[1].startswith("根据市委统一部署")
    assert paragraphs[2] == "一、提高政治站位，坚决扛起巡察整改政治责任"
    assert paragraphs[4].startswith("（一）深化思想认识，切实增强巡察整改政治自觉。召开局党组会议")
    assert "二、聚焦解决问题，以务实有效的措施确保巡察反馈问题真改实改" in paragraphs
    assert "（一）关于政策环境方面" in paragraphs and "（四）关于政务环境方面" in paragraphs
    assert "1.部分政策相对滞后的整改" in paragraphs and "17.加强干部作风建设的整改" in paragraphs
    two = paragraphs[paragraphs.index("2.政策知晓度低的整改") + 1]
    assert two.startswith("一是加强政策宣介") and "。二是强化服务意识" in two
    single = paragraphs[paragraphs.index("1.部分政策相对滞后的整改") + 1]
    assert single.startswith("结合停车场行业发展变化")  # a single measure: its text alone
    assert paragraphs[-3].startswith("欢迎广大干部群众") and paragraphs[-2:] == [
        "中共广州市交通运输局党组",
        "2025年3月20日\n",
    ]


def test_numbering_comes_from_order_not_from_the_data(guangzhou) -> None:
    shuffled = replace(
        guangzhou,
        sections=[replace(section, number=99) for section in guangzhou.sections],
        areas=[
            replace(
                area, problems=[replace(problem, number=50 + i) for i, problem in enumerate(area.problems)]
            )
            for area in guangzhou.areas
        ],
    )
    assert render_text(shuffled) == render_text(guangzhou)
    assert [problem.number for problem in via_text(shuffled).problems] == list(range(1, 18))


# ----------------------------------------------------------------------------------------- escapes


def small(*problems: NoticeProblem, areas: list[NoticeArea] | None = None, **changes) -> NoticeDocument:
    doc = NoticeDocument(
        title="中共甲局党组关于巡察整改进展情况的通报",
        issuer="中共甲局党组",
        date=date(2025, 3, 1),
        opening="根据市委统一部署，2024年3月1日至4月30日，市委第一巡察组对甲局党组进行了常规巡察。",
        inspection=InspectionFacts(
            body="市委第一巡察组",
            inspected="甲局党组",
            theme="常规巡察",
            kind="patrol",
            start=date(2024, 3, 1),
            end=date(2024, 4, 30),
        ),
        sections=[NoticeSection(1, "巡察反馈问题整改情况", holds_problems=True)],
        areas=areas if areas is not None else [NoticeArea("关于执法方面", list(problems))],
        contact=ContactBlock(
            phones=["020-12345678"],
            text="欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：020-12345678。",
        ),
    )
    return replace(doc, **changes)


def problem(number: int, title: str, *texts: str) -> NoticeProblem:
    return NoticeProblem(number, title, [NoticeMeasure(text) for text in texts])


@pytest.mark.parametrize(
    "texts",
    [
        ["规范执法程序。"],
        ["规范执法程序"],  # no closing mark: nothing to add
        ["整改措施：规范执法程序。"],  # a label the parser would drop
        ["问题表现：执法不规范。已规范执法程序。"],  # read as a description, not a measure
        ["下一步，继续规范执法程序。"],  # closing words after the last problem
        ["1.规范执法程序。"],  # a marker at the start
        ["（一）规范执法程序。"],
        ["规范执法程序：（1）统一文书；（2）统一流程。"],  # a list inside one measure
        ["规范执法程序：1.统一文书；2.统一流程。"],
        ["规范执法程序：一是统一文书。"],
        ["规范执法程序", "加强执法培训"],  # no clause end: 一是…；二是…
        ["规范执法程序：", "加强执法培训。"],
        ["统一是前提，规范执法程序。", "加强培训。"],  # 统一是 is no marker
        ["整改措施：规范执法程序。", "1.加强培训。", "下一步，继续抓好。"],
    ],
)
def test_measures_come_back_as_written(texts: list[str]) -> None:
    doc = small(problem(1, "执法不规范的整改", *texts), problem(2, "培训不足的整改", *texts))
    for again in (via_text(doc), via_docx(doc)):
        assert [[m.text for m in p.measures] for p in again.problems] == [texts, texts]


def test_a_measure_with_its_own_ordinal_list_is_read_as_several() -> None:
    """The limit of the format: 二是 at a clause start inside a measure starts a measure, whatever
    the renderer does. The ledger's measures come from parsed notices, so they never hold one."""
    doc = small(problem(1, "执法不规范的整改", "规范执法程序：一是统一文书；二是统一流程。"))
    assert [m.text for m in via_text(doc).problems[0].measures] == ["统一文书", "统一流程。"]


def test_a_single_measure_is_its_text_unless_the_parser_would_misread_it() -> None:
    assert measures_paragraph(["规范执法程序。"]) == "规范执法程序。"
    assert measures_paragraph(["规范执法程序。", "加强培训。"]) == "一是规范执法程序。二是加强培训。"
    assert measures_paragraph(["规范执法程序", "加强培训"]) == "一是规范执法程序；二是加强培训"
    assert measures_paragraph(["整改措施：规范执法程序。"]) == "一是整改措施：规范执法程序。"
    assert measures_paragraph(["规范：（1）文书；（2）流程。"]) == "一是规范：（1）文书；（2）流程。"
    assert measures_paragraph([f"措施{n}。" for n in range(1, 13)]).startswith("一是措施1。")
    assert "。十二是措施12。" in measures_paragraph([f"措施{n}。" for n in range(1, 13)])


def test_a_heading_with_a_portal_word_keeps_its_place() -> None:
    """The parser drops short lines with portal words (无障碍, 技术支持…) as web-page chrome, but
    never a numbered one: the heading is written as it is and read back."""
    doc = small(
        problem(1, "无障碍设施建设滞后的整改", "加快改造。"),
        problem(2, "技术支持不到位的问题", "加强技术支持。"),
    )
    assert "1.无障碍设施建设滞后的整改" in render_text(doc).split("\n\n")
    for again in (via_text(doc), via_docx(doc), via_html(doc)):
        assert [p.title for p in again.problems] == ["无障碍设施建设滞后的整改", "技术支持不到位的问题"]


def test_areas_untitled_first_and_empty_areas() -> None:
    areas = [
        NoticeArea("", [problem(1, "台账不全的问题", "建立台账。")]),
        NoticeArea("关于服务方面", [problem(2, "审批时限过长的整改", "压缩时限。", "网上办理。")]),
        NoticeArea("关于空的方面", []),  # says nothing, so it is not written
        NoticeArea("关于作风方面", [problem(3, "作风不实的问题", "改进作风。")]),
    ]
    doc = small(areas=areas)
    text = render_text(doc)
    assert "（一）关于服务方面" in text and "（二）关于作风方面" in text and "空的方面" not in text
    expected = carried(replace(doc, areas=[areas[0], areas[1], areas[3]]))
    assert carried(via_text(doc)) == expected
    assert carried(via_docx(doc)) == expected


def test_a_notice_without_areas_or_parts() -> None:
    one = [
        NoticeArea(
            "", [problem(1, "台账不全的问题", "建立台账。"), problem(2, "制度缺失的问题", "建章立制。")]
        )
    ]
    doc = small(areas=one)
    assert "（一）" not in render_text(doc)
    assert carried(via_text(doc)) == carried(doc)
    bare = small(areas=one, sections=[])  # no part holds the problems: they follow the opening
    assert render_text(bare).split("\n\n")[2] == "1.台账不全的问题"
    assert carried(via_text(bare)) == carried(bare)
    # Parts, none of which holds the problems: the problems come first, then the parts.
    closing = [NoticeSection(1, "下一步工作打算", paragraphs=["继续抓好整改。"])]
    narrative = small(areas=one, sections=closing)
    assert render_text(narrative).split("\n\n")[2:4] == ["1.台账不全的问题", "建立台账。"]
    assert carried(via_text(narrative)) == carried(narrative)


def test_a_title_starting_with_a_digit_keeps_its_marker() -> None:
    doc = small(
        problem(1, "2个台账不全的问题", "建立台账。"), problem(2, "3.5%的指标未达标的问题", "加强考核。")
    )
    paragraphs = render_text(doc).split("\n\n")
    assert "1. 2个台账不全的问题" in paragraphs and "2. 3.5%的指标未达标的问题" in paragraphs
    for again in (via_text(doc), via_docx(doc), via_html(doc)):
        assert [p.title for p in again.problems] == ["2个台账不全的问题", "3.5%的指标未达标的问题"]


def test_one_part_per_area() -> None:
    sections = [
        NoticeSection(1, "关于党的建设方面", holds_problems=True),
        NoticeSection(2, "关于业务工作方面", holds_problems=True),
        NoticeSection(3, "下一步工作安排", paragraphs=["持续抓好整改。"]),
    ]
    areas = [
        NoticeArea("关于党的建设方面", [problem(1, "党建薄弱的问题", "加强党建。")]),
        NoticeArea("关于业务工作方面", [problem(2, "业务不精的问题", "加强培训。")]),
    ]
    doc = small(areas=areas, sections=sections)
    text = render_text(doc)
    assert (
        "一、关于党的建设方面\n\n1.党建薄弱的问题" in text
        and "二、关于业务工作方面\n\n2.业务不精的问题" in text
    )
    assert carried(via_text(doc)) == carried(doc)


def test_closing_words_of_the_problem_part_follow_its_problems() -> None:
    sections = [
        NoticeSection(
            1,
            "巡察反馈问题整改情况",
            paragraphs=["对反馈的问题逐项整改。", "下一步，将持续巩固整改成果。"],
            holds_problems=True,
        )
    ]
    doc = small(problem(1, "台账不全的问题", "建立台账。"), sections=sections)
    paragraphs = render_text(doc).strip().split("\n\n")
    assert paragraphs.index("对反馈的问题逐项整改。") < paragraphs.index("1.台账不全的问题")
    assert paragraphs.index("下一步，将持续巩固整改成果。") > paragraphs.index("建立台账。")
    assert carried(via_text(doc)) == carried(doc)


def test_a_contact_without_text_is_composed_and_read_back() -> None:
    contact = ContactBlock(
        phones=["020-83398776", "13923000000"],
        emails=["jjjc@example.gov.cn"],
        address="广州市越秀区东风中路318号",
        postcode="510030",
    )
    written = contact_text(contact)
    assert written.startswith("欢迎广大干部群众对整改落实情况进行监督。")
    assert "联系电话：020-83398776、13923000000；电子邮箱：jjjc@example.gov.cn" in written
    again = via_text(small(problem(1, "台账不全的问题", "建立台账。"), contact=contact))
    assert replace(again.contact, text="") == contact and again.contact.text == written
    assert contact_text(ContactBlock()) == ""


# ---------------------------------------------------------------------------------------------- HTML


def test_html_is_a_semantic_escaped_fragment(guangzhou) -> None:
    page = render_html(guangzhou)
    assert page.startswith('<article class="notice">') and "<html" not in page and "<head" not in page
    assert page.count("<h1") == 1 and page.count("<h2") == 3
    assert page.count('<h3 class="notice-area">') == 4 and page.count('<h3 class="notice-subsection">') == 8
    assert page.count("<h4") == 17
    assert (
        '<h3 class="notice-subsection">（一）深化思想认识，切实增强巡察整改政治自觉</h3>\n<p>召开局党组会议'
        in page
    )
    assert '<p class="notice-issuer">中共广州市交通运输局党组</p>' in page
    assert '<p class="notice-date">2025年3月20日</p>' in page
    assert "“广州交通”" in page  # quotes are text, not markup

    hostile = small(
        problem(1, '<script>alert("x")</script>的问题', "加强<b>管理</b> & 监督。"),
        title="<img src=x onerror=alert(1)>关于巡察整改进展情况的通报",
        issuer="中共甲局党组&amp;",
    )
    page = render_html(hostile)
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "加强&lt;b&gt;管理&lt;/b&gt; &amp; 监督。" in page and "中共甲局党组&amp;amp;" in page


# ---------------------------------------------------------------------------------------------- Word


def paragraphs_of(document) -> list:
    return [paragraph for paragraph in document.paragraphs if paragraph.text.strip()]


def fonts(paragraph) -> list[tuple[str | None, str | None, object, bool | None]]:
    return [
        (run.font.name, run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size, run.font.bold)
        for run in paragraph.runs
        if run.text
    ]


def test_docx_page_margins_and_grid(guangzhou_docx) -> None:
    section = guangzhou_docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(getattr(section, f"{side}_margin").mm) for side in ("top", "bottom", "left", "right")] == [
        37,
        35,
        28,
        26,
    ]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"  # 28.95 pt
    # 22 lines of 28.95 pt fill the type area (225 mm) exactly.
    assert abs(22 * Pt(28.95) - (Mm(297) - Mm(37) - Mm(35))) < Pt(1)


def test_docx_fonts_and_alignment(guangzhou_docx) -> None:
    paragraphs = paragraphs_of(guangzhou_docx)
    by_text = {paragraph.text: paragraph for paragraph in paragraphs}
    title = paragraphs[0]
    assert title.text == "中共广州市交通运输局党组\n关于巡察整改进展情况的通报"  # broken before 关于
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {font[:3] for font in fonts(title)} == {("方正小标宋简体", "方正小标宋简体", Pt(22))}

    body = paragraphs[1]
    assert body.text.startswith("根据市委统一部署")
    assert fonts(body) == [("仿宋_GB2312", "仿宋_GB2312", Pt(16), False)]
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters
    assert body.paragraph_format.line_spacing == Pt(28.95)
    assert body.paragraph_format.line_spacing_rule is not None  # exact
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY

    part = by_text["一、提高政治站位，坚决扛起巡察整改政治责任"]
    assert fonts(part) == [("黑体", "黑体", Pt(16), False)] and part.paragraph_format.keep_with_next
    area = by_text["（一）关于政策环境方面"]
    assert fonts(area) == [("楷体_GB2312", "楷体_GB2312", Pt(16), False)]
    problem_heading = by_text["1.部分政策相对滞后的整改"]
    assert fonts(problem_heading) == [("仿宋_GB2312", "仿宋_GB2312", Pt(16), True)]
    subsection = next(p for p in paragraphs if p.text.startswith("（一）深化思想认识"))
    assert [font[0] for font in fonts(subsection)] == ["楷体_GB2312", "仿宋_GB2312"]
    assert subsection.runs[0].text == "（一）深化思想认识，切实增强巡察整改政治自觉。"

    issuer, day = paragraphs[-2:]
    assert (issuer.text, day.text) == ("中共广州市交通运输局党组", "2025年3月20日")
    for paragraph in (issuer, day):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert fonts(paragraph)[0][0] == "仿宋_GB2312"
    # GB/T 9704: the issuer two characters from the right, the date starting two characters in
    # under it: 12 characters of issuer, 6.5 of date → the date 5.5 characters from the right.
    assert issuer.paragraph_format.right_indent == Pt(32)
    assert day.paragraph_format.right_indent == Pt(16 * 5.5)
    assert issuer.paragraph_format.space_before == Pt(28.95)
    # Headings keep with what follows; the signature keeps with the body's last lines.
    assert area.paragraph_format.keep_with_next and problem_heading.paragraph_format.keep_with_next
    assert (
        paragraphs[-3].text.startswith("欢迎广大干部群众") and paragraphs[-3].paragraph_format.keep_with_next
    )
    assert issuer.paragraph_format.keep_with_next and not day.paragraph_format.keep_with_next
    assert not body.paragraph_format.keep_with_next

    assert guangzhou_docx.styles["Normal"].font.name == "仿宋_GB2312"
    assert guangzhou_docx.core_properties.title == "中共广州市交通运输局党组关于巡察整改进展情况的通报"
    assert guangzhou_docx.core_properties.author == "中共广州市交通运输局党组"


def test_docx_page_numbers_and_font_table(guangzhou_docx) -> None:
    section = guangzhou_docx.sections[0]
    assert guangzhou_docx.settings.odd_and_even_pages_header_footer
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert "".join(paragraph._p.xpath(".//w:instrText/text()")).strip() == "PAGE"
        assert paragraph._p.xpath(".//w:fldChar/@w:fldCharType") == ["begin", "separate", "end"]
        assert paragraph.text == "— 1 —"  # 1 is the field's placeholder
        assert {(run.font.name, run.font.size) for run in paragraph.runs} == {("宋体", Pt(14))}
    assert section.footer.paragraphs[0].paragraph_format.right_indent == Pt(14)
    assert section.even_page_footer.paragraphs[0].paragraph_format.left_indent == Pt(14)

    part = next(
        p for p in guangzhou_docx.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"
    )
    table = etree.fromstring(part.blob)
    alternatives = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in table.findall(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert alternatives["方正小标宋简体"] == "宋体"
    assert alternatives["仿宋_GB2312"] == "仿宋" and alternatives["楷体_GB2312"] == "楷体"


def test_docx_without_issuer_or_date() -> None:
    doc = small(problem(1, "台账不全的问题", "建立台账。"), issuer="", date=None)
    paragraphs = paragraphs_of(docx.Document(io.BytesIO(render_docx(doc))))
    assert paragraphs[-1].text.startswith("欢迎广大干部群众")
    assert [block.kind for block in blocks(doc)][-1] == "contact"


# ----------------------------------------------------------------------------------------- property

PROPERTY = settings(
    derandomize=True,
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters of ordinary notice prose that cannot form a structural or chrome word by chance
# (no 是 for 二是, no 不/问题/方面 for problem-like headings, no 电话/邮箱 for contact lines…).
PROSE = (
    "加强推进落实制度建设工作管理服务机制完善规范提升优化开展组织健全深化持续全面党员干部群众"
    "政务市场营商交通运输行业企业信息平台考核责任清单项目资金安全质量效能"
)
NAMES = "交通运输教育卫生健康水务民政文化旅游林业"
DIGITS = "0123456789"
NARRATIVE_TITLES = ["提高政治站位，", "加强组织领导，", "坚持常态长效，", "下一步工作打算：", "总体情况："]
PROBLEM_PART_TITLES = [
    "聚焦解决问题，确保巡察反馈问题真改实改",
    "巡察反馈问题整改落实情况",
    "反馈意见整改情况",
]

words = st.text(alphabet=PROSE, min_size=2, max_size=10)
number_words = st.builds(
    lambda n, unit: f"{n}{unit}", st.integers(0, 2025), st.sampled_from(["个", "项", "%", "年", "万元", "次"])
)
phrase = st.one_of(
    words,
    words,
    number_words,
    words.map(lambda w: f"“{w}”"),
    words.map(lambda w: f"（{w}）"),
    st.lists(words, min_size=2, max_size=3).map("、".join),
)
clause = st.lists(phrase, min_size=1, max_size=3).map("".join)
sentence = st.builds(
    lambda clauses, joints, end: (
        "".join(c + j for c, j in zip(clauses, joints, strict=False)) + clauses[-1] + end
    ),
    st.lists(clause, min_size=1, max_size=3),
    st.lists(st.sampled_from(["，", "；", "：", "、"]), min_size=2, max_size=2),
    st.sampled_from(["。", "。", "！"]),
)
prose = st.lists(sentence, min_size=1, max_size=3).map("".join)
# A measure: prose, sometimes without a closing mark, sometimes in a shape that needs an escape when
# it stands alone (label, description, closing words, marker, a list inside).
measure_text = st.one_of(
    prose,
    prose,
    prose.map(lambda text: text.rstrip("。！")),
    prose.map(lambda text: f"整改措施：{text}"),
    prose.map(lambda text: f"问题表现：{text}"),
    prose.map(lambda text: f"下一步，{text}"),
    prose.map(lambda text: f"3.{text}"),
    st.builds(lambda a, b, c: f"{a}：（1）{b}；（2）{c}", clause, prose, prose),
    st.builds(lambda a, b, c: f"{a}：1.{b}2.{c}", clause, prose, prose),
    st.builds(lambda a, b: f"{a}：一是{b}", clause, prose),
).filter(lambda text: text.strip() == text and text[-1] not in "；;，,、")
heading_words = st.text(alphabet=PROSE, min_size=2, max_size=16)
problem_title = st.one_of(
    heading_words.map(lambda w: f"{w}的整改"),
    heading_words.map(lambda w: f"{w}的问题"),
    heading_words.map(lambda w: f"{w}不到位的问题"),
    heading_words.map(lambda w: f"无障碍{w}的整改"),  # page-chrome word: escaped
    st.builds(lambda n, w: f"{n}个{w}的问题", st.integers(2, 99), heading_words),
)
area_title = st.one_of(heading_words.map(lambda w: f"关于{w}方面"), heading_words)


@st.composite
def days(draw, start: int = 2000, end: int = 2030) -> date:
    return draw(st.dates(date(start, 1, 1), date(end, 12, 31)))


@st.composite
def notices(draw) -> NoticeDocument:
    number = 0

    def problems(count: int) -> list[NoticeProblem]:
        nonlocal number
        out = []
        for _ in range(count):
            number += 1
            out.append(
                NoticeProblem(
                    number,
                    draw(problem_title),
                    [NoticeMeasure(text) for text in draw(st.lists(measure_text, min_size=1, max_size=4))],
                )
            )
        return out

    if draw(st.booleans()):
        areas = [NoticeArea("", problems(draw(st.integers(1, 4))))]  # no areas: one untitled
    else:
        titles = draw(st.lists(area_title, min_size=1, max_size=4))
        if draw(st.integers(0, 4)) == 0:
            titles[0] = ""  # problems before the first titled area
        areas = [NoticeArea(title, problems(draw(st.integers(1, 3)))) for title in titles]

    def narrative() -> NoticeSection:
        subsections = [
            NoticeSubsection(0, draw(heading_words), "\n".join(draw(st.lists(prose, min_size=0, max_size=2))))
            for _ in range(draw(st.integers(0, 3)))
        ]
        return NoticeSection(
            0,
            draw(st.sampled_from(NARRATIVE_TITLES)) + draw(heading_words),
            paragraphs=draw(st.lists(prose, max_size=2)),
            subsections=subsections,
        )

    closing = draw(st.lists(prose.map(lambda text: f"下一步，{text}"), max_size=1))
    holding = NoticeSection(
        0,
        draw(st.sampled_from(PROBLEM_PART_TITLES)),
        paragraphs=draw(st.lists(prose, max_size=1)) + closing,
        holds_problems=True,
    )
    sections = [narrative() for _ in range(draw(st.integers(0, 1)))]
    sections += [holding] + [narrative() for _ in range(draw(st.integers(0, 2)))]
    for index, section in enumerate(sections, start=1):
        section.number = index
        for position, subsection in enumerate(section.subsections, start=1):
            subsection.number = position

    name = draw(st.text(alphabet=NAMES, min_size=2, max_size=4))
    start = draw(days(2015, 2028))
    end = draw(st.dates(start, date(start.year, 12, 31)))
    feedback = draw(st.dates(end, date(start.year + 1, 12, 31)))
    body = f"市委第{draw(st.sampled_from('一二三四五六七八九十'))}巡察组"
    theme = draw(st.sampled_from(["常规巡察", f"{draw(heading_words)}专项巡察"]))
    same_year = (
        f"{end.month}月{end.day}日" if end.year == start.year else f"{end.year}年{end.month}月{end.day}日"
    )
    opening = (
        f"根据市委统一部署，{start.year}年{start.month}月{start.day}日至{same_year}，{body}对市{name}局党组"
        f"进行了{theme}。{feedback.year}年{feedback.month}月{feedback.day}日，市委巡察组反馈了巡察意见。"
    )
    if draw(st.booleans()):
        opening += "\n" + draw(prose)
    facts = InspectionFacts(body, f"市{name}局党组", theme, "patrol", "", start, end, feedback)

    phones = draw(
        st.lists(
            st.one_of(
                st.from_regex(r"0[1-9][0-9]{1,2}-[2-8][0-9]{7}", fullmatch=True),
                st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
            ),
            max_size=2,
            unique=True,
        )
    )
    emails = draw(st.lists(st.from_regex(r"[a-z]{2,8}@[a-z]{2,6}\.gov\.cn", fullmatch=True), max_size=1))
    address = draw(
        st.one_of(st.just(""), st.builds(lambda w, n: f"{w}路{n}号", heading_words, st.integers(1, 999)))
    )
    postcode = draw(st.one_of(st.just(""), st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)))
    contact = ContactBlock(phones, emails, address, postcode)
    contact.text = contact_text(contact)

    return NoticeDocument(
        title=f"中共市{name}局党组关于巡察整改进展情况的通报",
        issuer=draw(st.sampled_from([f"中共市{name}局党组", ""])),
        date=draw(days()),
        opening=opening,
        inspection=facts,
        sections=sections,
        areas=areas,
        contact=contact,
    )


@PROPERTY
@given(notices())
def test_generated_notices_round_trip_through_text(doc: NoticeDocument) -> None:
    assert carried(via_text(doc)) == carried(doc)


@settings(PROPERTY, max_examples=20)
@given(notices())
def test_generated_notices_round_trip_through_docx_and_html(doc: NoticeDocument) -> None:
    assert carried(via_docx(doc)) == carried(doc)
    assert carried(via_html(doc)) == carried(doc)
