"""Importing an Excel ledger: reading real workbooks, mapping columns, checking every row, writing
all of it or nothing."""

from datetime import date, datetime

import pytest

from rectify.errors import AccessDenied, InvalidInput
from rectify.ledger import excel_import
from rectify.ledger.excel_import import InspectionFields, LedgerErrors
from rectify.ledger.models import Inspection, Measure
from rectify.org.models import Membership, Organisation, Role, User

from .conftest import HEADERS, encrypted_workbook, ledger_counts, workbook

TITLE = "关于市委第七巡察组反馈意见整改落实情况台账"


def good_ledger() -> bytes:
    """A ledger as offices keep it: a title row and a note above the header, problems merged over
    their measure rows, units and leaders by name, dates in the forms people type."""
    rows = [
        [TITLE],
        ["填报单位：甲局整改办"],
        HEADERS,
        [
            1,
            "政治建设方面",
            "执法不规范\n部分执法人员程序意识不强。",
            "规范执法程序。",
            "李瑞",
            "甲局执法支队",
            "甲局法规处",
            datetime(2025, 6, 30),
            "立行立改",
        ],
        [
            None,
            None,
            None,
            "加强执法培训。",
            "李瑞（局党组成员）",
            "甲局执法支队、督查科",
            None,
            "2025/12/31",
            None,
        ],
        [
            2,
            "政治建设方面",
            "非法营运打击不力。",
            "打击非法营运车辆。",
            "王五",
            "甲局法规处",
            None,
            "长期坚持",
            None,
        ],
        [3, "服务方面", "审批时限过长", "压缩审批时限。", None, "督查科", None, "2025年9月30日", "限期整改"],
        [None, None, None, "推行网上办理。", None, "甲局执法支队", "督查科", "2025.10.08", None],
        [None, None, None, "建立长效机制。", None, "甲局法规处", None, "长期", None],
    ]
    return workbook(rows, merges=("A1:I1", "A4:A5", "B4:B5", "C4:C5", "A7:A9", "B7:B9", "C7:C9"))


def plan_of(world, data: bytes, **kwargs):
    return excel_import.prepare(world.alice, world.orgs["a"], data, **kwargs)


def test_reading_finds_the_header_under_the_title_and_repeats_merged_cells(world):
    sheet = excel_import.read_workbook(good_ledger())
    assert sheet.header_row == 3 and sheet.name == "台账"
    assert sheet.above == [TITLE, "填报单位：甲局整改办"]
    assert [column.header for column in sheet.columns] == HEADERS
    assert [row for row, _ in sheet.rows] == [4, 5, 6, 7, 8, 9]
    assert sheet.rows[1][1][:3] == [1, "政治建设方面", "执法不规范\n部分执法人员程序意识不强。"]
    assert sheet.rows[5][1][0] == 3


def test_the_plan_groups_rows_into_areas_problems_and_measures(world):
    plan = plan_of(world, good_ledger())
    assert plan.errors == []
    assert [area.title for area in plan.areas] == ["政治建设方面", "服务方面"]
    assert [(p.number, p.title, p.description, len(p.measures)) for p in plan.problems] == [
        (1, "执法不规范", "部分执法人员程序意识不强。", 2),
        (2, "非法营运打击不力。", "", 1),
        (3, "审批时限过长", "", 3),
    ]
    measures = [m for p in plan.problems for m in p.measures]
    assert [(m.deadline, m.category) for m in measures] == [
        (date(2025, 6, 30), "immediate"),
        (date(2025, 12, 31), "deadline"),
        (None, "long_term"),
        (date(2025, 9, 30), "deadline"),
        (date(2025, 10, 8), "deadline"),
        (None, "long_term"),
    ]
    assert [m.leader for m in measures[:2]] == [world.larry, world.larry]
    assert measures[1].units == ["甲局执法支队", "督查科"]
    assert plan.matched_units == [world.orgs["a1"], world.orgs["a2"]]
    assert plan.new_units == ["督查科"]
    assert plan.unknown_leaders == ["王五"]
    assert [(w.row, w.column) for w in plan.warnings] == [(6, "E")]
    assert "王五" in plan.warnings[0].message and "已留空" in plan.warnings[0].message


def test_the_inspection_fields_are_read_from_the_title_row(world):
    sheet = excel_import.read_workbook(good_ledger())
    fields = excel_import.suggested_fields(sheet)
    assert (fields.title, fields.inspecting_body, fields.kind) == (
        "市委第七巡察组反馈意见",
        "市委第七巡察组",
        "patrol",
    )
    audit = workbook(
        [
            ["甲局关于市审计局经济责任审计组反馈问题整改清单"],
            HEADERS,
            [1, "", "问题", "措施", "", "", "", "2025-06-30", ""],
        ]
    )
    fields = excel_import.suggested_fields(excel_import.read_workbook(audit))
    assert (fields.inspecting_body, fields.kind) == ("市审计局经济责任审计组", "audit")


def test_import_writes_the_whole_ledger_and_creates_the_missing_units(world):
    before = Organisation.objects.count()
    fields = InspectionFields(
        title="市委第七巡察组常规巡察", inspecting_body="市委第七巡察组", feedback_date=date(2025, 3, 1)
    )
    inspection = excel_import.import_ledger(
        world.alice, world.orgs["a"], good_ledger(), source_name="台账.xlsx", fields=fields
    )
    assert (inspection.title, inspection.inspected, inspection.created_by) == (
        "市委第七巡察组常规巡察",
        world.orgs["a"],
        world.alice,
    )
    assert (inspection.feedback_date, inspection.source_name) == (date(2025, 3, 1), "台账.xlsx")
    assert list(inspection.areas.values_list("order", "title")) == [(1, "政治建设方面"), (2, "服务方面")]
    problem = inspection.problems.get(number=1)
    assert (problem.title, problem.description) == ("执法不规范", "部分执法人员程序意识不强。")
    assert problem.source_text == "执法不规范\n部分执法人员程序意识不强。"
    measures = list(
        Measure.objects.filter(problem__inspection=inspection).order_by("problem__number", "order")
    )
    assert [(m.problem.number, m.order) for m in measures] == [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2), (3, 3)]
    assert {m.status for m in measures} == {"not_started"}
    assert measures[0].lead_leader == world.larry and measures[2].lead_leader is None
    new = Organisation.objects.get(name="督查科")
    assert (new.parent, new.kind, new.code) == (world.orgs["a"], "department", "bureau-a-d1")
    assert Organisation.objects.count() == before + 1
    assert [u.name for u in measures[1].responsible_units] == ["甲局执法支队", "督查科"]
    assert [u.name for u in measures[0].supporting_units] == ["甲局法规处"]
    assert [u.name for u in measures[4].supporting_units] == ["督查科"]


def test_an_imported_ledger_is_searchable_at_once(world):
    """The importer bulk-creates rows (no post_save); its inspection_imported signal indexes them."""
    from rectify.search.services import search

    fields = InspectionFields(title="市委第七巡察组常规巡察", feedback_date=date(2025, 3, 1))
    inspection = excel_import.import_ledger(world.alice, world.orgs["a"], good_ledger(), fields=fields)
    results = search(world.alice, "执法不规范", inspection_id=inspection.pk)
    assert [hit.kind for hit in results.hits] == ["problem"]


def test_the_failing_file_reports_every_row_and_writes_nothing(world, ledger):
    """The issue's file: a wrong header, an empty required cell, a bad date and a duplicate 序号."""
    rows = [
        [TITLE],
        [],
        ["序号", "问题类别", "问题表象", "整改措施", "责任单位", "整改时限"],
        [1, "执法方面", "执法不规范", "规范执法程序。", "甲局执法支队", "2025-06-30"],
        [1, "执法方面", "执法不规范", None, "甲局执法支队", "2025-07-31"],
        [2, "执法方面", "打击不力", "打击非法营运。", "新单位", "2025-13-45"],
        [1, "服务方面", "审批过长", "压缩审批时限。", "甲局法规处", "2025/7/1"],
    ]
    data = workbook(rows, merges=("A1:F1",))
    before = ledger_counts()
    with pytest.raises(LedgerErrors) as raised:
        excel_import.import_ledger(
            world.alice, world.orgs["a"], data, fields=InspectionFields(title="第七轮")
        )
    errors = raised.value.errors
    assert [(e.row, e.column) for e in errors] == [(3, ""), (5, "D"), (6, "F"), (7, "A")]
    assert "缺少必填列“问题表现”" in errors[0].message and "C 列“问题表象”" in errors[0].message
    assert errors[1].message == "整改措施为空。"
    assert "“2025-13-45”不是有效日期" in errors[2].message and "2025年6月30日" in errors[2].message
    assert "序号“1”重复：第 4 行已使用该序号" in errors[3].message
    assert "4 处错误" in raised.value.message and "未导入任何内容" in raised.value.message
    assert ledger_counts() == before


def test_mapping_the_wrong_header_leaves_only_the_row_errors(world):
    rows = [
        ["序号", "问题表象", "整改措施", "整改时限"],
        [1, "执法不规范", "规范执法程序。", "2025-06-30"],
        [2, "打击不力", "打击非法营运。", "明年"],
    ]
    sheet = excel_import.read_workbook(workbook(rows))
    mapping = excel_import.mapping_from_json(sheet, '{"B": "问题表现"}')
    assert mapping == {0: "number", 1: "problem", 2: "measure", 3: "deadline"}
    plan = plan_of(world, workbook(rows), mapping=mapping)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "D")]
    by_header = excel_import.mapping_from_json(sheet, '{"问题表象": "problem", "整改时限": null}')
    assert by_header == {0: "number", 1: "problem", 2: "measure"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1, 2]", "JSON 对象"),
        ("{not json", "不是有效的 JSON"),
        ('{"Z": "问题表现"}', "不是表中的列"),
        ('{"B": "问题名称"}', "字段“问题名称”无效"),
    ],
)
def test_a_bad_mapping_is_refused_in_chinese(world, text, message):
    sheet = excel_import.read_workbook(
        workbook([["序号", "问题", "措施", "时限"], [1, "问题", "措施", "2025-06-30"]])
    )
    with pytest.raises(InvalidInput, match=message):
        excel_import.mapping_from_json(sheet, text)


def test_a_field_mapped_twice_is_an_error_on_the_header_row(world):
    data = workbook([["序号", "问题", "整改措施", "措施", "时限"], [1, "问题", "甲", "乙", "2025-06-30"]])
    sheet = excel_import.read_workbook(data)
    plan = plan_of(
        world, data, mapping={0: "number", 1: "problem", 2: "measure", 3: "measure", 4: "deadline"}
    )
    assert [(e.row, e.column) for e in plan.errors] == [(1, "D")]
    assert "对应了多列（C、D 列）" in plan.errors[0].message
    assert excel_import.auto_mapping(sheet) == {0: "number", 1: "problem", 2: "measure", 4: "deadline"}


@pytest.mark.parametrize(
    "header",
    [
        ("序号", "主要问题", "措施", "完成时限", "牵头领导", "牵头单位"),
        ("编号", "存在问题", "整改举措", "时限", "分管领导", "责任部门"),
        ("序 号", "具体问题*", "整改措施\n（具体）", "整改时限（年月日）", "责任领导", "责任处室"),
    ],
)
def test_headers_that_differ_are_recognised_by_their_synonyms(world, header):
    data = workbook([list(header), [1, "问题", "措施", "2025-06-30", "李瑞", "甲局法规处"]])
    sheet = excel_import.read_workbook(data)
    assert excel_import.auto_mapping(sheet) == {
        0: "number",
        1: "problem",
        2: "measure",
        3: "deadline",
        4: "leader",
        5: "units",
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2025, 6, 30), date(2025, 6, 30)),
        (date(2025, 6, 30), date(2025, 6, 30)),
        (45838, date(2025, 6, 30)),  # an Excel date whose format was lost
        ("2025-06-30", date(2025, 6, 30)),
        ("2025/6/30", date(2025, 6, 30)),
        ("2025年6月30日", date(2025, 6, 30)),
        ("2025.06.30", date(2025, 6, 30)),
        ("２０２５年６月３０日前", date(2025, 6, 30)),
        ("20250630", date(2025, 6, 30)),
        ("2025年6月底", date(2025, 6, 30)),
        ("2024年2月", date(2024, 2, 29)),
        ("长期坚持", None),
        ("长期", None),
    ],
)
def test_deadlines_in_the_forms_people_type(value, expected):
    parsed = excel_import.parse_deadline(value)
    assert parsed.day == expected
    assert parsed.long_term == (expected is None)


@pytest.mark.parametrize(
    "value", ["2025-13-45", "2025-02-30", "明年六月", "6月30日", "1899-01-01", 2025, "立行立改"]
)
def test_what_is_not_a_deadline(value):
    with pytest.raises(ValueError):
        excel_import.parse_deadline(value)


@pytest.mark.parametrize(
    "value, expected",
    [(3, 3), (3.0, 3), ("3", 3), ("3.", 3), ("（三）", 3), ("十二", 12), ("二十三", 23), ("３、", 3)],
)
def test_numbers_in_the_forms_people_type(value, expected):
    assert excel_import.parse_number(value) == expected


@pytest.mark.parametrize("value", [0, -1, 2.5, "A", "1.2", "一百", True])
def test_what_is_not_a_number(value):
    assert excel_import.parse_number(value) is None


def test_row_level_checks_name_row_column_and_fault(world):
    Organisation.objects.create(
        name="驻甲局纪检监察组", code="a-jjz", kind="discipline", parent=world.orgs["a"]
    )
    rows = [
        ["序号", "问题表现", "整改措施", "责任单位", "配合单位", "整改时限", "整改类型"],
        ["一", "问题甲", "措施一。", "甲局法规处", "甲局法规处", "2025-06-30", "马上改"],
        ["", "问题乙", "措施二。", "", "", "", "限期整改"],
        [3, "", "措施三。", "驻甲局纪检监察组", "", "立行立改", ""],
        [4, "问题丁", "措施四。", "", "", "2023-01-01", ""],
        ["x", "问题戊", "措施五。", "", "", "长期坚持", "立行立改"],
    ]
    plan = plan_of(world, workbook(rows), fields=InspectionFields(title="t", feedback_date=date(2024, 6, 1)))
    found = [(e.row, e.column, e.message) for e in plan.errors]
    assert [(row, column) for row, column, _ in found] == [
        (2, "E"),
        (2, "G"),
        (3, "A"),
        (3, "F"),
        (4, "B"),
        (4, "D"),
        (4, "F"),
        (5, "F"),
        (6, "A"),
    ]
    messages = {(row, column): message for row, column, message in found}
    assert messages[(2, "E")] == "“甲局法规处”不能同时是责任单位和配合单位。"
    assert "整改类型“马上改”无法识别" in messages[(2, "G")]
    assert messages[(3, "A")] == "序号为空：每个问题的第一行须填写序号。"
    assert "整改时限为空" in messages[(3, "F")]
    assert messages[(4, "B")] == "问题表现为空。"
    assert "巡察或纪检监察机构" in messages[(4, "D")]
    assert "立行立改的措施也须填写完成日期" in messages[(4, "F")]
    assert "早于反馈日期（2024年6月1日）" in messages[(5, "F")]
    assert messages[(6, "A")] == "序号“x”不是正整数。"
    assert [(w.row, w.column) for w in plan.warnings] == [(6, "G")]  # long-term wins over 立行立改


def test_headings_notes_and_column_numbers_are_not_rows(world):
    rows = [
        ["序号", "问题表现", "整改措施", "整改时限"],
        [1, 2, 3, 4],
        ["一、政治建设方面"] * 4,
        [1, "问题甲", "措施一。", "2025-06-30"],
        ["作风建设方面"] * 4,
        [2, "问题乙", "措施二。", "2025-06-30"],
        ["注：整改时限以领导小组审定为准。"] * 4,
    ]
    plan = plan_of(world, workbook(rows, merges=("A3:D3", "A5:D5", "A7:D7")))
    assert plan.errors == []
    assert [(area.title, [p.number for p in area.problems]) for area in plan.areas] == [
        ("政治建设方面", [1]),
        ("作风建设方面", [2]),
    ]
    assert [(w.row, w.message[:12]) for w in plan.warnings] == [(7, "该行视为说明文字，未导入")]


def test_one_leader_per_measure_and_namesakes_are_not_guessed(world):
    twin = User.objects.create_user("larry2", full_name="李瑞")
    Membership.objects.create(user=twin, organisation=world.orgs["a"], role=Role.LEADER)
    office = User.objects.create_user("olga", full_name="欧佳")
    Membership.objects.create(user=office, organisation=world.orgs["a"], role=Role.OFFICE)
    rows = [
        ["序号", "问题", "措施", "时限", "责任领导"],
        [1, "问题", "甲", "2025-06-30", "李瑞"],
        [2, "问题二", "乙", "2025-06-30", "欧佳、魏然"],
    ]
    plan = plan_of(world, workbook(rows))
    assert [m.leader for p in plan.problems for m in p.measures] == [None, None]
    messages = [w.message for w in plan.warnings]
    assert "2 位同名领导" in messages[0]
    assert "只有一位牵头领导：取“欧佳”，“魏然”未导入" in messages[1]
    assert "“欧佳”不是本单位领导小组成员" in messages[2]  # the office is not a leader
    assert not User.objects.filter(full_name="魏然").exclude(username="vera").exists()


def test_units_are_matched_by_short_name_and_only_inside_the_organisation(world):
    Organisation.objects.filter(pk=world.orgs["a2"].pk).update(short_name="法规处")
    rows = [
        ["序号", "问题", "措施", "时限", "责任单位"],
        [1, "问题", "甲", "2025-06-30", "法规处、乙局办公室"],
    ]
    plan = plan_of(world, workbook(rows))
    assert plan.matched_units == [world.orgs["a2"]]
    assert plan.new_units == ["乙局办公室"]  # bureau B's unit is not A's: a department of A is made


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "empty.xlsx", "文件为空"),
        ("序号,问题表现,整改措施\n1,问题,措施\n".encode(), "renamed.xlsx", "不是 Excel 工作簿"),
        (b"%PDF-1.4\n%%EOF", "scan.xlsx", "不是 Excel 工作簿"),
        (None, "protected.xlsx", "设置了打开密码"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024), "old.xls", "旧版 Excel（.xls）"),
        (b"PK\x03\x04 broken", "broken.xlsx", "已损坏"),
        ("empty-sheet", "blank.xlsx", "工作表是空的"),
        ("no-header", "other.xlsx", "没有找到台账的表头"),
        ("header-only", "header.xlsx", "没有数据行"),
        ("docx", "notice.xlsx", "不是 Excel 工作簿"),
    ],
)
def test_a_wrong_file_gets_a_clear_message_and_writes_nothing(world, data, name, message):
    if data is None:
        data = encrypted_workbook()
    elif data == "empty-sheet":
        data = workbook([])
    elif data == "no-header":
        data = workbook([["姓名", "电话"], ["张三", "123"]])
    elif data == "header-only":
        data = workbook([[TITLE], HEADERS])
    elif data == "docx":
        from io import BytesIO

        import docx

        buffer = BytesIO()
        docx.Document().save(buffer)
        data = buffer.getvalue()
    before = ledger_counts()
    with pytest.raises(InvalidInput, match=message):
        excel_import.import_ledger(world.alice, world.orgs["a"], data, fields=InspectionFields(title="t"))
    assert ledger_counts() == before


@pytest.mark.parametrize("name", ["larry", "bob", "vera", "sam", "charlie", "nobody"])
def test_only_the_office_of_the_organisation_imports(world, name):
    with pytest.raises(AccessDenied):
        excel_import.import_ledger(
            world.people[name], world.orgs["a"], good_ledger(), fields=InspectionFields(title="t")
        )
    assert not Inspection.objects.exists()


def test_the_office_may_import_into_a_unit_below_its_organisation(world):
    assert excel_import.prepare(world.alice, world.orgs["a1"], good_ledger()).organisation == world.orgs["a1"]
    with pytest.raises(AccessDenied):
        excel_import.prepare(world.charlie, world.orgs["a1"], good_ledger())


def test_the_same_ledger_is_not_imported_twice(world):
    fields = InspectionFields(title="市委第七巡察组常规巡察", feedback_date=date(2025, 3, 1))
    excel_import.import_ledger(world.alice, world.orgs["a"], good_ledger(), fields=fields)
    before = ledger_counts()
    with pytest.raises(excel_import.LedgerErrors) as refused:
        excel_import.import_ledger(world.alice, world.orgs["a"], good_ledger(), fields=fields)
    assert "不能重复导入" in refused.value.errors[0].message
    assert ledger_counts() == before


@pytest.mark.parametrize(
    "fields, message",
    [
        (InspectionFields(title=""), "请填写巡察名称"),
        (
            InspectionFields(title="t", onsite_start=date(2024, 5, 1), onsite_end=date(2024, 4, 1)),
            "进驻结束日期不能早于",
        ),
        (
            InspectionFields(title="t", onsite_end=date(2024, 5, 1), feedback_date=date(2024, 4, 1)),
            "反馈日期不能早于",
        ),
        (InspectionFields(title="t", kind="visit"), "巡察类型"),
    ],
)
def test_bad_inspection_fields_are_errors_too(world, fields, message):
    with pytest.raises(LedgerErrors) as raised:
        excel_import.import_ledger(world.alice, world.orgs["a"], good_ledger(), fields=fields)
    assert raised.value.errors[0].row is None and message in raised.value.errors[0].message
    assert not Inspection.objects.exists()


def test_a_unit_name_shared_by_two_units_must_be_written_in_full(world):
    Organisation.objects.create(name="综合科", code="a1-zh", kind="department", parent=world.orgs["a1"])
    Organisation.objects.create(name="综合科", code="a2-zh", kind="department", parent=world.orgs["a2"])
    rows = [["序号", "问题", "措施", "时限", "责任单位"], [1, "问题", "甲", "2025-06-30", "综合科"]]
    plan = plan_of(world, workbook(rows))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "E")]
    assert "对应多个单位：综合科（甲局执法支队下）、综合科（甲局法规处下）" in plan.errors[0].message


def test_each_imported_measure_has_one_responsible_unit(world):
    """The first unit a row names answers for the measure (主责单位); a row naming none is the
    inspected organisation's own until the office gives it to a unit."""
    rows = [
        HEADERS,
        [
            1,
            "服务方面",
            "审批时限过长",
            "压缩审批时限。",
            None,
            "甲局法规处、甲局执法支队",
            None,
            "2025-09-30",
            None,
        ],
        [None, None, None, "推行网上办理。", None, None, None, "2025-10-08", None],
    ]
    fields = InspectionFields(title="市委第七巡察组常规巡察", feedback_date=date(2025, 3, 1))
    inspection = excel_import.import_ledger(world.alice, world.orgs["a"], workbook(rows), fields=fields)
    named, unnamed = Measure.objects.filter(problem__inspection=inspection).order_by("order")
    assert named.responsible_unit == world.orgs["a2"]
    assert [u.name for u in named.responsible_units] == ["甲局法规处", "甲局执法支队"]
    assert unnamed.responsible_unit == world.orgs["a"]
    assert [u.name for u in unnamed.responsible_units] == ["甲局"]
