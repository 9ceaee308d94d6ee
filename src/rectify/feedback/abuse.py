"""Protection of the public feedback channel against abuse: per-address rate limits shared by the
portal form and the public API, the size of a request, and the honeypot field of the forms.

CSRF stays Django's (the forms carry the token; the JSON API takes no session, so it needs none).
Markup is stripped by feedback.services; the pages escape everything they show.

Counts live in the default cache: a file cache by default, so every worker process of the machine
shares them (RECTIFY_CACHE_URL=redis://… when there are several machines).
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import JsonResponse
from django_ratelimit.core import is_ratelimited

from rectify.errors import RateLimited, RectifyError

# The portal form and POST /api/v1/public/feedback draw on one allowance per address.
SUBMIT_GROUP = "feedback-submit"
# Looking an item up by its code (the tracking page and GET /api/v1/public/feedback/{code}): a
# separate, larger allowance, so that guessing codes is slow but a sender is never locked out.
LOOKUP_GROUP = "feedback-lookup"

# The largest request the public side reads. A full form is about 20 KB even with 2,000 Chinese
# characters percent-encoded; anything much larger is not a person typing.
MAX_BODY_BYTES = 64 * 1024

# The honeypot: a field people never see (hidden by CSS, aria-hidden, out of the tab order) that
# form-filling robots fill in.
HONEYPOT_FIELD = "website"

SUBMIT_LIMIT_MESSAGE = (
    "提交过于频繁：同一网络地址在一段时间内只能提交有限次数的留言。您填写的内容仍保留在下方，"
    "请稍后（约一小时内）再提交，或拨打页面上的电话反映。"
)
LOOKUP_LIMIT_MESSAGE = "查询过于频繁，请稍后（约一小时内）再查询。"
HONEYPOT_MESSAGE = (
    "提交未成功：表单中一个供系统识别自动提交的隐藏项被填写（可能是浏览器自动填充所致）。"
    "您填写的内容仍保留在下方，请再次点击“提交”。"
)


class PayloadTooLarge(RectifyError):
    status = 413


def client_address(request) -> str:
    """The visitor's address: REMOTE_ADDR, or behind RECTIFY_PROXY_COUNT proxies the address the
    outermost of them saw (n-th from the right of X-Forwarded-For; what is further left, the client
    may have written itself). An IPv6 address counts by its /64, which one subscriber usually has."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.RECTIFY_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _key(group: str, request) -> str:
    return client_address(request)


def count_submission(request) -> None:
    """Count one submission from the visitor's address; RateLimited once the allowance
    (settings.RECTIFY_FEEDBACK_RATE, e.g. "5/h") is used up."""
    if is_ratelimited(
        request, group=SUBMIT_GROUP, key=_key, rate=settings.RECTIFY_FEEDBACK_RATE, increment=True
    ):
        raise RateLimited(SUBMIT_LIMIT_MESSAGE)


def count_lookup(request) -> None:
    """Count one look-up by tracking code; RateLimited once the allowance is used up."""
    rate = settings.RECTIFY_FEEDBACK_LOOKUP_RATE
    if is_ratelimited(request, group=LOOKUP_GROUP, key=_key, rate=rate, increment=True):
        raise RateLimited(LOOKUP_LIMIT_MESSAGE)


def check_body_size(request) -> None:
    """Refuse a request body larger than MAX_BODY_BYTES by its declared length, before the form or
    the API parses it. (For a form, Django's CSRF check has read it already, within Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE; this limit is what the channel accepts.)"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise PayloadTooLarge(
            f"提交的内容过大（{length // 1024} KB），留言不能超过 {MAX_BODY_BYTES // 1024} KB。"
        )


def limit_body(run):
    """Refuse an oversized body before ninja reads it."""

    @functools.wraps(run)
    def checked(request, *args, **kwargs):
        try:
            check_body_size(request)
        except PayloadTooLarge as error:
            return JsonResponse(
                {"detail": error.message}, status=error.status, json_dumps_params={"ensure_ascii": False}
            )
        return run(request, *args, **kwargs)

    return checked
