"""Defect 3: numbers out of any sane range in a query string are refused with a Chinese message (API)
or shown as the last page (HTML lists, as Django's Paginator.get_page does), never a 500."""

import pytest
from django.test import Client

from .test_api import token_for

HUGE = "99999999999999999999"


@pytest.fixture
def anonymous(db):
    return Client(raise_request_exception=False)


def test_public_notices_refuse_a_year_beyond_2100(anonymous):
    response = anonymous.get("/api/v1/public/notices", {"year": "10000"})
    assert response.status_code == 422
    assert "year" in response.json()["detail"]


def test_public_notices_refuse_a_huge_page(anonymous):
    response = anonymous.get("/api/v1/public/notices", {"page": HUGE})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("请求参数有误")


@pytest.mark.parametrize("path", ["/portal/", "/portal/consultations/"])
def test_portal_lists_show_the_last_page_for_a_huge_page(anonymous, path):
    response = anonymous.get(path, {"page": HUGE})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/measures/", "/feedback/", "/notifications/", "/audit/", "/publications/"])
def test_staff_lists_show_the_last_page_for_a_huge_page(world, ledger, path):
    client = Client(raise_request_exception=False)
    client.force_login(world.alice)
    response = client.get(path, {"page": HUGE})
    assert response.status_code == 200


def test_measures_api_refuses_an_inspection_id_beyond_the_database_range(world, ledger):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/measures", {"inspection": HUGE}, headers=token_for(client, "alice"))
    assert response.status_code == 422
    assert "inspection" in response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/dispatch/new/", "/measures/", "/feedback/", "/audit/", "/warnings/", "/orders/"]
)
def test_staff_pages_ignore_an_inspection_id_beyond_the_database_range(world, ledger, path):
    client = Client(raise_request_exception=False)
    client.force_login(world.alice)
    response = client.get(path, {"inspection": HUGE})
    assert response.status_code in (200, 400)
