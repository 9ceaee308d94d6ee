"""The real Guangzhou notice, read exactly: every field the importer and the generator rely on.

The expected values are written out by hand from the published notice; where a value is a whole
paragraph it is taken from the fixture line itself, so the test says which line it must be.
"""

from __future__ import annotations

import html
import io
import json
import time
from datetime import date
from pathlib import Path

import docx
import pytest

from rectify.notices.document import NoticeDocument
from rectify.notices.parser import parse, parse_bytes, parse_file

GUANGZHOU = Path(__file__).resolve().parents[2] / "src/rectify/notices/data/guangzhou-transport-2025.txt"
TEXT = GUANGZHOU.read_text(encoding="utf-8")
LINES = [line.strip() for line in TEXT.splitlines()]

TITLE = "中共广州市交通运输局党组关于巡察整改进展情况的通报"

AREA_TITLES = ["关于政策环境方面", "关于法治环境方面", "关于市场环境方面", "关于政务环境方面"]
PROBLEMS_PER_AREA = [6, 4, 3, 4]
PROBLEM_TITLES = [
    "部分政策相对滞后的整改",
    "政策知晓度低的整改",
    "应对交通运输行业民营企业需求不及时的整改",
    "部分惠企利企政策及相关事宜的整改",
    "企业竞争力不强、创新发展不够的整改",
    "部分交通运输行业经营困难的整改",
    "规范行政执法的整改",
    "扩大行政执法减免责范围的整改",
    "货运行业加强部门协同监管的整改",
    "加强南站非法营运监管的整改",
    "规范养护工程招投标的整改",
    "加快打通交通拥堵点的整改",
    "加强占道施工行业监管的整改",
    "规范备案事项管理的整改",
    "提升政务服务效能的整改",
    "提高行政处罚案件线上办理率的整改",
    "加强干部作风建设的整改",
]
MEASURES_PER_PROBLEM = [1, 2, 1, 2, 1, 3, 3, 1, 3, 3, 1, 1, 4, 3, 2, 2, 3]
ORDINALS = "一二三四五六七八九"


def line_starting(prefix: str) -> str:
    """The fixture paragraph that starts with `prefix` (stripped of its indentation)."""
    matches = [line for line in LINES if line.startswith(prefix)]
    assert len(matches) == 1, prefix
    return matches[0]


@pytest.fixture(scope="module")
def doc() -> NoticeDocument:
    return parse(TEXT)


def test_title_issuer_date(doc: NoticeDocument) -> None:
    assert doc.title == TITLE
    assert doc.issuer == "中共广州市交通运输局党组"
    assert doc.date == date(2025, 3, 20)


def test_opening_is_the_first_paragraph(doc: NoticeDocument) -> None:
    assert doc.opening == line_starting("根据市委统一部署")
    assert doc.opening.startswith("根据市委统一部署,2023年8月16日至9月28日,")
    assert doc.opening.endswith("现将巡察整改进展情况予以公布。")


def test_inspection_facts(doc: NoticeDocument) -> None:
    facts = doc.inspection
    assert facts.body == "市委第七巡察组"
    assert facts.inspected == "市交通运输局党组"
    assert facts.theme == "优化营商环境促进民营经济发展壮大专项巡察"
    assert facts.kind == "patrol"
    assert facts.start == date(2023, 8, 16)
    assert facts.end == date(2023, 9, 28)  # "至9月28日": the year carries over from the start
    assert facts.feedback_date == date(2024, 1, 19)
    # "十二届市委第六轮" is named in part 3 about another inspection, not in the opening or title.
    assert facts.round == ""


def test_disclosure_meta(doc: NoticeDocument) -> None:
    meta = doc.meta
    assert meta.index_number == "11440100MB2C91373B/2025-00273"
    assert meta.category == "机关党建、通告"
    assert meta.publisher == "广州市交通运输局"
    assert meta.written_date == date(2025, 3, 20)
    assert meta.published_date == date(2025, 3, 27)
    assert meta.name == TITLE
    assert meta.document_number == ""
    assert meta.subject_terms == ""


def test_page_chrome_is_ignored(doc: NoticeDocument) -> None:
    dumped = json.dumps(doc.to_dict(), ensure_ascii=False)
    for chrome in (
        "无障碍",
        "长者助手",
        "收藏",
        "规章库",
        "法定主动公开内容",
        "【打印】",
        "【字体",
        "浏览次数",
    ):
        assert chrome not in dumped, chrome


def test_three_parts(doc: NoticeDocument) -> None:
    assert [section.number for section in doc.sections] == [1, 2, 3]
    assert [section.title for section in doc.sections] == [
        "提高政治站位,坚决扛起巡察整改政治责任",
        "聚焦解决问题,以务实有效的措施确保巡察反馈问题真改实改",
        "坚持常态长效,以巡察整改推动优化营商环境工作全面提升",
    ]
    assert [section.holds_problems for section in doc.sections] == [False, True, False]


def test_part_one(doc: NoticeDocument) -> None:
    part = doc.sections[0]
    assert part.paragraphs == [line_starting("市交通运输局党组坚决扛起")]
    assert [(sub.number, sub.title) for sub in part.subsections] == [
        (1, "深化思想认识,切实增强巡察整改政治自觉"),
        (2, "强化组织领导,层层传导整改责任压力"),
        (3, "精心组织实施,从严从实抓好整改落实"),
        (4, "持续优化服务,打造一流营商环境"),
    ]
    for sub, marker in zip(part.subsections, ["(一)", "(二)", "(三)", "(四)"], strict=True):
        paragraph = line_starting(marker + sub.title)
        assert sub.text == paragraph.split("。", 1)[1]
    assert part.subsections[0].text.startswith("召开局党组会议,")
    assert part.subsections[0].text.endswith("逐一落实推进。")


def test_problem_part_holds_no_narrative(doc: NoticeDocument) -> None:
    part = doc.sections[1]
    assert part.paragraphs == []
    assert part.subsections == []


def test_part_three(doc: NoticeDocument) -> None:
    part = doc.sections[2]
    assert part.paragraphs == [line_starting("下一步,局党组")]
    assert [sub.title for sub in part.subsections] == [
        "深化理论学习,强化思想政治引领",
        "深化推进整改,持续攻坚克难",
        "建立长效机制,巩固整改成果",
        "强化正风肃纪,持续构建新型政商关系",
    ]
    last = part.subsections[-1]
    assert last.text.startswith("结合整治群众身边不正之风")
    assert last.text.endswith("有为有畏的政商环境。")
    assert "欢迎广大干部群众" not in last.text  # the contact block is not part 3


def test_areas(doc: NoticeDocument) -> None:
    assert [area.title for area in doc.areas] == AREA_TITLES
    assert [len(area.problems) for area in doc.areas] == PROBLEMS_PER_AREA


def test_problems(doc: NoticeDocument) -> None:
    assert [problem.number for problem in doc.problems] == list(range(1, 18))
    assert [problem.title for problem in doc.problems] == PROBLEM_TITLES


def test_problem_source_text_is_the_body_paragraph(doc: NoticeDocument) -> None:
    for problem in doc.problems:
        heading = LINES.index(f"{problem.number}.{problem.title}")
        body = next(line for line in LINES[heading + 1 :] if line)
        assert problem.source_text == body


def test_measure_counts(doc: NoticeDocument) -> None:
    assert [len(problem.measures) for problem in doc.problems] == MEASURES_PER_PROBLEM
    assert doc.measure_count == 36


def test_measures_rebuild_the_body(doc: NoticeDocument) -> None:
    """Each measure is its marker's text, trimmed: putting the markers back gives the paragraph."""
    for problem in doc.problems:
        texts = [measure.text for measure in problem.measures]
        if len(texts) == 1:
            assert texts == [problem.source_text]
        else:
            rebuilt = "".join(f"{ORDINALS[index]}是{text}" for index, text in enumerate(texts))
            assert rebuilt == problem.source_text
        for text in texts:
            assert text == text.strip()
            assert not text.startswith(tuple(f"{ordinal}是" for ordinal in ORDINALS))


def test_measure_example(doc: NoticeDocument) -> None:
    first = doc.problems[1].measures[0].text
    assert first.startswith("加强政策宣介,充分利用政府网站")
    assert first.endswith("加大政策解读和宣传力度。")
    assert doc.problems[1].measures[1].text.startswith("强化服务意识,充分发挥行业协会桥梁作用。")
    assert doc.problems[15].measures[1].text == "完成自助系统线上缴款案件全覆盖升级。"


def test_contact(doc: NoticeDocument) -> None:
    contact = doc.contact
    assert contact.phones == ["020-38180385"]
    assert contact.emails == ["gzsjtjjjjc@gz.gov.cn"]
    assert contact.address == "广州市天河区天河南二路1号广州市纪委监委驻市交通运输局纪检监察组"
    assert contact.postcode == "510620"
    assert contact.text == line_starting("欢迎广大干部群众")
    assert contact.text.endswith("邮编:510620。")


def test_text_is_kept_as_written(doc: NoticeDocument) -> None:
    """The fixture uses half-width , : ( ); nothing may be rewritten to full width."""
    assert "," in doc.opening and "，" not in doc.opening
    assert "(信封请注明" in doc.contact.text
    assert "危险废物(含医疗废物)" in doc.problems[8].measures[0].text


def test_to_dict_is_json_ready(doc: NoticeDocument) -> None:
    data = json.loads(json.dumps(doc.to_dict(), ensure_ascii=False))
    assert data["date"] == "2025-03-20"
    assert data["inspection"]["feedback_date"] == "2024-01-19"
    assert len(data["areas"][0]["problems"][1]["measures"]) == 2


def _as_html(text: str) -> bytes:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>通报</title>"
        "<script>document.write('一、脚本里的字');</script><style>p{margin:0}</style></head><body>"
        "<header>广州市交通运输局</header><nav><ul><li>首页</li><li>政务公开</li></ul></nav>"
        f"<div class='main'>{body}</div><footer>主办单位：广州市交通运输局</footer></body></html>"
    )
    return page.encode("utf-8")


def _as_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        pytest.param(TEXT.encode("utf-8"), "notice.txt", id="utf-8"),
        pytest.param(TEXT.encode("utf-8-sig"), "notice.txt", id="utf-8-bom"),
        pytest.param(TEXT.encode("gb18030"), "notice.txt", id="gb18030"),
        pytest.param(TEXT.encode("utf-16"), None, id="utf-16"),
        pytest.param(TEXT.encode("utf-8"), "misnamed.docx", id="name-is-only-a-hint"),
        pytest.param(_as_html(TEXT), "notice.html", id="html"),
        pytest.param(_as_html(TEXT), None, id="html-unnamed"),
        pytest.param(_as_docx(TEXT), "notice.docx", id="docx"),
        pytest.param(_as_docx(TEXT), "notice.txt", id="docx-misnamed"),
    ],
)
def test_every_format_reads_the_same(doc: NoticeDocument, data: bytes, filename: str | None) -> None:
    assert parse_bytes(data, filename=filename) == doc


def test_parse_file(doc: NoticeDocument, tmp_path: Path) -> None:
    assert parse_file(GUANGZHOU) == doc
    copy = tmp_path / "通报.docx"
    copy.write_bytes(_as_docx(TEXT))
    assert parse_file(str(copy)) == doc


def test_parse_accepts_windows_line_endings(doc: NoticeDocument) -> None:
    assert parse(TEXT.replace("\n", "\r\n")) == doc


def test_fast() -> None:
    """A few milliseconds; the bound is loose so a busy CI machine does not fail it."""
    parse(TEXT)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        parse(TEXT)
        runs.append(time.perf_counter() - started)
    assert min(runs) < 0.05
