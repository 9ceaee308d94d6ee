"""A session nobody used for RECTIFY_SESSION_IDLE_MINUTES (30) ends: a page goes to the login with
长时间未操作，请重新登录, a script gets 401. Use keeps it alive, up to its absolute SESSION_COOKIE_AGE."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from .conftest import sign_in

IDLE = "长时间未操作，请重新登录。"


def test_an_idle_session_is_signed_out_with_a_chinese_message(world, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "alice")
        assert client.get("/inspections/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/measures/?overdue=1")
        assert response.status_code == 302
        assert response.url == "/login/?next=%2Fmeasures%2F%3Foverdue%3D1"
        login = client.get(response.url)
        assert IDLE in login.content.decode()
        # The session is gone: signing in again is needed.
        assert client.get("/inspections/").status_code == 302
        assert "_auth_user_id" not in client.session


def test_a_script_of_an_idle_session_gets_401_not_a_page(world, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "alice")
        clock.shift(timedelta(minutes=45))
        htmx = client.get("/measures/", headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.json()["detail"] == IDLE
        assert htmx["HX-Redirect"] == "/login/"
        sign_in(client, "alice")
        clock.shift(timedelta(minutes=45))
        api = client.get("/api/v1/inspections")
        assert api.status_code == 401 and api.json()["detail"] == IDLE


def test_an_active_session_lives_on_until_its_absolute_age(world, client, settings):
    settings.SESSION_COOKIE_AGE = 3 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "alice")
        for _ in range(8):  # every 20 minutes for 2 h 40 min: never idle
            clock.shift(timedelta(minutes=20))
            assert client.get("/inspections/").status_code == 200
        clock.shift(timedelta(minutes=25))  # 3 h 05 min after login, though used 25 minutes ago
        assert client.get("/inspections/").status_code == 302


def test_the_idle_time_is_a_setting(world, client, settings):
    settings.RECTIFY_SESSION_IDLE_MINUTES = 10
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        sign_in(client, "alice")
        clock.shift(timedelta(minutes=9))
        assert client.get("/inspections/").status_code == 200
        clock.shift(timedelta(minutes=11))
        assert client.get("/inspections/").status_code == 302
