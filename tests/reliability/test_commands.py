"""A command that meets a database it cannot use, or a data folder it cannot make, says so in one Chinese
line and exits 1, writing nothing; a dry run that needs neither still runs."""

import pytest

from .conftest import (
    NOTICE,
    OTHER_NOTICE,
    count,
    digest,
    environment,
    lock,
    rectify,
    said_once_in_chinese,
    sqlite_url,
)

# What each command writes, had it been able to: an inspection, or the day's warnings.
WRITES = [
    (("import-notice", str(OTHER_NOTICE)), "ledger_inspection"),
    (("tick", "--date", "2030-01-01"), "supervision_measurealert"),
]


@pytest.mark.parametrize(("args", "table"), WRITES)
def test_a_read_only_database_is_one_line_and_exit_1(read_only, tmp_path, args, table):
    before = digest(read_only), count(read_only, table)
    result = rectify(*args, env=environment(tmp_path, DATABASE_URL=sqlite_url(read_only)))
    assert result.returncode == 1
    line = said_once_in_chinese(result.stderr)
    assert line.startswith("数据库错误：数据库为只读") and str(read_only) in line
    assert (digest(read_only), count(read_only, table)) == before


@pytest.mark.parametrize(("args", "table"), WRITES)
def test_a_database_on_a_full_disk_is_one_line_and_exit_1(full_disk, copy, tmp_path, args, table):
    env = environment(tmp_path, DATABASE_URL=sqlite_url(full_disk.database), **full_disk.variables)
    result = rectify(*args, env=env, prefix=full_disk.prefix)
    assert result.returncode == 1
    line = said_once_in_chinese(result.stderr)
    assert line.startswith("数据库错误：") and "磁盘已满" in line
    assert count(full_disk.after, table) == count(copy, table)


def test_the_writes_do_happen_on_a_writable_copy(copy, tmp_path):
    """The cases above fail because of the database, not the command: the same runs write here."""
    for args, table in WRITES:
        before = count(copy, table)
        result = rectify(*args, env=environment(tmp_path, DATABASE_URL=sqlite_url(copy)))
        assert result.returncode == 0, result.stderr
        assert count(copy, table) > before


def test_an_unmigrated_database_is_one_line_and_exit_1(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = rectify("tick", env=environment(tmp_path, DATABASE_URL=sqlite_url(empty)))
    assert result.returncode == 1
    assert "数据库尚未建立或未升级" in said_once_in_chinese(result.stderr)


def test_an_unreachable_database_server_is_one_line_and_exit_1(tmp_path):
    env = environment(tmp_path, DATABASE_URL="postgres://rectify@127.0.0.1:1/rectify")
    result = rectify("tick", env=env)
    assert result.returncode == 1
    assert "无法连接数据库服务器" in said_once_in_chinese(result.stderr)


@pytest.fixture(params=["under-a-file", "in-a-read-only-folder"])
def unmakeable_data_dir(request, tmp_path):
    """A RECTIFY_DATA_DIR that cannot be made: below a plain file, or in a folder nobody may write to."""
    if request.param == "under-a-file":
        (tmp_path / "file").write_text("")
        return tmp_path / "file" / "data"
    folder = tmp_path / "locked"
    folder.mkdir()
    lock(folder, request)
    return folder / "data"


def test_a_dry_run_needs_no_data_folder(unmakeable_data_dir, tmp_path):
    env = {**environment(tmp_path), "RECTIFY_DATA_DIR": str(unmakeable_data_dir)}
    result = rectify("import-notice", str(NOTICE), "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "试导入（未写入）" in result.stderr
    assert not unmakeable_data_dir.exists()


def test_a_command_that_needs_the_data_folder_says_so_in_one_line(unmakeable_data_dir, tmp_path):
    env = {**environment(tmp_path), "RECTIFY_DATA_DIR": str(unmakeable_data_dir)}
    result = rectify("tick", env=env)
    assert result.returncode == 1
    line = said_once_in_chinese(result.stderr)
    assert "无法打开数据库文件" in line and str(unmakeable_data_dir) in line


def test_a_database_url_into_a_missing_folder_is_one_line_and_exit_1(tmp_path):
    env = environment(tmp_path, DATABASE_URL=sqlite_url(tmp_path / "nowhere" / "db.sqlite3"))
    result = rectify("tick", env=env)
    assert result.returncode == 1
    assert "无法打开数据库文件" in said_once_in_chinese(result.stderr)


def test_traceback_is_still_there_for_whoever_asks(read_only, tmp_path):
    env = environment(tmp_path, DATABASE_URL=sqlite_url(read_only))
    result = rectify("tick", "--date", "2030-01-01", "--traceback", env=env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "readonly database" in result.stderr
