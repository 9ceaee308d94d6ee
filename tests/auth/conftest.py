"""Helpers of the authentication tests: signing in as a person does, and the code an authenticator app
would show."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import TOTP

from ..conftest import PASSWORD


def code_of(device) -> str:
    """What the authenticator app shows now for this device."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def token_request(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def failures(username: str) -> int:
    from axes.models import AccessAttempt

    return sum(AccessAttempt.objects.filter(username=username).values_list("failures_since_start", flat=True))


@pytest.fixture
def client():
    return Client()
