"""The web import (upload → column mapping → preview → confirm) and its refusals, through HTTP."""

import re

import pytest
from django.test import Client

from rectify.ledger.models import Inspection, Measure
from rectify.org.models import Organisation

from .conftest import encrypted_workbook, ledger_counts, signed_in, upload, workbook

TITLE = "关于市委第七巡察组反馈意见整改落实情况台账"


def office_ledger(measure_header: str = "整改措施") -> bytes:
    rows = [
        [TITLE],
        ["序号", "主要问题", measure_header, "牵头单位", "完成时限", "备注"],
        [1, "执法不规范", "规范执法程序。", "甲局执法支队", "2025-06-30", ""],
        [None, None, "加强培训。", "督查科", "长期坚持", "与法规处会商"],
        [2, "打击不力", "打击非法营运。", "甲局法规处", "2025/9/30", ""],
    ]
    return workbook(rows, merges=("A1:F1", "A3:A4", "B3:B4"))


def start(client: Client, world, data: bytes):
    response = client.post("/ledgers/import/", {"organisation": world.orgs["a"].pk, "file": upload(data)})
    assert response.status_code == 302, response.content.decode()
    return response.url


def mapping_post(page_context, **changes) -> dict:
    """What the mapping page submits as it stands (prefilled), with `changes`."""
    data = {}
    for _, field in page_context["mapping_form"].rows():
        data[field.html_name] = field.value() or ""
    for field in page_context["fields_form"]:
        value = field.value()
        data[field.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_the_office_imports_a_ledger_in_three_steps(world):
    client = signed_in("alice")
    before = ledger_counts()
    url = start(client, world, office_ledger())
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "核对列对应" in html
    assert "第 2 行" in html and "未识别" in html  # 备注 is not a field
    context = page.context
    assert context["fields_form"]["inspecting_body"].value() == "市委第七巡察组"
    assert context["fields_form"]["title"].value() == "市委第七巡察组反馈意见"
    values = {field.html_name: field.value() for _, field in context["mapping_form"].rows()}
    assert values == {
        "column_A": "number",
        "column_B": "problem",
        "column_C": "measure",
        "column_D": "units",
        "column_E": "deadline",
        "column_F": "",
    }
    preview = client.post(url, mapping_post(context, title="市委第七巡察组常规巡察", action="preview"))
    html = preview.content.decode()
    assert preview.status_code == 200 and "预览：市委第七巡察组常规巡察" in html
    assert "2 个问题、3 条整改措施" in html and "督查科" in html and "内设机构新建" in html
    assert ledger_counts() == before
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert carried["title"] == "市委第七巡察组常规巡察" and carried["column_F"] == ""
    done = client.post(url + "confirm/", carried)
    inspection = Inspection.objects.get()
    assert done.status_code == 302 and done.url == f"/inspections/{inspection.pk}/"
    assert inspection.title == "市委第七巡察组常规巡察" and inspection.inspecting_body == "市委第七巡察组"
    assert Measure.objects.filter(problem__inspection=inspection).count() == 3
    assert Organisation.objects.filter(name="督查科", parent=world.orgs["a"]).exists()
    assert "已导入巡察" in client.get(done.url).content.decode()
    # The file is gone with the import: the same token cannot import twice.
    again = client.post(url + "confirm/", carried)
    assert again.status_code == 400 and "已过期或不存在，请重新上传" in again.content.decode()
    assert "ledger/excel/import_upload.html" in [template.name for template in again.templates]
    assert Inspection.objects.count() == 1


def test_an_unrecognised_column_is_mapped_by_the_office(world):
    client = signed_in("alice")
    url = start(client, world, office_ledger(measure_header="落实举措"))
    context = client.get(url).context
    refused = client.post(url, mapping_post(context, action="preview"))
    html = refused.content.decode()
    assert refused.status_code == 400 and "缺少必填列“整改措施”" in html and "C 列“落实举措”" in html
    assert refused.context["fields_form"]["title"].value() == "市委第七巡察组反馈意见"  # kept as it was
    preview = client.post(url, mapping_post(refused.context, column_C="measure", action="preview"))
    assert preview.status_code == 200 and "3 条整改措施" in preview.content.decode()


def test_row_errors_are_shown_with_row_and_column_and_nothing_is_written(world):
    rows = [
        ["序号", "问题表现", "整改措施", "整改时限"],
        [1, "问题甲", "", "2025-06-30"],
        [2, "问题乙", "措施。", "下个月"],
        [1, "问题丙", "措施。", "2025-06-30"],
    ]
    client = signed_in("alice")
    before = ledger_counts()
    url = start(client, world, workbook(rows))
    context = client.get(url).context
    response = client.post(url, mapping_post(context, title="第七轮", action="preview"))
    html = response.content.decode()
    assert response.status_code == 400 and "台账中有 3 处错误" in html
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td>([A-Z—]+)</td><td>', html)
    assert cells == [("2", "C"), ("3", "D"), ("4", "A")]
    assert "整改时限“下个月”不是有效日期" in html and "序号“1”重复" in html
    confirm = client.post(url + "confirm/", mapping_post(response.context, title="第七轮"))
    assert confirm.status_code == 400 and ledger_counts() == before


def test_back_from_the_preview_keeps_what_was_typed(world):
    client = signed_in("alice")
    url = start(client, world, office_ledger())
    context = client.get(url).context
    typed = mapping_post(
        context, title="改过的名称", round_name="十二届市委第六轮", feedback_date="2025-03-01"
    )
    back = client.post(url, {**typed, "action": "edit"})
    assert back.status_code == 200
    assert back.context["fields_form"]["title"].value() == "改过的名称"
    assert back.context["fields_form"]["round_name"].value() == "十二届市委第六轮"
    bad_date = client.post(url, {**typed, "feedback_date": "2025-02-30", "action": "preview"})
    assert bad_date.status_code == 400 and "反馈日期格式不正确" in bad_date.content.decode()
    assert bad_date.context["fields_form"]["title"].value() == "改过的名称"


@pytest.mark.parametrize(
    "data, message",
    [
        ("序号,问题\n1,甲\n".encode(), "不是 Excel 工作簿"),
        (encrypted_workbook(), "打开密码"),
        (workbook([]), "工作表是空的"),
    ],
)
def test_a_wrong_file_is_refused_on_the_upload_form(world, data, message):
    response = signed_in("alice").post(
        "/ledgers/import/", {"organisation": world.orgs["a"].pk, "file": upload(data, "台账.xlsx")}
    )
    html = response.content.decode()
    assert response.status_code == 400 and message in html and 'class="field-error"' in html
    assert 'value="{}" selected'.format(world.orgs["a"].pk) in html  # the choice is kept


def test_the_import_is_for_the_office_only(world):
    assert signed_in("bob").get("/ledgers/import/").status_code == 403
    assert signed_in("vera").get("/ledgers/import/").status_code == 403
    response = signed_in("charlie").post(
        "/ledgers/import/", {"organisation": world.orgs["a"].pk, "file": upload(office_ledger())}
    )
    assert response.status_code == 400 and "整改办" in response.content.decode()


def test_another_users_upload_cannot_be_used(world):
    url = start(signed_in("alice"), world, office_ledger())
    assert signed_in("charlie").get(url).status_code == 403
    gone = signed_in("alice").get("/ledgers/import/" + "0" * 32 + "/")
    assert gone.status_code == 400 and "已过期或不存在" in gone.content.decode()
    # Somebody who may not import is refused, not offered the upload form.
    assert signed_in("bob").get("/ledgers/import/" + "0" * 32 + "/").status_code == 403


def test_the_nav_links_the_import_for_the_office(world):
    assert 'href="/ledgers/import/"' in signed_in("alice").get("/inspections/").content.decode()
    assert 'href="/ledgers/import/"' not in signed_in("bob").get("/inspections/").content.decode()
