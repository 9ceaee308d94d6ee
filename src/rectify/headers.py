"""Permissions-Policy on every answer: the browser features no page of the site uses (camera,
microphone, geolocation, payment…) refused to the page and to anything it might embed.

The other security headers come from Django (X-Frame-Options, X-Content-Type-Options,
Referrer-Policy, HSTS) and django-csp (Content-Security-Policy); nginx adds none of them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

HEADER = "Permissions-Policy"


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The header's value: `camera=()` for a feature refused everywhere, `fullscreen=(self)` for one
    allowed to the site itself (structured-field syntax, as browsers read it)."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.value = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.value and HEADER not in response:
            response[HEADER] = self.value
        return response
