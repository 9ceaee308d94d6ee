"""Importing 12345 work orders from real .xlsx files made with openpyxl: the mapping, the preview,
row-level errors, duplicates, nothing written on error, and the pages."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from rectify.errors import AccessDenied, InvalidInput
from rectify.feedback.demo import HOTLINE_SAMPLE as SAMPLE
from rectify.feedback.hotline import services as hotline
from rectify.feedback.hotline.models import HotlineBatch
from rectify.feedback.models import FeedbackItem

pytestmark = pytest.mark.django_db

HEADERS = [
    "工单编号",
    "来电时间",
    "来电人",
    "联系电话",
    "诉求类型",
    "诉求内容",
    "所属区域",
    "企业名称",
    "办理时限",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def workbook(rows, headers=HEADERS, title_rows=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for title in title_rows:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def order(
    ref="GZ12345-0001", when=None, name="陈女士", phone="13812341234", kind="投诉", content=None, **more
):
    when = when or datetime(2025, 3, 3, 9, 15)
    return [
        ref,
        when,
        name,
        phone,
        kind,
        content if content is not None else "南站附近有人拉客，请加强执法。",
        more.get("area", "番禺区"),
        more.get("enterprise", ""),
        more.get("deadline", date(2025, 3, 17)),
    ]


def test_a_typical_export_is_imported_with_contacts_encrypted_and_a_batch(world):
    data = workbook(
        [
            order(),
            order(
                "GZ12345-0002", content="公司车辆年审排队太久。", enterprise="广州某运输有限公司", kind="求助"
            ),
            order("GZ12345-0003", phone="020 3818 0385", kind="企业诉求", name=""),
        ],
        title_rows=["广州市12345热线工单导出"],
    )
    batch = hotline.import_workbook(world.alice, world.orgs["a"], data, "12345工单.xlsx")
    assert (batch.row_count, batch.skipped_count, batch.imported_by, batch.file_name) == (
        3,
        0,
        world.alice,
        "12345工单.xlsx",
    )
    first, second, third = FeedbackItem.objects.order_by("external_ref")
    assert first.channel == "hotline" and first.hotline_batch == batch and first.kind == "opinion"
    assert first.external_ref == "GZ12345-0001" and first.created_by == world.alice
    assert timezone.localtime(first.received_at).replace(tzinfo=None) == datetime(2025, 3, 3, 9, 15)
    assert (
        first.content.startswith("南站附近有人拉客") and "投诉" in first.content and "番禺区" in first.content
    )
    assert first.sender_phone == "13812341234" and first.sender_name == "陈女士"
    assert first.due_date == date(2025, 3, 17)  # the hotline's time limit is earlier than 15 workdays
    assert second.kind == "demand" and second.enterprise == "广州某运输有限公司"  # an enterprise named
    assert third.kind == "demand" and third.sender_phone == "020-38180385"  # 诉求类型 says so
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_phone, sender_name FROM feedback_feedbackitem WHERE id = %s", [first.pk]
        )
        raw_phone, raw_name = cursor.fetchone()
    assert "13812341234" not in raw_phone and "陈" not in raw_name


def test_an_imported_order_keeps_its_chinese_punctuation_and_its_type_and_place(world):
    data = workbook([order(content="南站附近有人拉客，请加强执法！")])
    hotline.import_workbook(world.alice, world.orgs["a"], data, "工单.xlsx")
    expected = "南站附近有人拉客，请加强执法！\n（12345 工单 诉求类型：投诉；所属区域：番禺区）"
    assert FeedbackItem.objects.get().content == expected


def test_duplicates_already_imported_or_repeated_in_the_file_are_skipped_with_the_reason(world):
    hotline.import_workbook(world.alice, world.orgs["a"], workbook([order("A-1")]), "一.xlsx")
    data = workbook([order("A-1"), order("A-2"), order("A-2", content="重复派单")])
    sheet = hotline.read_workbook(data, "二.xlsx")
    plan = hotline.plan_import(world.orgs["a"], sheet, hotline.guess_mapping(sheet.headers))
    assert [(s.row, s.external_ref, s.reason) for s in plan.skipped] == [
        (2, "A-1", "该工单已导入过"),
        (4, "A-2", "与本文件第 3 行工单编号重复"),
    ]
    batch = hotline.import_plan(world.alice, world.orgs["a"], plan, "二.xlsx")
    assert (batch.row_count, batch.skipped_count) == (1, 2)
    assert FeedbackItem.objects.count() == 2
    # Bureau B's office imports its own orders: A's numbers are no duplicates there.
    other = hotline.import_workbook(world.charlie, world.orgs["b"], workbook([order("A-1")]), "乙.xlsx")
    assert other.row_count == 1
    with pytest.raises(InvalidInput, match="都已导入过"):
        hotline.import_workbook(world.alice, world.orgs["a"], workbook([order("A-1")]), "三.xlsx")


def test_row_errors_name_row_and_column_and_nothing_is_written(world):
    future = timezone.localtime() + timedelta(days=2)
    data = workbook(
        [
            order("B-1"),
            order("B-2", content="   "),
            order("B-3", when="2025-13-45 10:00"),
            order("B-4", phone="12345"),
            order("", content="没有编号"),
            order("B-6", when=future.replace(tzinfo=None)),
            order("B-7", content="长" * 2100),
            order("B-8", deadline="下周"),
        ]
    )
    sheet = hotline.read_workbook(data, "错.xlsx")
    plan = hotline.plan_import(world.orgs["a"], sheet, hotline.guess_mapping(sheet.headers))
    errors = [str(error) for error in plan.errors]
    date_hint = "请使用“2025-03-01 09:30”或“2025/3/1 9:30”的格式。"
    phone_hint = "联系电话格式不正确：请填写 11 位手机号，或带区号的固定电话（如 020-12345678）。"
    assert errors == [
        "第 3 行，F 列（诉求内容）：诉求内容为空。",
        f"第 4 行，B 列（来电时间）：无法识别的日期“2025-13-45 10:00”，{date_hint}",
        f"第 5 行，D 列（联系电话）：{phone_hint}",
        "第 6 行，A 列（工单编号）：工单编号为空。",
        f"第 7 行，B 列（来电时间）：来电时间“{future:%Y-%m-%d %H:%M}”晚于现在。",
        "第 8 行，F 列（诉求内容）：内容不能超过 2000 个字（现为 2100 个字）。",
        f"第 9 行，I 列（办理时限）：无法识别的日期“下周”，{date_hint}",
    ]
    assert not plan.importable
    with pytest.raises(InvalidInput, match="文件有 7 处错误，未导入任何工单"):
        hotline.import_plan(world.alice, world.orgs["a"], plan, "错.xlsx")
    assert not FeedbackItem.objects.exists() and not HotlineBatch.objects.exists()


def test_dates_in_the_forms_exports_use(world):
    rows = [
        order("D-1", when="2025/3/1 9:05"),
        order("D-2", when="2025年3月2日 14时30分"),
        order("D-3", when="2025-03-03"),
        order("D-4", when=45720.5),  # Excel's day number for 2025-03-04 12:00
        order("D-5", when="2025-03-05 08:01:59"),
    ]
    hotline.import_workbook(world.alice, world.orgs["a"], workbook(rows), "日期.xlsx")
    moments = {
        item.external_ref: timezone.localtime(item.received_at).replace(tzinfo=None)
        for item in FeedbackItem.objects.all()
    }
    assert moments == {
        "D-1": datetime(2025, 3, 1, 9, 5),
        "D-2": datetime(2025, 3, 2, 14, 30),
        "D-3": datetime(2025, 3, 3, 0, 0),
        "D-4": datetime(2025, 3, 4, 12, 0),
        "D-5": datetime(2025, 3, 5, 8, 1, 59),
    }


def test_the_mapping_is_guessed_from_synonyms_and_the_office_maps_the_rest(world):
    headers = ["序号", "工单号", "受理日期", "联系人", "来电号码", "问题描述", "事发地址", "转办意见"]
    row = [
        1,
        "C-1",
        "2025-03-01 10:00",
        "王先生",
        "13912345678",
        "公交站牌信息错误。",
        "天河区",
        "转市交通运输局",
    ]
    sheet = hotline.read_workbook(workbook([row], headers=headers), "别名.xlsx")
    guessed = hotline.guess_mapping(sheet.headers)
    assert guessed == ["", "external_ref", "received_at", "name", "phone", "content", "area", ""]
    # A file whose headers say nothing: the office maps every required column by hand.
    odd = hotline.read_workbook(
        workbook([["X-1", "2025-03-01", "内容"]], headers=["甲", "乙", "丙"]), "怪.xlsx"
    )
    assert hotline.guess_mapping(odd.headers) == ["", "", ""]
    plan = hotline.plan_import(world.orgs["a"], odd, ["", "", ""])
    assert plan.problems == [
        "请指定“工单编号”对应哪一列（必填）。",
        "请指定“来电时间”对应哪一列（必填）。",
        "请指定“诉求内容”对应哪一列（必填）。",
    ]
    plan = hotline.plan_import(world.orgs["a"], odd, ["external_ref", "received_at", "received_at"])
    assert "“来电时间”只能对应一列，现对应了B 列（乙）、C 列（丙）。" in plan.problems
    plan = hotline.plan_import(world.orgs["a"], odd, ["external_ref", "received_at", "content"])
    assert plan.importable and plan.orders[0].content == "内容"
    assert hotline.plan_import(world.orgs["a"], odd, ["external_ref", "bogus", "content"]).problems


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("工单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "只能导入 Excel 工作簿（.xlsx）"),
        ("工单.csv", "工单编号,诉求内容\n1,内容".encode(), "只能导入 Excel 工作簿（.xlsx）"),
        ("改名.xlsx", "工单编号\t诉求内容\n1\t内容".encode(), "可能是改了扩展名的其他文件"),
        ("坏.xlsx", b"PK\x03\x04" + b"\0" * 64, "可能是改了扩展名的其他文件"),
        ("空.xlsx", b"", "上传的文件是空的"),
    ],
)
def test_files_that_are_not_work_order_workbooks_are_refused_in_chinese(world, name, data, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        hotline.import_workbook(world.alice, world.orgs["a"], data, name)
    assert not HotlineBatch.objects.exists()


def test_a_workbook_without_data_is_refused(world):
    with pytest.raises(InvalidInput, match="第 1 行表头下面没有内容"):
        hotline.read_workbook(workbook([]), "只有表头.xlsx")
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InvalidInput, match="工作簿是空的"):
        hotline.read_workbook(buffer.getvalue(), "空白.xlsx")


def test_only_the_office_imports(world):
    data = workbook([order()])
    for outsider in (world.larry, world.bob, world.vera, world.charlie):
        with pytest.raises(AccessDenied):
            hotline.import_workbook(outsider, world.orgs["a"], data, "工单.xlsx")
    assert not FeedbackItem.objects.exists()


def test_the_shipped_sample_imports_and_skips_its_repeated_order(world):
    batch = hotline.import_workbook(world.alice, world.orgs["a"], SAMPLE.read_bytes(), SAMPLE.name)
    assert (batch.row_count, batch.skipped_count) == (6, 1)
    demand = FeedbackItem.objects.get(external_ref="GZ12345-2025-0004031")
    assert demand.kind == "demand" and demand.enterprise == "广州某建设工程有限公司"


# ------------------------------------------------------------------ the pages


def office() -> Client:
    from rectify.org.models import User

    client = Client()
    client.force_login(User.objects.get(username="alice"))
    return client


def test_upload_preview_change_mapping_and_confirm_on_the_pages(world):
    client = office()
    assert client.get("/feedback/hotline/").status_code == 200
    headers = ["工单编号", "来电时间", "内容摘要X", "联系电话"]
    data = workbook([["P-1", "2025-03-01 10:00", "路灯不亮。", "13812341234"]], headers=headers)
    response = client.post(
        "/feedback/hotline/",
        {"organisation": world.orgs["a"].pk, "file": SimpleUploadedFile("工单.xlsx", data)},
    )
    assert response.status_code == 302
    preview_url = response.url
    page = client.get(preview_url)
    text = page.content.decode()
    assert page.status_code == 400 and "请指定“诉求内容”对应哪一列（必填）。" in text and "未识别" in text
    assert "确认导入" not in text
    mapping = {"col_0": "external_ref", "col_1": "received_at", "col_2": "content", "col_3": "phone"}
    page = client.post(preview_url, mapping)
    text = page.content.decode()
    assert page.status_code == 200 and "确认导入 1 条工单" in text and "138****1234" in text
    assert "13812341234" not in text
    assert not FeedbackItem.objects.exists()  # a preview writes nothing
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    # Another office may not import somebody else's upload.
    other = Client()
    other.force_login(world.charlie)
    assert other.post(f"/feedback/hotline/preview/{token}/import/", mapping).status_code == 403
    response = client.post(f"/feedback/hotline/preview/{token}/import/", mapping)
    batch = HotlineBatch.objects.get()
    assert response.status_code == 302 and response.url == f"/feedback/hotline/batches/{batch.pk}/"
    page = client.get(response.url).content.decode()
    assert "P-1" in page and "138****1234" in page and "13812341234" not in page
    assert "艾丽" in client.get("/feedback/hotline/").content.decode()  # who imported
    # The upload is gone once imported.
    response = client.get(preview_url)
    assert response.status_code == 400 and "上传的工单文件已过期或不存在" in response.content.decode()
    assert "feedback/hotline/upload.html" in [template.name for template in response.templates]


def test_a_confirmation_with_errors_writes_nothing_and_shows_the_rows(world):
    client = office()
    data = workbook([order("E-1"), order("E-2", phone="abc")])
    response = client.post(
        "/feedback/hotline/",
        {"organisation": world.orgs["a"].pk, "file": SimpleUploadedFile("错.xlsx", data)},
    )
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    mapping = {f"col_{index}": name for index, name in enumerate(hotline.guess_mapping(HEADERS))}
    response = client.post(f"/feedback/hotline/preview/{token}/import/", mapping)
    text = response.content.decode()
    assert response.status_code == 400 and "未导入任何工单" in text and "D 列（联系电话）" in text
    assert not FeedbackItem.objects.exists() and not HotlineBatch.objects.exists()


def test_the_upload_page_refuses_bad_files_and_strangers(world):
    client = office()
    response = client.post(
        "/feedback/hotline/",
        {"organisation": world.orgs["a"].pk, "file": SimpleUploadedFile("名单.txt", "工单".encode())},
    )
    assert response.status_code == 400 and "只能导入 Excel 工作簿" in response.content.decode()
    response = client.post(
        "/feedback/hotline/",
        {"organisation": world.orgs["b"].pk, "file": SimpleUploadedFile("工单.xlsx", workbook([order()]))},
    )
    assert response.status_code == 400 and "只能为您担任整改办的组织导入热线工单" in response.content.decode()
    for user in (world.bob, world.nobody):
        stranger = Client()
        stranger.force_login(user)
        assert stranger.get("/feedback/hotline/").status_code == 403
    assert Client().get("/feedback/hotline/").status_code == 302
    stale = office().get("/feedback/hotline/preview/" + "0" * 32 + "/")
    assert stale.status_code == 400 and "已过期或不存在" in stale.content.decode()
    stranger = Client()
    stranger.force_login(world.bob)
    assert stranger.get("/feedback/hotline/preview/" + "0" * 32 + "/").status_code == 403
