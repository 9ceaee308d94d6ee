"""Security headers the frameworks do not send as the site needs them.

- Permissions-Policy on every answer: the browser features no page of the site uses (camera,
  microphone, geolocation, payment…) refused to the page and to anything it might embed.
- The one narrowing of the Content Security Policy: django-rq's queue dashboard in the admin
  (/admin/django_rq/, superusers only, used with RECTIFY_TASKS_BACKEND=rq) writes inline script and
  style in its own templates, so those pages alone may run them rather than break. Every other page,
  the rest of the admin and the API's documentation included, keeps the strict policy.

The other headers come from Django (X-Frame-Options, X-Content-Type-Options, Referrer-Policy, HSTS)
and django-csp (Content-Security-Policy); nginx adds none of them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

HEADER = "Permissions-Policy"
# What django-csp adds to the policy of the dashboard's pages (read from the response by its middleware).
INLINE_ALLOWED = {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]}


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The header's value: `camera=()` for a feature refused everywhere, `fullscreen=(self)` for one
    allowed to the site itself (structured-field syntax, as browsers read it)."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class SecurityHeadersMiddleware:
    """Stands inside django-csp's middleware (after it in MIDDLEWARE), so it sees the answer first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response
        self.value = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))
        self._dashboard = ""

    def inline_allowed(self, path: str) -> bool:
        if not self._dashboard:
            self._dashboard = reverse("admin:index") + "django_rq/"
        return path.startswith(self._dashboard)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.value and HEADER not in response:
            response[HEADER] = self.value
        if self.inline_allowed(request.path_info):
            response._csp_update = INLINE_ALLOWED  # type: ignore[attr-defined]
            response._csp_update_ro = INLINE_ALLOWED  # type: ignore[attr-defined]  # report-only mode
        return response
