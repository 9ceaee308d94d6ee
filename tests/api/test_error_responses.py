"""One error path: a service's refusal becomes the error page (or JSON under /api/) in one place, and
whatever else fails under /api/ still answers JSON in Chinese, as in production (DEBUG off)."""

import pytest
from django.db import connection
from django.test import Client

from rectify.notices.models import NoticePublication

from ..publications.test_publishing import publish_through, staff  # noqa: F401  (fixture)


@pytest.fixture
def anonymous(db):
    return Client(raise_request_exception=False)


@pytest.fixture
def unreadable_notice(ledger, staff):  # noqa: F811
    """A real failure below the view that is no database's: a published notice whose stored content is
    not a notice (a list), as only a hand edit of the database could leave it."""
    publication = publish_through(ledger.inspection, staff)
    NoticePublication.objects.filter(pk=publication.pk).update(document=["不是通报"])
    return publication


@pytest.fixture
def publications_table_gone(db):
    """The database lacks a table, as one not migrated does (renamed inside the test's transaction, which
    rolls it back)."""
    table = NoticePublication._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_gone"')


def test_a_server_error_under_api_answers_json_in_chinese(anonymous, unreadable_notice, settings):
    assert settings.DEBUG is False
    response = anonymous.get(f"/api/v1/public/notices/{unreadable_notice.pk}")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "内部错误" in response.json()["detail"]


def test_a_server_error_on_a_page_is_the_error_page(anonymous, unreadable_notice):
    response = anonymous.get(f"/portal/notices/{unreadable_notice.pk}/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "系统暂时无法处理您的请求" in response.content.decode()


def test_a_database_not_migrated_answers_503_in_chinese(anonymous, publications_table_gone):
    response = anonymous.get("/api/v1/public/notices")
    assert response.status_code == 503
    assert "数据库暂时无法使用" in response.json()["detail"]
    page = anonymous.get("/portal/")
    assert page.status_code == 503
    assert "数据库暂时无法使用" in page.content.decode()


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
