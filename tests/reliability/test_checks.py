"""`rectify check` finds what would make the site fail: a database file in a folder that does not exist, a
database that cannot be used or was never migrated, a folder that cannot be written, an upload folder
that is not there. Each is a Chinese error with its id, exit code 1, no traceback, and nothing made."""

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, ProgrammingError

from rectify.checks import database_trouble

from .conftest import environment, lock, rectify, sqlite_url


def check(tmp_path, **variables):
    result = rectify("check", env={**environment(tmp_path), **variables})
    assert "Traceback" not in result.stderr
    return result


def test_a_sound_deployment_passes(copy, tmp_path):
    result = check(tmp_path, DATABASE_URL=sqlite_url(copy))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_database_url_into_a_missing_folder_and_a_missing_upload_folder(tmp_path):
    result = check(
        tmp_path,
        DATABASE_URL="sqlite:////nonexistent/dir/db.sqlite3",
        RECTIFY_MEDIA_ROOT=str(tmp_path / "volume-not-mounted"),
    )
    assert result.returncode == 1
    said = "(rectify.E001) 数据库文件 /nonexistent/dir/db.sqlite3 所在的目录 /nonexistent/dir 不存在"
    assert said in result.stderr
    assert f"(rectify.E005) 上传文件目录 {tmp_path / 'volume-not-mounted'} 不存在" in result.stderr


def test_a_database_not_made_yet(tmp_path):
    result = check(tmp_path, DATABASE_URL=sqlite_url(tmp_path / "rectify.sqlite3"))
    assert result.returncode == 1
    assert "(rectify.E003) 数据库文件" in result.stderr and "尚未建立" in result.stderr
    assert "rectify migrate" in result.stderr
    assert not (tmp_path / "rectify.sqlite3").exists()


def test_an_unmigrated_database(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = check(tmp_path, DATABASE_URL=sqlite_url(empty))
    assert result.returncode == 1
    assert "(rectify.E003) 数据库有" in result.stderr and "个迁移尚未执行" in result.stderr


def test_an_unreachable_database_server(tmp_path):
    result = check(tmp_path, DATABASE_URL="postgres://rectify@127.0.0.1:1/rectify")
    assert result.returncode == 1
    assert "(rectify.E002) 无法使用数据库：无法连接数据库服务器" in result.stderr


def test_a_data_folder_in_a_read_only_folder(tmp_path, request):
    locked = tmp_path / "locked"
    locked.mkdir()
    lock(locked, request)
    result = check(tmp_path, RECTIFY_DATA_DIR=str(locked / "data"))
    assert result.returncode == 1
    assert f"(rectify.E004) 数据目录 {locked / 'data'} 无法建立或写入：{locked} 无法写入" in result.stderr
    assert "RECTIFY_DATA_DIR" in result.stderr
    assert result.stderr.count("rectify.E00") == 1  # the database, cache and uploads under it: said once


def test_a_data_folder_below_a_file(tmp_path):
    (tmp_path / "file").write_text("")
    result = check(tmp_path, RECTIFY_DATA_DIR=str(tmp_path / "file" / "data"))
    assert result.returncode == 1
    assert f"(rectify.E004) 数据目录 {tmp_path / 'file' / 'data'} 无法建立或写入：" in result.stderr
    assert "不是目录" in result.stderr


CAUSES = [
    (OperationalError("attempt to write a readonly database"), "数据库为只读，无法写入"),
    (OperationalError("database or disk is full"), "数据库或磁盘已满"),
    (OperationalError("could not extend file: No space left on device"), "数据库或磁盘已满"),
    (OperationalError("unable to open database file"), "无法打开数据库文件（所在目录不存在或无权访问）"),
    (OperationalError('connection failed: FATAL: database "x" does not exist'), "无法连接数据库服务器"),
    (InterfaceError("connection already closed"), "无法连接数据库服务器"),
    (ProgrammingError('relation "ledger_measure" does not exist'), "数据库尚未建立或未升级到当前版本"),
    (OperationalError("no such table: django_session"), "数据库尚未建立或未升级到当前版本"),
    (OperationalError("something new"), "数据库无法使用"),
]


@pytest.mark.parametrize(("error", "reason"), CAUSES)
def test_each_cause_is_worded_in_chinese(error, reason):
    assert database_trouble(error) == reason


@pytest.mark.parametrize("error", [IntegrityError("UNIQUE constraint failed"), ValueError("no database's")])
def test_a_bug_is_no_database_trouble(error):
    assert database_trouble(error) is None
