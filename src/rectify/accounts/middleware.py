"""Two gates every signed-in request passes: the session's idle time, and the steps its login still
owes (second factor, enrolment, a new password). Both read only the session: no query."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import services

IDLE_MESSAGE = "长时间未操作，请重新登录。"
# Recording the time of every request would write the session each time; once a minute is enough.
ACTIVITY_RESOLUTION = 60

STEP_PAGES = {"otp": "accounts:verify", "enrol": "accounts:two-factor", "password": "accounts:password"}
STEP_MESSAGES = {
    "otp": "请先输入动态验证码完成登录。",
    "enrol": "所在组织要求使用两步验证，请先绑定动态验证码。",
    "password": "密码已超过有效期，请先修改密码。",
}


def wants_json(request: HttpRequest) -> bool:
    """A script's request (the API, htmx, fetch asking for JSON) gets a status, not a page."""
    return (
        request.path.startswith("/api/")
        or request.headers.get("HX-Request") == "true"
        or "application/json" in request.headers.get("Accept", "")
    )


def refusal(request: HttpRequest, status: int, message: str, location: str) -> HttpResponse:
    response = JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    if request.headers.get("HX-Request") == "true":
        response["HX-Redirect"] = location  # htmx leaves the fragment and opens the page
    return response


class IdleSessionMiddleware:
    """Signs out a session nobody used for RECTIFY_SESSION_IDLE_MINUTES: the page goes to the login
    with 长时间未操作，请重新登录; a script's request gets 401 with the same words."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(services.ACTIVITY_KEY)
            if last is not None and now - last > settings.RECTIFY_SESSION_IDLE_MINUTES * 60:
                return self.signed_out(request)
            if last is None or now - last >= ACTIVITY_RESOLUTION:
                request.session[services.ACTIVITY_KEY] = now
        return self.get_response(request)

    def signed_out(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        login = reverse(settings.LOGIN_URL)
        if wants_json(request):
            return refusal(request, 401, IDLE_MESSAGE, login)
        messages.warning(request, IDLE_MESSAGE)
        if request.method == "GET":
            login += "?" + urlencode({"next": request.get_full_path()})
        return redirect(login)


class LoginStepsMiddleware:
    """A login that still owes a step reaches only that step's page (and logging out, and the static
    files); anything else is sent there, or refused with 403 for a script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            steps = request.session.get(services.STEPS_KEY)
            if steps:
                request.login_step = steps[0]
                page = reverse(STEP_PAGES[steps[0]])
                if request.path not in (page, reverse("logout")) and not request.path.startswith(
                    "/" + settings.STATIC_URL.lstrip("/")
                ):
                    if wants_json(request):
                        return refusal(request, 403, STEP_MESSAGES[steps[0]], page)
                    if request.method == "GET":
                        page += "?" + urlencode({"next": request.get_full_path()})
                    return redirect(page)
        return self.get_response(request)
