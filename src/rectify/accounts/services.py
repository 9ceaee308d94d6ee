"""Authentication rules shared by the login page and the API's token endpoint: the password's age, the
second factor (TOTP and recovery codes, django-otp) and what a login still owes before it may be used.

A login owes steps, in this order: "otp" (the user has a second factor: enter a code), "enrol" (the
user's organisation requires a second factor of his or her role and there is none yet), "password"
(the password is older than RECTIFY_PASSWORD_MAX_AGE_DAYS). They are decided once, at login, and kept
in the session, so that an ordinary request costs no query for them (LoginStepsMiddleware).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rectify.errors import AccessDenied, InvalidInput, RectifyError
from rectify.org.models import SECOND_FACTOR_ROLES, Membership, User

from .models import PasswordHistory

STEPS_KEY = "rectify_login_steps"
ACTIVITY_KEY = "rectify_last_activity"
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "动态验证码"
RECOVERY_NAME = "恢复码"

OTP_MISSING = "该账户已启用两步验证，请同时提供动态验证码或恢复码（otp）。"
OTP_WRONG = "动态验证码或恢复码不正确，请重新输入。连续多次失败将暂时锁定账户。"
THROTTLED = "验证码输入过于频繁，请稍等片刻再试。"
LOCKED = "登录失败次数过多，账户已暂时锁定，请稍后再试或联系管理员。"
ENROL_REQUIRED = "所在组织要求整改办和纪检监察人员使用两步验证：请先登录网页绑定动态验证码，再申请令牌。"
PASSWORD_EXPIRED = "密码已超过有效期，请先登录网页修改密码，再申请令牌。"


class SecondFactorRefused(RectifyError):
    """No code, or a wrong one, where the account has a second factor: not signed in (401)."""

    status = 401


class LockedOut(RectifyError):
    status = 429


# ---------------------------------------------------------------- password age


def password_changed_at(user: User) -> datetime:
    """When the current password was set: the newest history row, or the account's creation."""
    newest = (
        PasswordHistory.objects.filter(user=user).order_by("-created_at").values_list("created_at", flat=True)
    ).first()
    return newest or user.date_joined


def password_expired(user: User, now: datetime | None = None) -> bool:
    max_age = settings.RECTIFY_PASSWORD_MAX_AGE_DAYS
    if not max_age or not user.has_usable_password():
        return False
    return (now or timezone.now()) - password_changed_at(user) > timedelta(days=max_age)


# ---------------------------------------------------------------- second factor


def totp_device(user: User, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user: User) -> bool:
    """The user holds an office or supervisor role in an organisation that requires a second factor."""
    return Membership.objects.filter(
        user=user, role__in=SECOND_FACTOR_ROLES, organisation__require_second_factor=True
    ).exists()


def start_enrolment(user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP secret for the user (an earlier unconfirmed one is replaced). It counts
    only once confirmed with a code from the app."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def pending_enrolment(user: User) -> TOTPDevice:
    return totp_device(user, confirmed=False) or start_enrolment(user)


@transaction.atomic
def confirm_enrolment(request: HttpRequest, user: User, code: str) -> list[str]:
    """Confirms the pending secret with a code from the app: it replaces any earlier second factor and
    the recovery codes are made anew. Returns the recovery codes, to be shown once."""
    device = totp_device(user, confirmed=False)
    if device is None:
        raise InvalidInput("没有待确认的绑定，请重新开始绑定。")
    code = _normalised(code)
    if not code:
        raise InvalidInput("请输入验证器应用显示的 6 位动态验证码。")
    if not device.verify_token(code):
        raise InvalidInput("动态验证码不正确：请核对手机时间是否准确，并输入应用当前显示的 6 位数字。")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = regenerate_recovery_codes(user)
    otp_login(request, device)
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    """Ten new single-use recovery codes; the earlier ones stop working. Only the caller sees them."""
    if not has_second_factor(user):
        raise InvalidInput("尚未启用两步验证，无需恢复码。")
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def disable_second_factor(user: User) -> None:
    if second_factor_required(user):
        raise AccessDenied("所在组织要求您使用两步验证，不能停用。")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _normalised(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def verify_second_factor(request: HttpRequest, user: User, code: str | None):
    """The device that accepts the code (a 6-digit TOTP code or a recovery code, which then is spent).

    A wrong code is a failed login: Django's `user_login_failed` is sent with the user name, so that
    django-axes counts it toward the lockout (and the audit trail sees it) exactly as a wrong password.
    """
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        raise LockedOut(LOCKED)
    code = _normalised(code)
    if not code:
        raise SecondFactorRefused(OTP_MISSING)
    device = None
    with transaction.atomic():
        if len(code) == 6 and code.isdigit():
            candidates = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        else:
            candidates = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
        candidates = list(candidates)
        if candidates and not any(candidate.verify_is_allowed()[0] for candidate in candidates):
            # django-otp's own throttle (the wait doubles with each wrong code): not a new failure.
            raise SecondFactorRefused(THROTTLED)
        for candidate in candidates:
            if candidate.verify_token(code):
                device = candidate
                break
    if device is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(LOCKED)
        raise SecondFactorRefused(OTP_WRONG)
    return device


# ---------------------------------------------------------------- what a login owes


def owed_steps(user: User) -> list[str]:
    steps = []
    if has_second_factor(user):
        steps.append("otp")
    elif second_factor_required(user):
        steps.append("enrol")
    if password_expired(user):
        steps.append("password")
    return steps


def steps_of(request: HttpRequest) -> list[str]:
    return list(request.session.get(STEPS_KEY, []))


def step_done(request: HttpRequest, step: str) -> None:
    steps = [owed for owed in steps_of(request) if owed != step]
    if steps:
        request.session[STEPS_KEY] = steps
    else:
        request.session.pop(STEPS_KEY, None)
    if step in ("otp", "enrol"):
        forget_failures(request, request.user)


def forget_failures(request: HttpRequest, user: User) -> None:
    """The login is complete: earlier failures of this user name from this address no longer count."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": user.get_username()})


def on_login(sender, request: HttpRequest, user: User, **kwargs) -> None:
    """Runs at every login: the steps still owed, the session's absolute end (its expiry is fixed now,
    so that activity never stretches it past SESSION_COOKIE_AGE) and the first activity."""
    if request is None or not hasattr(request, "session"):
        return
    steps = owed_steps(user)
    if steps:
        request.session[STEPS_KEY] = steps
    else:
        request.session.pop(STEPS_KEY, None)
    if "otp" not in steps:
        forget_failures(request, user)
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    request.session[ACTIVITY_KEY] = int(time.time())


def check_token_request(request: HttpRequest, user: User, otp: str | None) -> None:
    """What the API's token endpoint asks beyond the password: the second factor where the user has
    one, one enrolled where the organisation requires it, and a password that has not expired."""
    if has_second_factor(user):
        verify_second_factor(request, user, otp)
    elif second_factor_required(user):
        raise AccessDenied(ENROL_REQUIRED)
    if password_expired(user):
        raise AccessDenied(PASSWORD_EXPIRED)
