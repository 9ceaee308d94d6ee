"""One error path: a service's refusal becomes the error page (or JSON under /api/) in one place, and
whatever else fails under /api/ still answers JSON in Chinese, as in production (DEBUG off)."""

import pytest
from django.db import connection
from django.test import Client

from rectify.notices.models import NoticePublication


@pytest.fixture
def anonymous(db):
    return Client(raise_request_exception=False)


@pytest.fixture
def publications_table_gone(db):
    """A real failure below the view: the table the public notices are read from is missing (renamed
    inside the test's transaction, which rolls it back)."""
    table = NoticePublication._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_gone"')


def test_a_server_error_under_api_answers_json_in_chinese(anonymous, publications_table_gone, settings):
    assert settings.DEBUG is False
    response = anonymous.get("/api/v1/public/notices")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "内部错误" in response.json()["detail"]


def test_a_server_error_on_a_page_is_the_error_page(anonymous, publications_table_gone):
    response = anonymous.get("/portal/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "系统暂时无法处理您的请求" in response.content.decode()


def test_an_unknown_api_address_answers_json_in_chinese(anonymous):
    response = anonymous.get("/api/v2/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "请求的对象不存在，或您无权查看。"}


def test_a_refusal_on_a_page_shows_the_message_and_status(world, ledger):
    client = Client()
    client.force_login(world.charlie)
    response = client.get(f"/measures/{ledger.measures[1, 1].pk}/")
    assert response.status_code == 404
    assert "无法完成该操作" in response.content.decode()


def test_a_refusal_of_a_button_shows_the_message_and_status(world, ledger):
    client = Client()
    client.force_login(world.bob)
    response = client.post(f"/inspections/{ledger.inspection.pk}/report-period/", {"report_period": "weekly"})
    assert response.status_code == 403
    assert "无法完成该操作" in response.content.decode()
