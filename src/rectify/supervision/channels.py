"""Delivering a person's daily digest: e-mail through Django's backend, and the group robots of
企业微信 (WeCom) and 钉钉 (DingTalk) in their documented markdown message formats."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail

from .models import Notification

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 5


def digest_text(notifications: Sequence[Notification], day_label: str) -> tuple[str, str]:
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


def wecom_payload(subject: str, notifications: Sequence[Notification]) -> dict:
    """企业微信群机器人 markdown message."""
    items = "\n".join(f"> {item.title}" for item in notifications)
    return {"msgtype": "markdown", "markdown": {"content": f"**{subject}**\n{items}"}}


def dingtalk_payload(subject: str, notifications: Sequence[Notification]) -> dict:
    """钉钉群机器人 markdown message (title is what the notification bar shows)."""
    items = "\n".join(f"- {item.title}" for item in notifications)
    return {"msgtype": "markdown", "markdown": {"title": subject, "text": f"#### {subject}\n{items}"}}


def webhook_allowed(url: str) -> bool:
    """Only the robot hosts an administrator allowed: a user-entered address must not make the
    server call arbitrary machines on the intranet."""
    host = urlsplit(url).hostname or ""
    return urlsplit(url).scheme in ("https", "http") and host in settings.RECTIFY_WEBHOOK_HOSTS


def post_webhook(url: str, payload: dict) -> bool:
    """POST the JSON payload; True on a 2xx answer. Failures are logged, never raised: a robot
    that is down must not stop the e-mail or the other people's digests."""
    if not webhook_allowed(url):
        log.warning("webhook host not allowed: %s", urlsplit(url).hostname)
        return False
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return 200 <= response.status < 300
    except OSError as error:
        log.warning("webhook delivery failed: %s", error)
        return False
