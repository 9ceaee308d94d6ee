"""A database that cannot serve (read-only, full, unmigrated, unreachable) answers 503 with a Chinese
page, or {"detail": …} under /api/, and the log says why; no traceback reaches the browser, and nothing
is written. Through the real WSGI application in a server of its own, as a browser or client meets it."""

import json

import pytest

from .conftest import PASSWORD, count, digest, sqlite_url

UNAVAILABLE = "数据库暂时无法使用"


def assert_unavailable_page(answer):
    status, content_type, body = answer
    assert status == 503, body[:2000]
    assert content_type.startswith("text/html")
    assert UNAVAILABLE in body and "Traceback" not in body


def assert_unavailable_json(answer):
    status, content_type, body = answer
    assert status == 503, body[:2000]
    assert content_type.startswith("application/json")
    assert UNAVAILABLE in json.loads(body)["detail"]


def test_login_and_token_on_a_read_only_database(read_only, serve):
    before = digest(read_only)
    site = serve({"DATABASE_URL": sqlite_url(read_only)})  # the development default: DEBUG on
    assert site.request("/portal/")[0] == 200  # reading still works
    assert_unavailable_page(site.login("alice", PASSWORD))
    assert_unavailable_page(site.login("alice", "wrong-password"))  # a failure is recorded, or would be
    assert_unavailable_json(site.token("alice", PASSWORD))
    assert site.cookie("sessionid") is None
    assert digest(read_only) == before
    log = site.log_text()
    assert "数据库不可用，POST /login/ 答复 503：数据库为只读" in log
    assert "attempt to write a readonly database" in log  # the cause, with its traceback, for the operator


def test_login_and_token_on_a_full_disk(full_disk, copy, serve):
    site = serve({"DATABASE_URL": sqlite_url(full_disk.database), **full_disk.variables}, full_disk.prefix)
    assert_unavailable_page(site.login("alice", PASSWORD))
    assert_unavailable_json(site.token("alice", PASSWORD))
    assert "磁盘已满" in site.log_text()
    site.process.terminate()
    site.process.wait(timeout=30)
    for table in ("django_session", "api_apitoken", "axes_accesslog"):
        assert count(full_disk.after, table) == count(copy, table)


@pytest.mark.parametrize("debug", ["1", "0"])
def test_an_unmigrated_database(tmp_path, serve, debug):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    site = serve({"DATABASE_URL": sqlite_url(empty), "RECTIFY_DEBUG": debug})
    assert_unavailable_page(site.request("/portal/"))
    assert_unavailable_json(site.request("/api/v1/public/notices"))
    assert_unavailable_json(site.token("alice", PASSWORD))
    assert "数据库尚未建立或未升级到当前版本" in site.log_text()


def test_a_database_failing_in_a_middleware_before_any_view(tmp_path, serve):
    """A returning visitor's session is read by a middleware (the idle-session check asks who it is) before
    any view runs: there the 500 handler, which Django calls, answers 503 (DEBUG off, as in production)."""
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    site = serve({"DATABASE_URL": sqlite_url(empty), "RECTIFY_DEBUG": "0"})
    visitor = {"Cookie": "sessionid=a-session-from-before"}
    assert_unavailable_page(site.request("/portal/", headers=visitor))
    assert_unavailable_json(site.request("/api/v1/public/notices", headers=visitor))
    assert "accounts/middleware.py" in site.log_text()  # where it failed: no view was reached


def test_an_unreachable_database_server(serve):
    site = serve({"DATABASE_URL": "postgres://rectify@127.0.0.1:1/rectify", "RECTIFY_DEBUG": "0"})
    assert_unavailable_page(site.request("/portal/"))
    assert_unavailable_page(site.request("/portal/", headers={"Cookie": "sessionid=from-before"}))
    assert_unavailable_json(site.token("alice", PASSWORD))
    assert "无法连接数据库服务器" in site.log_text()
