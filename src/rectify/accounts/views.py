"""The account's own pages: 账户安全 (password and second factor), the code after the password, the
enrolment of an authenticator app and the change of password. Thin: the rules are in services."""

from __future__ import annotations

import io
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from rectify.errors import RectifyError
from rectify.org.lockout import lockout_response

from . import services
from .forms import CodeForm, EnrolForm, PasswordChangeForm


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _onward(request: HttpRequest) -> HttpResponse:
    """Where a finished step leads: the page asked for, else the start page (the next owed step, if
    any, is the middleware's to show)."""
    return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)


def _context(request: HttpRequest, **extra) -> dict:
    step = getattr(request, "login_step", None)
    return {"login_step": step, "next": _next(request), **extra}


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        _context(
            request,
            has_device=services.has_second_factor(user),
            required=services.second_factor_required(user),
            codes_left=services.recovery_codes_left(user),
            changed_at=services.password_changed_at(user),
            max_age=settings.RECTIFY_PASSWORD_MAX_AGE_DAYS,
        ),
    )


@login_required
def password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            update_session_auth_hash(request, form.user)
            services.step_done(request, "password")
            messages.success(request, "密码已修改。")
            return _onward(request) if _next(request) else redirect("accounts:security")
        status = 400
    return render(request, "accounts/password.html", _context(request, form=form), status=status)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app, or a recovery code."""
    if "otp" not in services.steps_of(request):
        return _onward(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(request, request.user, form.cleaned_data["code"])
        except services.LockedOut:
            logout(request)  # locked: the session of this login ends too
            return lockout_response(request)
        except RectifyError as error:
            form.add_error("code", error.message)
            status = error.status
        else:
            otp_login(request, device)
            services.step_done(request, "otp")
            if isinstance(device, StaticDevice):
                left = services.recovery_codes_left(request.user)
                messages.warning(request, f"您使用了一个恢复码，还剩 {left} 个。可在“账户安全”中重新生成。")
            return _onward(request)
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/verify.html", _context(request, form=form), status=status)


def _qr_markup(device) -> str:
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", border=2, xmldecl=False, svgns=True, omitsize=True, nl=False, svgclass="otp-qr"
    )
    return buffer.getvalue().decode()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Binding an authenticator app: the QR code and the secret, confirmed by a code; the recovery codes
    are shown once, on the answer to the confirmation."""
    user = request.user
    enrolling = request.GET.get("enrol") == "1" or request.method == "POST"
    enrolling = enrolling or getattr(request, "login_step", None) == "enrol"
    if services.has_second_factor(user) and not enrolling:
        return redirect("accounts:security")
    device = services.pending_enrolment(user)
    form = EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrolment(request, user, form.cleaned_data["code"])
        except RectifyError as error:
            form.add_error("code", error.message)
            status = error.status
        else:
            services.step_done(request, "enrol")
            services.step_done(request, "otp")
            return render(
                request, "accounts/recovery_codes.html", _context(request, codes=codes, enrolled=True)
            )
    elif request.method == "POST":
        status = 400
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor.html",
        _context(
            request,
            form=form,
            qr=_qr_markup(device),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            required=services.second_factor_required(user),
        ),
        status=status,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = services.regenerate_recovery_codes(request.user)
    except RectifyError as error:
        messages.error(request, error.message)
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", _context(request, codes=codes, enrolled=False))


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    try:
        services.disable_second_factor(request.user)
    except RectifyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已停用两步验证，恢复码同时作废。")
    return redirect("accounts:security")
