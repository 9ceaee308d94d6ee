"""PostgreSQL cannot store or compare text holding the NUL character (\\0); SQLite can. Whatever a
caller sends, a NUL is refused in Chinese before it reaches the database, the same on both."""

import json

import pytest
from django.test import Client

from ..conftest import PASSWORD
from .test_api import token_for


@pytest.fixture
def api(ledger):
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def test_a_nul_in_a_json_body_is_refused_and_changes_nothing(api, world, ledger):
    alice = token_for(api, "alice")
    measure = ledger.measures[(1, 1)]
    body = {"version": 1, "outside_units": "市\x00公安局"}
    response = api.patch(
        f"/api/v1/measures/{measure.pk}", json.dumps(body), content_type="application/json", headers=alice
    )
    assert response.status_code == 400, response.content
    assert "空字符" in response.json()["detail"]
    measure.refresh_from_db()
    assert measure.version == 1 and measure.outside_units == ""


def test_a_nul_in_the_login_name_is_refused_not_a_server_error(api, world):
    response = api.post(
        "/api/v1/auth/token",
        json.dumps({"username": "alice\x00", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "空字符" in response.json()["detail"]


def test_a_nul_in_a_query_parameter_is_refused(api, world, ledger):
    alice = token_for(api, "alice")
    response = api.get("/api/v1/search", {"q": "整改\x00"}, headers=alice)
    assert response.status_code == 400
    assert "空字符" in response.json()["detail"]


@pytest.mark.parametrize("address", ["/search/", "/measures/"])
def test_a_nul_in_a_page_query_is_refused_in_chinese(client, world, ledger, address):
    client.force_login(world.alice)
    response = client.get(address, {"q": "整改\x00"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


def test_a_body_that_is_not_json_is_refused_in_chinese(api, world):
    response = api.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"] and "Cannot" not in response.json()["detail"]
