"""The Excel ledger API over real HTTP: download a list, import with a dry run, errors by row."""

import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from rectify.ledger.models import Inspection, Measure

from ..api.test_api import token_for
from .conftest import HEADERS, XLSX_TYPE, encrypted_workbook, ledger_counts, read, upload, workbook

IMPORT = "/api/v1/inspections/import-ledger"


@pytest.fixture
def api(world):
    return Client(enforce_csrf_checks=True)


def sample() -> bytes:
    rows = [
        ["甲局关于市委第七巡察组反馈意见整改落实情况台账"],
        HEADERS,
        [
            1,
            "执法方面",
            "执法不规范",
            "规范执法程序。",
            "李瑞",
            "甲局执法支队",
            None,
            "2025-06-30",
            "立行立改",
        ],
        [None, None, None, "加强培训。", "张三", "督查科", None, "2025年12月31日", None],
    ]
    return workbook(rows, merges=("A1:I1", "A3:A4", "B3:B4", "C3:C4"))


def test_the_ledger_downloads_as_xlsx_with_its_chinese_name(api, lived):
    headers = token_for(api, "alice")
    response = api.get(
        f"/api/v1/inspections/{lived.inspection.pk}/ledger.xlsx?list=problems", headers=headers
    )
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    name = f"市委第一巡察组常规巡察-问题清单-{timezone.localdate():%Y%m%d}.xlsx"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
    assert read(response.content)["A3"].value == "序号"
    default = api.get(f"/api/v1/inspections/{lived.inspection.pk}/ledger.xlsx", headers=headers)
    assert read(default.content).title == "整改台账"


def test_the_download_refuses_a_bad_list_and_an_invisible_inspection(api, lived):
    url = f"/api/v1/inspections/{lived.inspection.pk}/ledger.xlsx"
    response = api.get(url + "?list=all-of-it", headers=token_for(api, "alice"))
    assert response.status_code == 400 and "problems" in response.json()["detail"]
    response = api.get(url, headers=token_for(api, "charlie"))
    assert response.status_code == 404 and "无权查看" in response.json()["detail"]
    assert api.get(url).status_code == 401


def test_a_dry_run_previews_and_writes_nothing(api, world):
    before = ledger_counts()
    response = api.post(
        IMPORT,
        {"organisation": "bureau-a", "file": upload(sample()), "dry_run": "true"},
        headers=token_for(api, "alice"),
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["dry_run"] is True and data["inspection_id"] is None
    assert (data["sheet"], data["header_row"], data["problem_count"], data["measure_count"]) == (
        "台账",
        2,
        1,
        2,
    )
    assert data["inspection"]["inspecting_body"] == "市委第七巡察组"
    problem = data["areas"][0]["problems"][0]
    assert (problem["row"], problem["number"], problem["title"]) == (3, 1, "执法不规范")
    assert [m["deadline"] for m in problem["measures"]] == ["2025-06-30", "2025-12-31"]
    assert problem["measures"][0]["leader"] == "李瑞" and problem["measures"][1]["leader"] is None
    assert (data["units_matched"], data["units_created"]) == (["甲局执法支队"], ["督查科"])
    assert data["leaders_unknown"] == ["张三"]
    assert data["warnings"] == [{"row": 4, "column": "E", "message": data["warnings"][0]["message"]}]
    assert {"column": "C", "header": "问题表现", "field": "问题表现"} in data["columns"]
    assert ledger_counts() == before
    # dry_run in the query string counts too: a preview is never written by mistake.
    again = api.post(
        IMPORT + "?dry_run=1",
        {"organisation": "bureau-a", "file": upload(sample())},
        headers=token_for(api, "alice"),
    )
    assert again.status_code == 200 and ledger_counts() == before


def test_an_import_writes_and_answers_201_with_the_inspection(api, world):
    response = api.post(
        IMPORT,
        {
            "organisation": str(world.orgs["a"].pk),
            "file": upload(sample()),
            "title": "市委第七巡察组常规巡察",
            "kind": "巡察",
            "feedback_date": "2025-03-01",
        },
        headers=token_for(api, "alice"),
    )
    assert response.status_code == 201, response.content
    data = response.json()
    inspection = Inspection.objects.get(pk=data["inspection_id"])
    assert (inspection.title, inspection.kind, inspection.feedback_date.isoformat()) == (
        "市委第七巡察组常规巡察",
        "patrol",
        "2025-03-01",
    )
    assert inspection.inspecting_body == "市委第七巡察组"  # not given: read from the title row
    assert data["created"]["id"] == inspection.pk and data["units_created"] == ["督查科"]
    assert Measure.objects.filter(problem__inspection=inspection).count() == 2


def test_errors_are_listed_by_row_and_column_and_nothing_is_written(api, world):
    rows = [
        ["序号", "问题类别", "问题表象", "整改措施", "整改时限"],
        [1, "执法方面", "执法不规范", "规范执法程序。", "2025-06-30"],
        [1, "执法方面", "执法不规范", "", "2025-06-30"],
        [2, "执法方面", "打击不力", "打击。", "2025-02-30"],
        [1, "服务方面", "审批过长", "压缩。", "2025-07-01"],
    ]
    before = ledger_counts()
    for dry_run in ("true", "false"):
        response = api.post(
            IMPORT,
            {
                "organisation": "bureau-a",
                "file": upload(workbook(rows)),
                "title": "第七轮",
                "dry_run": dry_run,
            },
            headers=token_for(api, "alice"),
        )
        assert response.status_code == 400
        data = response.json()
        assert "4 处错误" in data["detail"]
        assert [(e["row"], e["column"]) for e in data["errors"]] == [(1, ""), (3, "D"), (4, "E"), (5, "A")]
        assert "问题表现" in data["errors"][0]["message"] and "2025-02-30" in data["errors"][2]["message"]
    assert ledger_counts() == before
    fixed = api.post(
        IMPORT,
        {
            "organisation": "bureau-a",
            "file": upload(workbook(rows)),
            "title": "第七轮",
            "mapping": json.dumps({"C": "问题表现"}),
            "dry_run": "true",
        },
        headers=token_for(api, "alice"),
    )
    assert [(e["row"], e["column"]) for e in fixed.json()["errors"]] == [(3, "D"), (4, "E"), (5, "A")]


@pytest.mark.parametrize(
    "data, message",
    [
        ("这不是表格".encode(), "不是 Excel 工作簿"),
        (encrypted_workbook(), "打开密码"),
        (workbook([]), "工作表是空的"),
    ],
)
def test_a_wrong_file_is_a_400_in_chinese(api, world, data, message):
    before = ledger_counts()
    response = api.post(
        IMPORT,
        {"organisation": "bureau-a", "file": upload(data), "title": "t"},
        headers=token_for(api, "alice"),
    )
    assert response.status_code == 400 and message in response.json()["detail"]
    assert ledger_counts() == before


def test_a_bad_mapping_is_a_400(api, world):
    response = api.post(
        IMPORT,
        {"organisation": "bureau-a", "file": upload(sample()), "mapping": '{"Q": "问题表现"}'},
        headers=token_for(api, "alice"),
    )
    assert response.status_code == 400 and "不是表中的列" in response.json()["detail"]


@pytest.mark.parametrize("name, status", [("charlie", 403), ("bob", 403), ("larry", 403), ("sam", 403)])
def test_only_the_office_of_the_organisation_imports(api, world, name, status):
    response = api.post(
        IMPORT,
        {"organisation": "bureau-a", "file": upload(sample()), "dry_run": "true"},
        headers=token_for(api, name),
    )
    assert response.status_code == status and "整改办" in response.json()["detail"]


def test_an_unknown_organisation_is_404(api, world):
    response = api.post(
        IMPORT, {"organisation": "no-such", "file": upload(sample())}, headers=token_for(api, "alice")
    )
    assert response.status_code == 404


def test_the_endpoints_are_documented_under_their_tag(api, world):
    schema = api.get("/api/v1/openapi.json").json()
    assert schema["paths"]["/api/v1/inspections/import-ledger"]["post"]["tags"] == ["整改台账"]
    download = schema["paths"]["/api/v1/inspections/{inspection_id}/ledger.xlsx"]["get"]
    assert XLSX_TYPE in download["responses"]["200"]["content"]
