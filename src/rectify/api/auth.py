"""How API callers prove who they are: a Bearer token, or the browser's session (with CSRF)."""

import contextlib
from datetime import timedelta

from auditlog.context import auditlog_value
from django.conf import settings
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from rectify.accounts.services import password_expired
from rectify.org.tokens import hash_token

from .models import ApiToken

PASSWORD_EXPIRED_FOR_TOKEN = "密码已超过有效期，令牌暂停使用：请先登录网页修改密码。"
# Recording every request's time would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), expires_at__gt=now, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        if settings.RECTIFY_PASSWORD_MAX_AGE_DAYS and password_expired(found.user, now):
            # A token asked for before the password expired does not outlive it: like the pages,
            # nothing opens until the password is changed.
            raise HttpError(403, PASSWORD_EXPIRED_FOR_TOKEN)
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        _record_actor(found.user)
        return found.user


def _record_actor(user) -> None:
    # The audit-log middleware ran before the token was read; name the token's user as the actor
    # of whatever this request changes.
    with contextlib.suppress(LookupError):
        auditlog_value.get()["actor"] = user


CSRF_MESSAGE = "缺少或无效的 CSRF 令牌：浏览器会话调用接口时须在请求头 X-CSRFToken 中携带。"


class BrowserSession(SessionAuth):
    """The signed-in browser's session, CSRF-checked. A caller with no session is simply not
    authenticated here (so the API answers 401 in Chinese), rather than failing the CSRF check."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise HttpError(
                403, "缺少或无效的 CSRF 令牌：浏览器会话调用接口时须在请求头 X-CSRFToken 中携带。"
            ) from None
