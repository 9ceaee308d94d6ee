"""`rectify import-notice` as a user runs it: a real process, real files, real exit codes."""

import json
import os
import random
import sqlite3
import subprocess
import sys

import pytest

from ..conftest import GUANGZHOU


def rectify(*args: str, data_dir) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECTIFY_", "DATABASE_URL", "DJANGO_"))}
    env["RECTIFY_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "rectify.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_dry_run_json_prints_the_whole_structure(tmp_path):
    result = rectify("import-notice", str(GUANGZHOU), "--dry-run", "--json", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["title"] == "中共广州市交通运输局党组关于巡察整改进展情况的通报"
    assert (doc["issuer"], doc["date"]) == ("中共广州市交通运输局党组", "2025-03-20")
    facts = doc["inspection"]
    assert (facts["body"], facts["inspected"], facts["theme"]) == (
        "市委第七巡察组",
        "市交通运输局党组",
        "优化营商环境促进民营经济发展壮大专项巡察",
    )
    assert (facts["start"], facts["end"], facts["feedback_date"]) == (
        "2023-08-16",
        "2023-09-28",
        "2024-01-19",
    )
    assert [a["title"] for a in doc["areas"]] == [
        "关于政策环境方面",
        "关于法治环境方面",
        "关于市场环境方面",
        "关于政务环境方面",
    ]
    problems = [p for a in doc["areas"] for p in a["problems"]]
    assert [p["number"] for p in problems] == list(range(1, 18))
    assert [len(p["measures"]) for p in problems] == [1, 2, 1, 2, 1, 3, 3, 1, 3, 3, 1, 1, 4, 3, 2, 2, 3]
    assert problems[1]["measures"][0]["text"].startswith("加强政策宣介")
    assert not any(
        m["text"].startswith(("一是", "二是", "三是", "四是")) for p in problems for m in p["measures"]
    )
    assert len(doc["sections"]) == 3
    contact = doc["contact"]
    assert (contact["phones"], contact["emails"], contact["postcode"]) == (
        ["020-38180385"],
        ["gzsjtjjjjc@gz.gov.cn"],
        "510620",
    )
    assert contact["address"].startswith("广州市天河区天河南二路1号")
    assert "试导入" in result.stderr
    assert not (tmp_path / "rectify.sqlite3").exists()  # a dry run touches no database


def test_import_writes_then_refuses_a_second_copy_with_exit_code_2(tmp_path):
    assert rectify("migrate", "--verbosity", "0", data_dir=tmp_path).returncode == 0
    first = rectify("import-notice", str(GUANGZHOU), data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "17 个问题" in first.stderr and "36 条整改措施" in first.stderr
    second = rectify("import-notice", str(GUANGZHOU), data_dir=tmp_path)
    assert second.returncode == 2 and "不能重复导入" in second.stderr
    with sqlite3.connect(tmp_path / "rectify.sqlite3") as db:
        (code,) = db.execute("select code from org_organisation").fetchone()
    dry = rectify("import-notice", "--dry-run", "--organisation", code, str(GUANGZHOU), data_dir=tmp_path)
    assert dry.returncode == 2 and "不能重复导入" in dry.stderr and "试导入" not in dry.stderr
    with sqlite3.connect(tmp_path / "rectify.sqlite3") as db:
        assert db.execute("select count(*) from ledger_measure").fetchone() == (36,)
        assert db.execute("select count(*) from ledger_inspection").fetchone() == (1,)


@pytest.mark.parametrize(
    "content, name",
    [
        (b"", "empty.txt"),
        (bytes(random.Random(7).randrange(256) for _ in range(2048)), "random.bin"),
        (b"<html><body><p>Hello</p></body></html>", "page.html"),
    ],
)
def test_bad_files_exit_2_with_a_chinese_message_and_write_nothing(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    result = rectify("import-notice", str(path), data_dir=tmp_path)
    assert result.returncode == 2
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.stderr)
    assert "Traceback" not in result.stderr


def test_unknown_organisation_and_missing_file_exit_2(tmp_path):
    assert rectify("migrate", "--verbosity", "0", data_dir=tmp_path).returncode == 0
    result = rectify("import-notice", str(GUANGZHOU), "--organisation", "no-such-org", data_dir=tmp_path)
    assert result.returncode == 2 and "不存在" in result.stderr
    result = rectify("import-notice", str(tmp_path / "missing.txt"), data_dir=tmp_path)
    assert result.returncode == 2 and "文件不存在" in result.stderr
