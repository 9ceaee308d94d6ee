"""Delivering a person's daily digest: e-mail through Django's backend, and the group robots of
企业微信 (WeCom) and 钉钉 (DingTalk) in their documented markdown message formats."""

from __future__ import annotations

import http.client
import json
import logging
import urllib.request
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 5
# 企业微信 refuses markdown.content over 4096 bytes of UTF-8 (errcode 40058).
WECOM_MARKDOWN_MAX_BYTES = 4096


class Item(Protocol):
    """A notification in a digest: a Notification, or the plain row the digest reads."""

    pk: int
    title: str
    body: str


def digest_text(notifications: Sequence[Item], day_label: str) -> tuple[str, str]:
    """(subject, plain-text body) of one person's digest."""
    subject = f"【巡察整改督办平台】{day_label}待办提醒（{len(notifications)} 条）"
    lines = [
        f"{index}. {item.title}" + (f"\n   {item.body}" if item.body else "")
        for index, item in enumerate(notifications, start=1)
    ]
    base = settings.RECTIFY_SITE_URL.rstrip("/")
    footer = f"\n\n请登录平台办理：{base}/notifications/" if base else ""
    return subject, "\n".join(lines) + footer


def send_email(address: str, subject: str, body: str) -> bool:
    if not address:
        return False
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


def wecom_payload(subject: str, notifications: Sequence[Item]) -> dict:
    """企业微信群机器人 markdown message, cut to the robot's size limit: the first items, then how
    many more wait on the platform (the e-mail carries them all)."""
    content = _fit(f"**{subject}**", [f"> {item.title}" for item in notifications], WECOM_MARKDOWN_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def _fit(head: str, lines: list[str], limit: int) -> str:
    whole = "\n".join([head, *lines])
    if len(whole.encode()) <= limit:
        return whole

    def more(count: int) -> str:
        return f"\n\n另有 {count} 条，请登录平台查看。"

    kept = head
    shown = 0
    for line in lines:
        candidate = f"{kept}\n{line}"
        if len((candidate + more(len(lines) - shown - 1)).encode()) > limit:
            break
        kept = candidate
        shown += 1
    return kept + more(len(lines) - shown)


def dingtalk_payload(subject: str, notifications: Sequence[Item]) -> dict:
    """钉钉群机器人 markdown message (title is what the notification bar shows)."""
    items = "\n".join(f"- {item.title}" for item in notifications)
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": f"#### {subject}\n{items}"}}


def webhook_allowed(url: str) -> bool:
    """Only the robot hosts an administrator allowed: a user-entered address must not make the
    server call arbitrary machines on the intranet."""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises ValueError when out of range)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("https", "http") and host in settings.RECTIFY_WEBHOOK_HOSTS


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """An allowed robot host answering with a redirect must not lead the server elsewhere: the
    3xx answer is a failure like any other."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post_webhook(url: str, payload: dict) -> bool:
    """POST the JSON payload; True when the robot took it: a 2xx answer whose JSON errcode (both
    robots answer {"errcode": 0, "errmsg": "ok"}, and HTTP 200 with another errcode when they
    refuse) is 0. Redirects are not followed. Failures are logged, never raised: a robot that is
    down, refuses or answers nonsense must not stop the e-mail or the other people's digests."""
    if not webhook_allowed(url):
        log.warning("webhook host not allowed: %s", urlsplit(url).hostname)
        return False
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            if not 200 <= response.status < 300:
                log.warning("webhook delivery failed: HTTP %s", response.status)
                return False
            answer = response.read(64 * 1024)
    except (OSError, http.client.HTTPException, ValueError) as error:
        log.warning("webhook delivery failed: %s", error)
        return False
    try:
        reply = json.loads(answer)
    except ValueError:
        return True  # a 2xx without JSON (a relay in between): taken as delivered
    if isinstance(reply, dict) and reply.get("errcode", 0) != 0:
        log.warning("webhook refused the message: errcode %s %s", reply.get("errcode"), reply.get("errmsg"))
        return False
    return True
