"""House styles other than Guangzhou's: the parser must read notices nobody has shown us.

Each fixture in tests/fixtures/notices is a realistic notice written for these tests (organisations
and numbers are made up), each in a different style:

v1  巡视, province; no areas; measures as separate paragraphs; 二〇二四年 signature date
v2  巡察, district; problems are （一）关于…的问题 headings; measures as １．/1.…；2.…/（1）… lists
v3  巡察, city; areas （一）关于…方面; problems 1、 restarting per area; 一是…十一是; Chinese dates
v4  巡察, county; an HTML page with nav/script/meta table; problems （1）; measures ①②
v5  审计, city; heading and body on one line: "3.关于…的问题。整改措施：一是…"; no contact
v6  巡察, school; no parts: problems are 一、关于…的问题; closing 下一步 paragraph; month-only dates
v7  巡察, enterprise; the parts themselves are the areas (一、关于…方面)
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import docx
import pytest

from rectify.notices.document import NoticeDocument
from rectify.notices.parser import parse, parse_bytes, parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notices"


def load(name: str) -> NoticeDocument:
    return parse_file(FIXTURES / name)


def outline(document: NoticeDocument) -> list[tuple[str, list[tuple[int, str, int]]]]:
    """Areas with their problems as (number, title, measure count): the shape the ledger gets."""
    return [
        (area.title, [(problem.number, problem.title, len(problem.measures)) for problem in area.problems])
        for area in document.areas
    ]


def measures(document: NoticeDocument, number: int) -> list[str]:
    problem = next(problem for problem in document.problems if problem.number == number)
    return [measure.text for measure in problem.measures]


# ------------------------------------------------------------------------------------------ v1


def test_v1_tour_without_areas() -> None:
    doc = load("v1_province_tour_no_areas.txt")
    assert doc.title == "中共广东省水利厅党组关于十三届省委第五轮巡视整改进展情况的通报"
    assert doc.issuer == "中共广东省水利厅党组"
    assert doc.date == date(2024, 12, 16)  # 二〇二四年十二月十六日
    assert outline(doc) == [
        (
            "",
            [
                (1, "贯彻落实习近平总书记关于治水重要论述不够深入的问题", 2),
                (2, "水旱灾害防御责任落实不到位的问题", 3),
                (3, "水利工程建设领域监管不严的问题", 3),
                (4, "干部队伍建设统筹谋划不够的问题", 3),
            ],
        )
    ]


def test_v1_facts() -> None:
    facts = load("v1_province_tour_no_areas.txt").inspection
    assert facts.kind == "tour"
    assert facts.body == "省委第三巡视组"
    assert facts.inspected == "省水利厅党组"
    assert facts.theme == "常规巡视"
    assert facts.round == "十三届省委第五轮"  # stated in the title
    assert (facts.start, facts.end, facts.feedback_date) == (
        date(2024, 4, 8),
        date(2024, 6, 14),
        date(2024, 8, 22),
    )


def test_v1_measures_as_paragraphs_and_markers() -> None:
    doc = load("v1_province_tour_no_areas.txt")
    assert measures(doc, 1) == [
        "厅党组将学习贯彻习近平总书记关于治水的重要论述纳入党组理论学习中心组年度学习计划，开展专题学习研讨4次。",
        "组织全省水利系统开展“水利大讲堂”专题培训，覆盖干部职工1200余人次。",
    ]
    # 统一是 inside a sentence is not the ordinal 一是.
    assert measures(doc, 3)[1] == (
        "建立水利建设市场主体信用评价制度，做到评价标准全省统一是这项工作的关键，目前已对2家失信企业实施联合惩戒。"
    )
    # A sentence before 一是 is kept as its own measure.
    assert measures(doc, 4)[0] == "厅党组对照巡视反馈意见逐条研究，坚持立行立改。"
    assert doc.problems[0].source_text.count("\n") == 1


def test_v1_sections_and_contact() -> None:
    doc = load("v1_province_tour_no_areas.txt")
    assert [(s.number, s.title, s.holds_problems) for s in doc.sections] == [
        (1, "整改工作总体情况", False),
        (2, "巡视反馈问题整改落实情况", True),
        (3, "下一步工作打算", False),
    ]
    assert [sub.title for sub in doc.sections[0].subsections] == [
        "强化政治担当，压实整改责任",
        "坚持标本兼治，健全长效机制",
    ]
    assert doc.sections[0].paragraphs[0].startswith("省水利厅党组把巡视整改作为重大政治任务")
    assert doc.sections[2].paragraphs[0].startswith("下一步，省水利厅党组将持续巩固")
    assert doc.contact.phones == ["020-38356123", "020-38356124"]
    assert doc.contact.emails == ["slt_xszg@gd.gov.cn"]
    assert doc.contact.address == "广州市越秀区2301号信箱"
    assert doc.contact.postcode == "510635"
    assert doc.meta.index_number == ""  # a plain text notice has no portal metadata
    assert doc.meta.published_date is None


# ------------------------------------------------------------------------------------------ v2


def test_v2_paren_problems_with_numbered_measures() -> None:
    doc = load("v2_district_paren_problems.txt")
    assert outline(doc) == [
        (
            "",
            [
                (1, "关于落实党的路线方针政策不够到位的问题", 3),
                (2, "关于基层党组织建设存在薄弱环节的问题", 3),
                (3, "关于落实中央八项规定精神不够严格的问题", 2),
                (4, "关于财务管理不规范的问题", 3),
            ],
        )
    ]


def test_v2_measures() -> None:
    doc = load("v2_district_paren_problems.txt")
    # Full-width "１．" markers removed; the description (问题表现：) is not a measure.
    assert measures(doc, 1)[0] == "完善党工委理论学习中心组学习制度，全年开展集中学习研讨12次。"
    assert not any("问题表现" in text for text in measures(doc, 1))
    assert doc.problems[0].source_text.startswith("问题表现：学习贯彻")
    assert "１．完善党工委" in doc.problems[0].source_text
    # "1.xxx；2.xxx；3.xxx。" in one paragraph.
    assert measures(doc, 2) == [
        "对全街道26个村（社区）党组织开展全覆盖督导",
        "完成3个软弱涣散党组织整顿转化",
        "规范“三会一课”记录，统一印发会议记录本。",
    ]
    # 整改情况： dropped; "2.3万元" is not a list marker.
    assert measures(doc, 3) == [
        "开展公务接待、公车使用专项检查，清退违规报销费用2.3万元。",
        "对3名相关责任人进行提醒谈话。",
    ]
    # 整改措施：（1）…；（2）…；（3）…
    assert measures(doc, 4)[1] == "开展专项资金使用情况自查，收回闲置资金156万元"


def test_v2_sections_facts_contact() -> None:
    doc = load("v2_district_paren_problems.txt")
    assert [(s.title, s.holds_problems) for s in doc.sections] == [
        ("提高政治站位，扛起整改主体责任", False),
        ("巡察反馈问题整改情况", True),
        ("下一步工作", False),
    ]
    # Heading-only subsections take the paragraph below as their text.
    first = doc.sections[0].subsections[0]
    assert (first.number, first.title) == (1, "加强组织领导")
    assert first.text.startswith("成立由党工委书记任组长")
    assert doc.sections[2].subsections[1].title == "建立长效机制"
    facts = doc.inspection
    assert (facts.body, facts.inspected, facts.theme, facts.kind) == (
        "区委第二巡察组",
        "容桂街道党工委",
        "常规巡察",
        "patrol",
    )
    assert facts.feedback_date == date(2024, 7, 3)  # "同年7月3日"
    assert doc.issuer == "中共佛山市顺德区容桂街道工作委员会"
    assert doc.date == date(2024, 11, 5)
    # A contact block over four lines.
    assert doc.contact.text.count("\n") == 3
    assert doc.contact.phones == ["0757-22832345"]
    assert doc.contact.emails == ["rgjdxczg@shunde.gov.cn"]
    assert doc.contact.address == "佛山市顺德区容桂街道容桂大道中8号"
    assert doc.contact.postcode == "528303"


# ------------------------------------------------------------------------------------------ v3


def test_v3_restarting_numbers_are_renumbered() -> None:
    doc = load("v3_city_restart_numbering.txt")
    assert outline(doc) == [
        (
            "关于贯彻落实党中央决策部署方面",
            [(1, "稳就业政策宣传落实不够精准的问题", 3), (2, "技能人才培养与产业需求衔接不够紧密的问题", 11)],
        ),
        (
            "关于落实全面从严治党责任方面",
            [(3, "廉政风险防控机制不够健全的问题", 1), (4, "社保基金监管存在漏洞的问题", 2)],
        ),
    ]


def test_v3_eleven_ordinals_and_chinese_dates() -> None:
    doc = load("v3_city_restart_numbering.txt")
    eleven = measures(doc, 2)
    assert eleven[9] == "推行企业新型学徒制。"
    assert eleven[10].startswith("建立技能人才评价结果互认机制")
    assert measures(doc, 3)[0].startswith("对照社保基金管理")  # 统一是 does not split
    facts = doc.inspection
    assert (facts.start, facts.end, facts.feedback_date) == (
        date(2024, 5, 6),
        date(2024, 7, 5),
        date(2024, 9, 12),
    )
    assert facts.body == "十四届市委第三巡察组"
    assert facts.inspected == "市人力资源和社会保障局党组"
    # Not stated, so not invented.
    assert facts.round == ""
    assert doc.contact.text == "" and doc.contact.phones == []
    assert [s.holds_problems for s in doc.sections] == [False, True]


# ------------------------------------------------------------------------------------------ v4


def test_v4_html_page() -> None:
    doc = load("v4_county_circled.html")
    assert doc.title == "中共连平县教育局党组关于县委巡察整改进展情况的通报"
    assert outline(doc) == [
        (
            "关于教育民生政策落实方面",
            [(1, "学生资助政策落实不够精准的问题", 3), (2, "校园食品安全管理存在薄弱环节的问题", 2)],
        ),
        ("关于干部队伍建设方面", [(3, "教师交流轮岗推进缓慢的问题", 1)]),
    ]
    assert measures(doc, 1)[1] == "建立民政、残联、教育部门数据比对机制，每学期比对一次"
    assert measures(doc, 2)[1] == "推行“互联网+明厨亮灶”，学校食堂覆盖率达到100%。"


def test_v4_html_meta_facts_and_chrome() -> None:
    doc = load("v4_county_circled.html")
    meta = doc.meta
    assert meta.index_number == "007218532/2024-01156"
    assert meta.category == "党务公开"
    assert meta.publisher == "连平县教育局"
    assert meta.written_date == date(2024, 10, 18)
    assert meta.published_date == date(2024, 10, 21)
    assert meta.name == doc.title
    assert meta.document_number == "连教党〔2024〕21号"
    assert meta.subject_terms == ""
    # A line break in the page source between Chinese text is layout, not a space.
    assert doc.inspection.theme == "“教育民生”专项巡察"
    assert "开展了“教育民生”专项巡察" in doc.opening
    assert (doc.inspection.start, doc.inspection.end) == (date(2024, 4, 15), date(2024, 5, 31))
    assert doc.inspection.feedback_date == date(2024, 7, 9)
    assert doc.issuer == "中共连平县教育局党组"
    assert doc.date == date(2024, 10, 18)
    assert doc.contact.address == "连平县元善镇新城东路18号"
    dumped = str(doc.to_dict())
    for chrome in ("这不是正文", "政务服务", "首页", "浏览次数", "打印本页", "网站标识码", "隐藏的统计代码"):
        assert chrome not in dumped, chrome


def test_v4_html_pasted_as_text() -> None:
    markup = (FIXTURES / "v4_county_circled.html").read_text(encoding="utf-8")
    assert parse(markup) == load("v4_county_circled.html")


# ------------------------------------------------------------------------------------------ v5


def test_v5_audit_heading_and_body_on_one_line() -> None:
    doc = load("v5_city_audit_inline.txt")
    assert outline(doc) == [
        (
            "市级预算管理方面",
            [
                (1, "关于部分非税收入未及时上缴国库的问题", 2),
                (2, "关于预算编制不够精细的问题", 1),
                (3, "关于审批时限过长的问题", 3),
                (4, "部分专项资金闲置", 1),
            ],
        ),
        ("部门预算执行方面", [(5, "关于政府采购不规范的问题", 2), (6, "关于公务用车管理不严格的问题", 2)]),
    ]
    assert measures(doc, 2) == [
        "市财政局在编制2025年部门预算时，进一步细化项目支出预算，年初预算代编资金比上年下降35%。"
    ]
    assert measures(doc, 3) == [
        "压缩财政投资评审时限至20个工作日以内",
        "推行评审全流程线上办理",
        "建立超时预警机制。",
    ]
    assert measures(doc, 5) == [
        "相关单位重新履行政府采购程序",
        "市财政局开展政府采购专项检查，约谈代理机构3家。",
    ]
    assert doc.problems[2].source_text.startswith("整改措施：一是压缩")


def test_v5_audit_facts() -> None:
    doc = load("v5_city_audit_inline.txt")
    facts = doc.inspection
    assert facts.kind == "audit"
    assert facts.body == "市审计局"
    assert facts.inspected == "2023年度市级预算执行和其他财政收支情况"
    assert facts.theme == ""  # "进行了审计" names no theme
    assert (facts.start, facts.end, facts.feedback_date) == (
        date(2024, 3, 1),
        date(2024, 5, 31),
        date(2024, 7, 15),
    )
    assert doc.title.endswith("审计查出问题整改情况的公告")
    assert (doc.issuer, doc.date) == ("珠海市人民政府", date(2024, 12, 20))
    assert doc.contact.text == ""
    assert [s.holds_problems for s in doc.sections] == [False, True, False]
    assert [sub.title for sub in doc.sections[0].subsections] == ["压紧压实整改责任", "加强跟踪督促检查"]


# ------------------------------------------------------------------------------------------ v6

V6 = FIXTURES / "v6_school_top_level_problems.txt"
V6_OUTLINE = [
    (
        "",
        [
            (1, "关于党建工作与教育教学融合不够的问题", 2),
            (2, "关于“三重一大”制度执行不严格的问题", 2),
            (3, "关于校园安全隐患排查不彻底的问题", 1),
        ],
    )
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb2312", "gb18030", "utf-16"])
def test_v6_encodings(encoding: str) -> None:
    data = V6.read_text(encoding="utf-8").encode(encoding)
    assert outline(parse_bytes(data, filename="通报.txt")) == V6_OUTLINE


def test_v6_top_level_problems() -> None:
    doc = parse_file(V6)
    assert outline(doc) == V6_OUTLINE
    assert doc.sections == []
    # The closing 下一步 paragraph is not a measure of the last problem.
    assert measures(doc, 3) == ["对校舍、消防设施和食堂进行全面排查，整改安全隐患19处，并建立月度排查台账。"]
    assert "下一步" not in doc.problems[-1].source_text
    # A paragraph holding only the label 整改情况： gives no measure.
    assert measures(doc, 1)[0].startswith("制定《城北中学党建与教育教学深度融合实施方案》")


def test_v6_month_only_dates_are_not_invented() -> None:
    doc = parse_file(V6)
    facts = doc.inspection
    assert (facts.start, facts.end, facts.feedback_date) == (None, None, None)
    assert (facts.body, facts.inspected, facts.theme) == ("区委第四巡察组", "城北中学党总支", "常规巡察")
    assert doc.contact.phones == ["0753-2188561", "13923000000"]
    assert doc.contact.address == "" and doc.contact.postcode == ""


# ------------------------------------------------------------------------------------------ v7


def test_v7_parts_are_areas() -> None:
    doc = load("v7_enterprise_parts_as_areas.txt")
    assert outline(doc) == [
        (
            "关于贯彻落实党的路线方针政策和党中央决策部署方面",
            [(1, "服务城市公交优先发展战略不够有力的问题", 2), (2, "安全生产责任落实存在薄弱环节的问题", 2)],
        ),
        (
            "关于全面从严治党方面",
            [(3, "重点领域廉洁风险防控不到位的问题", 1), (4, "落实中央八项规定精神有差距的问题", 3)],
        ),
    ]
    assert [s.holds_problems for s in doc.sections] == [True, True, False]
    assert doc.inspection.round == "十二届市委第五轮"
    assert doc.inspection.feedback_date == date(2024, 2, 26)
    assert doc.contact.address == "广州市越秀区东风中路318号嘉业大厦"
    assert doc.contact.emails == ["gjjt_jjjc@gzbus.com.cn"]


# ------------------------------------------------------------------------------------------ docx


def _docx_of_v2() -> bytes:
    """v2 as an office would draft it in Word: a metadata table, a two-line title, headings, breaks."""
    lines = [
        line for line in (FIXTURES / "v2_district_paren_problems.txt").read_text("utf-8").splitlines() if line
    ]
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for row, cells in zip(
        table.rows,
        [("索引号", "K0001/2024-00031", "分类", "党务公开"), ("文号", "", "发布日期", "2024-11-06")],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("中共佛山市顺德区容桂街道工作委员会")
    document.add_paragraph("关于区委巡察整改进展情况的通报")
    contact: list[str] = []
    for line in lines[1:]:
        if line.startswith(("联系电话", "电子邮箱", "通信地址")):
            contact.append(line)
            if len(contact) == 3:
                paragraph = document.add_paragraph()
                for index, part in enumerate(contact):
                    run = paragraph.add_run(part)
                    if index < 2:
                        run.add_break()
            continue
        if line[:2] in ("一、", "二、", "三、"):
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_reads_like_the_text() -> None:
    from_text = load("v2_district_paren_problems.txt")
    doc = parse_bytes(_docx_of_v2(), filename="通报.docx")
    assert doc.title == from_text.title  # joined from its two lines
    assert outline(doc) == outline(from_text)
    assert [problem.measures for problem in doc.problems] == [
        problem.measures for problem in from_text.problems
    ]
    assert doc.sections == from_text.sections
    assert doc.contact == from_text.contact
    assert doc.inspection == from_text.inspection
    assert (doc.issuer, doc.date) == (from_text.issuer, from_text.date)
    assert doc.meta.index_number == "K0001/2024-00031"
    assert doc.meta.category == "党务公开"
    assert doc.meta.published_date == date(2024, 11, 6)
    assert doc.meta.document_number == ""


def test_docx_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "通报.docx"
    path.write_bytes(_docx_of_v2())
    assert outline(parse_file(path)) == outline(load("v2_district_paren_problems.txt"))


# ----------------------------------------------------------------------------- small house styles

MINIMAL_OPENING = "2024年5月8日至6月20日，市委第一巡察组对市档案馆党组进行了常规巡察。"


def small_notice(*body: str, title: str = "中共广州市档案馆党组关于巡察整改进展情况的通报") -> str:
    return "\n".join([title, MINIMAL_OPENING, "二、巡察反馈问题整改情况", *body])


def test_ordinals_split_only_at_sentence_boundaries() -> None:
    doc = parse(
        small_notice(
            "1.档案数字化推进缓慢的问题",
            "一是制定数字化三年计划，目标统一是首要原则。二是增加数字化经费，唯一是提高效率的办法；三是建立考核机制！四是按季度通报进度。",
            "2.档案安全管理不到位的问题",
            "一是加强库房巡查，二是更新消防设施。",
        )
    )
    texts = measures(doc, 1)
    assert len(texts) == 4
    assert texts[0] == "制定数字化三年计划，目标统一是首要原则。"
    assert texts[1] == "增加数字化经费，唯一是提高效率的办法"  # the separating ； is trimmed
    assert texts[2] == "建立考核机制！"
    # "，二是" is not a clause end, so the paragraph stays one measure.
    assert measures(doc, 2) == ["加强库房巡查，二是更新消防设施。"]


def test_paren_measures_as_paragraphs() -> None:
    doc = parse(
        small_notice(
            "1、档案利用服务不便民的问题",
            "（1）开通档案查询预约小程序。",
            "（2）延长周末开放时间。",
            "2、档案征集工作不主动的问题",
            "(1)建立重大活动档案征集清单；(2)走访老同志征集口述史料12份。",
        )
    )
    assert measures(doc, 1) == ["开通档案查询预约小程序。", "延长周末开放时间。"]
    assert measures(doc, 2) == ["建立重大活动档案征集清单", "走访老同志征集口述史料12份。"]


def test_full_width_markers_and_colons() -> None:
    doc = parse(
        small_notice(
            "（一）关于档案鉴定销毁不规范方面",
            "１、鉴定程序不完整的问题",
            "整改措施：修订档案鉴定销毁办法。",
            "（二）关于经费使用方面",
            "１、公务接待超标准的问题",
            "整改情况:一是退回超标准费用。二是开展专题警示教育。",
        )
    )
    assert outline(doc) == [
        ("关于档案鉴定销毁不规范方面", [(1, "鉴定程序不完整的问题", 1)]),
        ("关于经费使用方面", [(2, "公务接待超标准的问题", 2)]),
    ]
    assert measures(doc, 1) == ["修订档案鉴定销毁办法。"]


def test_title_from_metadata_when_the_body_has_none() -> None:
    text = "\n".join(
        [
            "索引号: 0001/2024-1 分类: 党务公开",
            "名称: 中共广州市档案馆党组关于巡察整改进展情况的通报",
            MINIMAL_OPENING,
            "一、巡察反馈问题整改情况",
            "1.档案数字化推进缓慢的问题",
            "制定数字化三年计划。",
        ]
    )
    doc = parse(text)
    assert doc.title == "中共广州市档案馆党组关于巡察整改进展情况的通报"
    assert doc.meta.index_number == "0001/2024-1"
    assert doc.opening == MINIMAL_OPENING


def test_nothing_is_invented() -> None:
    doc = parse("\n".join(["关于巡察整改情况的通报", "一、问题整改情况", "1.台账不全的问题", "补齐台账。"]))
    assert doc.title == "关于巡察整改情况的通报"
    assert (doc.issuer, doc.date, doc.opening) == ("", None, "")
    facts = doc.inspection
    assert (facts.body, facts.inspected, facts.theme, facts.round) == ("", "", "", "")
    assert (facts.start, facts.end, facts.feedback_date) == (None, None, None)
    assert facts.kind == "patrol"  # from the title's 巡察
    assert doc.contact.text == ""
    assert outline(doc) == [("", [(1, "台账不全的问题", 1)])]


def test_kind_is_empty_when_nothing_names_it() -> None:
    doc = parse("\n".join(["关于整改情况的通报", "1.台账不全的问题", "补齐台账。"]))
    assert doc.inspection.kind == ""


def test_original_numbers_kept_when_in_order() -> None:
    doc = parse(small_notice("3.甲的问题", "措施甲。", "5.乙的问题", "措施乙。"))
    assert [problem.number for problem in doc.problems] == [3, 5]


def test_description_and_labels() -> None:
    doc = parse(
        small_notice(
            "1.关于台账不全的问题。问题表现：部分年度台账缺失。整改情况：一是补齐台账。二是建立台账管理制度。",
            "2.关于制度缺失的问题",
            "存在问题：制度不健全。",
            "整改：修订档案管理制度。",
            "3.关于培训不足的问题",
            "整改措施：",
            "组织业务培训3期。",
        )
    )
    assert measures(doc, 1) == ["补齐台账。", "建立台账管理制度。"]
    assert measures(doc, 2) == ["修订档案管理制度。"]
    assert measures(doc, 3) == ["组织业务培训3期。"]
    assert doc.problems[0].source_text.startswith("问题表现：部分年度台账缺失。")


def test_v4_html_saved_as_gbk() -> None:
    markup = (FIXTURES / "v4_county_circled.html").read_text(encoding="utf-8")
    data = markup.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    assert parse_bytes(data, filename="通报.htm") == load("v4_county_circled.html")


def test_numbered_headings_with_portal_words_are_not_taken_for_page_chrome() -> None:
    """A short numbered heading holding a word of web pages (无障碍, 技术支持, 返回顶部) is a problem
    of the notice, not the portal around it; the unnumbered footer lines still go."""
    text = "\n".join(
        [
            "中共某某区住房和城乡建设局党组关于区委巡察反馈意见整改进展情况的通报",
            "根据区委统一部署，区委第二巡察组对我局党组开展了常规巡察。现将整改进展情况予以公布。",
            "一、关于服务群众方面",
            "1.无障碍设施建设滞后",
            "整改措施：一是排查老旧小区无障碍设施；二是年内完成改造。",
            "2.技术支持单位管理不规范",
            "整改措施：一是清理技术支持合同；二是建立考核机制。",
            "欢迎社会各界监督，联系电话：020-12345678。",
            "中共某某区住房和城乡建设局党组",
            "2025年6月30日",
            "技术支持：某某科技有限公司",
            "无障碍浏览 返回顶部",
        ]
    )
    document = parse(text)
    assert [problem.title for problem in document.problems] == [
        "无障碍设施建设滞后",
        "技术支持单位管理不规范",
    ]
    assert measures(document, 1) == ["排查老旧小区无障碍设施", "年内完成改造。"]
    dumped = str(document.to_dict())
    assert "某某科技有限公司" not in dumped and "返回顶部" not in dumped
