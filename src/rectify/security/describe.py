"""Security events in words, as the audit page, the login history and the export say them."""

from __future__ import annotations

import re

from django.utils import timezone

from .models import Kind, SecurityEvent

# (pattern in the User-Agent, name shown), first match wins: Edge and 360 also say "Chrome".
BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"QIHU|360SE|360EE", "360 浏览器"),
    (r"QQBrowser", "QQ 浏览器"),
    (r"MicroMessenger", "微信"),
    (r"Firefox/", "Firefox"),
    (r"Chrom(e|ium)/", "Chrome"),
    (r"Safari/", "Safari"),
    (r"python-requests|httpx|curl|Wget|okhttp|Apache-HttpClient|python-urllib", "接口客户端"),
]
SYSTEMS = [
    (r"Windows", "Windows"),
    (r"Android", "Android"),
    (r"iPhone|iPad|iOS", "iOS"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"UOS|Deepin|Kylin", "国产操作系统"),
    (r"Linux|X11", "Linux"),
]


def device_label(user_agent: str) -> str:
    """ "Chrome · Windows", "接口客户端", "未知终端": enough for a person to recognise the device."""
    if not user_agent:
        return "未知终端"
    browser = next((name for pattern, name in BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for pattern, name in SYSTEMS if re.search(pattern, user_agent)), "")
    return " · ".join(part for part in (browser, system) if part) or "其他终端"


def when(event: SecurityEvent) -> str:
    return timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")


def who(event: SecurityEvent) -> str:
    if event.user is not None:
        return event.user.display_name
    return event.username or "匿名用户"


def sentence(event: SecurityEvent) -> str:
    """One line an official would write: "艾丽 于 2026-12-06 09:12 从 127.0.0.1 登录成功"."""
    detail = event.detail or {}
    api = "（接口令牌）" if detail.get("via") == "api" else ""
    where = f" 从 {event.ip}" if event.ip else ""
    if event.kind == Kind.LOGIN:
        return f"{who(event)} 于 {when(event)}{where} 登录成功{api}"
    if event.kind == Kind.LOGIN_FAILED:
        attempt = f"（第 {detail['attempt']} 次）" if detail.get("attempt") else ""
        return f"用户名 {event.username or '（空）'} 登录失败{attempt}{api}"
    if event.kind == Kind.LOCKOUT:
        if detail.get("during_lockout"):
            attempt = f"（第 {detail['attempt']} 次）" if detail.get("attempt") else ""
            return f"用户名 {event.username} 在锁定期间再次尝试登录{attempt}，已拒绝{api}"
        return f"用户名 {event.username} 连续登录失败 {detail.get('attempt', '多')} 次，账户已暂时锁定{api}"
    if event.kind == Kind.LOGOUT:
        return f"{who(event)} 退出登录"
    if event.kind == Kind.ACCESS_DENIED:
        return f"{who(event)} 被拒绝访问 {event.path}"
    if event.kind == Kind.EXPORT:
        return f"{who(event)} 导出下载 {detail.get('file') or event.path}"
    if event.kind == Kind.PERSONAL_DATA:
        if detail.get("export"):
            reason = f"（理由：{detail['reason']}）" if detail.get("reason") else ""
            return f"{who(event)} 导出含联系方式的意见诉求 {detail.get('rows', 0)} 条{reason}"
        return f"{who(event)} 查看了“{detail.get('name', '')}”的完整联系方式"
    return f"{who(event)} {event.get_kind_display()}"


OUTCOMES = {
    Kind.LOGIN: "成功",
    Kind.LOGIN_FAILED: "失败",
    Kind.LOCKOUT: "锁定",
}


def outcome(event: SecurityEvent) -> str:
    return OUTCOMES.get(event.kind, event.get_kind_display())
