"""Notices as other organisations write them (issue 16): each house style the reader once read wrongly.

Every fixture here is written for these tests in the style of real 政府信息公开 notices; the
organisations (云岫市…) and their figures are invented.

v8   measures each in its own paragraph: 一是…十一是 and 第一，第二，… lose their ordinals in every one
v9   a first part on how the work was led (坚持问题导向，强化组织领导…) is narrative, not problems
v10  sub-items （1）（2） under a problem stay inside it: their measures are the problem's measures
v11  an audit rectification report whose parts "一、XX问题的整改情况" are the areas
v12  a portal's metadata table (信息索引号 / 生成日期 / 名　　称 …, several fields a row)
v13  "key：value" metadata, one a line and several on one line
v14  an audit report with a narrative part and areas "（一）XX方面问题的整改情况"
v15  measures each in its own paragraph numbered like the headings: （一）（二）… or 1. 2. under "1.…的问题"
and a generated notice of 2,000 problems, read as 2,000 and fast.
"""

from __future__ import annotations

import io
import re
import time
from datetime import date
from pathlib import Path

import docx
import pytest

from rectify.notices.document import NoticeDocument, NoticeParseError
from rectify.notices.parser import NO_PROBLEMS_MESSAGE, parse, parse_bytes, parse_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notices"
GUANGZHOU = Path(__file__).resolve().parents[2] / "src/rectify/notices/data/guangzhou-transport-2025.txt"


def load(name: str) -> NoticeDocument:
    return parse_file(FIXTURES / name)


def structure(document: NoticeDocument) -> list[tuple[str, list[tuple[int, str, list[str]]]]]:
    """Areas, their problems (number, title) and each problem's measures: what the ledger gets."""
    return [
        (
            area.title,
            [
                (problem.number, problem.title, [m.text for m in problem.measures])
                for problem in area.problems
            ],
        )
        for area in document.areas
    ]


def counts(document: NoticeDocument) -> tuple[int, int, int]:
    return len(document.areas), len(document.problems), document.measure_count


def docx_of(lines: list[str]) -> bytes:
    """The notice as an office drafts it in Word: one paragraph a line."""
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def fixture_lines(name: str) -> list[str]:
    return [line for line in (FIXTURES / name).read_text("utf-8").splitlines() if line.strip()]


ORDINAL_AT_START = re.compile(r"^(?:[一二三四五六七八九十]{1,3}是|第[一二三四五六七八九十]{1,3}[，,、：:])")


# -------------------------------------------------------------------- v8: ordinals in every paragraph

V8 = [
    (
        "关于贯彻落实党中央决策部署方面",
        [
            (
                1,
                "城镇老旧小区改造推进不够有力的问题",
                [
                    "制定《云岫市城镇老旧小区改造三年行动计划》，明确年度改造任务和责任单位。",
                    "建立改造项目“周调度、月通报”机制，对进度滞后项目挂牌督办。",
                    "完成2025年度42个小区改造任务，惠及居民6800余户。",
                    "引导居民参与改造方案设计，组织召开居民议事会136场。",
                ],
            ),
            (
                2,
                "建筑市场秩序监管存在薄弱环节的问题",
                [
                    "开展建筑市场违法发包、转包、违法分包专项整治，检查在建项目218个。",
                    "对查实的12家违规企业依法作出行政处罚，并记入信用档案。",
                    "上线建筑工人实名制管理平台，实现在建项目全覆盖。",
                ],
            ),
        ],
    ),
    (
        "关于落实全面从严治党责任方面",
        [
            (
                3,
                "重点领域廉政风险防控不到位的问题",
                [
                    "全面梳理工程招投标、资质审批、质量监督等岗位廉政风险点，制定防控措施58条。",
                    "对招投标代理机构开展“双随机”检查。",
                    "修订《局机关内部审批事项工作规程》。",
                    "开展廉政警示教育，组织观看警示教育片2次。",
                    "建立重点岗位干部轮岗交流制度，交流干部11名。",
                    "开展廉政谈话，覆盖中层以上干部45人。",
                    "完善“三重一大”事项集体决策程序。",
                    "开展工程项目审计监督。",
                    "对下属事业单位开展财务专项检查。",
                    "建立廉政风险动态监测台账。",
                    "将廉政风险防控纳入年度绩效考核，考核结果与评优评先挂钩。",
                ],
            ),
            (
                4,
                "基层党组织建设不够规范的问题",
                ["按期完成3个支部委员会换届。", "规范“三会一课”记录，开展支部工作手册检查2次。"],
            ),
        ],
    ),
]


def test_v8_ordinals_stripped_from_every_paragraph() -> None:
    doc = load("v8_city_ordinal_paragraphs.txt")
    assert structure(doc) == V8
    assert counts(doc) == (2, 4, 20)
    # Before: 17 of the 20 kept 二是…十一是 or 第一，第二，第三， at their start.
    assert not [m.text for m in doc.problems[0].measures if ORDINAL_AT_START.match(m.text)]
    assert all(not ORDINAL_AT_START.match(m.text) for p in doc.problems for m in p.measures)


def test_v8_docx_paragraphs_read_like_the_text() -> None:
    doc = parse_bytes(docx_of(fixture_lines("v8_city_ordinal_paragraphs.txt")), "通报.docx")
    assert structure(doc) == V8


def test_guangzhou_laid_out_one_measure_a_paragraph_reads_the_same() -> None:
    """The Guangzhou notice with each 一是/二是… moved to a paragraph of its own (19 more paragraphs)
    reads the same 36 measures, as text and as Word."""
    text = GUANGZHOU.read_text("utf-8")
    laid_out = re.sub(r"(?<=[。；;])[ \t\u3000]*(?=[一二三四五六七八九十]{1,3}是)", "\n", text)
    assert laid_out.count("\n") - text.count("\n") == 19
    original = parse(text)
    assert original.measure_count == 36
    for doc in (parse(laid_out), parse_bytes(docx_of(laid_out.splitlines()), "通报.docx")):
        assert structure(doc) == structure(original)
        assert doc.sections == original.sections


def test_sequence_ordinals_inside_one_paragraph_and_not_in_words() -> None:
    doc = parse(
        "\n".join(
            [
                "中共云岫市档案局党组关于巡察整改进展情况的通报",
                "2025年3月3日至4月30日，市委第一巡察组对市档案局党组进行了常规巡察。",
                "一、巡察反馈问题整改落实情况",
                "1.档案数字化推进缓慢的问题",
                "第一，制定数字化三年计划。第二，第一时间落实专项经费，明确第一责任人。",
                "第三，完成馆藏档案数字化12万卷。",
            ]
        )
    )
    assert structure(doc) == [
        (
            "",
            [
                (
                    1,
                    "档案数字化推进缓慢的问题",
                    [
                        "制定数字化三年计划。",
                        "第一时间落实专项经费，明确第一责任人。",
                        "完成馆藏档案数字化12万卷。",
                    ],
                )
            ],
        )
    ]


def test_chinese_paren_ordinals_inside_one_paragraph() -> None:
    doc = parse(
        "\n".join(
            [
                "中共云岫市档案局党组关于巡察整改进展情况的通报",
                "2025年3月3日至4月30日，市委第一巡察组对市档案局党组进行了常规巡察。",
                "一、巡察反馈问题整改落实情况",
                "1.档案数字化推进缓慢的问题",
                "整改情况：（一）制定数字化三年计划；（二）落实专项经费；（三）完成馆藏档案数字化12万卷。",
            ]
        )
    )
    assert [m.text for m in doc.problems[0].measures] == [
        "制定数字化三年计划",
        "落实专项经费",
        "完成馆藏档案数字化12万卷。",
    ]


# ------------------------------------------------ v15: measures numbered like the headings above them

V15 = [
    (
        "关于贯彻落实党中央决策部署方面",
        [
            (
                1,
                "河湖长制落实不到位的问题",
                [
                    "制定《云岫市河湖长制工作考核办法》，将河湖治理纳入年度考核。",
                    "开展河湖“清四乱”专项行动，清理问题点位86处。",
                    "建立河湖长巡河台账，每月通报巡河情况。",
                ],
            ),
            (
                2,
                "供水保障能力不足的问题",
                [
                    "完成城区老旧供水管网改造36公里，管网漏损率下降至9.2%。",
                    "新建第二水源应急供水工程，年底前通水。",
                    "建立供水水质月度公开制度。",
                ],
            ),
        ],
    ),
    (
        "关于落实全面从严治党责任方面",
        [
            (
                3,
                "工程建设领域廉政风险防控不到位的问题",
                [
                    "梳理工程招投标廉政风险点32个，制定防控措施41条。",
                    "开展在建水利工程专项检查，发现并整改问题17个。",
                ],
            ),
            (
                4,
                "干部队伍专业能力不足的问题",
                ["举办水利业务培训班6期，培训干部320人次。", "选派12名年轻干部到重点工程一线锻炼。"],
            ),
        ],
    ),
]


def test_v15_measures_numbered_like_headings_stay_with_their_problem() -> None:
    """Before: each （一） under a problem closed its area and became a problem of its own, and the 1. 2.
    list was lost: 4 areas, 7 problems (measures among them), 3 measures (a problem title among them)."""
    doc = load("v15_city_numbered_measure_paragraphs.txt")
    assert structure(doc) == V15
    assert counts(doc) == (2, 4, 10)


def test_v15_docx_paragraphs_read_like_the_text() -> None:
    doc = parse_bytes(docx_of(fixture_lines("v15_city_numbered_measure_paragraphs.txt")), "通报.docx")
    assert structure(doc) == V15


def test_a_restarted_number_that_names_a_problem_is_not_a_measure() -> None:
    """ "1.…的问题" after a problem is a problem of its own even when numbering restarts."""
    doc = parse(
        "\n".join(
            [
                "中共云岫市档案局党组关于巡察整改进展情况的通报",
                "2025年3月3日至4月30日，市委第一巡察组对市档案局党组进行了常规巡察。",
                "一、巡察反馈问题整改落实情况",
                "1.档案数字化推进缓慢的问题",
                "一是制定数字化三年计划。",
                "1.档案安全管理不到位的问题",
                "一是开展档案安全检查。",
            ]
        )
    )
    assert [(p.title, [m.text for m in p.measures]) for p in doc.problems] == [
        ("档案数字化推进缓慢的问题", ["制定数字化三年计划。"]),
        ("档案安全管理不到位的问题", ["开展档案安全检查。"]),
    ]


# ------------------------------------------------------------------------ v9: a narrative first part


def test_v9_narrative_first_part_is_not_problems() -> None:
    doc = load("v9_city_narrative_first_part.txt")
    assert structure(doc) == [
        (
            "",
            [
                (
                    1,
                    "公共文化服务供给不够均衡的问题",
                    [
                        "制定《云岫市公共文化服务均等化实施方案》，推动文化资源向乡镇倾斜。",
                        "新建城市书房5家、村级文化活动室12个。",
                        "开展“送戏下乡”演出186场。",
                    ],
                ),
                (
                    2,
                    "文物安全监管不够到位的问题",
                    [
                        "对全市不可移动文物开展安全隐患排查，整改隐患31处。",
                        "为重点文物保护单位安装消防和监控设施。",
                    ],
                ),
                (
                    3,
                    "体育场馆免费低收费开放落实不到位的问题",
                    [
                        "修订体育场馆开放管理办法，明确免费开放时段。",
                        "在市体育中心公示收费项目和标准，接受群众监督。",
                    ],
                ),
            ],
        )
    ]
    assert counts(doc) == (1, 3, 7)
    # The narrative is kept where the document keeps it: a part with its (一)…(五) subsections.
    first = doc.sections[0]
    assert (first.title, first.holds_problems) == (
        "坚持问题导向，强化组织领导，全力推动巡察整改落地见效",
        False,
    )
    assert first.paragraphs[0].startswith("局党组把抓好巡察整改作为")
    assert [sub.title for sub in first.subsections] == [
        "提高政治站位，加强组织领导",
        "建立问题清单，压实整改责任",
        "强化督促检查，确保整改实效",
        "坚持立行立改，推动问题见底清零",
        "注重标本兼治，健全长效机制",
    ]
    assert first.subsections[0].text.startswith("局党组第一时间召开党组会议")
    assert [(s.title, s.holds_problems) for s in doc.sections[1:]] == [
        ("巡察反馈问题整改落实情况", True),
        ("下一步工作打算", False),
    ]


def test_v9_narrative_alone_is_refused() -> None:
    """Cut before its problem part, the notice holds no problem: refused in Chinese, not half-read
    (before, the five (一)…(五) headings of the narrative were read as five problems)."""
    lines = fixture_lines("v9_city_narrative_first_part.txt")
    cut = next(index for index, line in enumerate(lines) if line.startswith("二、"))
    with pytest.raises(NoticeParseError) as refused:
        parse("\n".join(lines[:cut]))
    assert (
        str(refused.value)
        == NO_PROBLEMS_MESSAGE
        == "未识别到整改问题：该文件不是巡察整改通报，或格式无法识别。"
    )


def test_narrative_first_part_before_top_level_problems() -> None:
    """No part lists the problems (they are the parts): the leadership part still is narrative."""
    doc = parse(
        "\n".join(
            [
                "中共云岫市统计局党组关于巡察整改进展情况的通报",
                "2025年3月3日至4月30日，市委第一巡察组对市统计局党组进行了常规巡察。",
                "一、坚持问题导向，加强组织领导",
                "（一）强化责任落实",
                "局党组成立整改工作领导小组，党组书记任组长。",
                "（二）建立整改台账",
                "逐项明确责任人和完成时限。",
                "二、统计数据质量管控不严的问题",
                "整改情况：一是修订数据审核办法。二是开展统计执法检查。",
                "三、统计信息化建设滞后的问题",
                "整改情况：建成统计数据共享平台。",
            ]
        )
    )
    assert structure(doc) == [
        (
            "",
            [
                (2, "统计数据质量管控不严的问题", ["修订数据审核办法。", "开展统计执法检查。"]),
                (3, "统计信息化建设滞后的问题", ["建成统计数据共享平台。"]),
            ],
        )
    ]
    assert [s.title for s in doc.sections] == ["坚持问题导向，加强组织领导"]


# ------------------------------------------------------------------------------ v10: sub-items


def test_v10_sub_items_stay_inside_their_problem() -> None:
    """(1)(2) under "1.…的问题" tell how the problem shows, each with its 整改情况: the office tracks the
    problem, so their measures are the problem's measures and their wording stays in its source text."""
    doc = load("v10_city_sub_items.txt")
    assert structure(doc) == [
        (
            "",
            [
                (
                    1,
                    "落实全面从严治党主体责任不到位的问题",
                    [
                        "制定年度监督检查计划，每半年对直属医疗机构开展一次全面检查。",
                        "建立问题清单和整改台账，逐项跟踪销号。",
                        "开展医药购销领域不正之风专项整治，排查风险点26个。",
                        "规范医药代表院内接待管理。",
                    ],
                ),
                (
                    2,
                    "基层医疗服务能力提升不够快的问题",
                    [
                        "统筹资金1260万元，为14家乡镇卫生院更新检查检验设备。",
                        "推动县域医共体内设备共享。",
                        "组织基层医务人员参加全科医生转岗培训和适宜技术培训，全年培训1100人次。",
                        "修订家庭医生签约服务考核办法，将履约情况与绩效挂钩。",
                        "推行“线上签约、线下服务”模式。",
                        "开展签约居民满意度回访。",
                    ],
                ),
                (
                    3,
                    "公立医院财务管理不规范的问题",
                    ["对直属公立医院开展财务专项审计。", "修订《直属医疗机构财务管理办法》。"],
                ),
            ],
        )
    ]
    assert counts(doc) == (1, 3, 12)
    source = doc.problems[1].source_text
    assert "（1）乡镇卫生院设备配置不足。" in source and "（3）家庭医生签约服务质量不高。" in source


def test_sub_items_listed_before_one_rectification_paragraph() -> None:
    """ "（1）…。（2）…。" then one 整改情况: the sub-items are the problem's wording, not measures."""
    doc = parse(
        "\n".join(
            [
                "中共云岫市卫生健康委员会党组关于巡察整改进展情况的通报",
                "2024年10月8日至12月6日，市委第五巡察组对市卫生健康委员会党组进行了常规巡察。",
                "一、巡察反馈问题整改落实情况",
                "1.落实全面从严治党主体责任不到位的问题",
                "（1）对直属医疗机构监督检查不经常。",
                "（2）医药购销领域廉政风险排查不深入。",
                "整改情况：一是制定年度监督检查计划。二是开展医药购销领域不正之风专项整治。",
                "2.公立医院财务管理不规范的问题",
                "整改情况：一是对直属公立医院开展财务专项审计。二是修订财务管理办法。",
            ]
        )
    )
    assert structure(doc) == [
        (
            "",
            [
                (
                    1,
                    "落实全面从严治党主体责任不到位的问题",
                    ["制定年度监督检查计划。", "开展医药购销领域不正之风专项整治。"],
                ),
                (
                    2,
                    "公立医院财务管理不规范的问题",
                    ["对直属公立医院开展财务专项审计。", "修订财务管理办法。"],
                ),
            ],
        )
    ]
    assert "（1）对直属医疗机构监督检查不经常。" in doc.problems[0].source_text


# ---------------------------------------------------------------------- v11, v14: audit reports


def test_v11_audit_report_parts_are_areas() -> None:
    doc = load("v11_city_audit_report.txt")
    assert doc.inspection.kind == "audit"
    assert structure(doc) == [
        (
            "预算管理方面问题的整改情况",
            [
                (
                    1,
                    "部分项目预算编制不够细化的问题",
                    [
                        "已修订《市水务局项目预算编制规程》，要求项目支出细化到具体事项和经济分类科目，2025年度预算已按新规程编制。"
                    ],
                ),
                (
                    2,
                    "年底突击支出的问题",
                    ["建立预算执行月度通报制度。", "对执行进度低于序时进度的项目及时约谈项目负责人。"],
                ),
            ],
        ),
        (
            "工程建设项目管理问题的整改情况",
            [
                (
                    3,
                    "3个水利工程项目未按规定办理竣工财务决算的问题",
                    [
                        "已完成其中2个项目竣工财务决算，剩余1个项目正在进行结算审核，计划于2025年12月底前完成。"
                    ],
                ),
                (
                    4,
                    "工程变更审批不规范的问题",
                    ["修订工程变更管理办法，明确变更分级审批权限。", "对审计指出的5项变更逐项补办审批手续。"],
                ),
                (
                    5,
                    "施工合同履约管理不严的问题",
                    ["已对相关施工单位扣减违约金23.6万元，并将其不良行为记入信用档案。"],
                ),
            ],
        ),
        (
            "资产管理问题的整改情况",
            [
                (
                    6,
                    "固定资产账实不符的问题",
                    ["组织开展资产清查，核销报废资产47项，补登记资产112项，实现账实相符。"],
                )
            ],
        ),
    ]
    assert counts(doc) == (3, 6, 8)
    assert all(section.holds_problems for section in doc.sections)
    assert (doc.issuer, doc.date) == ("云岫市水务局", date(2025, 9, 26))


def test_v14_audit_report_with_areas_under_one_part() -> None:
    doc = load("v14_city_audit_nested_parts.txt")
    assert doc.inspection.kind == "audit"
    assert structure(doc) == [
        (
            "预算执行方面问题的整改情况",
            [
                (1, "部分专项资金拨付不及时", ["已于2025年7月将滞留资金860万元全部拨付至项目学校。"]),
                (2, "公务接待费超预算列支", ["已调整会计科目，并修订《公务接待管理办法》。"]),
            ],
        ),
        (
            "政府采购方面问题的整改情况",
            [
                (3, "未按规定执行政府采购程序", ["对相关责任人进行约谈。", "组织政府采购业务培训。"]),
                (4, "采购合同备案不及时", ["已完成12份合同补充备案。"]),
            ],
        ),
        (
            "国有资产管理方面问题的整改情况",
            [(5, "出租房产未履行审批手续", ["已按规定补办审批手续，租金收入全额上缴财政。"])],
        ),
    ]
    assert counts(doc) == (3, 5, 6)
    assert [(s.title, s.holds_problems) for s in doc.sections] == [
        ("审计整改工作总体情况", False),
        ("审计查出问题的整改情况", True),
    ]


# ------------------------------------------------------------------------- v12, v13: metadata


def test_v12_portal_metadata_table() -> None:
    doc = load("v12_county_portal_meta.html")
    assert doc.meta.index_number == "000000003/2025-00418"
    assert doc.meta.written_date == date(2025, 7, 9)  # 生成日期
    assert doc.meta.publisher == "青石县农业农村局"
    assert doc.meta.document_number == "青农党〔2025〕9号"
    assert doc.meta.category == "党务公开／巡察整改"
    assert doc.meta.name == "中共云岫市青石县农业农村局党组关于县委巡察整改进展情况的通报"  # 名　　称
    assert doc.title == doc.meta.name  # not "名　　称： …"
    assert counts(doc) == (1, 2, 4)
    assert [p.title for p in doc.problems] == [
        "高标准农田建设项目管护不到位的问题",
        "强农惠农资金发放监管不严的问题",
    ]


def test_v13_key_value_metadata() -> None:
    doc = load("v13_district_meta_key_value.txt")
    meta = doc.meta
    assert meta.index_number == "000000004/2025-00562"  # 信息索引号
    assert meta.category == "党务公开"
    assert meta.publisher == "中共云岫市临溪区市场监督管理局党组"
    assert meta.written_date == date(2025, 8, 21)
    assert meta.document_number == "临市监党〔2025〕15号"  # several fields on one line
    assert meta.published_date == date(2025, 8, 26)  # 公开日期
    assert doc.title == "中共云岫市临溪区市场监督管理局党组关于区委巡察整改进展情况的通报"
    assert counts(doc) == (1, 2, 3)


def test_metadata_in_a_word_table_and_ruled_lines() -> None:
    """A Word table with labels letter-spaced, and a text copy with the table's rules as │."""
    body = fixture_lines("v13_district_meta_key_value.txt")[5:]
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    rows = [
        ("信息索引号", "000000005/2025-00007", "成文日期", "2025年9月1日"),
        ("发布机构", "云岫市档案局", "文　　号", "云档〔2025〕3号"),
    ]
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    for line in body:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    ruled = "\n".join(
        [
            "│信息索引号│000000005/2025-00007│成文日期│2025年9月1日│",
            "│发布机构│云岫市档案局│文　　号│云档〔2025〕3号│",
            *body,
        ]
    )
    for doc in (parse_bytes(buffer.getvalue(), "通报.docx"), parse(ruled)):
        assert (doc.meta.index_number, doc.meta.written_date) == ("000000005/2025-00007", date(2025, 9, 1))
        assert (doc.meta.publisher, doc.meta.document_number) == ("云岫市档案局", "云档〔2025〕3号")
        assert counts(doc) == (1, 2, 3)


# ----------------------------------------------------------------------- 2,000 problems, generated

AREA_TOPICS = [
    "政治建设",
    "思想建设",
    "组织建设",
    "作风建设",
    "纪律建设",
    "制度建设",
    "意识形态",
    "选人用人",
    "财务管理",
    "巡察整改",
]
CN = "一二三四五六七八九十"


def generated_notice(problems: int, *, restart: bool = False, mark: str = ".", areas: bool = True) -> str:
    """A notice of `problems` problems in ten areas (or none), each problem with two measures in
    paragraphs of their own. `restart`: numbers restart in each area (1、2、…) instead of running on
    (1. … 2000.)."""
    lines = [
        "中共云岫市数据资源管理局党组关于巡察整改进展情况的通报",
        "根据市委统一部署，2025年3月10日至5月16日，市委第六巡察组对市数据资源管理局党组进行了常规巡察。",
        "一、巡察反馈问题整改落实情况",
    ]
    topics = AREA_TOPICS if areas else [""]
    per_area = problems // len(topics)
    number = 0
    for index, topic in enumerate(topics):
        if topic:
            lines.append(f"（{CN[index]}）关于{topic}方面")
        for within in range(1, per_area + 1):
            number += 1
            shown = within if restart else number
            lines.append(f"{shown}{mark}第{number}项工作落实不到位的问题")
            lines.append(f"一是制定第{number}项工作整改方案，明确责任和时限。")
            lines.append(f"二是建立第{number}项工作台账，逐月跟踪销号。")
    lines += ["中共云岫市数据资源管理局党组", "2025年11月18日"]
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("restart", "mark", "areas"),
    [(False, ".", True), (True, "、", True), (False, "．", True), (False, ".", False)],
    ids=["running-dot", "restarting-comma", "fullwidth-dot", "no-areas"],
)
def test_a_generated_notice_of_2000_problems(restart: bool, mark: str, areas: bool) -> None:
    """Before, numbers of four digits were not read as problem numbers: problems 1000 and up ran into
    the problem before them (1,004 problems, four holding 600 measures; without areas 999 problems,
    one holding 3,005 measures)."""
    text = generated_notice(2000, restart=restart, mark=mark, areas=areas)
    started = time.perf_counter()
    doc = parse(text)
    elapsed = time.perf_counter() - started
    print(f"2,000 problems read in {elapsed:.2f} s")
    assert counts(doc) == ((10, 2000, 4000) if areas else (1, 2000, 4000))
    assert [len(area.problems) for area in doc.areas] == ([200] * 10 if areas else [2000])
    assert [p.number for p in doc.problems] == list(range(1, 2001))
    assert doc.problems[1999].title == "第2000项工作落实不到位的问题"
    assert [m.text for m in doc.problems[1999].measures] == [
        "制定第2000项工作整改方案，明确责任和时限。",
        "建立第2000项工作台账，逐月跟踪销号。",
    ]
    assert elapsed < 5
